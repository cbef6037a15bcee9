"""What the invoice page (PDF and HTML) prints because of the e-invoice, in the client's language.

`page_context(book, client, language)` is the client's share (JSON-able, part of the
build key): the issuer's company-register line, each contract's references, the
exchange rates. `page_view(invoice, ctx, lines)` arranges them for one invoice: the
courtesy-copy notice, the references of the contracts on its lines, and for a
foreign-currency invoice the euro values with the rate and its source (euro.py: the
same figures as the XML).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..model import Book, DocumentRef
from ..render.labels import einvoice_words as _words
from .document import applies


def page_context(book: Book, slug: str, language: str) -> dict[str, Any]:
    """The e-invoice's share of a client's context (render.context.client_context)."""
    from ..render.formatting import money, short_date

    s = book.settings
    client = book.client(slug)
    w, locale = _words(language), (client.locale if client else s.locale)
    issuer = s.issuer
    company = []
    if issuer.share_capital is not None:
        company.append(w["capital"].format(amount=money(issuer.share_capital, "EUR", locale)))
    if issuer.sole_shareholder:
        company.append(w["sole"])
    if issuer.liquidation:
        company.append(w["liquidation"])
    refs: dict[str, list[list[str]]] = {}
    for c in (client.contracts if client else ()):
        r = c.references
        if r is None:
            continue
        rows = [[w[k], v] for k, v in (("cig", r.cig), ("cup", r.cup)) if v]
        for key in ("determina", "order", "contract"):
            d: DocumentRef | None = getattr(r, key)
            if d is not None:
                text = f"{w['no']} {d.number}" + (f" {w['of']} {short_date(d.date, locale)}" if d.date else "")
                rows.append([w[key], text])
        refs[c.id] = rows
    rates = [[c, since.isoformat(), str(rate)] for c, since, rate in s.exchange_rates.rates]
    return {"applies": applies(book), "company": [" · ".join(company)] if company else [],
            "references": refs, "rates": rates, "source": s.exchange_rates.source}


def page_view(invoice, ctx: dict[str, Any], lines) -> dict[str, Any]:
    """courtesy (text or ""), doc_refs [(label, value)], euro_notes [text] for one invoice."""
    e = ctx.get("einvoice") or {"applies": False, "references": {}, "rates": [], "source": "", "company": []}
    w = _words(invoice.language)
    seen, doc_refs = set(), []
    for ln in lines:
        for label, value in e["references"].get(ln.contract, ()):
            if (label, value) not in seen:
                seen.add((label, value))
                doc_refs.append((label, value))
    has_xml = e["applies"] and any(ln.kind != "surcharge" for ln in lines)   # einvoice.xml_of writes one
    return {"courtesy": w["courtesy"] if has_xml else "", "doc_refs": doc_refs,
            "euro_notes": _euro_notes(invoice, e, lines, w)}


class _Rates:
    """ExchangeRates.rate over the context's plain lists."""

    def __init__(self, rows, source):
        self.rows, self.source = rows, source

    def rate(self, currency: str, on: date):
        found = None
        for c, since, value in self.rows:
            if c == currency and date.fromisoformat(since) <= on:
                found = (Decimal(value), date.fromisoformat(since))
        return found


def _euro_notes(invoice, e: dict, lines, w: dict) -> list[str]:
    from ..render.formatting import money, number, short_date
    from .document import _doc_date
    from .euro import conversion, summarise

    if invoice.currency == "EUR" or not e["applies"]:
        return []
    conv = conversion(_Rates(e["rates"], e["source"]), invoice.currency, _doc_date(invoice))
    if conv is None:
        return []
    natures = {t.tax_code: t.nature for t in invoice.taxes}
    from . import with_surcharges

    figures = summarise(invoice, with_surcharges(invoice, lines), conv, lambda ln: natures.get(ln.tax_code, "") if ln.tax_rate == 0 else "")
    loc = invoice.locale
    since = w["since"].format(date=short_date(conv.since, loc)) if conv.since != date.min else ""
    return [w["euro"].format(currency=conv.currency, rate=number(conv.rate, loc), since=since,
                             source=f" ({conv.source})" if conv.source else "",
                             taxable=money(figures.taxable, "EUR", loc), tax=money(figures.tax, "EUR", loc),
                             total=money(figures.total, "EUR", loc))]

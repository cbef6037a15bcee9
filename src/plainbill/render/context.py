"""What a template sees: the invoice, plus the book data printed around it, as plain values.

`client_context` gathers, once per client, the legal data of issuer and
client, bank, payment terms and names of people and activities: small,
picklable, JSON-able dicts (their hash is part of the incremental-build key,
since a changed address must re-render the invoice). `invoice_view` arranges
an invoice for the template (entries grouped under their line, links to the
ledger) without computing any amount: the engine did that.
"""
from __future__ import annotations

import json
import textwrap
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .. import __version__
from ..invoice import EntryDetail, Invoice
from ..model import Bank, Book, Party
from ..money import minor_digits
from .labels import labels, unit_label

MAX_SHOWN_DECIMALS = 4   # an entry's exact contribution, shown up to 1/10000


def party_dict(party: Party, home_country: str = "", language: str = "en") -> dict[str, Any]:
    addr = party.address
    city = " ".join(x for x in (addr.postal_code, addr.city) if x)
    if addr.province:
        city += f" ({addr.province})"
    country = _country_name(addr.country, language) if addr.country and addr.country != home_country else ""
    return {
        "name": party.name,
        "address": [x for x in (addr.street, city.strip(), country) if x],
        "vat_number": party.vat_number, "tax_code": party.tax_code,
        "rea": getattr(party, "rea", ""),     # not in the model yet: shown when a book has it
        "email": party.email, "pec": party.pec, "phone": party.phone,
        "sdi_code": party.sdi_code, "eaddress": party.eaddress,
    }


def _country_name(code: str, language: str) -> str:
    """'DE' -> 'Germania' for an Italian invoice: the client reads a name, not an ISO code."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language).territories.get(code.upper(), code)
    except (ValueError, UnknownLocaleError):
        return code


def bank_dict(bank: Bank) -> dict[str, str]:
    return {"name": bank.name, "iban": bank.iban, "bic": bank.bic}


def client_context(book: Book, slug: str, language: str) -> dict[str, Any]:
    """Everything printed on a client's invoices that is not in the Invoice itself."""
    s = book.settings
    client = book.client(slug)
    home = s.issuer.address.country
    party = client.party if client else Party(name=slug)
    return {
        "issuer": party_dict(s.issuer, home, language),
        "client": party_dict(party, home, language),
        "bank": bank_dict(s.bank),
        "terms": {"days": client.payment_terms_days if client else s.payment_terms_days,
                  "end_of_month": bool(client and client.end_of_month)},
        "repository_url": web_url(s.repository_url),
        "people": {p.slug: p.name for p in s.team},
        "activities": {a.slug: a.label(language) for a in s.activities},
        "generator": f"plainbill {__version__}",
    }


def web_url(url: str) -> str:
    """The URL when it is an http(s) address, else "": only such a URL may become a link on an invoice
    (a `javascript:` or `data:` URL in plainbill.yaml never reaches an href)."""
    from urllib.parse import urlsplit

    url = (url or "").strip().rstrip("/")
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in url for c in "\"'<> \t\n"):
        return ""
    return url


def context_key(ctx: dict[str, Any]) -> str:
    return json.dumps(ctx, sort_keys=True, ensure_ascii=False)


def invoice_view(invoice: Invoice, ctx: dict[str, Any]) -> dict[str, Any]:
    """The template's variables for one invoice."""
    lang = invoice.language
    t = labels(lang)
    issued = bool(invoice.number)
    credit = invoice.kind == "credit-note"
    doc_date = invoice.issue_date or invoice.period_end
    return {
        **ctx,
        "invoice": invoice,
        "t": t,
        "locale": invoice.locale,
        "currency": invoice.currency,
        "lang": lang,
        "title": t["credit_note"] if credit else t["invoice"],
        "shown_number": invoice.number if issued else f"{t['draft']} {invoice.id}",
        "is_draft": not issued,
        "doc_date_iso": doc_date.isoformat(),
        "units": {line.key: unit_label(line.unit, lang) for line in invoice.lines},
        "appendix": appendix(invoice, ctx),
        "appendix_header": appendix_header(t),
        "assets": "../assets",
    }


def appendix(invoice: Invoice, ctx: dict[str, Any]) -> list[dict[str, Any]]:
    """Entries grouped under the line they were billed on, in the invoice's line order.

    Each entry is laid out as fixed-width text (see `appendix_columns`): a
    PDF table cell costs WeasyPrint about a millisecond, so a 100-entry
    appendix as a table took most of an invoice's render time; a monospaced
    listing is ten times cheaper and reads like a ledger, which it is.
    """
    groups: dict[str, list[EntryDetail]] = {}
    for entry in invoice.entries:
        groups.setdefault(entry.line_key, []).append(entry)
    titles = {line.key: line.description for line in invoice.lines}
    order = [line.key for line in invoice.lines if line.key in groups]
    order += [key for key in groups if key not in titles]
    return [{"title": titles.get(key, key), "rows": [_entry_row(e, invoice, ctx) for e in groups[key]]}
            for key in order]


# (name, width, align) of the listing; the source column takes what is left
COLUMNS = (("entry_date", 6, "<"), ("person", 14, "<"), ("description", 42, "<"), ("raw_short", 6, ">"),
           ("billed_short", 6, ">"), ("rate", 10, ">"), ("multiplier", 5, "<"), ("line_amount", 11, ">"))
GAP = "  "


def appendix_header(t: dict[str, str]) -> str:
    cells = [_fit(t[name], width, align) for name, width, align in COLUMNS]
    return GAP.join(cells) + GAP + t["source"]


def _entry_row(e: EntryDetail, invoice: Invoice, ctx: dict[str, Any]) -> dict[str, Any]:
    from .formatting import amount, clock, day_month, number

    loc, cur = invoice.locale, invoice.currency
    desc = textwrap.wrap(e.description, COLUMNS[2][1]) or [""]
    if e.note:
        desc += textwrap.wrap(f"({e.note})", COLUMNS[2][1])
    timed = e.kind == "time"
    values = (day_month(e.date, loc), ctx["people"].get(e.person, e.person), desc[0],
              clock(e.raw_minutes) if timed else "", clock(e.billed_minutes) if timed else "",
              amount(e.rate, cur, loc), f"×{number(e.multiplier, loc)}" if e.multiplier != 1 else "",
              amount(shown_amount(e.amount, cur), cur, loc))
    text = GAP.join(_fit(v, width, align) for v, (_, width, align) in zip(values, COLUMNS)) + GAP
    indent = " " * (COLUMNS[0][1] + COLUMNS[1][1] + 2 * len(GAP))
    url = ctx["repository_url"]
    return {
        "entry": e, "text": text, "more": [indent + d for d in desc[1:]], "source": e.ref.short,
        "link": f"{url}/{e.ref.path}#L{e.ref.line}" if url and e.ref.line else "",
    }


def _fit(value: str, width: int, align: str) -> str:
    if len(value) > width:
        value = value[: width - 1] + "…"
    return f"{value:{align}{width}}"


def shown_amount(value: Decimal, currency: str) -> Decimal:
    """An entry's exact contribution, cut to at most 4 decimals (half-up) for reading.

    Line amounts are never touched: they are printed exactly as the engine rounded them.
    """
    digits = max(minor_digits(currency), MAX_SHOWN_DECIMALS)
    if -value.as_tuple().exponent <= digits:
        return value
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)

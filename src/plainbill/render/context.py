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
import re
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .. import __version__
from ..invoice import EntryDetail, Invoice, Line
from ..einvoice.page import page_context, page_view
from ..model import Bank, Book, Documents, Party
from ..money import minor_digits
from .labels import labels, unit_label



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
    """Everything printed on a client's invoices that is not in the Invoice itself.

    It is already the client's share of the book: who did the work as the client's
    `documents.people` says, no repository address unless `documents.internal: show`,
    and the activities that are internal (non-billable) listed so their entries stay off.
    """
    s = book.settings
    client = book.client(slug)
    home = s.issuer.address.country
    party = client.party if client else Party(name=slug)
    docs = client.documents if client else Documents()
    shown = {"appendix": docs.appendix, "people": docs.people, "no_charge": docs.no_charge or s.no_charge,
             "internal": docs.internal}
    from .logo import logo_uri

    return {
        "issuer": {**party_dict(s.issuer, home, language), "logo": logo_uri(book)},
        "client": party_dict(party, home, language),
        "bank": bank_dict(s.bank),
        "terms": {"days": client.payment_terms_days if client else s.payment_terms_days,
                  "end_of_month": bool(client and client.end_of_month)},
        "documents": shown,
        "repository_url": web_url(s.repository_url) if docs.internal == "show" else "",
        "people": {p.slug: _who(p, docs.people) for p in s.team},
        "activities": {a.slug: a.label(language) for a in s.activities},
        "generator": f"plainbill {__version__}",
        "einvoice": page_context(book, slug, language),    # plainbill.einvoice.page
    }


def _who(person, mode: str) -> str:
    """A person as the client reads them: the name, the role, or nobody."""
    if mode == "role":
        return person.role.replace("_", " ").replace("-", " ").capitalize() if person.role else ""
    return "" if mode == "off" else person.name


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
    """The template's variables for one invoice: the client's view of it (see `client_lines`)."""
    lang = invoice.language
    t = labels(lang)
    issued = bool(invoice.number)
    credit = invoice.kind == "credit-note"
    doc_date = invoice.issue_date or invoice.period_end
    lines = client_lines(invoice, ctx)
    mode = ctx["documents"]["appendix"]
    return {
        **ctx,
        **page_view(invoice, ctx, lines),     # courtesy, doc_refs, euro_notes
        "invoice": invoice,
        "lines": lines,
        # the social-security surcharges are lines of the invoice, shown in the totals instead
        "lines_total": invoice.subtotal - sum((s.amount for s in invoice.surcharges), Decimal(0)),
        "t": t,
        "locale": invoice.locale,
        "currency": invoice.currency,
        "lang": lang,
        "title": t["credit_note"] if credit else t["invoice"],
        "shown_number": invoice.number if issued else f"{t['draft']} {invoice.id}",
        "is_draft": not issued,
        "is_credit": credit,
        "natures": natures(invoice),
        **taxable_and_excluded(invoice),
        "doc_date_iso": doc_date.isoformat(),
        "units": {line.key: _unit(line, lang) for line in invoice.lines},
        "appendix": [] if mode == "off" or credit else appendix(invoice, ctx, lines),
        "appendix_columns": appendix_columns(t, mode),
        "appendix_mode": mode,
        "appendix_intro": t["appendix_intro" if mode == "full" else "appendix_intro_compact"],
        "assets": "../assets",
    }


def natures(invoice: Invoice) -> dict[str, str]:
    """Each line's nature code where it charges no VAT (N4, N2.1, N1 for the bollo): the VAT
    column reads "N1", not a bare "0%" (FatturaPA's Natura); "" where VAT is charged."""
    by_code = {t.tax_code: t.nature for t in invoice.taxes}
    return {line.key: by_code.get(line.tax_code, "") if line.tax_rate == 0 else "" for line in invoice.lines}


def taxable_and_excluded(invoice: Invoice) -> dict[str, Decimal]:
    """The subtotal split as the law reads it: what is excluded from the VAT base (nature N1,
    art. 15 DPR 633/72: the bollo re-charged, sums advanced for the client) apart, so
    "Imponibile" is the sum of the tax summary's other rows. A regrouping of the engine's
    per-code bases, not a new computation: taxable + excluded = subtotal."""
    excluded = sum((t.base for t in invoice.taxes if t.nature.upper() == "N1"), Decimal(0))
    return {"taxable": invoice.subtotal - excluded, "excluded": excluded}


def _unit(line: Line, lang: str) -> str:
    """Nothing when the quantity is shown as a time ("1 h 10 m" needs no "ore" after it)."""
    from .formatting import shows_time

    return "" if shows_time(line) else unit_label(line.unit, lang, line.quantity)


# ---------------------------------------------------------------- the client's share

FIRM_NOTE = " // "      # in a description: what follows is a note for the firm (docs/format.md)
INTERNAL_WHY = ("activity", "fixed")   # no-charge lines of internal work and of effort behind a fixed price


def client_lines(invoice: Invoice, ctx: dict[str, Any]) -> list[Line]:
    """The invoice's lines as the client reads them.

    Dropped: the 0,00 lines of internal (non-billable) activities and of the effort behind
    a fixed price, unless the client's `documents.internal` is `show`; the 0,00 lines of work
    marked not billable when its `documents.no_charge` is `hide`. Those lines all amount to
    0, so the totals are untouched. Social-security surcharge lines are left out too: the
    totals show them, after the lines' total (`lines_total`). Kept lines lose firm notes (` // ...`) and staff handles
    (`@paolo` becomes the person's name or role).
    """
    docs = ctx["documents"]
    out = []
    for line in invoice.lines:
        if line.kind == "surcharge":     # printed in the totals (docs/billing.md, Social security)
            continue
        if line.kind == "no-charge" and line.amount == 0:
            why = _no_charge_why(line.key)
            if docs["internal"] != "show" and why in INTERNAL_WHY:
                continue
            if why not in INTERNAL_WHY and docs["no_charge"] == "hide":
                continue
        if docs["internal"] == "show":
            out.append(line)
            continue
        out.append(replace(line, description=client_text(line.description, ctx),
                           explanation=client_text(line.explanation, ctx)))
    return out


def _no_charge_why(key: str) -> str:
    """no-charge/<contract>/<activity>/<project>/<why>/...: why a time line bills nothing
    (nobill, activity, fixed); "" for other no-charge lines (an expense not re-billed)."""
    parts = key.split("/")
    return parts[4] if len(parts) > 4 and parts[0] == "no-charge" else ""


_HANDLE = re.compile(r"(\s?)@([a-z0-9][a-z0-9_-]*)")


def client_text(text: str, ctx: dict[str, Any]) -> str:
    """`text` without the firm's note and with each known @handle as the client reads it."""
    if ctx["documents"]["internal"] == "show":
        return text
    cut = text.find(FIRM_NOTE)
    if cut >= 0:
        text = text[:cut].rstrip()
    elif text.startswith(FIRM_NOTE.lstrip()):
        text = ""
    people = ctx["people"]

    def who(m: re.Match) -> str:
        if m.group(2) not in people:
            return m.group(0)
        name = people[m.group(2)]
        return f"{m.group(1)}{name}" if name else ""
    return _HANDLE.sub(who, text) if "@" in text else text


def appendix(invoice: Invoice, ctx: dict[str, Any], lines: list[Line] | None = None) -> list[dict[str, Any]]:
    """Entries grouped under the line they were billed on, in the invoice's line order.

    Only the entries of the lines the client sees (`client_lines`). A row's `cells` are
    its formatted values in the order of `appendix_columns`; the template lays them
    out as a table in the body font (legible in print, never cut: cells wrap).
    """
    lines = client_lines(invoice, ctx) if lines is None else lines
    titles = {line.key: line.description for line in lines}
    groups: dict[str, list[EntryDetail]] = {}
    for entry in invoice.entries:
        if entry.line_key in titles:
            groups.setdefault(entry.line_key, []).append(entry)
    compact = ctx["documents"]["appendix"] == "compact"
    row = _compact_row if compact else _entry_row
    return [{"title": titles[line.key], "rows": [row(e, invoice, ctx) for e in groups[line.key]]}
            for line in lines if line.key in groups]


# (class, label, numeric) of the appendix's columns: a table in the body font, each cell wrapping
# within its column (names and paths are never cut); widths are in invoice.css (`.entries .c-...`).
COLUMNS = (("date", "entry_date", False), ("person", "person", False), ("description", "description", False),
           ("raw", "raw_short", True), ("billed", "billed_short", True), ("rate", "rate", True),
           ("amount", "line_amount", True), ("source", "source", False))
COMPACT = (("date", "entry_date", False), ("person", "person", False), ("description", "description", False),
           ("billed", "billed_time", True))


def appendix_columns(t: dict[str, str], mode: str = "full") -> list[dict[str, Any]]:
    """The appendix's columns as the template lays them out: class name, label, numeric or not."""
    return [{"name": name, "label": t[label], "num": num}
            for name, label, num in (COMPACT if mode == "compact" else COLUMNS)]


def _described(e: EntryDetail, ctx: dict[str, Any]) -> str:
    note = client_text(e.note, ctx) if e.note else ""
    desc = client_text(e.description, ctx)
    return f"{desc} ({note})" if note else desc


def _who_did(e: EntryDetail, ctx: dict[str, Any]) -> str:
    if ctx["documents"]["internal"] == "show":
        return ctx["people"].get(e.person) or e.person
    return ctx["people"].get(e.person, "")


def _entry_row(e: EntryDetail, invoice: Invoice, ctx: dict[str, Any]) -> dict[str, Any]:
    from .formatting import amount, clock, day_month, number

    loc, cur = invoice.locale, invoice.currency
    timed = e.kind == "time"
    rate = amount(shown_amount(e.rate, cur), cur, loc) + (f"×{number(e.multiplier, loc)}" if e.multiplier != 1 else "")
    values = (day_month(e.date, loc), _who_did(e, ctx), _described(e, ctx),
              clock(e.raw_minutes) if timed else "", clock(e.billed_minutes) if timed else "",
              rate, amount(shown_amount(e.amount, cur), cur, loc), e.ref.short)
    url = ctx["repository_url"]
    return {"entry": e, "cells": values,
            "link": f"{url}/{e.ref.path}#L{e.ref.line}" if url and e.ref.line else ""}


def _compact_row(e: EntryDetail, invoice: Invoice, ctx: dict[str, Any]) -> dict[str, Any]:
    """Date, who (name or role), description, time billed: nothing about rates or sources."""
    from .formatting import clock, day_month

    values = (day_month(e.date, invoice.locale), _who_did(e, ctx), _described(e, ctx),
              clock(e.billed_minutes) if e.kind == "time" else "")
    return {"entry": e, "cells": values, "link": ""}


def shown_amount(value: Decimal, currency: str) -> Decimal:
    """An entry's contribution rounded half-up to the currency's minor unit for reading (the
    client reads 229,58, not 229,5833); the exact figure stays in the JSON and `explain`.

    Line amounts are never touched: they are printed exactly as the engine rounded them.
    """
    digits = minor_digits(currency)
    if -value.as_tuple().exponent <= digits:
        return value
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)

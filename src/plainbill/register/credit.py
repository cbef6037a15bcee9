"""Credit notes (note di credito): full or partial, their own number series.

Amounts on a credit note are positive and its kind is "credit-note", as on the
Italian TD04 document: the document type says it reduces what the client owes.
A partial credit note credits whole lines (`KEY`) or part of a line's amount
(`KEY=AMOUNT`); what earlier credit notes credited is subtracted first, so a
line is never credited beyond its amount. It carries only the original's notes
that concern the credited lines (a 22 % line credited alone takes neither the
stamp-duty nor an exemption note).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal

from .. import i18n
from ..billing.surcharges import credited
from ..diagnostics import Diagnostic, SourceRef, error
from ..billing.legal import is_stamp_note
from ..billing.taxes import Withheld, in_withholding_base, withholding_on
from ..invoice import Invoice, Line, TaxLine
from ..model import Book
from ..money import parse_decimal, round_money
from .issue import _record, _series_ready, _still_valid
from .numbering import format_number, number_format
from .records import Record, invoice_from_dict
from .store import Register



def plan_credit_note(book: Book, register: Register, original: Invoice, specs: tuple[str, ...],
                     reason: str, on: date) -> tuple[Record | None, list[Diagnostic]]:
    """The record of a credit note against `original` (an issued invoice), or why not."""
    record = register.get(original.number)
    where = record.at("lines")
    diags = _series_ready(book, register, "credit-note", on)
    if on < original.issue_date:
        diags.append(error("credit-note-date", where,
                           f"credit note dated {on}, before invoice {original.number} ({original.issue_date})"))
    lines, bad = _credited_lines(original, specs, _already_credited(register, original.number), where)
    diags += bad
    if diags:
        return None, diags
    seq = register.next_seq("credit-note", on.year, book.settings.numbering.first_seq("credit-note", on.year))
    number = format_number(number_format(book.settings, "credit-note"), "credit-note", on.year, seq)
    note = i18n.t(original.language, "credit_note_for", number=original.number,
                  date=original.issue_date.isoformat(), reason=reason)
    cn = _credit_invoice(original, lines, number, on, note, _withholding(book, original, lines))
    rec = replace(_record(book, cn, number, on, seq, {}), reason=reason)
    return rec, _still_valid(register, [rec])


def _already_credited(register: Register, number: str) -> dict[str, Decimal]:
    done: dict[str, Decimal] = defaultdict(Decimal)
    for r in register.credit_notes_of(number):
        if r.invoice:
            for line in invoice_from_dict(r.invoice).lines:
                done[line.key] += line.amount
    return done


def _credited_lines(original: Invoice, specs, done, where: SourceRef) -> tuple[list[Line], list[Diagnostic]]:
    by_key = {l.key: l for l in original.lines}
    wanted = [s.strip() for spec in specs for s in spec.split(",") if s.strip()]
    if not wanted:   # the whole invoice: every line with something left to credit (not "no charge")
        wanted = [k for k, l in by_key.items() if l.amount - done.get(k, Decimal(0)) > 0]
    out, diags = [], []
    for spec in wanted:
        key, _, amount_text = spec.partition("=")
        line = by_key.get(key)
        if line is None:
            diags.append(error("credit-note-line", where, f"invoice {original.number} has no line {key!r}",
                               "lines: " + ", ".join(by_key)))
            continue
        left = line.amount - done.get(key, Decimal(0))
        amount = parse_decimal(amount_text) if amount_text else left
        if amount is None or amount <= 0 or amount > left or amount != round_money(amount, original.currency):
            diags.append(error("credit-note-amount", where,
                               f"cannot credit {amount_text or amount} on line {key}: {left} is left to credit",
                               "give an amount between 0 and what is left, in the currency's minor unit"))
            continue
        out.append(line if amount == line.amount else _partial(line, amount, original.language))
    if not out and not diags:
        diags.append(error("credit-note-amount", where, f"invoice {original.number}: nothing left to credit"))
    return out, diags


def _partial(line: Line, amount: Decimal, language: str) -> Line:
    return replace(line, quantity=Decimal(1), unit="", unit_price=amount, amount=amount, minutes=0,
                   raw_minutes=0, explanation=i18n.t(language, "credit_partial", amount=i18n.number(language, amount),
                                                     total=i18n.number(language, line.amount)))


def _withholding(book: Book, original: Invoice, lines: list[Line]) -> Withheld:
    """The withholding the credited lines took on the original: its rate on their share of the
    withholding base, computed like the invoice's (billing/taxes.withholding_on). A prorating over
    the subtotal would let the bollo or an art. 15 expense dilute it: 1 h at 100.00 and a 100.00
    advanced expense withhold 20.00 (20 % of 100.00), and crediting the hour gives back 20.00."""
    if not original.withholding:
        return Withheld()
    settings = book.settings
    client = book.client(original.client)
    rate = original.withholding_rate or (client.withholding.rate if client and client.withholding else Decimal(0))
    if client is not None and client.withholding is not None:
        share = client.withholding.base
    else:   # the client no longer withholds: the share the original used
        in_base = sum((l.amount for l in original.lines if in_withholding_base(settings, l.tax_code)), Decimal(0))
        share = original.withholding_base / in_base if in_base else Decimal(1)
    return withholding_on(settings, lines, rate, share, original.currency)


def _credit_invoice(original: Invoice, lines: list[Line], number: str, on: date, note: str,
                    withheld: Withheld) -> Invoice:
    taxes = _taxes(original, lines)
    subtotal = sum((l.amount for l in lines), Decimal(0))
    tax_total = sum((t.tax for t in taxes), Decimal(0))
    total = subtotal + tax_total
    withholding = withheld.amount
    split = tax_total if original.split_payment else Decimal(0)
    keys = {l.key for l in lines}
    safe = re.sub(r"[^A-Za-z0-9]+", "-", number).strip("-")
    return replace(original, id=f"{original.client}-{safe}", kind="credit-note", number=number,
                   issue_date=on, due_date=None, references=(original.number,), lines=tuple(lines),
                   taxes=taxes, subtotal=subtotal, tax_total=tax_total, total=total,
                   withholding=withholding, withholding_rate=withheld.rate, withholding_base=withheld.base,
                   split_payment=split, amount_due=total - withholding - split,
                   entries=tuple(e for e in original.entries if e.line_key in keys), statements=(),
                   surcharges=credited(original.surcharges, lines, original.currency),
                   warnings=(), notes=(note, *_notes_that_apply(original, lines, taxes)))


def _notes_that_apply(original: Invoice, lines: list[Line], taxes) -> list[str]:
    """The original's legal notes that concern the credited lines: a tax code's note only when
    a line of that code is credited, the stamp-duty note only with the stamp-duty line; notes
    about the whole document (split payment) are kept."""
    credited = {t.tax_code for t in taxes}
    by_code = {t.note: t.tax_code for t in original.taxes if t.note}
    has_stamp = any(l.kind == "stamp-duty" for l in lines)
    out = []
    for n in original.notes:
        if n in by_code:
            if any(t.tax_code in credited and t.note == n for t in original.taxes):
                out.append(n)
        elif is_stamp_note(n):
            if has_stamp:
                out.append(n)
        else:
            out.append(n)
    return out


def _taxes(original: Invoice, lines: list[Line]) -> tuple[TaxLine, ...]:
    """Tax per rate on the credited lines, rounded once per rate like the engine does."""
    base: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
    for l in lines:
        base[(l.tax_code, l.tax_rate)] += l.amount
    known = {(t.tax_code, t.rate): t for t in original.taxes}
    out = []
    for (code, rate), amount in sorted(base.items()):
        t = known.get((code, rate))
        out.append(TaxLine(code, rate, amount, round_money(amount * rate, original.currency),
                           t.nature if t else "", t.note if t else ""))
    return tuple(out)

"""Payments received: checked against the register, and what each issued invoice still owes.

A payment line in a ledger (`DATE payment NUMBER AMOUNT METHOD [note]`, docs/format.md)
records money received against an issued invoice, in that invoice's currency. The
checks here need the register, so the pipeline runs them with it (pipeline._checked):

    payment-unknown-invoice   the number is no issued invoice (or is a credit note)
    payment-before-invoice    the payment is dated before the invoice was issued
    payment-exceeds           the invoice's payments add up to more than it asks
                              (amount due, less what credit notes credited)
    too-many-decimals         more decimals than the invoice's currency has

`owed_by_number(register)` is also what the receivables report reads.
"""
from __future__ import annotations

import difflib
from collections import defaultdict
from decimal import Decimal

from .diagnostics import Diagnostic, SourceRef, error
from .model import Book, Payment
from .money import minor_digits

ZERO = Decimal(0)


def check_payments(book: Book, register) -> list[Diagnostic]:
    """Every payment of the book against the register of issued invoices."""
    if not book.payments:
        return []
    records = register.records if register is not None else {}
    owed = owed_by_number(register)
    diags: list[Diagnostic] = []
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for p in sorted(book.payments, key=lambda p: (p.date, p.ref.path, p.ref.line)):
        r = records.get(p.invoice)
        if r is None or r.series != "invoice":
            diags.append(_unknown(p, r, records))
            continue
        if p.date < r.issue_date:
            diags.append(error("payment-before-invoice", p.ref,
                               f"payment of {p.amount} {r.currency} on {p.date} for invoice {r.number}, "
                               f"issued on {r.issue_date}",
                               "check the date of the payment and the invoice number it names",
                               related=(SourceRef(r.path),) if r.path else ()))
        if _decimals(p.amount) > minor_digits(r.currency):
            diags.append(error("too-many-decimals", _token(p, str(p.amount)),
                               f"payment amount {p.amount} has more decimals than {r.currency} allows",
                               f"round it to {minor_digits(r.currency)} decimals"))
        before = paid[r.number]
        paid[r.number] = before + p.amount
        if before <= owed[r.number] < paid[r.number]:
            diags.append(error("payment-exceeds", _token(p, str(p.amount)),
                               f"invoice {r.number} asks {owed[r.number]} {r.currency}; with this payment "
                               f"{paid[r.number]} is paid",
                               "check the amount and the invoice number; a payment is what was received "
                               "for one invoice (split a transfer that paid several)"))
    return diags


def _unknown(p: Payment, r, records: dict) -> Diagnostic:
    where = _token(p, p.invoice)
    if r is not None:
        return error("payment-unknown-invoice", where, f"{p.invoice} is a credit note, not an invoice",
                     "payments are received for invoices; name the invoice it paid")
    numbers = sorted(n for n, rec in records.items() if rec.series == "invoice")
    close = difflib.get_close_matches(p.invoice, numbers, n=3, cutoff=0.6)
    hint = ("did you mean " + ", ".join(f"`{n}`" for n in close) + "?") if close else \
        "only issued invoices are paid: issue it first (`plainbill issue`), or fix the number"
    return error("payment-unknown-invoice", where, f"no issued invoice {p.invoice}", hint)


def owed_by_number(register) -> dict[str, Decimal]:
    """Issued invoice number -> what it asks: its amount due, less the amount due of its credit notes."""
    if register is None:
        return {}
    owed: dict[str, Decimal] = {}
    for r in register.records.values():
        if r.series == "invoice":
            owed[r.number] = owed.get(r.number, ZERO) + _due(r)
    for r in register.records.values():
        if r.series == "credit-note":
            for n in r.references:
                if n in owed:
                    owed[n] -= _due(r)
    return owed


def _due(r) -> Decimal:
    try:
        return Decimal(dict(r.totals).get("amount_due", "0"))
    except ArithmeticError:   # a damaged record: load_register reports it
        return ZERO


def _decimals(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _token(p: Payment, token: str) -> SourceRef:
    """The payment's ref at the column of `token` on its line."""
    padded = " " + p.text + " "
    at = padded.find(" " + token + " ")
    return SourceRef(p.ref.path, p.ref.line, at + 1) if at >= 0 else p.ref

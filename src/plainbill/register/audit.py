"""A record's own arithmetic: what `check` proves of every issued record by itself.

An invoice record's lines add up to its subtotal, its taxes (per rate: the base
times the rate, rounded once) to its tax total, subtotal and tax to its total,
and the total less withholding and split payment to the amount due. A credit
note's record also carries the whole document: its lines, taxes and totals are
checked the same way and must be the ones the record states. `frozen.py` then
compares the totals with the invoice recomputed from the book.

Problems are located at the field that is wrong (path:line:col inside the JSON).
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from ..diagnostics import Diagnostic, error
from ..money import round_money
from .records import Record, locate

HINT = ("an issued record is never edited: restore it from git (`git checkout -- {path}`); "
        "to correct an issued invoice, issue a credit note")
TOTALS = ("subtotal", "tax_total", "total", "withholding", "split_payment", "amount_due")
ZERO = Decimal(0)


def audit_record(record: Record, text: str) -> list[Diagnostic]:
    """Errors for every sum of `record` that does not add up."""
    problems: list[tuple[tuple, str]] = []   # (key path inside the JSON, message)
    totals = _decimals(dict(record.totals), TOTALS, ("totals",), problems)
    lines = [(("lines", i, "amount"), a) for i, (_, a) in enumerate(record.lines)]
    if totals is not None:
        _sums(record.number, totals, lines, record.taxes, ("taxes",), record.currency, problems)
        if record.invoice is not None:
            _credit_note(record, totals, problems)
    return [error("issued-record-totals", locate(text, record.ref.path, where), f"issued record {record.number}: {message}",
                  HINT.format(path=record.ref.path))
            for where, message in problems]


def _sums(number, totals, lines, taxes, taxes_at, currency, problems) -> None:
    amounts = []
    for where, text in lines:
        amount = _decimal(text)
        if amount is None:
            problems.append((where, f"line amount {text!r} is not a number"))
            return
        amounts.append(amount)
    if sum(amounts, ZERO) != totals["subtotal"]:
        problems.append((("totals", "subtotal"),
                         f"subtotal {totals['subtotal']} is not the sum of its lines ({sum(amounts, ZERO)})"))
    tax_sum = ZERO
    for i, (code, rate, base, tax) in enumerate(taxes):
        r, b, t = _decimal(rate), _decimal(base), _decimal(tax)
        if None in (r, b, t):
            problems.append(((*taxes_at, i), f"tax {code}: rate, base or tax is not a number"))
            return
        try:
            expected = round_money(b * r, currency)
        except (InvalidOperation, ValueError, TypeError):
            expected = None
        if t != expected:
            problems.append(((*taxes_at, i, "tax"), f"tax {code}: {t} is not {r} of {b} ({expected})"))
        tax_sum += t
    if taxes and tax_sum != totals["tax_total"]:
        problems.append((("totals", "tax_total"),
                         f"tax_total {totals['tax_total']} is not the sum of its taxes ({tax_sum})"))
    if totals["subtotal"] + totals["tax_total"] != totals["total"]:
        problems.append((("totals", "total"), f"total {totals['total']} is not subtotal + tax_total "
                                             f"({totals['subtotal'] + totals['tax_total']})"))
    if totals["split_payment"] not in (ZERO, totals["tax_total"]):
        problems.append((("totals", "split_payment"),
                         f"split_payment {totals['split_payment']} is neither 0 nor the tax total"))
    due = totals["total"] - totals["withholding"] - totals["split_payment"]
    if totals["amount_due"] != due:
        problems.append((("totals", "amount_due"), f"amount_due {totals['amount_due']} is not total - "
                                                  f"withholding - split_payment ({due})"))


def _credit_note(record: Record, totals: dict, problems: list) -> None:
    """The document a credit-note record carries: its own sums, and the record's totals."""
    doc = record.invoice
    if not isinstance(doc, dict):
        return
    try:
        stated = _decimals({k: str(doc[k]) for k in TOTALS}, TOTALS, ("invoice",), problems)
        lines = [(("invoice", "lines", i, "amount"), str(x["amount"])) for i, x in enumerate(doc["lines"])]
        taxes = tuple((str(t["tax_code"]), str(t["rate"]), str(t["base"]), str(t["tax"])) for t in doc["taxes"])
        by_code: dict[str, Decimal] = defaultdict(Decimal)
        for x in doc["lines"]:
            if x.get("tax_code"):
                by_code[str(x["tax_code"])] += _decimal(str(x["amount"])) or ZERO
    except (KeyError, TypeError, AttributeError):
        problems.append((("invoice",), "the credit note it carries is incomplete"))
        return
    if stated is None:
        return
    for key in TOTALS:
        if stated[key] != totals[key]:
            problems.append((("totals", key), f"{key} {totals[key]} is not the credit note's ({stated[key]})"))
    _sums(record.number, stated, lines, taxes, ("invoice", "taxes"), record.currency, problems)
    for i, (code, _, base, _) in enumerate(taxes):
        if _decimal(base) != by_code.get(code, ZERO):
            problems.append((("invoice", "taxes", i, "base"),
                             f"tax {code}: base {base} is not the sum of its lines ({by_code.get(code, ZERO)})"))


def _decimals(values: dict, keys, at: tuple, problems: list) -> dict[str, Decimal] | None:
    out = {}
    for key in keys:
        value = _decimal(values.get(key))
        if value is None:
            problems.append(((*at, key), f"{key} {values.get(key)!r} is missing or not a number"))
            return None
        out[key] = value
    return out


def _decimal(text) -> Decimal | None:
    if not isinstance(text, str):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None

"""Golden books: small books written from docs/format.md and docs/billing.md alone,
with every invoice computed by hand in `tests/golden/<book>/expected.yaml`.

Each book is loaded from disk (`load_book`), checked (`run_checks`: no errors) and
billed (`compute_invoices`). For every expected invoice the lines (a multiset of
kind, quantity, unit price, amount), subtotal, tax per code, total, withholding,
split payment, amount due and statement figures must match to the cent. The
expectations are the auditor's arithmetic, not the engine's output: a mismatch is
either a slip in expected.yaml, a gap in the docs, or an engine bug (see XFAIL).
"""
from __future__ import annotations

import functools
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from plainbill.billing import compute_invoices
from plainbill.checks import run_checks
from plainbill.diagnostics import Severity
from plainbill.load import load_book

GOLDEN = Path(__file__).resolve().parent / "golden"
BOOKS = sorted(p.name for p in GOLDEN.iterdir() if (p / "expected.yaml").is_file())

# "book/invoice-id": reason. Only for invoices where the engine is clearly wrong.
XFAIL: dict[str, str] = {}

Q4 = Decimal("0.0001")


def dec(text) -> Decimal:
    return Decimal(str(text))


@functools.lru_cache(maxsize=None)
def billed(book: str):
    """(invoices by id, load+check diagnostics, billing diagnostics) of a golden book."""
    result = load_book(GOLDEN / book)
    diags = list(result.diagnostics) + run_checks(result.book)
    invoices, bill_diags = compute_invoices(result.book)
    return {inv.id: inv for inv in invoices}, diags, list(bill_diags)


@functools.lru_cache(maxsize=None)
def expected(book: str) -> dict:
    return yaml.safe_load((GOLDEN / book / "expected.yaml").read_text(encoding="utf-8"))["invoices"]


def line_key(kind, qty, price, amount) -> tuple:
    """qty "*" in expected.yaml: any quantity (a grouping the docs leave open)."""
    q = "*" if qty == "*" else dec(qty).quantize(Q4, ROUND_HALF_UP)
    return (kind, q, dec(price), dec(amount))


def match_lines(want: Counter, got: Counter) -> list[str]:
    problems = []
    for k in sorted(want - got, key=str):
        if k[1] == "*":
            wild = [g for g in (got - want) if (g[0], g[2], g[3]) == (k[0], k[2], k[3])]
            if wild:
                got = got - Counter({g: 1 for g in wild})
                continue
        problems.append(f"missing line {k}")
    problems += [f"unexpected line {k}" for k in sorted(got - want, key=str)
                 if not any(w[1] == "*" and (w[0], w[2], w[3]) == (k[0], k[2], k[3]) for w in want)]
    return problems


def compare_kind_totals(inv, totals: dict) -> list[str]:
    problems = []
    for kind, want in totals.items():
        lines = [ln for ln in inv.lines if ln.kind == kind]
        got = {"count": len(lines), "qty": sum((ln.quantity for ln in lines), Decimal(0)),
               "amount": sum((ln.amount for ln in lines), Decimal(0))}
        for field, value in want.items():
            if (dec(value) if field != "count" else value) != got[field]:
                problems.append(f"{kind} lines {field}: expected {value}, got {got[field]}")
    return problems


def compare(inv, exp: dict) -> list[str]:
    """Every difference between an invoice and its hand-computed expectation."""
    problems: list[str] = []
    want = Counter(line_key(x["kind"], x["qty"], x["price"], x["amount"]) for x in exp["lines"])
    got = Counter(line_key(ln.kind, ln.quantity, ln.unit_price, ln.amount) for ln in inv.lines)
    problems += match_lines(want, got)
    problems += compare_kind_totals(inv, exp.get("kind_totals", {}))
    for name in ("subtotal", "total", "withholding", "split_payment", "amount_due"):
        if name in exp and dec(exp[name]) != getattr(inv, name):
            problems.append(f"{name}: expected {exp[name]}, got {getattr(inv, name)}")
    taxes = {t.tax_code: t.tax for t in inv.taxes}
    for code, tax in exp.get("taxes", {}).items():
        if taxes.get(code) != dec(tax):
            problems.append(f"tax {code}: expected {tax}, got {taxes.get(code)}")
    if "taxes" in exp and set(taxes) - set(exp["taxes"]):
        problems.append(f"unexpected tax codes {sorted(set(taxes) - set(exp['taxes']))}")
    if "currency" in exp and inv.currency != exp["currency"]:
        problems.append(f"currency: expected {exp['currency']}, got {inv.currency}")
    statements = {s.contract: dict(s.minutes) for s in inv.statements}
    for contract, figures in exp.get("statements", {}).items():
        have = statements.get(contract)
        if have is None:
            problems.append(f"no statement for {contract}; got {sorted(statements)}")
            continue
        for label, minutes in figures.items():
            if have.get(label) != minutes:
                problems.append(f"statement {contract} {label}: expected {minutes}, got {have.get(label)}")
    listed = [(s.contract, dict(s.minutes)) for s in inv.statements]
    for i, (contract, figures) in enumerate(exp.get("statement_list", [])):
        have = listed[i][1] if i < len(listed) and listed[i][0] == contract else None
        if have is None or any(have.get(k) != v for k, v in figures.items()):
            problems.append(f"statement #{i + 1} {contract}: expected {figures}, got {have}")
    for text in exp.get("notes_contain", []):
        if not any(text in n for n in inv.notes):
            problems.append(f"no note containing {text!r}; notes {list(inv.notes)}")
    for text in exp.get("warnings_contain", []):
        if not any(text in w for w in inv.warnings):
            problems.append(f"no warning containing {text!r}; warnings {list(inv.warnings)}")
    for text in exp.get("warnings_absent", []):
        if any(text in w for w in inv.warnings):
            problems.append(f"unexpected warning containing {text!r}: {list(inv.warnings)}")
    return problems


def describe(inv) -> str:
    rows = [f"  {ln.kind:<15} {ln.quantity} {ln.unit} x {ln.unit_price} = {ln.amount}  [{ln.tax_code}] {ln.description}"
            for ln in inv.lines]
    rows.append(f"  subtotal {inv.subtotal} tax {inv.tax_total} total {inv.total} "
                f"withholding {inv.withholding} split {inv.split_payment} due {inv.amount_due}")
    rows += [f"  statement {s.contract}: {dict(s.minutes)}" for s in inv.statements]
    rows += [f"  note: {n}" for n in inv.notes] + [f"  warning: {w}" for w in inv.warnings]
    return "\n".join(rows)


def cases():
    for book in BOOKS:
        for inv_id, exp in expected(book).items():
            if exp.get("absent"):
                continue
            key = f"{book}/{inv_id}"
            marks = [pytest.mark.xfail(strict=True, reason=XFAIL[key])] if key in XFAIL else []
            yield pytest.param(book, inv_id, id=key, marks=marks)


@pytest.mark.parametrize("book", BOOKS)
def test_book_checks_clean(book):
    _, diags, bill_diags = billed(book)
    errors = [f"{d.ref}: {d.message} [{d.code}]" for d in diags + bill_diags if d.severity is Severity.ERROR]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("book", BOOKS)
def test_book_has_exactly_the_expected_invoices(book):
    invoices, _, _ = billed(book)
    assert sorted(invoices) == sorted(k for k, v in expected(book).items() if not v.get("absent"))


@pytest.mark.parametrize("book,inv_id", list(cases()))
def test_invoice_matches_hand_computation(book, inv_id):
    invoices, _, _ = billed(book)
    assert inv_id in invoices, f"no invoice {inv_id}; got {sorted(invoices)}"
    inv = invoices[inv_id]
    problems = compare(inv, expected(book)[inv_id])
    assert not problems, "\n".join(problems) + "\nthe engine's invoice:\n" + describe(inv)

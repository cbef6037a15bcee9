"""Odd-but-plausible input a real user writes: it must load, check and bill without a
traceback, and what it bills must be what the line says (docs/format.md).

In memory (load_files), so the whole file runs in well under a second.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from billing_helpers import SETTINGS
from plainbill.billing import compute_invoices
from plainbill.checks import run_checks
from plainbill.diagnostics import Severity
from plainbill.load import load_files

CLIENT = "name: Acme\nrates: [{rate: 60.00}]\n"

LEDGERS = {
    "tabs": "2026-06-10\t1h\tacme\tremote\t@mario\tTabbed\tline\n",
    "trailing-spaces": "2026-06-10 1h acme remote @mario Trailing   \n   \n",
    "crlf": "2026-06-10 1h acme remote @mario One\r\n2026-06-11 30m acme remote @mario Two\r\n",
    "bom": "\ufeff2026-06-10 1h acme remote @mario With BOM\n",
    "no-final-newline": "2026-06-10 1h acme remote @mario No newline at the end",
    "range-00-00": "2026-06-10 00:00-00:00 acme remote @mario Midnight to midnight\n",
    "range-00-24": "2026-06-10 00:00-24:00 acme remote @mario Whole day\n",
    "duration-24h": "2026-06-10 24h acme remote @mario Whole day\n",
    "one-minute-past-midnight": "2026-06-10 23:59-00:00 acme remote @mario One minute\n",
    "leap-day": "2028-02-29 1h acme remote @mario Leap day\n",
    "no-leap-day": "2026-02-29 1h acme remote @mario No such day\n",
    "unicode": "2026-06-10 1h acme remote @mario Caffè ☕ naïve façade 日本語 «ok» 🙂\n",
    "c-sharp": "2026-06-10 1h acme remote @mario Debug C# service and F# script\n",
    "hash-alone": "2026-06-10 1h acme remote @mario Fix issue # 5\n",
    "key-value-looking": "2026-06-10 1h acme remote @mario Check a=b and x==y and URL=http://x\n",
    "expense-no-description": "2026-06-10 expense acme @mario 12.00\n",
    "expense-zero": "2026-06-10 expense acme @mario 0.00 Free sample\n",
    "expense-comma": "2026-06-10 expense acme @mario 12,50 Italian decimal comma\n",
    "nbsp": "2026-06-10\u00a01h acme remote @mario Non-breaking space\n",
    "control-char": "2026-06-10 1h acme remote @mario Bell\x07char\n",
    "html": "2026-06-10 1h acme remote @mario Disk at 100% {braces} <b>x</b> & co\n",
    "new-year-night": "2026-12-31 23:00-01:00 acme remote @mario New year's eve\n",
}


def bill(ledger: str, client: str = CLIENT):
    result = load_files({"plainbill.yaml": SETTINGS, "clients/acme.yaml": client, "ledger/a.txt": ledger})
    diags = list(result.diagnostics) + run_checks(result.book)
    invoices, more = compute_invoices(result.book)
    return {i.id: i for i in invoices}, diags + list(more)


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_no_traceback_and_totals_reconcile(name):
    invoices, _ = bill(LEDGERS[name])
    for inv in invoices.values():
        assert inv.subtotal == sum((ln.amount for ln in inv.lines), Decimal(0))
        assert inv.total == inv.subtotal + sum((t.tax for t in inv.taxes), Decimal(0))


def test_words_that_look_like_tags_stay_in_the_description():
    invoices, _ = bill(LEDGERS["c-sharp"] + LEDGERS["hash-alone"])
    assert sorted(e.description for e in invoices["acme-2026-06"].entries) == [
        "Debug C# service and F# script", "Fix issue # 5"]


def test_empty_clock_ranges_are_errors_not_whole_days():
    for name in ("range-00-00", "range-00-24"):
        _, diags = bill(LEDGERS[name])
        assert [d.code for d in diags if d.severity is Severity.ERROR] == ["non-positive-duration"]


def test_a_whole_day_duration_and_a_leap_day_are_billed():
    invoices, diags = bill(LEDGERS["duration-24h"] + LEDGERS["leap-day"])
    assert not [d for d in diags if d.severity is Severity.ERROR]
    assert invoices["acme-2026-06"].subtotal == Decimal("1440.00")
    assert invoices["acme-2028-02"].subtotal == Decimal("60.00")


def test_expense_qty_zero_is_not_billed_as_one():
    invoices, diags = bill("2026-06-10 expense acme @mario 10.00 Sample qty=0 price=5.00\n")
    errors = [d for d in diags if d.severity is Severity.ERROR]
    assert errors or invoices["acme-2026-06"].subtotal == Decimal("0.00")


def test_expense_negative_qty_is_an_error():
    _, diags = bill("2026-06-10 expense acme @mario 10.00 Thing qty=-1 price=5.00\n")
    assert [d for d in diags if d.severity is Severity.ERROR]

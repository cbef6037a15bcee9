"""Hostile cases of payments and `plainbill report` (issue 12).

The freelance example book, issued once (1/2026 .. 4/2026, on 2026-12-01), then given bad
payment lines or bad report arguments: the right exit code, a located message where the
problem has a place, no traceback, no source file changed (and `report` never writes).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from hostile_kit import copy_book, hostile, run

LEDGER = "ledger/2026/11.txt"


@pytest.fixture
def book(tmp_path) -> Path:
    root = copy_book(tmp_path)
    result = run("issue", root, "--date", "2026-12-01")
    assert result.exit_code == 0 and result.output.count("issued ") == 4, result.output
    return root


def pay(root: Path, *lines: str) -> None:
    with (root / LEDGER).open("a", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))


@pytest.mark.parametrize("line, code", [
    ("2026-12-10 payment 9/2026 10.00 card", "payment-unknown-invoice"),
    ("2026-12-10 payment 1/2026\u202e 10.00 card", "payment-unknown-invoice"),
    ("2026-11-10 payment 1/2026 10.00 card", "payment-before-invoice"),
    ("2026-12-10 payment 1/2026 99999.00 card", "payment-exceeds"),
    ("2026-12-10 payment 1/2026 10.001 card", "too-many-decimals"),
    ("2026-12-10 payment 1/2026 -10.00 card", "invalid-amount"),
    ("2026-12-10 payment 1/2026 0 card", "invalid-amount"),
    ("2026-12-10 payment 1/2026 1" + "0" * 40 + " card", "invalid-amount"),
    ("2026-12-10 payment 1/2026 10.00 Card!", "invalid-slug"),
    ("2026-12-10 payment 1/2026 10.00", "ledger-syntax"),
    ("2026-02-30 payment 1/2026 10.00 card", "invalid-date"),
    ("2026-12-10 payment 1/2026 10.00 card " + "x" * 1200, "description-too-long"),
])
def test_a_bad_payment_is_a_located_error(book, line, code):
    pay(book, line)
    r = hostile(book, "check", book, code=1, located=LEDGER)
    assert f"[{code}]" in r.output
    r = hostile(book, "report", "receivables", "--book", book, code=1, located=LEDGER)
    assert "Receivables" not in r.output


def test_good_payments_and_every_report(book):
    pay(book, "2026-12-10 payment 1/2026 500.00 bank-transfer acconto",
        "2026-12-20 payment 1/2026 270.00 bank-transfer saldo")
    for kind in ("hours", "profitability", "support", "utilisation", "wip", "balances", "receivables"):
        for fmt in ("table", "csv", "json", "markdown"):
            r = hostile(book, "report", kind, "--book", book, "--format", fmt, "--to", "2027-03-01", code=0)
            assert "Traceback" not in r.output
    assert not (book / "build").exists()


@pytest.mark.parametrize("args", [
    ("report", "profit"),
    ("report", "hours", "--by", "colour"),
    ("report", "hours", "--format", "pdf"),
    ("report", "hours", "--period", "26-11"),
    ("report", "hours", "--period", "2026-00"),
    ("report", "hours", "--from", "yesterday"),
    ("report", "hours", "--from", "2026-12-01", "--to", "2026-11-01"),
    ("report", "hours", "--period", "2026", "--to", "2026-11-01"),
    ("report", "support", "--by", "person"),
    ("report", "\u202ehours"),
])
def test_report_usage_errors_exit_2(book, args):
    r = hostile(book, *args, "--book", book, code=2)
    assert "plainbill: error:" in r.output


def test_report_on_no_book(tmp_path):
    r = run("report", "hours", "--book", tmp_path / "nowhere")
    assert r.exit_code == 2 and "Traceback" not in r.output

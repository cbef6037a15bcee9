"""`plainbill report` reads the invoices of an up-to-date build instead of billing again, and only
then: a changed source or a damaged output file sends it back to billing (reports/built.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from plainbill.cli import main
from plainbill.reports import Range
from plainbill.reports.built import built_report_inputs

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("hours", "profitability", "support", "utilisation", "wip", "balances", "receivables")


def _book(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    root.mkdir()
    for part in ("plainbill.yaml", "clients", "ledger", "issued"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, root / part)
    return root


def _report(root: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["report", *args, "--book", str(root), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_report_from_the_build_is_the_report_from_billing(tmp_path):
    root = _book(tmp_path)
    billed = {(k, p): _report(root, k, *p) for k in KINDS for p in ((), ("--period", "2026-11"))}
    assert built_report_inputs(root, "hours", Range()) is None
    assert CliRunner().invoke(main, ["build", str(root), "--no-render"]).exit_code == 0
    assert built_report_inputs(root, "hours", Range()) is not None
    for (kind, period), text in billed.items():
        assert _report(root, kind, *period) == text, (kind, period)


def test_a_changed_ledger_or_a_damaged_output_is_not_used(tmp_path):
    root = _book(tmp_path)
    assert CliRunner().invoke(main, ["build", str(root), "--no-render"]).exit_code == 0
    with (root / "ledger" / "2026" / "11.txt").open("a") as f:
        f.write("2026-11-30 3h kranz-logistik/scanner-hub dev @chiara Late fix\n")
    assert built_report_inputs(root, "hours", Range()) is None
    assert "kranz-logistik" in _report(root, "hours")
    assert CliRunner().invoke(main, ["build", str(root), "--no-render"]).exit_code == 0
    assert built_report_inputs(root, "hours", Range()) is not None
    damaged = root / "build" / "invoices" / "kranz-logistik-2026-11.json"
    damaged.write_text(damaged.read_text().replace('"subtotal": "', '"subtotal": "1'))
    assert built_report_inputs(root, "profitability", Range()) is None

"""The reports API the site builds on: shape, formats, usage errors (docs/reports.md)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill import pipeline, reports
from plainbill.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def computed():
    c = pipeline.compute_book(ROOT)
    assert c.invoices is not None
    return c


def test_hours_shape_and_ledger_minutes(computed):
    r = reports.run_report("hours", computed, by="person")
    assert [c.key for c in r.columns][:2] == ["person", "worked"]
    assert {c.type for c in r.columns} <= {"text", "minutes", "percent"}
    ledger = sum(e.minutes for e in computed.checked.book.entries if e.kind == "time")
    assert sum(r.values("worked")) == r.total("worked") == ledger
    for row in r.dicts():
        assert row["billable"] + row["non_billable"] + row["no_charge"] == row["worked"]


def test_period_range(computed):
    span = reports.parse_range("2026-10")
    assert span == reports.Range(date(2026, 10, 1), date(2026, 10, 31))
    r = reports.run_report("hours", computed, span, by="month")
    assert r.values("month") == ["2026-10"]
    ledger = sum(e.minutes for e in computed.checked.book.entries if e.kind == "time" and e.date.month == 10)
    assert r.total("worked") == ledger


@pytest.mark.parametrize("fmt", reports.FORMATS)
def test_formats_are_deterministic(computed, fmt):
    r = reports.run_report("hours", computed, by="activity")
    assert reports.format_report(r, fmt) == reports.format_report(r, fmt)


def test_json_keeps_exact_values(computed):
    r = reports.run_report("hours", computed, by="client")
    data = json.loads(reports.format_json(r))
    assert data["totals"]["worked"] == r.total("worked")
    assert [c["key"] for c in data["columns"]] == [c.key for c in r.columns]


@pytest.mark.parametrize("args, message", [
    (["hour"], "did you mean `hours`"),
    (["hours", "--by", "persn"], "did you mean `person`"),
    (["hours", "--format", "xml"], "`markdown`"),
    (["hours", "--period", "2026-13"], "not YYYY"),
    (["hours", "--from", "2026-11-30", "--to", "2026-11-01"], "before"),
    (["hours", "--period", "2026", "--from", "2026-01-01"], "together"),
    (["balances", "--by", "client"], "leave out --by"),
])
def test_usage_errors_exit_2(args, message):
    result = CliRunner().invoke(main, ["report", *args, "--book", str(ROOT)])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_command_prints_the_report():
    result = CliRunner().invoke(main, ["report", "hours", "--book", str(ROOT), "--by", "month", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("month,worked,billable")

"""Costs and margins of a tiny book, computed by hand (issue 12: hidden books are checked the same way).

    anna   cost 30.00/h            bruno  cost 20.00/h, 24.00/h from 2026-11-16
    acme   bills 60.00/h, expenses at cost + 10%

    entry                                  worked   cost                 revenue
    11-02 2h dev @anna                     120      2 x 30.00 = 60.00     120.00
    11-10 1h30m dev @bruno                  90      1.5 x 20.00 = 30.00    90.00
    11-20 1h dev @bruno (new rate)          60      1 x 24.00 = 24.00      60.00
    11-21 45m internal @anna (not billable) 45      0.75 x 30.00 = 22.50    0
    11-22 30m dev @anna #nobill             30      0.5 x 30.00 = 15.00     0
    11-05 expense 40.00 @anna                       40.00                  44.00

    time cost 151.50, expense cost 40.00, cost 191.50, revenue 314.00, margin 122.50
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill import pipeline, reports
from plainbill.cli import main

SETTINGS = """\
issuer:
  name: Rete Sicura S.r.l.
  vat_number: IT01234567890
  address: {street: Via Roma 10, city: Milano, postal_code: "20121", province: MI, country: IT}
currency: EUR
reference_date: 2026-11-30
taxes:
  default: vat22
  codes:
    vat22: {rate: 22%}
team:
  anna: {name: Anna Neri, role: senior, cost_rate: 30.00}
  bruno:
    name: Bruno Verdi
    role: junior
    cost_rate:
      - {rate: 20.00}
      - {rate: 24.00, from: 2026-11-16}
activities:
  dev: {names: {it: Sviluppo, en: Development}}
  internal: {names: {it: Interno}, billable: false}
"""
CLIENT = """\
name: Acme S.p.A.
vat_number: IT09876543210
rates:
  - {rate: 60.00}
contracts:
  - id: spese
    kind: expenses
    from: 2026-01-01
    markup: 10%
"""
LEDGER = """\
2026-11-02 2h acme dev @anna Build
2026-11-05 expense acme @anna 40.00 Cables
2026-11-10 1h30m acme dev @bruno Review
2026-11-20 1h acme dev @bruno Fix
2026-11-21 45m acme internal @anna Planning
2026-11-22 30m acme dev @anna Call #nobill
"""
D = Decimal


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    (root / "clients").mkdir()
    (root / "ledger").mkdir()
    (root / "plainbill.yaml").write_text(SETTINGS)
    (root / "clients" / "acme.yaml").write_text(CLIENT)
    (root / "ledger" / "11.txt").write_text(LEDGER)
    return root


@pytest.fixture(scope="module")
def computed(tiny):
    c = pipeline.compute_book(tiny)
    assert c.invoices is not None, [str(d) for d in c.diagnostics]
    return c


def test_costs_and_margin_by_hand(computed):
    r = reports.run_report("profitability", computed, by="client")
    row = r.dicts()[0]
    assert row["worked"] == 345
    assert (row["revenue"], row["cost_time"], row["cost_expense"]) == (D("314.00"), D("151.50"), D("40.00"))
    assert (row["cost"], row["margin"]) == (D("191.50"), D("122.50"))
    assert row["margin_pct"] == D("0.3901")           # 122.50 / 314.00


def test_cost_rate_in_force_that_day(computed):
    people = {r["person"]: r for r in reports.run_report("profitability", computed, by="person").dicts()}
    assert people["bruno"]["cost_time"] == D("54.00")            # 30.00 before the 16th, 24.00 after
    assert people["bruno"]["revenue"] == D("150.00")
    assert people["bruno"]["effective_rate"] == D("60.00")       # 150.00 / 2.5 h
    assert people["anna"]["cost"] == D("137.50")                 # 97.50 time + 40.00 expense
    assert people["anna"]["margin"] == D("26.50")                # 164.00 - 137.50


def test_hours_by_class(computed):
    row = reports.run_report("hours", computed).dicts()[0]
    assert (row["worked"], row["billable"], row["non_billable"], row["no_charge"], row["billed"]) == \
        (345, 270, 45, 30, 270)


def test_realization_and_list_rate(computed):
    row = reports.run_report("profitability", computed, by="activity").dicts()
    dev = next(r for r in row if r["activity"] == "dev")
    assert dev["standard"] == D("300.00")          # 5 h x 60.00, the 30 minutes given away included
    assert dev["realization"] == D("0.9000")       # 270.00 billed / 300.00
    assert dev["list_rate"] == D("60.00")


def test_utilisation_capacity_of_november(computed):
    r = reports.run_report("utilisation", computed, reports.parse_range("2026-11"))
    # 21 weekdays in November 2026, none a holiday in Italy (1 Nov is a Sunday); 9:00-18:00
    assert r.values("capacity") == [21 * 9 * 60, 21 * 9 * 60]
    anna = r.dicts()[0]
    assert anna["utilisation"] == D("0.0106")                   # 120 billable minutes / 11340


def test_the_command_prints_the_same_figures(tiny):
    result = CliRunner().invoke(main, ["report", "profitability", "--book", str(tiny), "--format", "csv"])
    assert result.exit_code == 0, result.output
    total = result.output.strip().splitlines()[-1].split(",")
    assert total[:8] == ["Total", "345", "314.00", "151.50", "40.00", "191.50", "122.50", "0.3901"]

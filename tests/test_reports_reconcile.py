"""Reports reconcile with the invoices and the ledger (issue 12): on both example books and on
generated books, every report's revenue is the invoices' net totals, its hours are the ledger's,
margin is revenue - cost to the cent, and WIP + billed is all the billable work."""
from __future__ import annotations

import importlib.util
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from plainbill import pipeline, reports
from plainbill.money import quantum

ROOT = Path(__file__).resolve().parent.parent
BOOKS = {"navigli": ROOT, "freelance": ROOT / "examples" / "freelance"}
GENERATOR = ROOT / "benchmarks" / "generate.py"


def _computed(root: Path):
    c = pipeline.compute_book(root)
    assert c.invoices is not None, [str(d) for d in c.diagnostics][:5]
    return c


@pytest.fixture(scope="module", params=sorted(BOOKS))
def book(request):
    return _computed(BOOKS[request.param])


@pytest.fixture(scope="module", params=[3, 11])
def generated(request, tmp_path_factory):
    spec = importlib.util.spec_from_file_location("plainbill_bench_generate", GENERATOR)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    root = tmp_path_factory.mktemp(f"gen{request.param}")
    gen.generate(root, 1500, seed=request.param)
    return _computed(root)


def net_total(c) -> Decimal:
    """The invoices' net totals (credit notes subtract), each converted once to the book's currency."""
    s = c.checked.book.settings
    total = Decimal(0)
    for inv in c.invoices:
        net = inv.subtotal
        if inv.currency != s.currency:
            net = (net * s.stamp_duty.euro_rate(inv.currency)).quantize(quantum(s.currency), ROUND_HALF_UP)
        total += -net if inv.kind == "credit-note" else net
    return total


def ledger_minutes(c) -> int:
    return sum(e.minutes for e in c.checked.book.entries if e.kind == "time")


def reconcile(c) -> None:
    revenue = net_total(c)
    for by in reports.AXES:
        p = reports.run_report("profitability", c, by=by)
        assert p.total("revenue") == revenue == sum(p.values("revenue")), by
        assert p.total("worked") == ledger_minutes(c) == sum(p.values("worked")), by
        for row in p.dicts() + [dict(zip([col.key for col in p.columns], p.totals))]:
            assert row["margin"] == row["revenue"] - row["cost"], (by, row)
            assert row["cost"] == row["cost_time"] + row["cost_expense"], (by, row)
        h = reports.run_report("hours", c, by=by)
        assert h.total("worked") == ledger_minutes(c) == sum(h.values("worked")), by
        for row in h.dicts():
            assert row["billable"] + row["non_billable"] + row["no_charge"] == row["worked"]
        w = reports.run_report("wip", c, by=by)
        assert w.total("wip") + w.total("billed") == w.total("total") == revenue, by
        assert sum(w.values("total")) == revenue
        for row in w.dicts():
            assert row["wip"] + row["billed"] == row["total"]
            assert row["wip_time"] + row["wip_expenses"] + row["wip_other"] == row["wip"]
    issued = sum(inv.subtotal for inv in c.invoices if inv.number and inv.currency == c.checked.book.settings.currency
                 and inv.kind == "invoice")
    if all(inv.currency == c.checked.book.settings.currency for inv in c.invoices if inv.number):
        credited = sum(inv.subtotal for inv in c.invoices if inv.kind == "credit-note")
        assert reports.run_report("wip", c).total("billed") == issued - credited
    s = reports.run_report("support", c)
    p = reports.run_report("profitability", c, by="contract")
    by_contract = {r["contract"]: r for r in p.dicts()}
    for row in s.dicts():
        assert row["cost_covered"] + row["cost_extra"] + row["cost_given"] == row["cost"]
        assert row["margin"] == row["earned"] - row["cost"]
        same = by_contract[row["contract"]]
        assert (row["earned"], row["cost"]) == (same["revenue"], same["cost"]), row["contract"]
        assert row["worked"] == same["worked"]


def test_example_books_reconcile(book):
    reconcile(book)


def test_generated_books_reconcile(generated):
    reconcile(generated)


def test_a_month_adds_up_to_the_whole(book):
    """The months of the profitability report sum to the report over every date."""
    whole = reports.run_report("profitability", book, by="client")
    months = reports.run_report("profitability", book, by="month").values("month")
    parts = [reports.run_report("profitability", book, reports.parse_range(m), by="client") for m in months]
    assert sum(p.total("revenue") for p in parts) == whole.total("revenue")
    assert sum(p.total("worked") for p in parts) == whole.total("worked")


def test_every_kind_every_format_on_both_books(book):
    for kind in reports.KINDS:
        r = reports.run_report(kind, book)
        for fmt in reports.FORMATS:
            assert reports.format_report(r, fmt)


def test_receivables_of_the_example_book():
    c = _computed(ROOT)
    r = reports.run_report("receivables", c)
    status = dict(zip(r.values("invoice"), r.values("status")))
    assert {"paid", "open", "overdue"} <= set(status.values())
    assert status["2026/0007"] == "paid" and status["2026/0005"] == "overdue" and status["2026/0015"] == "open"
    row = next(x for x in r.dicts() if x["invoice"] == "2026/0003")   # 800.00 of 1662.74 paid
    assert (row["paid"], row["open"], row["status"]) == (Decimal("800.00"), Decimal("862.74"), "overdue")
    assert row["overdue_0_30"] == row["open"] and row["days_overdue"] == 26
    assert r.total("open") == sum(r.values("open")) == r.total("amount") - r.total("paid")
    buckets = sum(r.total(k) for k, _ in __import__("plainbill.reports.receivables", fromlist=["x"]).BUCKETS)
    assert buckets == r.total("open")

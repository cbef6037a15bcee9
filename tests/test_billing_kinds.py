"""Contract kinds, one small book each: hourly, block, retainer, fixed, recurring, expenses."""
from decimal import Decimal as D

from billing_helpers import billed, codes, lines_of


@billed
def test_hourly_rate_changing_mid_month(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: en
    rates:
      - {activity: remote, rate: 60.00}
      - {activity: remote, rate: 65.00, from: 2026-11-15}
    --- ledger/2026/11.txt
    2026-11-03 2h acme remote @mario Before the change
    2026-11-14 1h acme remote @mario Last day at the old rate
    2026-11-15 1h30m acme remote @mario First day at the new rate
    """
    inv = invoices["acme-2026-11"]
    time = lines_of(inv, "time")
    assert [(ln.quantity, ln.unit_price, ln.amount) for ln in time] == [
        (D(3), D("60.00"), D("180.00")), (D("1.5"), D("65.00"), D("97.50"))]
    assert inv.subtotal == D("277.50") and inv.tax_total == D("61.05") and inv.total == D("338.55")
    assert "3 h in 2 entries at 60.00/h" in time[0].explanation
    assert [s.line for s in time[0].sources] == [1, 2]
    assert diags == []


@billed
def test_hourly_contract_rates_win_over_client_rates(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    rates: [{rate: 50.00}]
    contracts:
      - {id: support, kind: hourly, from: 2026-01-01, activities: [remote], rates: [{rate: 70.00}]}
    --- ledger/2026/11.txt
    2026-11-03 1h acme remote @mario In the contract
    2026-11-03 1h acme dev @mario Fallback
    """
    time = lines_of(invoices["acme-2026-11"], "time")
    assert sorted((ln.contract, ln.amount) for ln in time) == [("", D("50.00")), ("support", D("70.00"))]


@billed
def test_block_drawn_oldest_first_and_exhausted_mid_entry(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: en
    rates: [{rate: 60.00}]
    contracts:
      - id: pack
        kind: block
        from: 2026-01-01
        purchases:
          - {date: 2026-10-01, hours: 2h, price: 100.00}
          - {date: 2026-11-02, hours: 3h, price: 150.00}
        overage: {rate: 80.00}
        low_balance: 1h
    --- ledger/2026/11.txt
    2026-11-03 1h acme remote @mario First
    2026-11-10 4h30m acme remote @mario Exhausts the block mid-entry
    """
    oct_, nov = invoices["acme-2026-10"], invoices["acme-2026-11"]
    assert [ln.amount for ln in lines_of(oct_, "block-purchase")] == [D("100.00")]
    assert [ln.amount for ln in lines_of(nov, "block-purchase")] == [D("150.00")]
    use = lines_of(nov, "block-use")
    assert sum(ln.minutes for ln in use) == 5 * 60 and all(ln.amount == 0 for ln in use)
    over = lines_of(nov, "overage")
    assert [(ln.minutes, ln.unit_price, ln.amount) for ln in over] == [(30, D("80.00"), D("40.00"))]
    split = [e for e in nov.entries if e.ref.line == 2]
    assert [(e.billed_minutes, e.amount) for e in split] == [(240, D(0)), (30, D("40.00"))]
    st = dict(nov.statements[0].minutes)
    # the 30 minutes billed beyond the block are in the statement too, outside the balance
    assert st == {"opening": 120, "purchased": 180, "used": 300, "expired": 0, "closing": 0, "overage": 30}
    assert nov.statements[0].rows[-1] == ("Billed beyond the block", "30 m")
    assert "overage" not in dict(oct_.statements[0].minutes)     # no overage, no row
    assert any("nearly exhausted" in w for w in nov.warnings)


@billed
def test_block_expiry_on_the_last_day(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    rates: [{rate: 60.00}]
    contracts:
      - id: pack
        kind: block
        from: 2026-01-01
        purchases: [{date: 2026-10-01, hours: 10h, price: 500.00, expires: 2026-11-30}]
        overage: refuse
    --- ledger/2026/11.txt
    2026-11-30 2h acme remote @mario On the last valid day
    --- ledger/2026/12.txt
    2026-12-01 1h acme remote @mario One day too late
    """
    nov, dec = invoices["acme-2026-11"], invoices["acme-2026-12"]
    assert sum(ln.minutes for ln in lines_of(nov, "block-use")) == 120
    assert dict(nov.statements[0].minutes) == {"opening": 600, "purchased": 0, "used": 120,
                                               "expired": 480, "closing": 0}
    assert lines_of(dec, "block-use") == []
    assert codes(diags) == ["block-overage-refused"]
    assert diags[0].ref.path == "ledger/2026/12.txt" and diags[0].ref.line == 1


@billed
def test_block_activity_factor(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    contracts:
      - id: pack
        kind: block
        from: 2026-01-01
        purchases: [{date: 2026-11-01, hours: 10h, price: 500.00}]
        factors: {onsite: 1.5}
    --- ledger/2026/11.txt
    2026-11-03 2h acme onsite @mario On site counts one and a half
    2026-11-04 1h acme remote @mario Remote counts one
    """
    nov = invoices["acme-2026-11"]
    assert dict(nov.statements[0].minutes)["used"] == 240
    assert dict(nov.statements[0].minutes)["closing"] == 360
    onsite = [ln for ln in lines_of(nov, "block-use") if "On-site" in ln.description][0]
    assert "factor 1.5" in onsite.explanation and "3 h drawn" in onsite.explanation


@billed
def test_retainer_used_exactly_and_uncovered_activity_at_client_rates(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: en
    rates: [{rate: 60.00}]
    contracts:
      - id: care
        kind: retainer
        description: Support plan
        from: 2026-11-01
        to: 2026-11-30
        activities: [remote]
        fee: 450.00
        included: 10h
        extra_rate: 50.00
    --- ledger/2026/11.txt
    2026-11-03 6h acme remote @mario Earlier this month
    2026-11-10 4h acme remote @mario Uses the last included minute
    2026-11-12 1h acme dev @mario Not covered: client rates
    """
    nov = invoices["acme-2026-11"]
    assert [(ln.kind, ln.amount) for ln in nov.lines if ln.kind == "retainer-fee"] == [("retainer-fee", D("450.00"))]
    assert lines_of(nov, "retainer-extra") == []
    crossing = [e for e in nov.entries if e.ref.line == 2]
    assert [(e.billed_minutes, e.amount) for e in crossing] == [(240, D(0))]
    assert dict(nov.statements[0].minutes)["used"] == 600
    assert [ln.amount for ln in lines_of(nov, "time")] == [D("60.00")]


@billed
def test_retainer_hours_used_up_by_the_crossing_entry(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: en
    contracts:
      - id: care
        kind: retainer
        from: 2026-11-01
        to: 2026-11-30
        fee: 450.00
        included: 10h
        extra_rate: 50.00
    --- ledger/2026/11.txt
    2026-11-03 6h acme remote @mario Earlier this month
    2026-11-10 4h45m acme remote @mario Crosses the limit
    2026-11-11 30m acme remote @mario All extra
    """
    nov = invoices["acme-2026-11"]
    crossing = [(e.billed_minutes, e.amount) for e in nov.entries if e.ref.line == 2]
    assert crossing == [(240, D(0)), (45, D("37.50"))]
    extra = lines_of(nov, "retainer-extra")
    assert [(ln.minutes, ln.amount) for ln in extra] == [(75, D("62.50"))]
    assert "crossed the limit: 4 h included, 45 m extra" in extra[0].explanation
    use = lines_of(nov, "retainer-use")[0]
    assert use.minutes == 600 and "10 h included" in use.explanation
    assert nov.subtotal == D("512.50")


@billed
def test_retainer_rollover_with_cap(invoices, diags):
    """
    --- plainbill.yaml+
    reference_date: 2026-12-31
    --- clients/acme.yaml
    name: Acme
    contracts:
      - id: care
        kind: retainer
        from: 2026-11-01
        to: 2026-12-31
        fee: 300.00
        included: 5h
        extra_rate: 50.00
        rollover: {mode: roll, cap: 2h}
    --- ledger/2026/11.txt
    2026-11-03 1h acme remote @mario Little used
    --- ledger/2026/12.txt
    2026-12-03 7h acme remote @mario Uses the carried hours
    """
    nov, dec = invoices["acme-2026-11"], invoices["acme-2026-12"]
    n = dict(nov.statements[0].minutes)
    assert (n["unused"], n["rolled"], n["lapsed"]) == (240, 120, 120)   # the cap's excess lapses, shown
    d = dict(dec.statements[0].minutes)
    assert d["carried"] == 120 and d["used"] == 420 and d["extra"] == 0
    assert lines_of(dec, "retainer-extra") == []


@billed
def test_fixed_milestones_and_tracked_time(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: en
    contracts:
      - id: site
        kind: fixed
        from: 2026-10-01
        milestones:
          - {date: 2026-10-31, amount: 1000.00, description: Design}
          - {date: 2026-11-30, amount: 2000.00, description: Delivery}
    --- ledger/2026/11.txt
    2026-11-05 3h acme dev @mario Building the site
    """
    nov = invoices["acme-2026-11"]
    assert [ln.amount for ln in lines_of(nov, "milestone")] == [D("2000.00")]
    tracked = lines_of(nov, "no-charge")
    assert tracked[0].minutes == 180 and tracked[0].amount == 0
    assert "included in the fixed fee" in tracked[0].explanation
    assert invoices["acme-2026-10"].subtotal == D("1000.00")


@billed
def test_recurring_proration_of_a_quantity_change_on_the_17th(invoices, diags):
    """
    --- plainbill.yaml+
    reference_date: 2026-11-30
    --- clients/acme.yaml
    name: Acme
    language: en
    contracts:
      - id: devices
        kind: recurring
        from: 2026-11-01
        items:
          - description: Managed device
            unit_price: 6.00
            unit: device
            quantity:
              - {from: 2026-11-01, qty: 10}
              - {from: 2026-11-17, qty: 15}
    """
    line = lines_of(invoices["acme-2026-11"], "recurring")[0]
    # 6.00 x (10 x 16/30 + 15 x 14/30) = 6.00 x 12.3333... = 74.00
    assert line.amount == D("74.00")
    assert "10 x 16/30 + 15 x 14/30" in line.explanation


@billed
def test_expenses_markup_and_list_price(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    contracts:
      - {id: material, kind: expenses, from: 2026-01-01, markup: 15%}
    --- ledger/2026/11.txt
    2026-11-06 expense acme @mario 95.00 UPS battery
    2026-11-06 expense acme @mario 95.00 Cable markup=20%
    2026-11-06 expense acme @mario 240.00 2 x SSD qty=2 price=150.00
    2026-11-06 expense acme @mario 10.00 Parking bill=no
    """
    amounts = sorted(ln.amount for ln in lines_of(invoices["acme-2026-11"], "expense"))
    assert amounts == [D("109.25"), D("114.00"), D("300.00")]
    assert [ln.amount for ln in lines_of(invoices["acme-2026-11"], "no-charge")] == [D("0.00")]


LATE_RETAINER = """
--- clients/acme.yaml
name: Acme
language: en
rates: [{rate: 60.00}]
contracts:
  - id: care
    kind: retainer
    description: Support plan
    from: 2026-10-01
    to: 2026-11-30
    activities: [remote]
    fee: 100.00
    included: 2h
--- ledger/2026/10.txt
2026-10-05 1h30m acme remote @mario October, issued
2026-10-20 1h acme remote @mario Added after October was issued
--- ledger/2026/11.txt
2026-11-05 1h30m acme remote @mario November
"""


def test_late_entry_in_an_issued_retainer_month():
    """The late hour draws on November's included hours, not on October's closed 30 m."""
    from billing_helpers import compute
    invoices, _ = compute(LATE_RETAINER)
    issued = {"acme-2026-10": frozenset(e.fingerprint for e in invoices["acme-2026-10"].entries
                                        if e.description.startswith("October"))}
    invoices, diags = compute(LATE_RETAINER, issued=issued)
    nov = invoices["acme-2026-11"]
    assert [(ln.kind, ln.minutes, ln.amount) for ln in nov.lines] == [
        ("retainer-fee", 0, D("100.00")), ("retainer-use", 120, D("0.00")), ("retainer-extra", 30, D("30.00"))]
    assert dict(nov.statements[0].minutes)["used"] == 120
    assert any("Late entry dated 20 October 2026" in w for w in nov.warnings)
    late = [e for e in nov.entries if e.description.startswith("Added")]
    assert [e.note for e in late] == ["included in retainer; late entry dated 20 October 2026"]

"""Rules: rounding, minimums, call-out fees, multipliers, no-charge entries, caps and budgets."""
from decimal import Decimal as D

from billing_helpers import SETTINGS, billed, compute, lines_of

CLIENT = """
--- clients/acme.yaml
name: Acme
language: en
rates: [{rate: 60.00}]
rules:
"""


def book(rules: str, ledger: str, settings: str = "") -> str:
    return CLIENT + rules + "\n--- ledger/2026/11.txt\n" + ledger + (
        "\n--- plainbill.yaml+\n" + settings if settings else "")


def test_rounding_of_many_short_entries_per_entry_and_per_day():
    ledger = "\n".join(f"2026-11-03 5m acme remote @mario Call {i}" for i in range(10))
    per_entry, _ = compute(book("  rounding: {increment: 15m, mode: up, scope: entry}", ledger))
    line = lines_of(per_entry["acme-2026-11"], "time")[0]
    assert (line.raw_minutes, line.minutes, line.amount) == (50, 150, D("150.00"))
    per_day, _ = compute(book("  rounding: {increment: 15m, mode: up, scope: day}", ledger))
    line = lines_of(per_day["acme-2026-11"], "time")[0]
    assert (line.raw_minutes, line.minutes, line.amount) == (50, 60, D("60.00"))
    assert "raw time 50 m, billed 1 h" in line.explanation
    details = per_day["acme-2026-11"].entries
    assert sum(e.raw_minutes for e in details) == 50 and sum(e.billed_minutes for e in details) == 60


def test_rounding_per_ticket_per_day_and_modes():
    ledger = """2026-11-03 20m acme remote @mario Part one #T-1
2026-11-03 20m acme remote @mario Part two #T-1
2026-11-03 20m acme remote @mario Other ticket #T-2"""
    inv, _ = compute(book("  rounding: {increment: 15m, mode: nearest, scope: ticket-day}", ledger))
    # T-1: 40m -> 45m; T-2: 20m -> 15m
    assert lines_of(inv["acme-2026-11"], "time")[0].minutes == 60
    inv, _ = compute(book("  rounding: {increment: 30m, mode: down, scope: entry}", ledger))
    assert lines_of(inv["acme-2026-11"], "time")[0].minutes == 0


def test_minimum_per_entry_and_per_visit_with_callout():
    ledger = """2026-11-03 10:00-10:20 acme onsite @mario Visit part one
2026-11-03 11:00-11:15 acme onsite @mario Visit part two
2026-11-04 10m acme remote @mario Remote call"""
    rules = """  minimum: {time: 1h, per: visit}
  callout: {amount: 35.00, description: {en: Call-out fee}}"""
    inv = compute(book(rules, ledger))[0]["acme-2026-11"]
    onsite = [ln for ln in lines_of(inv, "time") if "On-site" in ln.description][0]
    assert (onsite.raw_minutes, onsite.minutes) == (35, 60)
    remote = [ln for ln in lines_of(inv, "time") if "Remote" in ln.description][0]
    assert remote.minutes == 10       # not a visit activity: no minimum per visit
    callout = lines_of(inv, "callout")
    assert [(c.quantity, c.amount, c.description) for c in callout] == [(D(1), D("35.00"), "Call-out fee")]
    inv = compute(book("  minimum: {time: 30m, per: entry}", ledger))[0]["acme-2026-11"]
    assert sum(ln.minutes for ln in lines_of(inv, "time")) == 90


MULT = "  multipliers: {after_hours: 1.5, weekend: 1.75, holiday: 2}"


def test_entry_crossing_the_end_of_working_hours_is_split():
    inv = compute(book(MULT, "2026-11-03 17:30-19:00 acme remote @mario Late fix"))[0]["acme-2026-11"]
    parts = [(e.billed_minutes, e.multiplier, e.amount) for e in inv.entries]
    assert parts == [(30, D(1), D("30.00")), (60, D("1.5"), D("90.00"))]
    assert inv.subtotal == D("120.00")
    assert "after hours 18:00-19:00" in inv.entries[1].note


def test_holiday_on_a_weekday_and_weekend_do_not_stack():
    ledger = """2026-12-08 10:00-11:00 acme remote @mario Immacolata, a Tuesday
2026-11-07 10:00-11:00 acme remote @mario Saturday
2026-11-08 20:00-21:00 acme remote @mario Sunday evening: weekend beats after hours"""
    text = CLIENT + MULT + "\n--- ledger/2026/11.txt\n" + ledger
    inv = compute(text)[0]
    assert [(e.multiplier, e.amount) for e in inv["acme-2026-12"].entries] == [(D(2), D("120.00"))]
    assert [(e.multiplier, e.amount) for e in inv["acme-2026-11"].entries] == [
        (D("1.75"), D("105.00")), (D("1.75"), D("105.00"))]


def test_extra_holiday_and_duration_only_tags():
    ledger = """2026-11-10 10:00-11:00 acme remote @mario Patron saint
2026-11-11 1h acme remote @mario Duration only: normal hours
2026-11-11 1h acme remote @mario Tagged #afterhours"""
    settings = SETTINGS.replace("calendar: {country: IT}",
                                "calendar: {country: IT, extra: [{date: 2026-11-10, name: San Martino}]}")
    inv = compute(book(MULT, ledger) + "\n--- plainbill.yaml\n" + settings)[0]
    assert [e.multiplier for e in inv["acme-2026-11"].entries] == [D(2), D(1), D("1.5")]


def test_entry_past_midnight_into_a_holiday():
    inv = compute(book(MULT, "2026-12-07 23:00-01:00 acme remote @mario Night before Immacolata"))[0]
    assert [(e.billed_minutes, e.multiplier) for e in inv["acme-2026-12"].entries] == [(60, D("1.5")), (60, D(2))]


def test_no_charge_shown_or_hidden():
    ledger = """2026-11-03 1h acme remote @mario Goodwill #nobill
2026-11-03 1h acme internal @mario Internal work
2026-11-03 1h acme internal @mario Internal but billed #billable"""
    inv = compute(book("  rounding: {increment: 15m}", ledger))[0]["acme-2026-11"]
    assert sorted(ln.kind for ln in inv.lines) == ["no-charge", "no-charge", "time"]
    assert all(ln.amount == 0 for ln in lines_of(inv, "no-charge"))
    hidden = compute(book("  rounding: {increment: 15m}", ledger, "billing: {no_charge: hide}"))[0]["acme-2026-11"]
    # a display setting: the invoice (its JSON, its register record) keeps every line; the page hides them
    assert sorted(ln.kind for ln in hidden.lines) == ["no-charge", "no-charge", "time"]
    assert len(hidden.entries) == 3


def test_cap_warns_or_caps_with_an_adjustment_line():
    ledger = "2026-11-03 10h acme remote @mario Big job"
    warn = compute(book("  cap: {amount: 500.00, action: warn}", ledger))[0]["acme-2026-11"]
    assert warn.subtotal == D("600.00") and "Cap of 500.00 exceeded: 600.00" in warn.warnings
    cap = compute(book("  cap: {amount: 500.00, action: cap}", ledger))[0]["acme-2026-11"]
    assert [ln.amount for ln in lines_of(cap, "adjustment")] == [D("-100.00")]
    assert cap.subtotal == D("500.00") and cap.total == D("610.00")


def test_cap_in_hours():
    inv = compute(book("  cap: {hours: 8h, action: cap}", "2026-11-03 10h acme remote @mario Big job"))[0]
    assert [ln.amount for ln in lines_of(inv["acme-2026-11"], "adjustment")] == [D("-120.00")]


@billed
def test_budget_alerts_when_crossed(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: en
    rates: [{rate: 50.00}]
    projects:
      web: {name: Website, budget: {hours: 10h, alerts: [50%, 100%]}}
    --- ledger/2026/10.txt
    2026-10-03 4h acme/web dev @mario Start
    --- ledger/2026/11.txt
    2026-11-03 2h acme/web dev @mario Crosses 50%
    2026-11-04 5h acme/web dev @mario Crosses 100%
    """
    assert invoices["acme-2026-10"].warnings == ()
    assert invoices["acme-2026-11"].warnings == (
        "Budget Website: 50% reached (11 h of 10 h)", "Budget Website: 100% reached (11 h of 10 h)")


@billed
def test_rate_precedence_person_and_role(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    rates:
      - {activity: remote, person: mario, rate: 70.00}
      - {activity: remote, rate: 60.00}
      - {role: senior, rate: 90.00}
    --- ledger/2026/11.txt
    2026-11-03 1h acme remote @mario Person rate
    2026-11-03 1h acme remote @lucia Activity rate beats role rate
    2026-11-03 1h acme dev @lucia Role rate
    2026-11-03 1h acme dev @mario Person's default rate
    """
    amounts = sorted(e.amount for e in invoices["acme-2026-11"].entries)
    assert amounts == [D("55.00"), D("60.00"), D("70.00"), D("90.00")]


@billed
def test_no_rounding_block_bills_to_the_minute_and_says_so(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: en
    rates: [{rate: 60.00}]
    contracts:
      - {id: dev, kind: hourly, from: 2026-01-01, activities: [dev], rules: {rounding: {}}}
    --- ledger/2026/11.txt
    2026-11-03 7m acme remote @mario No rounding block: 7 minutes are 7 minutes
    2026-11-03 7m acme dev @mario rounding: {} takes the block's defaults, 15 m up per entry
    """
    inv = invoices["acme-2026-11"]
    by_activity = {ln.description: ln for ln in inv.lines}
    remote, dev = by_activity["Remote support"], by_activity["Development"]
    assert (remote.minutes, remote.amount, remote.rounding) == (7, D("7.00"), "no rounding: billed to the minute")
    assert (dev.minutes, dev.amount, dev.rounding) == (15, D("15.00"), "rounded up to a multiple of 15 m per entry")


@billed
def test_minimum_per_activity_leaves_other_entries_as_worked(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: en
    rates: [{rate: 60.00}]
    rules:
      minimum: {time: 1h, per: entry, activities: [onsite]}
    contracts:
      - id: care
        kind: retainer
        from: 2026-11-01
        to: 2026-11-30
        activities: [remote, onsite]
        fee: 300.00
        included: 5h
    --- ledger/2026/11.txt
    2026-11-03 20m acme onsite @mario A short visit, raised to 1 h
    2026-11-04 10m acme remote @mario A call: not raised
    2026-11-05 15m acme dev @mario Not in the retainer, not on the list: 15 m at 60.00
    """
    inv = invoices["acme-2026-11"]
    used = dict(inv.statements[0].minutes)["used"]
    assert used == 70                      # 60 raised + 10 as worked, not 120
    dev = [ln for ln in lines_of(inv, "time")]
    assert [(ln.minutes, ln.amount) for ln in dev] == [(15, D("15.00"))]
    notes = {e.description: e.note for e in inv.entries}
    assert "minimum" in notes["A short visit, raised to 1 h"] and "minimum" not in notes["A call: not raised"]


@billed
def test_minimum_per_visit_with_activities(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: en
    rates: [{rate: 60.00}]
    rules:
      minimum: {time: 1h, per: visit, activities: [onsite]}
    --- ledger/2026/11.txt
    2026-11-03 20m acme onsite @mario Visit: raised to 1 h
    """
    assert [ln.minutes for ln in lines_of(invoices["acme-2026-11"], "time")] == [60]


@billed
def test_budget_counts_the_invoiced_amounts_rounded_per_line(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: en
    rates: [{rate: 95.00}]
    rules:
      budget: {amount: 30.00, alerts: [100%]}
    --- ledger/2026/10.txt
    2026-10-05 10m acme remote @mario 15.8333 exact, 15.83 invoiced
    --- ledger/2026/11.txt
    2026-11-05 10m acme remote @mario 15.83 again: 31.66 invoiced in all, not 31.67
    """
    oct_, nov = invoices["acme-2026-10"], invoices["acme-2026-11"]
    assert oct_.subtotal + nov.subtotal == D("31.66")
    assert nov.warnings == ("Budget Acme: 100% reached (31.66 of 30.00)",)


@billed
def test_budget_counts_what_is_left_after_a_cap(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: en
    rates: [{rate: 100.00}]
    projects:
      web: {name: Website, budget: {amount: 1000.00, alerts: [50%, 100%]}}
    rules:
      cap: {amount: 400.00, action: cap}
      budget: {amount: 1000.00, alerts: [100%]}
    --- ledger/2026/10.txt
    2026-10-05 6h acme/web dev @mario 600.00 worked, 400.00 invoiced
    --- ledger/2026/11.txt
    2026-11-05 6h acme/web dev @mario 400.00 invoiced again: 800.00, under 1000.00
    2026-11-06 1h acme remote @mario Outside the project
    """
    oct_, nov = invoices["acme-2026-10"], invoices["acme-2026-11"]
    assert oct_.subtotal == D("400.00") and nov.subtotal == D("400.00")
    # October: the project's 400.00 cross 50% (500.00 would be needed before the cap: not crossed)
    assert [w for w in oct_.warnings if "Budget" in w] == []
    # November: the project is 6/7 of the positive lines: 342.86 of the cap's 400.00, 742.86 in all
    assert [w for w in nov.warnings if "Budget" in w] == ["Budget Website: 50% reached (742.86 of 1,000.00)"]

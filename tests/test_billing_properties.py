"""Invariants over random ledgers: totals reconcile, time is conserved, block hours balance,
and the order or the files of the ledger lines change nothing but source references."""
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing_helpers import compute

CLIENTS = """
--- clients/acme.yaml
name: Acme
language: en
withholding: {rate: 20%, base: 100%}
rates:
  - {activity: remote, rate: 61.37}
  - {activity: onsite, rate: 55.55, from: 2026-11-15}
  - {rate: 48.10}
rules:
  rounding: {increment: 15m, mode: nearest, scope: ticket-day}
  minimum: {time: 30m, per: visit}
  callout: {amount: 35.00}
  multipliers: {after_hours: 1.5, weekend: 1.75, holiday: 2}
contracts:
  - id: care
    kind: retainer
    from: 2026-10-01
    to: 2026-11-30
    activities: [remote]
    fee: 450.00
    included: 5h
    extra_rate: 50.00
    rollover: {mode: roll, cap: 2h}
  - id: pack
    kind: block
    from: 2026-10-01
    activities: [dev]
    purchases:
      - {date: 2026-10-01, hours: 4h, price: 200.00, expires: 2026-10-31}
      - {date: 2026-10-15, hours: 3h, price: 150.00}
    factors: {dev: 1.5}
    overage: {rate: 70.00}
--- clients/beta.yaml
name: Beta
language: it
split_payment: true
rates: [{rate: 33.33}]
"""

entry = st.builds(
    lambda client, month, day, start, length, act, person, tag, ticket: (
        f"2026-{month:02d}-{day:02d} "
        + (f"{start // 60:02d}:{start % 60:02d}-{(start + length) // 60 % 24:02d}:{(start + length) % 60:02d}"
           if start is not None else f"{length}m")
        + f" {client} {act} @{person} work{' #' + tag if tag else ''}{' #T-' + str(ticket) if ticket else ''}"),
    st.sampled_from(["acme", "beta"]), st.sampled_from([10, 11]), st.integers(1, 30),
    st.one_of(st.none(), st.integers(0, 23 * 60)), st.integers(1, 300),
    st.sampled_from(["remote", "onsite", "dev", "internal"]), st.sampled_from(["mario", "lucia"]),
    st.sampled_from(["", "nobill", "afterhours", "weekend"]), st.sampled_from([0, 1, 2]))
expense = st.builds(lambda day, cents, pct: f"2026-11-{day:02d} expense acme @mario {cents // 100}.{cents % 100:02d} "
                                            f"Part markup={pct}%",
                    st.integers(1, 30), st.integers(1, 100000), st.integers(0, 40))
ledgers = st.lists(st.one_of(entry, entry, entry, expense), min_size=1, max_size=25)
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def book(lines: list[str], files: int = 1) -> str:
    parts = [lines[i::files] for i in range(files)]
    return CLIENTS + "".join(f"--- ledger/part{i}.txt\n" + "\n".join(p) + "\n" for i, p in enumerate(parts))


def without_refs(value):
    if isinstance(value, dict):
        return {k: without_refs(v) for k, v in value.items() if k not in ("sources", "ref")}
    if isinstance(value, list):
        return [without_refs(v) for v in value]
    return value


@FAST
@given(ledgers)
def test_totals_reconcile_to_the_cent(lines):
    invoices, _ = compute(book(lines))
    for inv in invoices.values():
        assert inv.subtotal == sum((ln.amount for ln in inv.lines), Decimal(0))
        assert inv.total == inv.subtotal + sum((t.tax for t in inv.taxes), Decimal(0))
        assert inv.amount_due == inv.total - inv.withholding - inv.split_payment
        for ln in inv.lines:
            assert ln.amount == ln.amount.quantize(Decimal("0.01"))


@FAST
@given(ledgers)
def test_billable_raw_time_is_conserved(lines):
    result_invoices, _ = compute(book(lines))
    time_kinds = {"time", "overage", "retainer-use", "retainer-extra", "block-use", "no-charge"}
    raw_on_lines = sum(ln.raw_minutes for inv in result_invoices.values() for ln in inv.lines
                       if ln.kind in time_kinds)
    raw_in_details = sum(e.raw_minutes for inv in result_invoices.values() for e in inv.entries)
    from plainbill.load import load_files
    from billing_helpers import split_book
    entries = load_files(split_book(book(lines))).book.entries
    assert raw_on_lines == raw_in_details == sum(e.minutes for e in entries if e.kind == "time")


@FAST
@given(ledgers)
def test_block_purchased_equals_used_expired_and_remaining(lines):
    invoices, _ = compute(book(lines))
    rows = [dict(s.minutes) for inv in sorted(invoices.values(), key=lambda i: i.period_start)
            for s in inv.statements if s.kind == "block"]
    if not rows:
        return
    purchased = sum(r["purchased"] for r in rows)
    assert purchased == 7 * 60
    assert purchased == sum(r["used"] for r in rows) + sum(r["expired"] for r in rows) + rows[-1]["closing"]
    for before, after in zip(rows, rows[1:]):
        assert before["closing"] == after["opening"]


@FAST
@given(ledgers, st.randoms(use_true_random=False), st.integers(1, 3))
def test_order_and_files_of_ledger_lines_change_nothing(lines, rnd, files):
    first, _ = compute(book(lines))
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    second, _ = compute(book(shuffled, files))
    assert list(first) == list(second)
    for key in first:
        assert without_refs(first[key].to_dict()) == without_refs(second[key].to_dict())

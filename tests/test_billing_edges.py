"""Edges found by the property tests, kept as examples."""
from billing_helpers import billed, lines_of


@billed
def test_block_entry_rounded_down_to_nothing_keeps_its_raw_time(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    rates: [{rate: 48.10}]
    rules: {rounding: {increment: 15m, mode: nearest}}
    contracts:
      - id: pack
        kind: block
        from: 2026-10-01
        activities: [dev]
        purchases: [{date: 2026-10-01, hours: 4h, price: 200.00}]
    --- ledger/2026/10.txt
    2026-10-01 1m acme dev @mario work
    """
    inv = invoices["acme-2026-10"]
    (line,) = lines_of(inv, "block-use")
    assert (line.raw_minutes, line.minutes) == (1, 0)
    assert [(e.raw_minutes, e.billed_minutes, e.line_key) for e in inv.entries] == [(1, 0, line.key)]
    assert not diags


@billed
def test_quarterly_retainer_carries_what_the_previous_month_left(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    billing_cycle: quarterly
    rates: [{rate: 60.00}]
    contracts:
      - id: care
        kind: retainer
        from: 2026-10-01
        to: 2026-12-31
        activities: [remote]
        fee: 100.00
        included: 2h
        rollover: {mode: roll}
    --- ledger/2026/q4.txt
    2026-10-05 1h acme remote @mario October leaves 1 h
    2026-11-05 3h acme remote @mario November uses its 2 h and the 1 h carried
    2026-12-03 3h acme remote @mario December carries nothing: 1 h extra
    """
    inv = invoices["acme-2026-Q4"]
    carried = [dict(s.minutes)["carried"] for s in inv.statements]
    assert carried == [0, 60, 0]
    (extra,) = lines_of(inv, "retainer-extra")
    assert extra.amount == 60
    assert not diags


def test_expense_qty_zero_is_refused_when_loading():
    """qty=0 used to bill "0 x 10.00 = 10.00": it is now a `zero-quantity` error, and the
    line is not billed at all."""
    from billing_helpers import split_book
    from plainbill.load import load_files
    book = split_book("""
    --- clients/acme.yaml
    name: Acme
    --- ledger/2026/11.txt
    2026-11-06 expense acme @mario 10.00 Sample at list price qty=0 price=5.00
    2026-11-06 expense acme @mario 10.00 Sample at cost qty=0
    """)
    result = load_files(book)
    assert [(d.code, d.ref.line, d.ref.col) for d in result.diagnostics] == \
        [("zero-quantity", 1, 59), ("zero-quantity", 2, 53)]
    assert result.book.entries == ()

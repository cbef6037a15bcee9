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

"""The hours report: where the time went, per axis.

    worked        minutes of time entries in the ledger (as typed, before any rounding)
    billable      worked minutes of billable activities not marked #nobill / bill=no
    non_billable  worked minutes of activities that are not billable (internal, pre-sales)
    no_charge     worked minutes of billable activities marked #nobill or bill=no: given away
    billed        minutes charged for on the invoices (after rounding and minimums), including
                  minutes drawn from blocks and retainers; fixed-price work is covered by its
                  fee and is not in `billed`
    billable_pct  billable / worked
"""
from __future__ import annotations

from .facts import BILLABLE, BILLED, CLASS, MINUTES, NO_CHARGE, NON_BILLABLE, Facts
from .group import AXIS_TITLES, Sums, axis_key, whole
from .range import Range
from .table import Column, Report, ratio

FIELDS = ("worked", "billable", "non_billable", "no_charge", "billed")
_CLASS_FIELD = {BILLABLE: "billable", NON_BILLABLE: "non_billable", NO_CHARGE: "no_charge"}


def hours_report(facts: Facts, span: Range, by: str) -> Report:
    key = axis_key(by)
    sums = Sums(FIELDS)
    row_of, where = sums.row, {c: sums.pos[f] for c, f in _CLASS_FIELD.items()}
    for r in facts.work:
        if r[0] in span:
            acc = row_of(key(r))
            acc[0] += r[MINUTES]
            acc[where[r[CLASS]]] += r[MINUTES]
    for r in facts.money:
        if r[BILLED] and r[0] in span:
            row_of(key(r))[4] += r[BILLED]
    columns = (Column(by, AXIS_TITLES[by]), Column("worked", "Worked", "minutes"),
               Column("billable", "Billable", "minutes"), Column("non_billable", "Non-billable", "minutes"),
               Column("no_charge", "No charge", "minutes"), Column("billed", "Billed", "minutes"),
               Column("billable_pct", "Billable %", "percent"))

    def row(label: str, v: dict) -> tuple:
        return (label, v["worked"], v["billable"], v["non_billable"], v["no_charge"], whole(v["billed"]),
                ratio(v["billable"], v["worked"]))

    rows = tuple(row(label, sums.get(label)) for label in sums.labels())
    return Report("hours", "Hours", by, span, facts.currency, columns, rows, row("Total", sums.total()),
                  ("billed counts every invoice the build computes, drafts and issued alike",))

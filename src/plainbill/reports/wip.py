"""The unbilled work (WIP) report: what is done but not yet on an issued invoice, valued.

    unbilled      worked minutes of billable time entries no issued invoice holds
    wip_time      net amount of the draft invoices' lines for work (time, blocks, retainers,
                  call-outs, caps' adjustments), split over their entries as in every report
    wip_expenses  net amount of the drafts' re-billed expenses
    wip_other     net amount of the drafts' lines with no entry behind them (fees, block
                  purchases, milestones, recurring items, stamp duty)
    wip           wip_time + wip_expenses + wip_other: everything the drafts would bill
    billed        net amount of the issued invoices (and credit notes)
    total         wip + billed: every invoice the build computes, which is all the billable work

Valued as the drafts bill it: the engine's rates, rounding, minimums, blocks and retainers.
"""
from __future__ import annotations

from .facts import AMOUNT, CLASS, BILLABLE, ISSUED, LINE_KIND, MINUTES, ON_ISSUED, PERSON, Facts
from .group import AXIS_TITLES, Sums, axis_key
from .range import Range
from .table import Column, Report, money

FIELDS = ("unbilled", "wip_time", "wip_expenses", "wip_other", "billed")


def wip_report(facts: Facts, span: Range, by: str) -> Report:
    key = axis_key(by)
    sums = Sums(FIELDS)
    for r in facts.work:
        if r[0] in span and r[CLASS] == BILLABLE and not r[ON_ISSUED]:
            sums.add(key(r), "unbilled", r[MINUTES])
    for r in facts.money:
        if r[0] not in span:
            continue
        label = key(r)
        if r[ISSUED]:
            sums.add(label, "billed", r[AMOUNT])
        elif r[LINE_KIND] == "expense":
            sums.add(label, "wip_expenses", r[AMOUNT])
        elif r[PERSON] or r[LINE_KIND] in ("time", "callout", "adjustment"):
            sums.add(label, "wip_time", r[AMOUNT])
        else:
            sums.add(label, "wip_other", r[AMOUNT])
    columns = (Column(by, AXIS_TITLES[by]), Column("unbilled", "Unbilled hours", "minutes"),
               Column("wip_time", "Work", "money"), Column("wip_expenses", "Expenses", "money"),
               Column("wip_other", "Fees and other", "money"), Column("wip", "WIP", "money"),
               Column("billed", "Billed (issued)", "money"), Column("total", "Total", "money"))

    def row(label: str, v: dict) -> tuple:
        cur = facts.currency
        time, expenses, other, billed = (money(v[k], cur) for k in ("wip_time", "wip_expenses", "wip_other", "billed"))
        wip = time + expenses + other
        return (label, v["unbilled"], time, expenses, other, wip, billed, wip + billed)

    rows = tuple(row(label, sums.get(label)) for label in sums.labels())
    notes = tuple(facts.money_notes) + ("WIP is what the draft invoices would bill; billed is the issued invoices' "
                                       "net amount",)
    return Report("wip", "Unbilled work (WIP)", by, span, facts.currency, columns, rows, row("Total", sums.total()),
                  notes)

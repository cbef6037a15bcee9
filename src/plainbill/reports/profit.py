"""The profitability report: what each client, project, contract... earned and what it cost.

    worked          minutes of time entries (the ledger's, as typed)
    revenue         the net amounts of the invoice lines (before VAT), drafts and issued, each line
                    split over the entries behind it (facts.py); fees, purchases, milestones and
                    stamp duty go to their client, contract and project, and to "(nobody)"
    cost_time       worked minutes x the person's cost rate in force that day, summed exactly,
                    rounded once per row
    cost_expense    what the expenses cost (their amount as typed in the ledger)
    cost            cost_time + cost_expense
    margin          revenue - cost
    margin_pct      margin / revenue
    work_revenue    revenue of the lines that pay for work: every line but re-billed expenses,
                    recurring items and stamp duty
    effective_rate  work_revenue / worked hours: what an hour of work brought in
    list_rate       standard / worked hours: what an hour would bring at the list rates
    standard        worked minutes x the list rate the engine resolves for each entry (the rate
                    an hourly invoice would charge; for a block, retainer or fixed contract, its
                    own rates or else the client's)
    realization     work_revenue / standard: the share of the list value actually billed
"""
from __future__ import annotations

from decimal import Decimal

from .facts import AMOUNT, COST, EXPENSE_COST, LINE_KIND, MINUTES, Facts
from .group import AXIS_TITLES, Sums, axis_key
from .range import Range
from .table import Column, Report, ratio
from .table import money as to_money

NOT_WORK = frozenset({"expense", "recurring", "stamp-duty"})
FIELDS = ("worked", "revenue", "work_revenue", "cost_time", "cost_expense", "standard")
SIXTY = Decimal(60)


def profitability_report(facts: Facts, span: Range, by: str) -> Report:
    key = axis_key(by)
    sums = Sums(FIELDS)
    row_of, standard = sums.row, facts.standard      # FIELDS: worked, revenue, work_revenue, cost_time,
    for i, r in enumerate(facts.work):              # cost_expense, standard
        if r[0] in span:
            acc = row_of(key(r))
            acc[0] += r[MINUTES]
            acc[3] += r[COST]
            acc[5] += standard(i)
    for r in facts.expense:
        if r[0] in span:
            row_of(key(r))[4] += r[EXPENSE_COST]
    for r in facts.money:
        if r[0] in span:
            acc = row_of(key(r))
            acc[1] += r[AMOUNT]
            if r[LINE_KIND] not in NOT_WORK:
                acc[2] += r[AMOUNT]
    def money(x) -> Decimal:
        return to_money(x, facts.currency)

    def per_hour(amount, minutes) -> Decimal | None:
        return money(Decimal(amount) * SIXTY / minutes) if minutes else None

    kinds = {f"{c}/{k}": contract.kind for (c, k), contract in facts.contracts.items()} if by == "contract" else {}

    def row(label: str, v: dict) -> tuple:
        revenue, cost_time, cost_expense = money(v["revenue"]), money(v["cost_time"] / SIXTY), money(v["cost_expense"])
        cost = cost_time + cost_expense
        margin = revenue - cost
        standard = money(v["standard"] / SIXTY)
        out = (label,) + ((kinds.get(label, ""),) if by == "contract" else ())
        return out + (v["worked"], revenue, cost_time, cost_expense, cost, margin, ratio(margin, revenue),
                      per_hour(v["work_revenue"], v["worked"]), per_hour(v["standard"] / SIXTY, v["worked"]), standard,
                      ratio(money(v["work_revenue"]), standard))

    columns = (Column(by, AXIS_TITLES[by]),) + ((Column("contract_kind", "Kind"),) if by == "contract" else ()) + (
        Column("worked", "Worked", "minutes"), Column("revenue", "Revenue", "money"),
        Column("cost_time", "Time cost", "money"), Column("cost_expense", "Expense cost", "money"),
        Column("cost", "Cost", "money"), Column("margin", "Margin", "money"), Column("margin_pct", "Margin %", "percent"),
        Column("effective_rate", "Effective rate", "money"), Column("list_rate", "List rate", "money"),
        Column("standard", "Standard value", "money"), Column("realization", "Realization", "percent"))
    rows = tuple(row(label, sums.get(label)) for label in sums.labels())
    total = row("Total", sums.total())
    if by == "contract":
        total = total[:1] + ("",) + total[2:]
    notes = tuple(facts.notes + facts.money_notes) + (
        "revenue is every invoice the build computes, drafts and issued alike (net of VAT)",)
    return Report("profitability", "Profitability", by, span, facts.currency, columns, rows, total, notes)


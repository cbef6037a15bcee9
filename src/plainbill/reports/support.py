"""The support cost report: what each retainer and block absorbed, and what it cost, against what it earned.

One row per retainer or block contract (`client/contract`):

    earned        net revenue of the contract's lines: fees or block purchases, extra hours or
                  overage, its call-outs
    worked        minutes of the time entries the contract took
    covered       worked minutes the fee or the block paid for (the included hours)
    rolled_in     of those, minutes paid for by hours rolled over from the month before (retainer
                  with rollover: what a month used beyond its own allowance, up to what it carried)
    extra         worked minutes billed beyond the fee or the block (extra hours, overage)
    no_charge     worked minutes given away: billable activities marked #nobill or bill=no
    non_billable  worked minutes of non-billable activities under the contract
    lapsed        allowance paid for and never used: a retainer's lapsed minutes, a block's
                  expired minutes (in block hours); it cost nothing and was earned
    cost          the cost of the worked minutes (minutes x the person's cost rate that day),
                  summed exactly and rounded once (as in the profitability report)
    cost_covered, cost_extra, cost_given   cost split by what the minutes were: covered, extra,
                  given away (no_charge and non_billable); the split adds up to cost to the cent
    margin        earned - cost;  margin_pct = margin / earned
    effective_rate  earned / worked hours
"""
from __future__ import annotations

from decimal import Decimal

from ..money import quantum
from .facts import ACTIVITY, AMOUNT, CLIENT, CONTRACT, LINE_KIND, RAW, RAW_COST, Facts, allocate
from .range import Range
from .table import Column, Report, money, ratio

COVERED = {"retainer-use", "block-use"}
EXTRA = {"retainer-extra", "overage", "time"}
FIELDS = ("earned", "worked", "covered", "rolled_in", "extra", "no_charge", "non_billable", "lapsed",
          "cost_covered", "cost_extra", "cost_given")
SIXTY = Decimal(60)


def support_report(facts: Facts, span: Range, by: str) -> Report:
    wanted = {f"{c}/{k}": contract.kind for (c, k), contract in facts.contracts.items()
              if contract.kind in ("retainer", "block")}
    billable = {a.slug: a.billable for a in facts.book.settings.activities}
    sums: dict[str, dict] = {label: dict.fromkeys(FIELDS, 0) for label in wanted}
    for r in facts.money:
        label = f"{r[CLIENT]}/{r[CONTRACT]}"
        if label not in sums or r[0] not in span:
            continue
        v, kind = sums[label], r[LINE_KIND]
        v["earned"] += r[AMOUNT]
        v["worked"] += r[RAW]
        if kind in COVERED:
            v["covered"] += r[RAW]
            v["cost_covered"] += r[RAW_COST]
        elif kind == "no-charge":
            v["no_charge" if billable.get(r[ACTIVITY], True) else "non_billable"] += r[RAW]
            v["cost_given"] += r[RAW_COST]
        elif r[RAW]:
            v["extra"] += r[RAW]
            v["cost_extra"] += r[RAW_COST]
    for day, client, contract, kind, figures in facts.statements:
        label = f"{client}/{contract}"
        if label in sums and day in span:
            v = sums[label]
            if kind == "retainer":
                v["lapsed"] += figures.get("lapsed", 0)
                carried, beyond = figures.get("carried", 0), figures.get("used", 0) - figures.get("included", 0)
                v["rolled_in"] += max(0, min(carried, beyond))
            else:
                v["lapsed"] += figures.get("expired", 0)
    cur = facts.currency

    def row(label: str, kind: str, v: dict) -> tuple:
        earned = money(v["earned"], cur)
        exact = [Decimal(v[k]) for k in ("cost_covered", "cost_extra", "cost_given")]   # minutes x rate
        cost = money(sum(exact) / SIXTY, cur)        # rounded once, as in the profitability report;
        costs = allocate(cost, exact, quantum(cur)) if any(exact) else [money(0, cur)] * 3
        rate = money(earned * SIXTY / v["worked"], cur) if v["worked"] else None
        return (label, kind, earned, v["worked"], v["covered"], v["rolled_in"], v["extra"], v["no_charge"],
                v["non_billable"], v["lapsed"], *costs, cost, earned - cost, ratio(earned - cost, earned), rate)

    rows = tuple(row(label, wanted[label], sums[label]) for label in sorted(sums))
    total = {k: sum((sums[label][k] for label in sums), 0) for k in FIELDS}
    columns = (Column("contract", "Contract"), Column("contract_kind", "Kind"), Column("earned", "Earned", "money"),
               Column("worked", "Worked", "minutes"), Column("covered", "Covered", "minutes"),
               Column("rolled_in", "From rollover", "minutes"), Column("extra", "Extra", "minutes"),
               Column("no_charge", "No charge", "minutes"), Column("non_billable", "Non-billable", "minutes"),
               Column("lapsed", "Lapsed or expired", "minutes"), Column("cost_covered", "Cost covered", "money"),
               Column("cost_extra", "Cost extra", "money"), Column("cost_given", "Cost given away", "money"),
               Column("cost", "Cost", "money"), Column("margin", "Margin", "money"),
               Column("margin_pct", "Margin %", "percent"), Column("effective_rate", "Effective rate", "money"))
    notes = tuple(facts.notes + facts.money_notes) + (
        "every block and retainer contract of the book; earned is the net revenue of its lines, drafts and issued",)
    return Report("support", "Support cost (retainers and blocks)", "contract", span, cur, columns, rows,
                  row("Total", "", total), notes)

"""The balances report: every block, retainer and budget, how fast it burns and when it runs out.

As of a day (the range's end, else the book's `reference_date`, else the latest date it knows).
One row per block contract, retainer contract and budget (of a project, a contract or a client):

    size          block: hours purchased by then; retainer: the as-of month's allowance (included
                  plus carried over); budget: its hours or its amount
    used          block: block hours used (expired hours are in `expired`); retainer: hours used
                  in the as-of month; budget: what was invoiced against it (docs/billing.md,
                  Budgets: billed hours, or the net amount of its lines)
    left          size - used (- expired, for a block): the block's balance, the month's unused
                  hours, what the budget has left (negative: overrun)
    used_pct      used / size
    burn          hours (or money) used per 30 days, over the 90 days up to the as-of day
                  (a retainer: its average month over the last three)
    runs_out      the as-of day + left / burn: when it runs out at that pace (none when nothing
                  burns, or a retainer's month that lasts)
    alert         budget: the highest alert threshold reached (`80%`); block: `low` under its
                  `low_balance`, `empty` at zero; retainer: `over` when the month went beyond
                  its allowance

Blocks and retainers read the statements the engine printed on the invoices; budgets sum the
lines of the invoices as the engine's budget alerts do. Amounts in another currency are
converted to the book's.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ..model import Budget
from .facts import AMOUNT, BILLED, CLIENT, CONTRACT, LINE_KIND, PROJECT, Converter, Facts
from .group import whole
from .range import Range
from .receivables import as_of_day
from .table import Column, Report, money, ratio

PROJECT_LINES = frozenset({"time", "expense", "overage", "retainer-extra", "retainer-use", "block-use", "no-charge"})
WINDOW = 90          # days of usage the burn rate is measured on
MONTH = 30


def balances_report(facts: Facts, span: Range, by: str) -> Report:
    today = as_of_day(facts, span)
    cur = facts.currency
    rows = []
    for (client, cid), contract in sorted(facts.contracts.items()):
        if contract.kind == "block":
            rows.append(_block(facts, client, contract, today))
        elif contract.kind == "retainer":
            rows.append(_retainer(facts, client, contract, today))
    for label, currency, budget, inside in _budgets(facts):
        rows.append(_budget(facts, label, budget, inside, today, currency))
    columns = (Column("item", "Item"), Column("item_kind", "Kind"),
               Column("size_hours", "Size (hours)", "minutes"), Column("used_hours", "Used (hours)", "minutes"),
               Column("expired_hours", "Expired", "minutes"), Column("left_hours", "Left (hours)", "minutes"),
               Column("size_amount", "Size (amount)", "money"), Column("used_amount", "Used (amount)", "money"),
               Column("left_amount", "Left (amount)", "money"), Column("used_pct", "Used %", "percent"),
               Column("burn_hours", "Burn per 30 days (hours)", "minutes"),
               Column("burn_amount", "Burn per 30 days (amount)", "money"),
               Column("runs_out", "Runs out", "date"), Column("alert", "Alert"))
    notes = tuple(facts.money_notes) + (f"as of {today.isoformat()}; burn measured over the {WINDOW} days before",)
    return Report("balances", "Balances: blocks, retainers, budgets", "item", span, cur, columns,
                  tuple(rows), None, notes, meta={"as_of": today})


def _row(item, kind, size_h=None, used_h=None, expired=None, left_h=None, size_a=None, used_a=None, left_a=None,
         pct=None, burn_h=None, burn_a=None, runs_out=None, alert="") -> tuple:
    return (item, kind, size_h, used_h, expired, left_h, size_a, used_a, left_a, pct, burn_h, burn_a, runs_out, alert)


def _runs_out(today: date, left, burn) -> date | None:
    if not burn or burn <= 0 or left is None or left <= 0:
        return today if left is not None and left <= 0 and burn else None
    return today + timedelta(days=int(Decimal(left) * MONTH / Decimal(burn)))


def _statements(facts: Facts, client: str, cid: str, today: date) -> list[tuple]:
    return [s for s in facts.statements if s[1] == client and s[2] == cid and s[0] <= today]


def _block(facts: Facts, client: str, contract, today: date) -> tuple:
    sts = _statements(facts, client, contract.id, today)
    purchased = sum(p.minutes for p in contract.terms.purchases if p.date <= today)
    used = sum(s[4].get("used", 0) for s in sts)
    expired = sum(s[4].get("expired", 0) for s in sts)
    left = sts[-1][4].get("closing", 0) if sts else purchased
    recent = sum(s[4].get("used", 0) for s in sts if s[0] > today - timedelta(days=WINDOW))
    burn = whole(Decimal(recent) * MONTH / WINDOW)
    alert = "empty" if left <= 0 else ("low" if left < contract.terms.low_balance_minutes else "")
    return _row(f"{client}/{contract.id}", "block", purchased, used, expired, left, pct=ratio(used, purchased),
                burn_h=burn, runs_out=_runs_out(today, left, burn), alert=alert)


def _retainer(facts: Facts, client: str, contract, today: date) -> tuple:
    sts = _statements(facts, client, contract.id, today)
    month = [s for s in sts if (s[0].year, s[0].month) == (today.year, today.month)]
    current = month[-1][4] if month else {}
    size = current.get("included", 0) + current.get("carried", 0)
    used = current.get("used", 0)
    last3 = sts[-3:]
    burn = whole(Decimal(sum(s[4].get("used", 0) + s[4].get("extra", 0) for s in last3)) / len(last3)) if last3 else 0
    start = today.replace(day=1)
    out = start + timedelta(days=int(Decimal(size) * MONTH / burn)) if burn else None
    if out is not None and (out.year, out.month) != (today.year, today.month):
        out = None                            # the month's allowance lasts the month at this pace
    alert = "over" if current.get("extra", 0) else ""
    return _row(f"{client}/{contract.id}", "retainer", size, used, None, size - used, pct=ratio(used, size),
                burn_h=burn, runs_out=out, alert=alert)


def _budgets(facts: Facts):
    """(label, Budget, test of a money row) for every budget of the book."""
    for c in sorted(facts.book.clients, key=lambda c: c.slug):
        for p in c.projects:
            if p.budget is not None:
                yield f"{c.slug}/{p.slug}", c.currency, p.budget, (
                    lambda r, cl=c.slug, pr=p.slug: r[CLIENT] == cl and r[PROJECT] == pr and r[LINE_KIND] in PROJECT_LINES)
        for k in c.contracts:
            if k.rules.budget is not None:
                yield f"{c.slug}/{k.id}", c.currency, k.rules.budget, (
                    lambda r, cl=c.slug, cid=k.id: r[CLIENT] == cl and r[CONTRACT] == cid and r[LINE_KIND] != "stamp-duty")
        if c.rules.budget is not None:
            yield c.slug, c.currency, c.rules.budget, (lambda r, cl=c.slug: r[CLIENT] == cl and r[LINE_KIND] != "stamp-duty")


def _budget(facts: Facts, label: str, budget: Budget, inside, today: date, currency: str) -> tuple:
    cur = facts.currency
    rows = [r for r in facts.money if r[0] <= today and inside(r)]
    recent = [r for r in rows if r[0] > today - timedelta(days=WINDOW)]
    if budget.minutes is not None:
        used = whole(sum(r[BILLED] for r in rows))
        burn = whole(Decimal(sum(r[BILLED] for r in recent)) * MONTH / WINDOW)
        left = budget.minutes - used
        pct = ratio(used, budget.minutes)
        return _row(label, "budget", budget.minutes, used, None, left, pct=pct, burn_h=burn,
                    runs_out=_runs_out(today, left, burn), alert=_alert(budget, pct))
    used_a = money(sum((r[AMOUNT] for r in rows), Decimal(0)), cur)
    burn_a = money(sum((r[AMOUNT] for r in recent), Decimal(0)) * MONTH / WINDOW, cur)
    size = money(Converter(facts.book).amount(budget.amount, currency, today), cur)
    pct = ratio(used_a, size)
    return _row(label, "budget", size_a=size, used_a=used_a, left_a=size - used_a, pct=pct, burn_a=burn_a,
                runs_out=_runs_out(today, size - used_a, burn_a), alert=_alert(budget, pct))


def _alert(budget: Budget, pct: Decimal | None) -> str:
    reached = [t for t in budget.alerts if pct is not None and pct >= t]
    return f"{(max(reached) * 100).normalize():f}%" if reached else ""

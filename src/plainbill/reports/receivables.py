"""The receivables report: issued invoices, what was paid, what is open and how late.

One row per issued invoice, as of a day: the range's end, else the book's `reference_date`,
else the latest date the book knows (an entry, an issue date, a payment). Invoices issued by
then are listed, but those paid in full before the range starts.

    amount        what the invoice asks: its amount due (after withholding and split payment),
                  less the amount due of its credit notes issued by then
    paid          the payment lines naming it, dated by then
    open          amount - paid
    status        paid (nothing open), open (not yet due) or overdue (due date passed)
    days_overdue  days from the due date to the as-of day, for an open invoice past due
    not_due, overdue_0_30, overdue_31_60, overdue_61_90, overdue_90  the open amount, in the
                  column of its age: not yet due, or 0-30, 31-60, 61-90, more than 90 days late

Amounts in another currency are converted to the book's (facts.Converter) for the totals; the
invoice's own currency is shown.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from .facts import Converter, Facts
from .range import Range
from .table import Column, Report, money

ZERO = Decimal(0)
BUCKETS = (("not_due", "Not due"), ("overdue_0_30", "0-30 days"), ("overdue_31_60", "31-60 days"),
           ("overdue_61_90", "61-90 days"), ("overdue_90", "> 90 days"))


def as_of_day(facts: Facts, span: Range) -> date:
    if span.end is not None:
        return span.end
    s = facts.book.settings
    if s.reference_date is not None:
        return s.reference_date
    days = [p.date for p in facts.book.payments] + [i.issue_date for i in facts.invoices if i.issue_date]
    days += [r[0] for r in facts.work] + [r[0] for r in facts.expense]
    return max(days, default=date.min)   # never the wall clock: the same book gives the same report


def receivables_report(facts: Facts, span: Range, by: str) -> Report:
    today = as_of_day(facts, span)
    conv = Converter(facts.book)
    credited: dict[str, Decimal] = defaultdict(Decimal)
    for inv in facts.invoices:
        if inv.kind == "credit-note" and inv.issue_date and inv.issue_date <= today:
            for n in inv.references:
                credited[n] += inv.amount_due
    paid: dict[str, Decimal] = defaultdict(Decimal)
    last: dict[str, date] = {}
    for p in facts.book.payments:
        if p.date <= today:
            paid[p.invoice] += p.amount
            last[p.invoice] = max(last.get(p.invoice, p.date), p.date)
    rows = []
    for inv in sorted((i for i in facts.invoices if i.kind == "invoice" and i.number and i.issue_date
                       and i.issue_date <= today), key=lambda i: (i.issue_date, i.number)):
        owed = inv.amount_due - credited[inv.number]
        got = paid[inv.number]
        if span.start is not None and got >= owed and last.get(inv.number, inv.issue_date) < span.start:
            continue
        rows.append(_row(inv, owed, got, last.get(inv.number), today, conv, facts.currency))
    columns = (Column("invoice", "Invoice"), Column("client", "Client"), Column("issue_date", "Issued", "date"),
               Column("due_date", "Due", "date"), Column("currency", "Currency"), Column("amount", "Amount", "money"),
               Column("paid", "Paid", "money"), Column("open", "Open", "money"), Column("status", "Status"),
               Column("last_payment", "Last payment", "date"), Column("days_overdue", "Days overdue", "number"),
               *(Column(key, title, "money") for key, title in BUCKETS))
    totals = ("Total", "", None, None, facts.currency) + tuple(
        sum((r[i] for r in rows), money(0, facts.currency)) for i in (5, 6, 7)) + ("", None, None) + tuple(
        sum((r[i] for r in rows), money(0, facts.currency)) for i in range(11, 16))
    notes = tuple(conv.notes()) + (f"as of {today.isoformat()}: invoices issued and payments received by then",)
    if by == "client":
        columns = (Column("client", "Client"), Column("invoices", "Invoices", "number")) + columns[5:8] + (
            Column("overdue", "Overdue invoices", "number"),) + columns[11:]
        overdue = sum(r[8] == "overdue" for r in rows)
        totals = ("Total", len(rows)) + totals[5:8] + (overdue,) + totals[11:]
        rows = _per_client(rows, facts.currency)
    return Report("receivables", "Receivables", by, span, facts.currency, columns, tuple(rows), totals, notes,
                  meta={"as_of": today})


def _row(inv, owed: Decimal, got: Decimal, last: date | None, today: date, conv: Converter, currency: str) -> tuple:
    amount = money(conv.amount(owed, inv.currency, inv.issue_date), currency)
    paid = money(conv.amount(got, inv.currency, inv.issue_date), currency)
    open_ = amount - paid
    due = inv.due_date or inv.issue_date
    late = (today - due).days
    if open_ <= 0:
        status, days = "paid", None
    else:
        status, days = ("overdue", late) if late > 0 else ("open", None)
    buckets = [money(0, currency)] * len(BUCKETS)
    if open_ > 0:
        buckets[_bucket(late)] = open_
    return (inv.number, inv.client, inv.issue_date, inv.due_date, inv.currency, amount, paid, open_, status, last,
            days, *buckets)


def _bucket(late: int) -> int:
    if late <= 0:
        return 0
    if late <= 30:
        return 1
    if late <= 60:
        return 2
    return 3 if late <= 90 else 4


def _per_client(rows: list[tuple], currency: str) -> list[tuple]:
    """(client, invoices, amount, paid, open, overdue invoices, buckets...) per client."""
    out: dict[str, list] = {}
    for r in rows:
        acc = out.setdefault(r[1], [r[1], 0, *[money(0, currency)] * 3, 0, *[money(0, currency)] * len(BUCKETS)])
        acc[1] += 1
        for i, j in ((2, 5), (3, 6), (4, 7)):
            acc[i] += r[j]
        acc[5] += r[8] == "overdue"
        for k in range(len(BUCKETS)):
            acc[6 + k] += r[11 + k]
    return [tuple(out[c]) for c in sorted(out)]

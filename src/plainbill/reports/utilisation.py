"""The utilisation report: each person's billable hours against their capacity.

    capacity     working minutes in the range: each working day of the book's calendar
                 (`working_hours.days`, not a public holiday of `calendar.country` and
                 `subdivision` from the `holidays` package, nor a `calendar.extra` day) counts
                 the working hours' length (`end - start`); per person (every member of the
                 team), or for the whole team per month
    worked       minutes of time entries
    billable     worked minutes of billable activities not marked #nobill (hours report)
    billed       minutes charged for on the invoices (hours report)
    utilisation  billable / capacity
    load         worked / capacity (over 100%: overtime)

The range is --period or --from/--to; open ends take the first day of the ledger's first
month and the book's reference date (or the last entry's date).
"""
from __future__ import annotations

from datetime import date, timedelta

from ..billing.clock import Calendar
from .facts import BILLABLE, BILLED, CLASS, MINUTES, PERSON, Facts
from .group import AXIS_TITLES, Sums, axis_key, whole
from .range import Range
from .table import Column, Report, ratio

FIELDS = ("capacity", "worked", "billable", "billed")


def utilisation_report(facts: Facts, span: Range, by: str) -> Report:
    span = _closed(facts, span)
    calendar = Calendar(facts.book.settings)
    per_day = max(0, calendar.end - calendar.start)
    key = axis_key(by)
    sums = Sums(FIELDS)
    team = [p.slug for p in facts.book.settings.team]
    if span.start is not None and span.end is not None:
        day = span.start
        while day <= span.end:
            if day.weekday() in calendar.days and not calendar.is_holiday(day):
                if by == "person":
                    for p in team:
                        sums.add(p, "capacity", per_day)
                else:
                    sums.add(key((day,)), "capacity", per_day * len(team))
            day += timedelta(days=1)
    for r in facts.work:
        if r[0] in span:
            label = key(r)
            sums.add(label, "worked", r[MINUTES])
            if r[CLASS] == BILLABLE:
                sums.add(label, "billable", r[MINUTES])
    for r in facts.money:
        if r[BILLED] and r[0] in span and r[PERSON]:
            sums.add(key(r), "billed", r[BILLED])
    columns = (Column(by, AXIS_TITLES[by]), Column("capacity", "Capacity", "minutes"),
               Column("worked", "Worked", "minutes"), Column("billable", "Billable", "minutes"),
               Column("billed", "Billed", "minutes"), Column("utilisation", "Utilisation", "percent"),
               Column("load", "Load", "percent"))

    def row(label: str, v: dict) -> tuple:
        return (label, v["capacity"], v["worked"], v["billable"], whole(v["billed"]),
                ratio(v["billable"], v["capacity"]), ratio(v["worked"], v["capacity"]))

    rows = tuple(row(label, sums.get(label)) for label in sums.labels())
    s = facts.book.settings
    where = s.country + (f"-{s.subdivision}" if s.subdivision else "")
    notes = (f"capacity: {per_day // 60}:{per_day % 60:02d} a working day, {where} public holidays and "
             f"{len(s.extra_holidays)} extra day(s) off; {len(team)} people in the team",)
    return Report("utilisation", "Utilisation", by, span, facts.currency, columns, rows,
                  row("Total", sums.total()), notes)


def _closed(facts: Facts, span: Range) -> Range:
    """The range with open ends closed on the ledger's first month and the book's reference date."""
    days = [r[0] for r in facts.work]
    if not days:
        return span
    start = span.start or min(days).replace(day=1)
    end = span.end or facts.book.settings.reference_date or max(days)
    return Range(start, max(start, end) if isinstance(end, date) else end)

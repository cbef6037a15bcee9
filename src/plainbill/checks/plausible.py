"""What reads correctly but is probably a mistake: entries without a description, a day
longer than anyone works. (Plausibility found while parsing a single line or record, such
as a clock range that runs past midnight unannounced, is reported by the loader.)"""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, SourceRef, error, warning
from ..load.ledger import hours_minutes
from ..model import Entry
from .registry import Context, check, token_ref


@check("descriptions", ("empty-description", "error"))
def check_descriptions(ctx: Context) -> Iterator[Diagnostic]:
    """Every entry that can reach an invoice says what was done: a time entry, unless its
    activity is not billable (`billable: false`, and no `#billable` tag), and every expense
    (an invoice must describe what it bills; an expense without words would read only
    "Expense"). Tags and `key=value` are not a description."""
    unbillable = {a.slug for a in ctx.settings.activities if not a.billable}
    for e in ctx.book.entries:
        if e.description or (e.kind == "time" and e.activity in unbillable and "billable" not in e.tags):
            continue
        what = "expense" if e.kind == "expense" else "time entry"
        yield error("empty-description", _after_person(e), f"this {what} has no description",
                    "say what was done, e.g. `... @mario Printer offline, replaced the fuser`: "
                    "it is the line the client reads")


def _after_person(e: Entry) -> SourceRef:
    """Where the description would start: after `@person` on a ledger line (the line's own
    ref for a YAML record)."""
    ref = token_ref(e, "@" + e.person)
    if not ref.path.endswith(".txt") or ref.col <= 1:
        return ref
    at = ref.col + len(e.person) + 1
    if e.kind == "expense" and e.amount is not None:   # after the amount and its currency
        written = f"{e.amount} {e.currency}" if e.currency else str(e.amount)
        at = token_ref(e, written).col + len(written)
    return SourceRef(ref.path, ref.line, at + 1)


@check("long days", ("long-day", "warning"))
def check_long_days(ctx: Context) -> Iterator[Diagnostic]:
    """One person's time entries of one day add up to more than `max_hours_per_day` of
    plainbill.yaml (default 14 h): a duration or a date is probably wrong (62 h in a day is
    a typo, not overtime). Reported once per person and day, at the entry (in book order)
    that takes the day over the limit, with the day's total. A clock range past midnight
    counts for the day it starts."""
    limit = ctx.settings.max_day_minutes
    totals: dict[tuple, int] = {}
    crossed: dict[tuple, Entry] = {}
    for e in ctx.book.entries:
        if e.kind != "time":
            continue
        key = (e.person, e.date)
        total = totals[key] = totals.get(key, 0) + e.minutes
        if total > limit and key not in crossed:
            crossed[key] = e
    for (person, day), e in crossed.items():
        yield warning("long-day", e.ref,
                      f"@{person} has {hours_minutes(totals[person, day])} booked on {day}, more than the "
                      f"book's limit of {hours_minutes(limit)} (this entry crosses it)",
                      "check the durations and dates of that day; the limit is `max_hours_per_day` in "
                      "plainbill.yaml")

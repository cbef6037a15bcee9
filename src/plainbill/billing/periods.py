"""Billing periods: months or quarters, their ids, and the `--period` filter.

A period is identified by (year, index) where index is the month (1-12) for a
monthly client or the quarter (1-4) for a quarterly one. Invoice ids are
`<client>-<YYYY-MM>` and `<client>-<YYYY>-Q<n>`.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_FILTER = re.compile(r"^(\d{4})-(?:(\d{2})|Q([1-4]))$")


@dataclass(frozen=True, order=True, slots=True)
class Period:
    year: int
    index: int
    quarterly: bool = False

    @property
    def start(self) -> date:
        month = (self.index - 1) * 3 + 1 if self.quarterly else self.index
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        month = self.index * 3 if self.quarterly else self.index
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.index}" if self.quarterly else f"{self.year}-{self.index:02d}"

    def invoice_id(self, client: str) -> str:
        return f"{client}-{self.label}"

    def next(self) -> "Period":
        last = 4 if self.quarterly else 12
        if self.index == last:
            return Period(self.year + 1, 1, self.quarterly)
        return Period(self.year, self.index + 1, self.quarterly)

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month in the period."""
        if not self.quarterly:
            return [(self.year, self.index)]
        first = (self.index - 1) * 3 + 1
        return [(self.year, m) for m in range(first, first + 3)]


def period_of(day: date, quarterly: bool) -> Period:
    if quarterly:
        return Period(day.year, (day.month - 1) // 3 + 1, True)
    return Period(day.year, day.month, False)


def parse_filter(text: str) -> tuple[date, date] | None:
    """'2026-11' or '2026-Q4' -> (first day, last day); None when malformed."""
    m = _FILTER.match(text.strip())
    if not m:
        return None
    year = int(m.group(1))
    if m.group(2):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            return None
        p = Period(year, month)
    else:
        p = Period(year, int(m.group(3)), True)
    return p.start, p.end


def overlaps(period: Period, window: tuple[date, date]) -> bool:
    return period.start <= window[1] and window[0] <= period.end


def month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def month_range(first: date, last: date) -> list[tuple[int, int]]:
    """Every (year, month) from first's month to last's month, inclusive."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_end(year: int, month: int) -> date:
    return date(year, month, month_days(year, month))



def period_hint(text: str) -> str:
    """What a malformed --period probably meant: `2026-1` -> 2026-01, `2026/11` -> 2026-11,
    `2026q4` -> 2026-Q4; or what is wrong (no month 13, no Q5)."""
    t = re.sub(r"[/._ ]", "-", text.strip())
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", t)
    if m:
        month = int(m[2])
        return f"did you mean --period {m[1]}-{month:02d}?" if 1 <= month <= 12 else \
            f"there is no month {m[2]}: months run from 01 to 12"
    m = re.fullmatch(r"(\d{4})-?[qQ](\d)", t)
    if m:
        return f"did you mean --period {m[1]}-Q{m[2]}?" if 1 <= int(m[2]) <= 4 else \
            f"there is no quarter Q{m[2]}: quarters run from Q1 to Q4"
    return "write e.g. --period 2026-11 or --period 2026-Q4"

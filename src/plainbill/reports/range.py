"""Range: the dates a report covers, from --period or --from/--to.

`--period` takes what `build --period` takes (YYYY-MM, YYYY-Qn) and a whole year (YYYY);
`--from`/`--to` take ISO dates, either may be left out (open on that side). Both at once,
or a range that ends before it starts, is a usage problem (ReportError).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .errors import ReportError


@dataclass(frozen=True)
class Range:
    """Both ends inclusive; None: open on that side."""

    start: date | None = None
    end: date | None = None

    def __contains__(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def overlaps(self, first: date, last: date) -> bool:
        return (self.start is None or self.start <= last) and (self.end is None or first <= self.end)

    @property
    def label(self) -> str:
        if self.start is None and self.end is None:
            return "all dates"
        return f"{self.start.isoformat() if self.start else '...'} to {self.end.isoformat() if self.end else '...'}"


_YEAR = re.compile(r"^(\d{4})$")


def parse_range(period: str | None = None, start: str | None = None, end: str | None = None) -> Range:
    """The Range of `--period P` or `--from D --to D` (all None: every date)."""
    if period and (start or end):
        raise ReportError("--period and --from/--to cannot be used together; give one or the other")
    if period:
        return _period(period)
    first, last = _day(start, "--from"), _day(end, "--to")
    if first and last and last < first:
        raise ReportError(f"--to {last.isoformat()} is before --from {first.isoformat()}; swap them")
    return Range(first, last)


def _period(text: str) -> Range:
    from ..billing.periods import parse_filter

    m = _YEAR.match(text.strip())
    if m:
        year = int(m.group(1))
        return Range(date(year, 1, 1), date(year, 12, 31))
    found = parse_filter(text)
    if found is None:
        raise ReportError(f"--period {text!r} is not YYYY, YYYY-MM or YYYY-Qn; write e.g. --period 2026-11, "
                          "2026-Q4 or 2026")
    return Range(*found)


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ReportError(f"{option} {text!r} is not a date; write YYYY-MM-DD, e.g. 2026-11-30") from None

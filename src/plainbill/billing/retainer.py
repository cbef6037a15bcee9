"""Retainers ("assistenza inclusa"): a monthly fee including minutes of covered work.

Covered entries use the month's included minutes in date-time order; the entry
that crosses the limit is split into an included part and an extra part, and
everything after it is extra (at `extra_rate`, or the contract's and client's
rates). At the end of a month the unused minutes lapse, or with `rollover:
{mode: roll, cap}` up to `cap` of them are added to the next month's allowance.
Months are calendar months, also for a client billed quarterly.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Contract, RetainerTerms


@dataclass
class Month:
    year: int
    month: int
    included: int
    carried: int | None = None       # computed when the month's first entry is billed (see RetainerState.month)
    used: int = 0
    extra: int = 0

    @property
    def allowance(self) -> int:
        return self.included + (self.carried or 0)


class RetainerState:
    """Monthly allowances of one retainer contract, carried across the client's invoices."""

    def __init__(self, contract: Contract):
        self.contract = contract
        self.terms: RetainerTerms = contract.terms
        self.months: dict[tuple[int, int], Month] = {}

    def open(self, year: int, month: int, service: bool = True) -> Month:
        """The month's record, its carry-over not yet computed; outside the service months (no fee) it
        includes nothing. Opening a month with its fee must not fix the carry: a quarterly invoice opens
        its three months before billing any entry, when the previous month's usage is not final."""
        m = self.months.get((year, month))
        if m is None:
            m = self.months[(year, month)] = Month(year, month, self.terms.included_minutes if service else 0)
        return m

    def month(self, year: int, month: int, service: bool = True) -> Month:
        """The month's usage, with its carry-over fixed from the previous month's final usage.

        Called when the month's first entry is billed (entries are billed in date order, so every
        entry of the previous month is billed by then) or at its statement, after its invoice's entries."""
        m = self.open(year, month, service)
        if m.carried is None:
            m.carried = self._carry_into(year, month)
        return m

    def _carry_into(self, year: int, month: int) -> int:
        prev = (year - 1, 12) if month == 1 else (year, month - 1)
        p = self.months.get(prev)
        if p is None or self.terms.rollover != "roll":
            return 0
        if p.carried is None:
            p.carried = self._carry_into(*prev)
        unused = max(0, p.allowance - p.used)
        cap = self.terms.rollover_cap_minutes
        return unused if cap is None else min(unused, cap)

    def use(self, m: Month, minutes: int) -> tuple[int, int, int]:
        """Use `minutes` of month m: (included minutes, extra minutes, used before)."""
        before = m.used
        included = max(0, min(minutes, m.allowance - m.used))
        m.used += included
        m.extra += minutes - included
        return included, minutes - included, before

    def figures(self, m: Month) -> dict:
        """The month's usage statement figures."""
        self.month(m.year, m.month)
        unused = max(0, m.allowance - m.used)
        carry_next = 0
        if self.terms.rollover == "roll":
            cap = self.terms.rollover_cap_minutes
            carry_next = unused if cap is None else min(unused, cap)
        return {"included": m.included, "carried": m.carried or 0, "used": m.used, "extra": m.extra,
                "unused": unused, "rolled": carry_next, "lapsed": unused - carry_next}

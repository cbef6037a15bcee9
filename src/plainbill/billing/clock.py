"""When work happened: normal hours, after hours, weekend or holiday, and at what multiplier.

A clock-range entry is cut at midnight and at the working-hours boundaries;
each piece gets the highest single multiplier that applies to it (holiday,
weekend, after hours: they never stack), and adjacent pieces with the same
multiplier are merged. A duration-only entry is one piece at normal hours unless
tagged #afterhours, #weekend or #holiday. Holiday lookups are cached per date.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ..model import Entry, Multipliers, Settings

ONE = Decimal(1)
DAY = 1440
# on a tie the first named reason wins
_REASONS = ("holiday", "weekend", "after_hours")
_TAGS = frozenset({"holiday", "weekend", "afterhours"})     # on a duration-only entry


class Segment:
    """A piece of an entry at one multiplier: minutes from the entry's date midnight."""

    __slots__ = ("start", "end", "minutes", "multiplier", "reason")

    def __init__(self, start: int, end: int, minutes: int, multiplier: Decimal, reason: str):
        self.start, self.end, self.minutes = start, end, minutes
        self.multiplier, self.reason = multiplier, reason

    def clock(self) -> str:
        """'18:00-19:00' (empty for a duration-only entry)."""
        if self.start < 0:
            return ""
        s, e = self.start % DAY, self.end % DAY
        return f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"


class Calendar:
    """Working days and hours plus the public holidays of the book's country."""

    def __init__(self, settings: Settings):
        wh = settings.working_hours
        self.days = frozenset(wh.days)
        self.start, self.end = wh.start, wh.end
        self.extra = {d: name for d, name in settings.extra_holidays}
        self._country, self._subdivision = settings.country, settings.subdivision
        self._holidays = None
        self._cache: dict[date, bool] = {}
        self._plain_days: dict[date, bool] = {}      # working day and not a holiday
        self._flat: dict[int, tuple] = {}            # id(multipliers) -> (multipliers, all one?)

    def is_holiday(self, day: date) -> bool:
        found = self._cache.get(day)
        if found is None:
            found = self._cache[day] = day in self.extra or day in self._calendar()
        return found

    def _calendar(self):
        if self._holidays is None:
            self._holidays = _country_holidays(self._country, self._subdivision)
        return self._holidays

    def split(self, entry: Entry, mult: Multipliers | None) -> list[Segment] | None:
        """The entry cut into pieces by multiplier, or None when it is one piece at normal hours (the common case)."""
        start = entry.start
        if start is None or entry.end is None:
            if mult is None or _TAGS.isdisjoint(entry.tags):   # most tags are tickets
                return None
            seg = self._tagged(entry, mult)
            return [seg] if seg.reason else None
        if mult is None or self._is_flat(mult):
            return None
        s = start.hour * 60 + start.minute
        e = s + entry.minutes
        day = entry.date
        if e <= DAY and self.start <= s and e <= self.end:
            plain = self._plain_days.get(day)
            if plain is None:
                plain = self._plain_days[day] = day.weekday() in self.days and not self.is_holiday(day)
            if plain:
                return None
        found = self._cut(day, s, e, mult)
        return None if len(found) == 1 and not found[0].reason else found

    def plain(self, mult: Multipliers | None) -> Multipliers | None:
        """The multipliers, or None when there are none or all are one (nothing to split)."""
        return None if mult is None or self._is_flat(mult) else mult

    def _is_flat(self, mult: Multipliers) -> bool:
        """Every multiplier is one (cached per rules object: they live as long as the book)."""
        found = self._flat.get(id(mult))
        if found is None or found[0] is not mult:
            found = self._flat[id(mult)] = (mult, mult.after_hours == ONE and mult.weekend == ONE
                                            and mult.holiday == ONE)
        return found[1]

    def _cut(self, day: date, s: int, e: int, mult: Multipliers) -> list[Segment]:
        out: list[Segment] = []
        base = 0
        while base < e:
            d = day + timedelta(days=base // DAY)
            for lo, hi, off in ((0, self.start, True), (self.start, self.end, False), (self.end, DAY, True)):
                a, b = max(s, base + lo), min(e, base + hi)
                if a >= b:
                    continue
                m, reason = self._multiplier(d, off, mult)
                if out and out[-1].multiplier == m and out[-1].reason == reason and out[-1].end == a:
                    out[-1].end, out[-1].minutes = b, out[-1].minutes + b - a
                else:
                    out.append(Segment(a, b, b - a, m, reason))
            base += DAY
        return out

    def _multiplier(self, day: date, off_hours: bool, mult: Multipliers) -> tuple[Decimal, str]:
        found = {"holiday": self.is_holiday(day), "weekend": day.weekday() not in self.days,
                 "after_hours": off_hours}
        return _highest(mult, [r for r in _REASONS if found[r]])

    def _tagged(self, entry: Entry, mult: Multipliers | None) -> Segment:
        reasons = [r for r, tag in zip(_REASONS, ("holiday", "weekend", "afterhours")) if tag in entry.tags]
        m, reason = _highest(mult, reasons) if mult is not None and reasons else (ONE, "")
        return Segment(-1, -1, entry.minutes, m, reason)


def _highest(mult: Multipliers, reasons: list[str]) -> tuple[Decimal, str]:
    best, why = ONE, ""
    for r in reasons:
        value = getattr(mult, r)
        if value > best:
            best, why = value, r
    return best, why


def _country_holidays(country: str, subdivision: str):
    """The `holidays` calendar, or an empty mapping for an unknown country (checked elsewhere)."""
    try:
        import holidays

        return holidays.country_holidays(country, subdiv=subdivision or None)
    except Exception:  # unknown country or subdivision: the check reports it
        return {}

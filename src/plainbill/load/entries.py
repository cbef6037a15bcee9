"""Compact rows -> Entry records, a million times, fast.

`Entry` and `SourceRef` are frozen dataclasses; their generated `__init__`
sets each field through `object.__setattr__`, which costs about 3.5 us per
Entry: 3.5 s for a big book, more than the whole check budget. So records
are built as instances of private twin classes with the same slot layout
(plain attribute stores, ~0.35 us) and then given their real class through
`__class__` assignment, which CPython allows between classes of identical
layout. The result is an ordinary, frozen Entry in every respect.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from ..diagnostics import SourceRef
from ..model import Entry, Payment
from .columns import FAST, described


class _EntryTwin:
    __slots__ = Entry.__slots__


class _RefTwin:
    __slots__ = SourceRef.__slots__


_DAYS: dict[str, tuple[date, datetime]] = {}
_MINUTES = [timedelta(minutes=m) for m in range(2 * 24 * 60 + 1)]


def _day(ds: str) -> tuple[date, datetime]:
    found = _DAYS.get(ds)
    if found is None:
        d = date.fromisoformat(ds)
        found = _DAYS[ds] = (d, datetime(d.year, d.month, d.day))
    return found


def build_entries(path: str, rows: list[tuple], out: list[Entry]) -> None:
    """Append an Entry for each row of the file at `path`: full rows as made by ledger.py,
    or fast rows of columns.py, whose description and tags are read from their text."""
    days, new, minutes_td, fast = _DAYS, object.__new__, _MINUTES, FAST
    entry_cls, ref_cls = Entry, SourceRef
    for row in rows:
        if len(row) == fast:
            line, ds, (start, minutes), (client, project), activity, person, text, cut = row
            col, kind, amount, currency, meta = 1, "time", None, "", ()
            desc, tags = described(text[cut:]) if cut else ("", ())
        else:
            (line, col, kind, ds, client, project, activity, person, minutes, start, desc, tags, meta,
             amount, currency, text) = row
            amount = Decimal(amount) if amount else None
        ref = new(_RefTwin)
        ref.path = path
        ref.line = line
        ref.col = col
        ref.__class__ = ref_cls
        day = days.get(ds) or _day(ds)
        e = new(_EntryTwin)
        e.ref = ref
        e.date = day[0]
        e.kind = kind
        e.client = client
        e.person = person
        e.description = desc
        e.project = project
        e.activity = activity
        e.minutes = minutes
        if start >= 0:
            e.start = begin = day[1] + minutes_td[start]
            e.end = begin + minutes_td[minutes]
        else:
            e.start = e.end = None
        e.tags = tags
        e.meta = meta
        e.amount = amount
        e.currency = currency
        e.text = text
        e.__class__ = entry_cls
        out.append(e)


def payments_of(path: str, rows) -> list[Payment]:
    """Payment records of a file's payment rows (ledger.py)."""
    return [Payment(SourceRef(path, line, col), date.fromisoformat(ds), number, Decimal(amount), method, note, text)
            for line, col, ds, number, amount, method, note, text in rows]

"""Report and Column: the one shape every report kind returns and every format reads.

Values are typed by their column (see the package docstring): minutes are whole ints,
money is Decimal in the book's currency, percents are Decimal fractions or None.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from .range import Range

ColumnType = Literal["text", "minutes", "money", "percent", "date", "number"]
COLUMN_TYPES = ("text", "minutes", "money", "percent", "date", "number")


@dataclass(frozen=True)
class Column:
    key: str                  # stable, snake_case: the JSON key and the CSV header
    title: str                # for people: the table and markdown header
    type: ColumnType = "text"


@dataclass(frozen=True)
class Report:
    kind: str
    title: str
    by: str                   # the axis rows are grouped by, or the kind's own ("invoice", "contract")
    range: Range
    currency: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    totals: tuple | None = None
    notes: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict, compare=False)   # per-kind extras for the site (e.g. monthly series)

    def index(self, key: str) -> int:
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        raise KeyError(key)

    def values(self, key: str) -> list[Any]:
        """One column's values, row by row."""
        i = self.index(key)
        return [r[i] for r in self.rows]

    def total(self, key: str) -> Any:
        return None if self.totals is None else self.totals[self.index(key)]

    def dicts(self) -> list[dict[str, Any]]:
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, r)) for r in self.rows]


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole as a fraction with 4 decimals (a percent to 0.01), or None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def money(value, currency: str) -> Decimal:
    """A money value of a report: Decimal, rounded half-up to the currency's minor unit (0 too)."""
    from ..money import quantum

    return Decimal(value).quantize(quantum(currency), ROUND_HALF_UP)

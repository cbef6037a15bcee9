"""Grouping facts by an axis: the label a row goes under, and sums per label.

Labels: client `acme`; project `acme/web` (or `acme (no project)`); contract `acme/support`
(or `acme (no contract)`); person `sara` (or `(nobody)`, for a fee or purchase no one
worked on); activity `remote` (or `(none)`); month `2026-11`.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Iterable

from .facts import ACTIVITY, CLIENT, CONTRACT, DATE, PERSON, PROJECT

AXIS_TITLES = {"client": "Client", "project": "Project", "contract": "Contract", "person": "Person",
               "activity": "Activity", "month": "Month"}


def axis_key(by: str) -> Callable[[tuple], str]:
    if by == "client":
        return lambda r: r[CLIENT]
    if by == "project":
        return lambda r: f"{r[CLIENT]}/{r[PROJECT]}" if r[PROJECT] else f"{r[CLIENT]} (no project)"
    if by == "contract":
        return lambda r: f"{r[CLIENT]}/{r[CONTRACT]}" if r[CONTRACT] else f"{r[CLIENT]} (no contract)"
    if by == "person":
        return lambda r: r[PERSON] or "(nobody)"
    if by == "activity":
        return lambda r: r[ACTIVITY] or "(none)"
    if by == "month":
        return lambda r: f"{r[DATE].year:04d}-{r[DATE].month:02d}"
    raise KeyError(by)


class Sums:
    """Named running sums per label: sums.add(label, name, value); sums.get(label, name)."""

    def __init__(self, names: Iterable[str]):
        self.names = tuple(names)
        self.pos = {n: i for i, n in enumerate(self.names)}
        self.by: dict[str, list] = {}

    def row(self, label: str) -> list:
        found = self.by.get(label)
        if found is None:
            found = self.by[label] = [0] * len(self.names)
        return found

    def add(self, label: str, name: str, value) -> None:
        self.row(label)[self.pos[name]] += value

    def labels(self) -> list[str]:
        return sorted(self.by)

    def get(self, label: str) -> dict:
        return dict(zip(self.names, self.by[label]))

    def total(self) -> dict:
        out = dict.fromkeys(self.names, 0)
        for values in self.by.values():
            for n, v in zip(self.names, values):
                out[n] += v
        return out


def whole(minutes) -> int:
    """Minutes as a whole number (billed minutes of a split entry can be a Decimal), half-up."""
    if isinstance(minutes, int):
        return minutes
    return int(Decimal(minutes).quantize(Decimal(1), "ROUND_HALF_UP"))

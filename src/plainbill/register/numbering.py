"""Invoice numbers: format strings per series, next number per series and year,
and due dates (records are written by journal.py).

A number is `settings.numbering.<series>` formatted with `year`, `seq` and
`series`; sequences restart at 1 every year and never skip or repeat.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from ..diagnostics import Diagnostic, error
from ..model import Client, Settings

SERIES_KEYS = {"invoice": "invoice", "credit-note": "credit_note"}


def number_format(settings: Settings, series: str) -> str:
    return getattr(settings.numbering, SERIES_KEYS[series])


def format_number(fmt: str, series: str, year: int, seq: int) -> str:
    """'{year}/{seq:04d}' -> '2026/0042'. Raises ValueError on a bad format."""
    try:
        number = fmt.format(year=year, seq=seq, series=series)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise ValueError(f"bad numbering format {fmt!r}: {exc}") from None
    if str(seq) not in number.replace("_", ""):
        raise ValueError(f"numbering format {fmt!r} does not contain {{seq}}")
    return number


def check_format(settings: Settings, series: str) -> Diagnostic | None:
    fmt = number_format(settings, series)
    try:
        a, b = format_number(fmt, series, 2026, 1), format_number(fmt, series, 2026, 2)
        if a == b or format_number(fmt, series, 2027, 1) == a:
            raise ValueError(f"numbering format {fmt!r} must contain {{year}} and {{seq}}")
    except ValueError as exc:
        return error("numbering-format", settings.numbering.ref, str(exc),
                     'use {year} and {seq}, e.g. "{year}/{seq:04d}"')
    return None


def due_date(issue: date, client: Client | None, settings: Settings) -> date:
    """Issue date plus the payment terms; `end_of_month` moves it to that month's last day."""
    days = client.payment_terms_days if client else settings.payment_terms_days
    due = issue + timedelta(days=days)
    if client and client.end_of_month:
        due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
    return due

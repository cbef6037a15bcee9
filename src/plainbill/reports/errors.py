"""ReportError: a report asked for wrongly (unknown kind, axis or format, a bad date range).

A usage problem, not a book problem: the command prints it and exits 2.
"""
from __future__ import annotations

import difflib


class ReportError(ValueError):
    """A usage problem with the report asked for; str() is the whole message, hint included."""


def unknown(what: str, value: str, known: tuple[str, ...]) -> ReportError:
    """`unknown report kind 'profit'; did you mean `profitability`?` (or the list of known values)."""
    close = [k for k in known if k.startswith(value)][:3] if value else []
    close = close or difflib.get_close_matches(value, known, n=3, cutoff=0.5)
    hint = ("did you mean " + ", ".join(f"`{k}`" for k in close) + "?") if close else \
        "choose one of " + ", ".join(f"`{k}`" for k in known)
    return ReportError(f"unknown {what} {value!r}; {hint}")

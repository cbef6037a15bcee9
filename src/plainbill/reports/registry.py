"""The report kinds: their names, default axes, and `run_report`, the one entry point."""
from __future__ import annotations

from typing import Callable

from .errors import ReportError, unknown
from .facts import facts_of
from .range import Range
from .table import Report

KINDS = ("hours", "profitability", "support", "utilisation", "wip", "balances", "receivables")
AXES = ("client", "project", "contract", "person", "activity", "month")

# kind -> (default axis, axes it takes); a kind with its own rows takes none
_AXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "hours": ("client", AXES),
    "profitability": ("client", AXES),
    "support": ("contract", ()),
    "utilisation": ("person", ("person", "month")),
    "wip": ("client", AXES),
    "balances": ("item", ()),
    "receivables": ("invoice", ("client",)),
}


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise unknown("report kind", kind, KINDS)


def default_by(kind: str) -> str:
    check_kind(kind)
    return _AXES[kind][0]


def check_by(kind: str, by: str | None) -> str:
    """The axis to use: `by`, or the kind's default; ReportError when the kind does not take it."""
    default, allowed = _AXES[kind]
    if by is None or by == default:
        return default
    if by not in AXES:
        raise unknown("--by", by, AXES)
    if by not in allowed:
        if not allowed:
            raise ReportError(f"the {kind} report has one row per {default}; leave out --by")
        raise ReportError(f"the {kind} report cannot be grouped by {by}; leave out --by, or use --by "
                          + " or ".join(allowed))
    return by


def run_report(kind: str, computed, period_range: Range | None = None, by: str | None = None) -> Report:
    """The report `kind` of a computed book (pipeline.compute_book of a book that checks)."""
    check_kind(kind)
    axis = check_by(kind, by)
    if computed.invoices is None:
        raise ValueError("run_report needs a computed book (compute_book of a book that checks)")
    return _builder(kind)(facts_of(computed), period_range or Range(), axis)


def _builders() -> dict[str, Callable]:
    from .balances import balances_report
    from .hours import hours_report
    from .profit import profitability_report
    from .receivables import receivables_report
    from .support import support_report
    from .utilisation import utilisation_report
    from .wip import wip_report

    return {"hours": hours_report, "profitability": profitability_report, "wip": wip_report,
            "receivables": receivables_report, "support": support_report,
            "balances": balances_report, "utilisation": utilisation_report}


def _builder(kind: str) -> Callable:
    found = _builders().get(kind)
    if found is None:
        raise ReportError(f"the {kind} report is not written yet")
    return found

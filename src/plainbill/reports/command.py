"""`plainbill report`: check and compute the book, run one report, print it.

Exit codes as for every command: 0 printed, 1 the book has errors (printed as
diagnostics, no report), 2 a usage problem (unknown kind, axis or format, bad dates).
"""
from __future__ import annotations

from pathlib import Path

from .errors import ReportError


def run_report_command(root: Path, kind: str, *, period: str | None = None, start: str | None = None,
                       end: str | None = None, by: str | None = None, fmt: str = "table") -> int:
    from .. import pipeline
    from ..terminal import EXIT_OK, EXIT_PROBLEMS, report, say, usage_error
    from . import check_by, check_kind, format_report, parse_range, run_report
    from .formats import FORMATS
    from .errors import unknown

    try:
        check_kind(kind)
        axis = check_by(kind, by)
        if fmt not in FORMATS:
            raise unknown("--format", fmt, FORMATS)
        span = parse_range(period, start, end)
    except ReportError as exc:
        return usage_error(str(exc))
    computed = pipeline.compute_book(root)
    if computed.problem:
        return usage_error(computed.problem)
    diags = computed.diagnostics
    if computed.invoices is None:
        report(root, diags, "text")
        return EXIT_PROBLEMS
    if diags:           # warnings: said, and the report still printed
        report(root, diags, "text")
    say(format_report(run_report(kind, computed, span, axis), fmt), nl=False)
    return EXIT_OK

"""`plainbill report`: check and compute the book, run one report, print it.

When `build/` holds an up-to-date build of the book (its recorded input key is the book's
now and its files check), the invoices it wrote are read instead of billing again
(reports/built.py): the same invoices, without the seconds a big book takes to bill.

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
    computed = _from_build(root, kind, span) or pipeline.compute_book(root, einvoices=False)
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


def _from_build(root: Path, kind: str, span):
    """The book and the invoices of an up-to-date build (reports/built.py), as compute_book's
    answer; None when there is none (the book is then billed as usual)."""
    from .. import pipeline
    from .built import built_report_inputs

    if pipeline.book_problem(root):
        return None
    found = built_report_inputs(root, kind, span)
    if found is None:
        return None
    from .built import WHOLE
    from .facts import make_facts

    book, invoices, diags = found
    computed = pipeline.Computed(pipeline.Checked(book, list(diags)), invoices)
    # only the invoices and entries this report reads: its facts are made for its range alone
    vars(computed)["_report_facts"] = make_facts(book, invoices, None if kind in WHOLE else span)
    return computed

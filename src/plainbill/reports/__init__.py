"""Reports: where the firm's time and money go, read from the invoices the build computes.

The stable API (the `report` command and the static site both use only this):

    KINDS                       the report kinds, in menu order:
                                hours, profitability, support, utilisation, wip, balances, receivables
    AXES                        what rows can be grouped by:
                                client, project, contract, person, activity, month
    FORMATS                     table, csv, json, markdown

    Range(start, end)           the dates a report covers, both inclusive; None: open on that side
    parse_range(period, start, end) -> Range      raises ReportError (a usage problem, with a hint)
    check_kind(kind), check_by(kind, by)           raise ReportError for an unknown value ("did you mean")

    run_report(kind, computed, period_range=Range(), by=None) -> Report
        kind      one of KINDS
        computed  pipeline.Computed of a book that checks (compute_book(root)); its invoices are
                  the ones the build writes: drafts and issued invoices (and credit notes)
        by        one of AXES, or None for the kind's default (`default_by(kind)`); a kind whose
                  rows are things of their own (balances: one row per block, retainer or budget;
                  receivables: one row per invoice) takes no `by` (check_by says so)

    Report (frozen)
        kind, title, by, range, currency (the book's: every money value is in it)
        columns: tuple[Column]    Column(key, title, type)
                 type is one of   text     str
                                  minutes  int, whole minutes (hours are shown as H:MM)
                                  money    Decimal, rounded to the currency's minor unit
                                  percent  Decimal fraction (0.25 is 25 %), or None: not defined
                                  date     datetime.date, or None
                                  number   Decimal or int
        rows:    tuple[tuple]     one value per column, in column order, sorted by the first column(s)
        totals:  tuple | None     the same shape as a row (its first value "Total"); None: no total
                                  makes sense (a percent or date total is recomputed or None)
        notes:   tuple[str]       what the reader must know (drafts counted, currencies converted...)
        .dicts()                  the rows as {column key: value}

    format_table(report), format_csv(report), format_json(report), format_markdown(report) -> str
    format_report(report, fmt) -> str

Every figure comes from one computation: `pipeline.compute_book` bills the book (the engine's
rules, nothing re-implemented here), then `facts.facts_of` turns its invoices and the ledger into
flat rows that each kind sums. Reports are the firm's: nothing here reaches a client's document.
docs/reports.md defines every figure.
"""
from __future__ import annotations

from .errors import ReportError
from .formats import FORMATS, format_csv, format_json, format_markdown, format_report, format_table
from .range import Range, parse_range
from .registry import AXES, KINDS, check_by, check_kind, default_by, run_report
from .table import Column, Report

__all__ = ["AXES", "FORMATS", "KINDS", "Column", "Range", "Report", "ReportError", "check_by", "check_kind",
           "default_by", "format_csv", "format_json", "format_markdown", "format_report", "format_table",
           "parse_range", "run_report"]

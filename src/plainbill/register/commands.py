"""`plainbill issue` and `plainbill credit-note`: the only commands that write records.

Both run check and compute first and refuse while the book has errors, so a
number is consumed only by a document that can be issued. Every record is
validated before the first one is written; each write is atomic and
create-only.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..diagnostics import has_errors
from ..pipeline import EXIT_OK, EXIT_PROBLEMS, _book_problem, check_book, compute, report, usage_error
from .credit import plan_credit_note
from .issue import plan_issue, select_drafts
from .numbering import write_new
from .records import Record, lock_path


def parse_day(text: str | None) -> date | None:
    """--date D; None when absent. Raises ValueError on a bad date."""
    return date.fromisoformat(text) if text else None


def _prepare(root: Path, fmt: str, period=None, client=None):
    """Check and compute; (checked, invoices) or an exit code when the book is not clean."""
    problem = _book_problem(root)
    if problem:
        return None, usage_error(problem)
    checked = check_book(root)
    invoices = [] if has_errors(checked.diagnostics) else compute(checked, period, client)
    if has_errors(checked.diagnostics):
        report(root, checked.diagnostics, fmt)
        click.echo("plainbill: nothing issued: the book has errors (no number was used)", err=True)
        return None, EXIT_PROBLEMS
    return (checked, invoices), EXIT_OK


def _write(root: Path, records: list[Record]) -> int:
    for r in records:
        files = [(r.ref.path, r.to_json())]
        if r.series == "invoice":
            files.append((lock_path(r.draft), r.number + "\n"))
        try:
            for path, text in files:
                write_new(root, path, text)
        except FileExistsError:
            return usage_error(f"{path} appeared while issuing; run the command again")
        except OSError as exc:
            return usage_error(f"cannot write {path}: {exc}")
    return EXIT_OK


def run_issue(root: Path, *, period=None, client=None, on: date | None = None,
              drafts: tuple[str, ...] = (), fmt: str = "text") -> int:
    on = on or date.today()
    prepared, code = _prepare(root, fmt, period, client)
    if prepared is None:
        return code
    checked, invoices = prepared
    chosen, unknown = select_drafts(invoices, on, drafts)
    if unknown:
        return usage_error(f"no draft to issue named {', '.join(unknown)} "
                           "(already issued, or not in the selected period/client)")
    if not chosen:
        click.echo(f"plainbill: nothing to issue (no draft whose period ended by {on})", err=True)
        return EXIT_OK
    records, diags = plan_issue(checked.book, checked.register, chosen, on)
    if diags:
        report(root, diags, fmt)
        return EXIT_PROBLEMS
    code = _write(root, records)
    for r in records:
        total = dict(r.totals)["total"]
        click.echo(f"issued {r.number}  {r.draft}  {total} {r.currency}  -> {r.ref.path}")
    return code


def run_credit_note(root: Path, number: str, *, lines: tuple[str, ...] = (), reason: str,
                    on: date | None = None, fmt: str = "text") -> int:
    on = on or date.today()
    if not reason.strip():
        return usage_error("--reason must say why the invoice is credited")
    prepared, code = _prepare(root, fmt)
    if prepared is None:
        return code
    checked, invoices = prepared
    record = checked.register.get(number)
    original = next((i for i in invoices if i.number == number and i.kind == "invoice"), None)
    if record is None or record.series != "invoice" or original is None:
        return usage_error(f"{number} is not an issued invoice")
    rec, diags = plan_credit_note(checked.book, checked.register, original, lines, reason.strip(), on)
    if diags or rec is None:
        report(root, diags, fmt)
        return EXIT_PROBLEMS
    code = _write(root, [rec])
    click.echo(f"issued credit note {rec.number}  for {number}  {dict(rec.totals)['total']} "
               f"{rec.currency}  -> {rec.ref.path}")
    return code

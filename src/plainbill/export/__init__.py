"""`plainbill export PERIOD`: a period's issued documents for the accountant, in one zip.

    fatturapa/IT<id>_<progressive>.xml   the FatturaPA file of each issued document (einvoices.py)
    vat-register-PERIOD.csv              the sales VAT register (vatregister.py)
    journal-PERIOD.ledger                the same as an hledger/Ledger journal (journal.py)
    journal-PERIOD.beancount             and as a beancount journal

The steps: build first (the XML files are build's output; a build whose inputs did not
change does nothing, so an export after a build costs a check), then compute the book's
invoices with the register applied and keep the issued documents (invoices and credit
notes) whose issue date is inside PERIOD; read their XML back from the build folder and
reconcile each with its document; write the register and journals from the same figures
(sales.py); zip it (archive.py). A book with errors, a missing or disagreeing XML file or
an output path among the book's sources stops it before anything is written.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..diagnostics import Diagnostic
from .sales import Sale

PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")


@dataclass
class Exported:
    """export's answer: what was found (`diagnostics`, None when a usage problem came first),
    the usage or I/O `problem` that stopped it (exit 2), the zip's path and bytes, the sales."""

    diagnostics: list[Diagnostic] | None = None
    problem: str | None = None
    path: Path | None = None
    written: bool = False
    data: bytes = b""
    sales: list[Sale] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


def parse_period(text: str) -> tuple[date, date] | None:
    """`2026-11` (a month), `2026-Q4` (a quarter), `2026` (a year) -> (first day, last day)."""
    m = PERIOD_RE.match(text.strip())
    if not m or not 1900 <= int(m.group(1)) <= 9999:
        return None
    year = int(m.group(1))
    if m.group(2):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            return None
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    if m.group(3):
        q = int(m.group(3))
        return date(year, 3 * q - 2, 1), date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])
    return date(year, 1, 1), date(year, 12, 31)


def output_problem(root: Path, output: Path) -> str | None:
    """Why the zip cannot be written at `output`: a folder there, or a path among the book's sources."""
    from ..load.source import SOURCE_PARTS

    target, book = output.resolve(), Path(root).resolve()
    for part in SOURCE_PARTS:
        source = book / part
        if target == source or source in target.parents:
            return f"{output}: inside the book's {part}; the export never writes among the sources, choose another -o"
    if target.is_dir():
        return f"{output}: is a folder; name the zip file, e.g. -o {output / 'export.zip'}"
    return None


def export(root: Path, period: str, *, out: Path | None = None, output: Path | None = None,
           pdf: bool = True, jobs: int = 0) -> Exported:
    """Build, then gather the period's issued documents into the zip's files; write the zip."""
    from .. import pipeline

    span = parse_period(period)
    if span is None:
        return Exported(problem=f"period `{period}` is not YYYY-MM, YYYY-Qn or YYYY (e.g. 2026-11, 2026-Q4, 2026)")
    out_dir = out or Path(root) / "build"
    output = output or out_dir / f"export-{period}.zip"
    problem = pipeline.book_problem(root) or output_problem(root, output)
    if problem:
        return Exported(problem=problem)
    built = pipeline.build(root, out=out, pdf=pdf, jobs=jobs)
    diags = list(built.diagnostics or [])
    if built.problem or built.stats is None or not built.ok:
        return Exported(diags + (built.stats.diagnostics if built.stats else []), built.problem)
    computed = pipeline.compute_book(root)
    if computed.problem or computed.invoices is None:
        return Exported(diags, computed.problem or "the book did not compute")
    result = gather(computed.checked, computed.invoices, span, period, out_dir)
    result.diagnostics = diags
    if result.problem is None:
        from .archive import write_if_changed, zip_bytes

        result.data = zip_bytes(result.files, span[1])
        result.path = output
        try:
            result.written = write_if_changed(output, result.data)
        except OSError as exc:
            result.problem = f"{output}: cannot write the export: {exc.strerror or exc}"
    return result


def gather(checked, invoices, span: tuple[date, date], period: str, out_dir: Path) -> Exported:
    """The zip's files for the issued documents dated inside `span` (nothing written)."""
    from .einvoices import italian, mismatch, read_einvoices
    from .journal import beancount, ledger
    from .sales import sales_of
    from .vatregister import vat_register

    book, register = checked.book, checked.register
    first, last = span
    inside = [inv for inv in invoices if inv.number and inv.issue_date and first <= inv.issue_date <= last]
    sales = sales_of(book, inside, lambda number: register.get(number).seq if register.get(number) else 0)
    files: dict[str, bytes] = {}
    if italian(book.settings.issuer) and sales:
        found, problems = read_einvoices(out_dir)
        for s in sales:
            hit = found.get((s.number, s.date))
            if hit is None:
                problems.append(f"no FatturaPA file for {s.number} of {s.date} ({s.invoice.id}) in "
                                f"{Path(out_dir) / 'invoices'}: build writes one for every issued document")
                continue
            body, data = hit
            why = mismatch(body, s.invoice)
            if why:
                problems.append(f"{body.file} does not reconcile with {s.number}: {why}")
            files[f"fatturapa/{body.file}"] = data
        if problems:
            return Exported(problem="; ".join(problems), sales=sales)
    title = (f"plainbill export {period}: {len(sales)} issued document{'s' * (len(sales) != 1)} of "
             f"{book.settings.issuer.name}")
    accounts = book.settings.accounts
    files[f"vat-register-{period}.csv"] = vat_register(sales)
    files[f"journal-{period}.ledger"] = ledger(sales, accounts, title)
    files[f"journal-{period}.beancount"] = beancount(sales, accounts, title)
    return Exported(sales=sales, files=files)


def run_export(root: Path, period: str, *, out: Path | None = None, output: Path | None = None,
               pdf: bool = True, jobs: int = 0, fmt: str = "text") -> int:
    """The command: export, print what was found and what was written, return the exit code."""
    from ..terminal import EXIT_OK, EXIT_PROBLEMS, report, say, usage_error

    result = export(root, period, out=out, output=output, pdf=pdf, jobs=jobs)
    if result.diagnostics:
        report(root, result.diagnostics, fmt)
    if result.problem:
        return usage_error(result.problem)
    if result.path is None:
        return EXIT_PROBLEMS
    invoices = sum(1 for s in result.sales if s.document_type == "TD01")
    notes = len(result.sales) - invoices
    xml = sum(1 for name in result.files if name.startswith("fatturapa/"))
    say(f"export {period}: {invoices} invoice{'s' * (invoices != 1)}, {notes} credit note{'s' * (notes != 1)}, "
        f"{xml} FatturaPA file{'s' * (xml != 1)} -> {result.path}" + ("" if result.written else " (unchanged)"),
        err=True)
    return EXIT_OK

"""The orchestrator: discover -> load -> validate -> compute -> render -> write.

The one place the stages are strung together. Each function takes values and
returns values plus diagnostics; nothing here prints, exits or knows the command
line (cli.py and terminal.py own output and exit codes). Everything is gathered
and computed in memory before anything is written, and nothing here ever writes
into the book's sources (only into the output folder).

    check_book(root), check_files(files)  load, checks, register, templates -> Checked
    compute(checked, period, client)      the invoices; their diagnostics join checked's
    compute_book(root, ...)               check_book, then compute if it checks -> Computed
    build(root, ...)                      compute_book, then write the output -> Built
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from .confine import printable_name
from .diagnostics import Diagnostic, has_errors
from .invoice import Invoice
from .model import Book

if TYPE_CHECKING:
    from .output import BuildStats
    from .register import Register


@dataclass
class Checked:
    """A loaded and validated book with everything found wrong in it; compute adds its own."""

    book: Book
    diagnostics: list[Diagnostic] = field(default_factory=list)
    register: Register | None = None
    einvoices: dict | None = None     # compute's e-invoice files, {invoice id: {path: bytes}} (plainbill.einvoice)

    def clean(self, strict: bool = False) -> bool:
        return not has_errors(self.diagnostics, strict)


@dataclass
class Computed:
    """compute_book's answer: the checked book and its invoices (None: it did not check, so
    nothing was billed), or the usage problem that stopped it before (exit 2)."""

    checked: Checked | None = None
    invoices: list[Invoice] | None = None
    problem: str | None = None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.checked.diagnostics if self.checked else []


@dataclass
class Built:
    """build's answer. `diagnostics`: what checking and computing found (None: a usage problem
    stopped it first, nothing to report); `stats`: what was written (None: nothing, the book has errors);
    `problem`: the usage or I/O problem that stopped it (exit 2); `ok`: nothing failed."""

    diagnostics: list[Diagnostic] | None = None
    stats: BuildStats | None = None
    problem: str | None = None
    ok: bool = False


# ---------------------------------------------------------------- the stages


def check_book(root: Path) -> Checked:
    """Load the book at root and run every check; never raises on bad input."""
    from .load import load_book
    from .register import load_register
    from .render import check_templates

    # template files refused, syntax errors and an unusable logo: found before any build
    loaded = load_book(root)
    return _checked(loaded, load_register(root), check_templates(Path(root), loaded.book.settings))


def check_files(files: Mapping[str, bytes], root: str = ".") -> Checked:
    """check_book for a book given as {book-relative path: bytes} (a git revision, for `diff`):
    the same stages and checks, but templates (a diff renders nothing)."""
    from .load import load_files
    from .register import register_from_files

    return _checked(load_files(files, root), register_from_files(files), [])


def _checked(loaded, registered, templates: list[Diagnostic]) -> Checked:
    """The body both check_book and check_files share: loader, checks, register, templates."""
    from .checks import run_checks
    from .payments import check_payments
    from .register.settle import check_settled
    from .register.store import check_start

    register, register_diags = registered
    numbering = check_start(register, loaded.book.settings.numbering) + check_settled(loaded.book, register)
    diags = list(loaded.diagnostics) + run_checks(loaded.book) + list(register_diags) + numbering + \
        check_payments(loaded.book, register) + list(templates)
    return Checked(loaded.book, diags, register)


def compute(checked: Checked, period: str | None = None, client: str | None = None,
            only: frozenset[str] | None = None, einvoices: bool = True) -> list[Invoice]:
    """Drafts and issued invoices (of the clients in `only`, when given); the engine's problems
    and the differences of frozen invoices are added to checked.diagnostics. `einvoices`: also
    make their FatturaPA files (checked.einvoices) and say what the SdI would reject; a
    caller that only reads the figures (report, diff, explain) leaves it out."""
    from .billing import compute_invoices
    from .einvoice import make_all as make_einvoices
    from .register import verify_issued
    from .register.settle import settled_book

    book = settled_book(checked.book, checked.register)   # edits settled by credit notes: as issued
    invoices, diags = compute_invoices(book, period=period, client=client, only=only,
                                       issued=checked.register.issued_fingerprints())
    checked.diagnostics += diags
    checked.diagnostics += verify_issued(checked.register, invoices, book)
    invoices = checked.register.apply(invoices)
    if einvoices:
        checked.einvoices, diags = make_einvoices(checked.book, invoices, checked.register)
        checked.diagnostics += diags
    return invoices


def issued_clients(checked: Checked) -> frozenset[str]:
    """The clients that issued invoices depend on, whole.

    A client's issued invoice depends on its earlier periods too (block balances,
    rolled-over retainer hours), so such a client is computed with all its entries.
    """
    return frozenset(r.client for r in checked.register.by_draft.values())


# ---------------------------------------------------------------- what the commands ask for


def book_problem(root: Path) -> str | None:
    """Why `root` is not a book at all (a usage error), or None."""
    root = Path(root)
    if not root.is_dir():
        return f"{root}: no such folder"
    if not os.path.lexists(root / "plainbill.yaml"):   # a folder or a link there: the loader says what is wrong
        return f"{root}: not a book (no plainbill.yaml); run `plainbill init {root}` to start one"
    return None


def period_problem(period: str | None) -> Diagnostic | None:
    """A malformed --period (`bad-period`), found before the book is read: a usage error."""
    from .billing import period_problem as bad_period

    return bad_period(period)


def client_problem(book: Book, client: str | None) -> str | None:
    """--client naming no client of the book (a typo, most likely): a usage error."""
    if client is None or book.client(client) is not None:
        return None
    slugs = sorted(c.slug for c in book.clients)
    close = [s for s in slugs if s.startswith(client)][:3] or difflib.get_close_matches(client, slugs, n=3, cutoff=0.6)
    if close:
        hint = "did you mean " + ", ".join(f"`{s}`" for s in close) + "?"
    elif slugs:
        hint = "the book's clients are " + ", ".join(f"`{s}`" for s in slugs[:8]) + (" ..." if len(slugs) > 8 else "")
    else:
        hint = "the book has no clients"
    return f"no client `{printable_name(client)}`; {hint}"


def empty_period_problem(book: Book, period: str, client: str | None) -> str:
    """--period selecting no invoice at all (a typo in the year, most likely): a usage error
    naming the closest periods the book's entries have."""
    months = sorted({f"{e.date.year:04d}-{e.date.month:02d}" for e in book.entries
                     if client is None or e.client == client}, reverse=True)
    whose = f" of client `{printable_name(client)}`" if client else ""
    close = difflib.get_close_matches(period, months, n=3, cutoff=0.5)
    if close:
        hint = "did you mean " + ", ".join(f"--period {m}" for m in close) + "?"
    elif months:
        hint = f"the entries{whose} run from {months[-1]} to {months[0]}"
    else:
        hint = f"the book has no entries{whose} yet"
    return f"no invoice{whose} in period {printable_name(period)}; {hint}"


def compute_book(root: Path, *, files: Mapping[str, bytes] | None = None, period: str | None = None,
                 client: str | None = None, issued_only: bool = False, strict: bool = False,
                 einvoices: bool = True) -> Computed:
    """check_book (check_files, for a book given as `files`), then, when the book checks (no
    errors, nor warnings with `strict`), compute its invoices. `issued_only`: only of the clients
    issued invoices depend on, which is what every check verifies (`build` bills the rest).
    `einvoices`: as in `compute`."""
    problem = book_problem(root) if files is None else None
    if problem:
        return Computed(problem=problem)
    checked = check_book(root) if files is None else check_files(files, str(root))
    if not checked.clean(strict):
        return Computed(checked)
    problem = client_problem(checked.book, client)
    if problem:
        return Computed(checked, problem=problem)
    only = issued_clients(checked) if issued_only else None
    invoices = compute(checked, period, client, only, einvoices)
    if period and not invoices and not has_errors(checked.diagnostics, strict):
        return Computed(checked, invoices, problem=empty_period_problem(checked.book, period, client))
    return Computed(checked, invoices)


def output_problem(root: Path, out: Path | None) -> str | None:
    """Why the output folder (`out`, default BOOK/build) cannot be used, or None."""
    from .output import out_dir_problem

    if out is None and (Path(root) / "build").is_symlink():   # e.g. restored from a shared CI cache
        return f"{Path(root) / 'build'}: is a link; remove it, or name the output folder with --out"
    return out_dir_problem(root, out or Path(root) / "build")


def build(root: Path, *, period: str | None = None, client: str | None = None, strict: bool = False,
          render: bool = True, pdf: bool = True, jobs: int = 0, out: Path | None = None,
          reports: bool = True) -> Built:
    """Check, compute and write the output folder (default BOOK/build); see output.py.
    `reports`: the firm's reports site in build/reports/ too (with the HTML)."""
    from .manifest import input_key
    from .output import OutputError, unchanged_build, write_build

    problem = book_problem(root) or output_problem(root, out)
    if problem:
        return Built(problem=problem)
    out = out or Path(root) / "build"
    # nothing changed since the last complete build (inputs, plainbill, libraries, options)
    # and its files all check: its diagnostics again, nothing loaded (output.py)
    # `reports` joins the key only when off: a default build's key is the one `report` looks for (reports/built.py)
    key = input_key(root, {"period": period, "client": client, "strict": strict, "render": render, "pdf": pdf,
                           **({} if reports else {"reports": False})})
    found = unchanged_build(out, key)
    if found is not None:
        stats, diags = found
        return Built(diags, stats, ok=not has_errors(diags, strict))
    computed = compute_book(root, period=period, client=client, strict=strict)
    if computed.problem:
        return Built(problem=computed.problem)
    diags = computed.diagnostics
    if computed.invoices is None or has_errors(diags, strict):
        return Built(diags)
    # a warning measured against the real today (no reference_date) is printed, never recorded:
    # the manifest, like every output, does not depend on the day it was built
    recorded = diags if computed.checked.book.settings.reference_date else \
        [d for d in diags if d.code != "future-entry"]
    try:
        stats = write_build(computed.checked.book, computed.invoices, out, render=render, pdf=pdf, jobs=jobs,
                            partial=bool(period or client), build_key=key or "", diagnostics=recorded,
                            register=computed.checked.register, einvoices=computed.checked.einvoices,
                            site=computed if reports else None)
    except OutputError as exc:
        return Built(diags, problem=str(exc))
    return Built(diags, stats, ok=stats.ok)

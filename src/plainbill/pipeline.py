"""The orchestrator: discover -> load -> validate -> compute -> render -> write.

Each stage takes values and returns values plus diagnostics. Everything is
gathered and computed in memory before anything is written, and nothing here
ever writes into the book's sources (only under build/).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from .diagnostics import (Diagnostic, SourceLines, format_github, format_json, format_text,
                          has_errors, sort_diagnostics, summary)
from .invoice import Invoice
from .model import Book

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


@dataclass
class Checked:
    """A loaded and validated book with everything found wrong in it."""

    book: Book
    diagnostics: list[Diagnostic] = field(default_factory=list)
    register: object = None   # plainbill.register.Register


def check_book(root: Path) -> Checked:
    """Load the book at root and run every check; never raises on bad input."""
    from .checks import run_checks
    from .load import load_book
    from .register import load_register
    from .render import check_templates

    loaded = load_book(root)
    diags = list(loaded.diagnostics)
    diags += run_checks(loaded.book)
    register, reg_diags = load_register(root)
    diags += reg_diags
    diags += check_templates(Path(root))    # files refused and syntax errors: found before any build
    return Checked(loaded.book, diags, register)


def compute(checked: Checked, period: str | None = None, client: str | None = None,
            only: frozenset[str] | None = None) -> list[Invoice]:
    """Compute drafts and issued invoices (of the clients in `only`, when given); frozen-invoice
    differences become diagnostics."""
    from .billing import cache, compute_invoices
    from .register import verify_issued

    # clients whose inputs did not change are loaded from the build cache (billing/cache.py)
    invoices, diags = compute_invoices(checked.book, period=period, client=client, only=only,
                                       issued=checked.register.issued_fingerprints(),
                                       cache_dir=cache.default_dir(checked.book.root))
    checked.diagnostics += diags
    checked.diagnostics += verify_issued(checked.register, invoices, checked.book)
    final = checked.register.apply(invoices)
    cache.carry(invoices, final)   # issued invoices keep their content key for build's fast path
    return final


def report(root: Path, diags: list[Diagnostic], fmt: str, stream=None) -> None:
    stream = stream or sys.stderr
    diags = sort_diagnostics(diags)
    if fmt == "json":
        click.echo(format_json(diags), nl=False)
        return
    if fmt == "github":
        click.echo(format_github(diags), nl=False, file=stream)
    else:
        click.echo(format_text(diags, SourceLines(root)), nl=False, file=stream)
    if diags:
        click.echo(summary(diags), file=stream)


def usage_error(message: str) -> int:
    click.echo(f"plainbill: error: {message}", err=True)
    return EXIT_USAGE


def _book_problem(root: Path) -> str | None:
    if not root.is_dir():
        return f"{root}: no such folder"
    if not (root / "plainbill.yaml").is_file():
        return f"{root}: not a book (no plainbill.yaml); run `plainbill init {root}` to start one"
    return None


def issued_clients(checked: Checked) -> frozenset[str]:
    """The clients that issued invoices depend on, whole.

    A client's issued invoice depends on its earlier periods too (block balances,
    rolled-over retainer hours), so such a client is computed with all its entries.
    """
    return frozenset(r.client for r in checked.register.by_draft.values())


def run_check(root: Path, fmt: str, strict: bool, full: bool = False) -> int:
    problem = _book_problem(root)
    if problem:
        return usage_error(problem)
    checked = check_book(root)
    if not has_errors(checked.diagnostics):
        # Frozen invoices are part of every check; billing the rest (and its
        # engine-stage diagnostics) is what `build` does, or `check --full`.
        compute(checked, only=None if full else issued_clients(checked))
    report(root, checked.diagnostics, fmt)
    return EXIT_PROBLEMS if has_errors(checked.diagnostics, strict) else EXIT_OK


def run_build(root: Path, *, period=None, client=None, fmt="text", strict=False,
              render=True, pdf=True, jobs=0, out: Path | None = None) -> int:
    from .output import write_build

    problem = _book_problem(root)
    if problem:
        return usage_error(problem)
    checked = check_book(root)
    if has_errors(checked.diagnostics, strict):
        report(root, checked.diagnostics, fmt)
        return EXIT_PROBLEMS
    invoices = compute(checked, period, client)
    report(root, checked.diagnostics, fmt)
    if has_errors(checked.diagnostics, strict):
        return EXIT_PROBLEMS
    out = out or root / "build"
    stats = write_build(checked.book, invoices, out, render=render, pdf=pdf, jobs=jobs,
                        partial=bool(period or client))
    if stats.diagnostics:   # template and render problems
        report(root, stats.diagnostics, fmt)
    click.echo(stats.summary(), err=True)
    return EXIT_OK if stats.ok else EXIT_PROBLEMS


def check_files(files, root: str = ".") -> Checked:
    """check_book for a book given as {book-relative path: bytes} (a git revision, for `diff`):
    the same stages and checks; ledger parses go through the book's parse cache, never pruned."""
    from .checks import run_checks
    from .load import default_cache_dir, load_files
    from .register import register_from_files

    loaded = load_files(files, root, cache_dir=default_cache_dir(Path(root)))
    diags = list(loaded.diagnostics)
    diags += run_checks(loaded.book)
    register, reg_diags = register_from_files(files)
    diags += reg_diags
    return Checked(loaded.book, diags, register)

"""The command line: thin click commands that parse flags, call the pipeline and map
diagnostics to exit codes (0 clean, 1 problems, 2 usage or I/O error).

Every command returns its exit code and `exit_with` exits with it: one path out.
`check` and `build` are run here (run_check, run_build); the other commands' runners
live next to their stage (explain.py, register/commands.py, gitdiff/, schema.py,
scaffold.py). All of them print through terminal.py; nothing here computes.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__

# ---------------------------------------------------------------- options, defined once

def _book_of(ctx: click.Context) -> Path:
    """The book a completion reads: --book when typed before the word being completed."""
    return Path(ctx.params.get("book") or ".")


def _complete(names):
    """A click shell_complete callback offering names(book) that start with what is typed."""
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
        from . import completion

        return [n for n in getattr(completion, names)(_book_of(ctx)) if n.startswith(incomplete)]
    return complete


# The one convention for the book: `--book PATH` on every command (default: the current
# folder). The old positional form (`check BOOK`, `issue BOOK`) still works, with a note.
book_option = click.option("--book", "book", default=".", metavar="PATH",
                           type=click.Path(file_okay=False, path_type=Path),
                           help="The book's folder (default: the current folder).")
legacy_book_argument = click.argument("legacy_book", required=False, metavar="[BOOK]",
                                      type=click.Path(file_okay=False, path_type=Path))
# the old positional BOOK, for a command written against it; new commands take book_option
book_argument = click.argument("book", required=False, default=".",
                               type=click.Path(file_okay=False, path_type=Path))
format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "github"]), default=None,
    help="Diagnostic format (default: github when GITHUB_ACTIONS=true, else text).",
)
strict_option = click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
period_option = click.option("--period", metavar="YYYY-MM", shell_complete=_complete("periods"),
                             help="Only this billing period (YYYY-MM, or YYYY-Qn).")
client_option = click.option("--client", metavar="SLUG", shell_complete=_complete("client_slugs"),
                             help="Only this client.")


def choose_book(command: str, book: Path, legacy: Path | None) -> Path:
    """--book, or the deprecated positional BOOK (saying so on stderr); both naming
    different folders is a usage error."""
    if legacy is None:
        return book
    if book != Path(".") and book != legacy:
        raise click.UsageError(f"the book is named twice ({legacy} and --book {book}); keep --book")
    click.echo(f"plainbill: note: `plainbill {command} BOOK` is deprecated; "
               f"use `plainbill {command} --book {legacy}`", err=True)
    return legacy


def diagnostic_format(fmt: str | None) -> str:
    if fmt:
        return fmt
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="plainbill")
def main() -> None:
    """plainbill: plain-text billing in git. Time entries and contracts in, invoices that explain themselves out."""


@main.result_callback()
def exit_with(code: int | None) -> None:
    sys.exit(code or 0)


@main.command()
@book_option
@legacy_book_argument
@format_option
@strict_option
@click.option("--full", is_flag=True,
              help="Also bill every invoice, reporting what only billing finds (as build does).")
def check(book: Path, legacy_book: Path | None, fmt: str | None, strict: bool, full: bool) -> int:
    """Check the book and report every problem found.

    Issued invoices are recomputed and compared with their records; the rest of
    the billing runs with --full or in `build`. (BOOK as an argument is deprecated: use --book.)
    """
    return run_check(choose_book("check", book, legacy_book), diagnostic_format(fmt), strict, full)


@main.command()
@book_option
@legacy_book_argument
@period_option
@client_option
@format_option
@strict_option
@click.option("--no-render", is_flag=True, help="Write the canonical JSON only, no HTML or PDF.")
@click.option("--no-pdf", is_flag=True, help="Render HTML but not PDF.")
@click.option("--no-reports", is_flag=True, help="Leave out the reports site (build/reports/).")
@click.option("--jobs", "-j", type=int, default=0, help="Parallel renderers (default: CPU count).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: BOOK/build).")
def build(book, legacy_book, period, client, fmt, strict, no_render, no_pdf, no_reports, jobs, out) -> int:
    """Check the book, compute its invoices and write build/invoices/<id>.json, .html and .pdf,
    build/index.html and the firm's reports in build/reports/.

    (BOOK as an argument is deprecated: use --book.)"""
    return run_build(choose_book("build", book, legacy_book), period=period, client=client, fmt=diagnostic_format(fmt),
                     strict=strict, render=not no_render, pdf=not no_pdf, jobs=jobs, out=out, reports=not no_reports)


@main.command()
@book_option
@legacy_book_argument
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free one).")
@click.option("--no-pdf", is_flag=True, help="Render HTML but not PDF (quicker rebuilds).")
@click.option("--no-reports", is_flag=True, help="Leave out the reports site.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: BOOK/build).")
def serve(book: Path, legacy_book: Path | None, port: int, no_pdf: bool, no_reports: bool, out) -> int:
    """Build the book, serve the output on http://127.0.0.1:PORT/ and build again on every saved
    change; open pages reload themselves. Ctrl-C stops."""
    from .site.serve import run_serve

    return run_serve(choose_book("serve", book, legacy_book), port=port, out=out, pdf=not no_pdf,
                     reports=not no_reports)


@main.command()
@click.argument("invoice_id", shell_complete=_complete("invoice_ids"))
@book_option
def explain(invoice_id: str, book: Path) -> int:
    """Print how each line of INVOICE_ID (e.g. acme-2026-11, or an issued number) was computed."""
    from .explain import run_explain

    return run_explain(book, invoice_id)


@main.command("report")
@click.argument("kind", metavar="KIND")
@book_option
@click.option("--period", metavar="P", help="Only this period: YYYY, YYYY-MM or YYYY-Qn.")
@click.option("--from", "start", metavar="YYYY-MM-DD", help="From this day (inclusive).")
@click.option("--to", "end", metavar="YYYY-MM-DD", help="To this day (inclusive).")
@click.option("--by", "by", metavar="AXIS", help="Rows per client, project, contract, person, activity or month.")
@click.option("--format", "out_format", metavar="FORMAT", default="table", help="table (default), csv, json or markdown.")
def report(kind: str, book: Path, period, start, end, by, out_format: str) -> int:
    """Print the report KIND of the book: hours, profitability, support, utilisation, wip, balances or receivables.

    Computed from the same invoices `build` writes (drafts and issued); see docs/reports.md.
    """
    from .reports.command import run_report_command

    return run_report_command(book, kind, period=period, start=start, end=end, by=by, fmt=out_format)


# ---------------------------------------------------------------- git-native commands (issue #5)

date_option = click.option("--date", "on", metavar="YYYY-MM-DD", help="Issue date (default: today).")
dry_run_option = click.option("--dry-run", is_flag=True,
                              help="Show what would be issued, numbers included; write nothing.")


def _day(text: str | None):
    from .register.commands import parse_day

    try:
        return parse_day(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint="--date") from None


@main.command()
@book_option
@period_option
@client_option
@date_option
@click.argument("drafts", nargs=-1, metavar="[DRAFT]...", shell_complete=_complete("open_drafts"))
@format_option
@dry_run_option
@click.option("--allow-older", is_flag=True,
              help="Also number drafts for a period older than the client's last issued invoice.")
def issue(book: Path, period, client, on, drafts, fmt, dry_run, allow_older) -> int:
    """Number the drafts of the book and record them under issued/ (default: every draft whose period has ended)."""
    from .register.commands import run_issue

    legacy, drafts = _legacy_book_in(drafts)
    return run_issue(choose_book("issue", book, legacy), period=period, client=client, on=_day(on), drafts=tuple(drafts),
                     fmt=diagnostic_format(fmt), dry_run=dry_run, allow_older=allow_older)


def _legacy_book_in(words: tuple[str, ...]) -> tuple[Path | None, tuple[str, ...]]:
    """`issue BOOK [DRAFT]...`, the old form: the first word is the book when it is a folder
    or a path (a draft id is never either)."""
    if words and (Path(words[0]).is_dir() or "/" in words[0] or words[0] in (".", "..")):
        return Path(words[0]), words[1:]
    return None, words


@main.command("credit-note")
@click.argument("number", shell_complete=_complete("issued_numbers"))
@book_option
@click.option("--lines", "lines", multiple=True, metavar="KEY[=AMOUNT],...",
              help="Credit only these lines (all of a line, or AMOUNT of it); default: the whole invoice.")
@click.option("--reason", required=True, help="Why the invoice is credited (printed on the credit note).")
@date_option
@format_option
@dry_run_option
def credit_note(number: str, book: Path, lines, reason: str, on, fmt, dry_run) -> int:
    """Issue a credit note against the issued invoice NUMBER."""
    from .register.commands import run_credit_note

    return run_credit_note(book, number, lines=tuple(lines), reason=reason, on=_day(on),
                           fmt=diagnostic_format(fmt), dry_run=dry_run)


@main.command("import")
@click.argument("tool", metavar="FORMAT", type=click.Choice(["toggl", "clockify", "harvest", "kimai", "timewarrior",
                                                              "watson"]))
@click.argument("files", nargs=-1, required=True, metavar="FILE...",
                type=click.Path(dir_okay=True, path_type=Path))
@book_option
@click.option("--dry-run", is_flag=True, help="Print the lines that would be added; write nothing.")
@format_option
def import_(tool: str, files, book: Path, dry_run: bool, fmt) -> int:
    """Append the time entries of FORMAT exports to ledger/import/ (docs/import.md)."""
    from .importers.command import run_import

    return run_import(book, tool, tuple(files), dry_run=dry_run, fmt=diagnostic_format(fmt))


@main.command()
@click.argument("period", shell_complete=_complete("periods"))
@book_option
@legacy_book_argument
@format_option
@click.option("--no-pdf", is_flag=True, help="Build HTML but not PDF (as `build --no-pdf`).")
@click.option("--jobs", "-j", type=int, default=0, help="Parallel renderers for the build (default: CPU count).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The build folder (default: BOOK/build).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The zip to write (default: <build folder>/export-PERIOD.zip).")
def export(period: str, book: Path, legacy_book: Path | None, fmt, no_pdf, jobs, out, output) -> int:
    """Zip the issued documents of PERIOD (YYYY-MM, YYYY-Qn or YYYY) for the accountant: their
    FatturaPA XML, the sales VAT register (CSV) and hledger/Ledger and beancount journals.

    (BOOK as an argument is deprecated: use --book.)"""
    from .export import run_export

    return run_export(choose_book("export", book, legacy_book), period, out=out, output=output, pdf=not no_pdf, jobs=jobs, fmt=diagnostic_format(fmt))


@main.command()
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option("--book", "book_path", default="", metavar="PATH",
              help="The book's folder (default: the current folder); it must be inside a git repository.")
@click.option("--format", "out_format", type=click.Choice(["text", "markdown", "json"]), default="text",
              help="Output format; markdown fits one pull-request comment.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when any invoice changes.")
def diff(base, head, book_path: str, out_format: str, exit_code: bool) -> int:
    """Show how invoices change between BASE (default: merge base with the default branch) and HEAD (default: the working tree)."""
    from .gitdiff import run_diff

    return run_diff(base, head, book=book_path, fmt=out_format, exit_code=exit_code)


@main.command()
@click.option("-o", "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write the schemas into this folder (default: print the list of schemas).")
def schema(out: Path | None) -> int:
    """Write JSON Schemas (draft-07) for plainbill.yaml, client files and YAML ledgers."""
    from .schema import run_schema

    return run_schema(out)


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> int:
    """Start a new book in DIRECTORY that passes `check` at once; never overwrites a file."""
    from .scaffold import run_init

    return run_init(directory)


# ---------------------------------------------------------------- check and build


def run_check(root: Path, fmt: str = "text", strict: bool = False, full: bool = False) -> int:
    """Check the book; issued invoices are recomputed (every invoice with `full`)."""
    from . import pipeline
    from .terminal import exit_code, report, usage_error

    computed = pipeline.compute_book(root, issued_only=not full)
    if computed.problem:
        return usage_error(computed.problem)
    report(root, computed.diagnostics, fmt)
    return exit_code(computed.diagnostics, strict)


def run_build(root: Path, *, period=None, client=None, fmt="text", strict=False,
              render=True, pdf=True, jobs=0, out: Path | None = None, reports: bool = True) -> int:
    """Build, then print what it found and what it wrote."""
    from . import pipeline
    from .terminal import EXIT_OK, EXIT_PROBLEMS, report, say, usage_error, usage_report

    bad = pipeline.period_problem(period)
    if bad:
        return usage_report(root, [bad], fmt)
    built = pipeline.build(root, period=period, client=client, strict=strict, render=render, pdf=pdf,
                           jobs=jobs, out=out, reports=reports)
    if built.diagnostics is not None:
        report(root, built.diagnostics, fmt)
    if built.problem:
        return usage_error(built.problem)
    if built.stats is None:
        return EXIT_PROBLEMS
    if built.stats.diagnostics:   # template and render problems
        report(root, built.stats.diagnostics, fmt)
    say(built.stats.summary(), err=True)
    return EXIT_OK if built.ok else EXIT_PROBLEMS


if __name__ == "__main__":  # pragma: no cover
    main()

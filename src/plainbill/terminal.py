"""What the commands print, and the exit codes they return (the command line's side).

Diagnostics in the format asked for (text with the quoted source line and the
summary line on stderr, JSON on stdout, GitHub annotations), one-line usage and
I/O errors, and plain messages. Exit codes are the same for every command:
0 clean, 1 problems found, 2 usage or I/O error. The pipeline never prints;
the commands (cli.py and the runners next to their stage) print through here.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import click

from .diagnostics import (Diagnostic, SourceLines, format_github, format_json, format_text, has_errors,
                          sort_diagnostics, summary)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def exit_code(diags: Iterable[Diagnostic], strict: bool = False) -> int:
    """1 when there are errors (or warnings, with `strict`), else 0."""
    return EXIT_PROBLEMS if has_errors(diags, strict) else EXIT_OK


def report(root: Path, diags: list[Diagnostic], fmt: str) -> None:
    """Print diagnostics, sorted and deduplicated: JSON on stdout, text or GitHub annotations
    (then the summary line, when there are any) on stderr."""
    diags = sort_diagnostics(diags)
    if fmt == "json":
        say(format_json(diags), nl=False)
        return
    if fmt == "github":
        say(format_github(diags), nl=False, err=True)
    else:
        say(format_text(diags, SourceLines(root)), nl=False, err=True)
    if diags:
        say(summary(diags), err=True)


def usage_error(message: str) -> int:
    """Print `plainbill: error: message` on stderr; exit code 2."""
    say(f"plainbill: error: {message}", err=True)
    return EXIT_USAGE


def usage_report(root: Path, diags: list[Diagnostic], fmt: str) -> int:
    """A usage error that is a diagnostic (a malformed --period): printed as one; exit code 2."""
    report(root, diags, fmt)
    return EXIT_USAGE


def say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """One message: on stdout (results), or on stderr (progress, summaries, errors)."""
    click.echo(text, err=err, nl=nl)

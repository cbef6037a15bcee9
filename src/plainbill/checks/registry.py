"""The registry of checks: the `Check` record, the `@check` decorator, `run_checks`,
and the writer of the generated part of docs/diagnostics.md.

Each check takes a Context (the book plus look-up tables built once) and
yields Diagnostics. Its docstring is its documentation: docs/diagnostics.md is
generated from this registry and from the loader's table (load/codes.py) by
`python -m plainbill.checks docs/diagnostics.md`.

This module imports no check: the family modules (entries.py, book.py, ...)
import it and register themselves; the package's __init__ imports them in order.
A value wrong on many lines (an unknown client) is reported at its first line in
each file, with a count (`Tally`).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..diagnostics import Diagnostic, SourceRef, error
from ..model import Book


@dataclass(frozen=True)
class Check:
    name: str
    codes: tuple[tuple[str, str], ...]     # (code, severity)
    fn: Callable[["Context"], Iterable[Diagnostic]]

    @property
    def doc(self) -> str:
        return " ".join((self.fn.__doc__ or "").split())


CHECKS: list[Check] = []


def check(name: str, *codes: tuple[str, str]):
    """Register a check function under `name`, declaring the codes it emits."""
    def register(fn):
        CHECKS.append(Check(name, codes, fn))
        return fn
    return register


class Context:
    """The book and the look-up tables every check needs, built once."""

    def __init__(self, book: Book):
        s = book.settings
        self.book = book
        self.settings = s
        self.clients = {c.slug: c for c in book.clients}
        self.activities = {a.slug: a for a in s.activities}
        self.people = {p.slug for p in s.team}
        self.roles = {p.role for p in s.team if p.role}
        self.taxes = {t.code for t in s.taxes}
        # plainbill.yaml or a client file that could not be parsed at all is loaded as a stub
        # with its ref on line 0: names it would define are not reported as unknown
        self.settings_broken = s.ref.line == 0 and s.ref.path != "<none>"
        self.stubs = {c.slug for c in book.clients if c.ref.line == 0}


def run_checks(book: Book) -> list[Diagnostic]:
    """Every registered check over `book`, in registration order; never raises on bad input."""
    ctx = Context(book)
    out: list[Diagnostic] = []
    for c in CHECKS:
        out.extend(c.fn(ctx))
    return out


class Tally:
    """First occurrence of each (code, value, file), counting the rest for one message."""

    def __init__(self):
        self.first: dict[tuple, tuple] = {}
        self.count: dict[tuple, int] = defaultdict(int)

    def add(self, code: str, value: str, ref: SourceRef, message: str, hint: str | Callable[[], str]) -> None:
        """Count one occurrence; `hint` may be a function, called only for the one reported
        (a "did you mean" over every name of the book, for each of 100k lines, would not be)."""
        key = (code, value, ref.path)
        self.count[key] += 1
        if key not in self.first:
            self.first[key] = (ref, message, hint)

    def diagnostics(self, make=error) -> Iterator[Diagnostic]:
        for key, (ref, message, hint) in self.first.items():
            more = self.count[key] - 1
            suffix = f" (and {more} more line{'s' * (more != 1)} in this file)" if more else ""
            yield make(key[0], ref, message + suffix, hint() if callable(hint) else hint)


def token_ref(e, token: str) -> SourceRef:
    """The entry's ref with the column of `token` on its line (ledger lines only; the
    line is found through the entry's normalised text, exact for single-spaced lines)."""
    ref = e.ref
    if not ref.path.endswith(".txt"):
        return ref
    padded = " " + e.text + " "
    at = padded.find(" " + token)
    while at >= 0 and padded[at + 1 + len(token)] not in " /":
        at = padded.find(" " + token, at + 1)
    return SourceRef(ref.path, ref.line, at + 1) if at >= 0 else ref


def reference() -> str:
    """The generated part of docs/diagnostics.md: every loader and check code, documented."""
    from ..load.codes import LOAD_CODES

    lines = [BEGIN, "", "## Reading the book", ""]
    for code, (severity, text) in LOAD_CODES.items():
        lines += [f"### `{code}`", "", f"*{severity}*. {text}", ""]
    lines += ["## Checks", "", "Run after loading, over the whole book, in this order.", ""]
    for c in CHECKS:
        lines += [f"### {c.name}", "", ", ".join(f"`{code}` ({sev})" for code, sev in c.codes), "", c.doc, ""]
    return "\n".join(lines + [END]) + "\n"


def write_reference(path: Path) -> None:
    """Replace the generated part of `path` (or write the whole page when it has none)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + reference().rstrip("\n") + rest.split(END, 1)[1]
    else:
        text = HEADER + reference() + text
    path.write_text(text, encoding="utf-8")


HEADER = """# Diagnostics

Every problem plainbill finds is reported as

    path:line:col: severity: message [code]
        the source line
        ^
      hint: what to do

with a stable kebab-case code. `plainbill check` lists them all in one run and
exits 1 when there is an error (or a warning, with `--strict`); `--format json`
and `--format github` give the same diagnostics for tools and pull requests.
Each code has a small failing book in `tests/errors/<code>/` whose expected
message is in `expected.txt`.

"""
BEGIN = ("<!-- BEGIN generated by `python -m plainbill.checks docs/diagnostics.md`: edit "
         "src/plainbill/load/codes.py and the check docstrings instead -->")
END = "<!-- END generated; other stages document their codes below -->"

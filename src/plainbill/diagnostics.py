"""Problems as values: SourceRef, Severity, Diagnostic, and their formatters.

Every stage of the pipeline appends Diagnostics to a list instead of raising;
one run reports everything. Exceptions are for bugs only.
"""
from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from .confine import Boundary, printable_name


@dataclass(frozen=True, order=True, slots=True)
class SourceRef:
    """Where a value came from: path relative to the book root, 1-based line and column."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col or 1}"
        return self.path

    @property
    def short(self) -> str:
        """path:line, the form shown on invoices."""
        return f"{self.path}:{self.line}" if self.line else self.path


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    ref: SourceRef
    message: str
    hint: str = ""
    related: tuple[SourceRef, ...] = field(default=())

    def sort_key(self):
        return (self.ref.path, self.ref.line, self.ref.col, self.code, self.message)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": self.ref.path,
            "line": self.ref.line,
            "col": self.ref.col,
            "message": self.message,
            "hint": self.hint,
            "related": [str(r) for r in self.related],
        }


def error(code: str, ref: SourceRef, message: str, hint: str = "", related=()) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, ref, message, hint, tuple(related))


def warning(code: str, ref: SourceRef, message: str, hint: str = "", related=()) -> Diagnostic:
    return Diagnostic(code, Severity.WARNING, ref, message, hint, tuple(related))


def has_errors(diags: Iterable[Diagnostic], strict: bool = False) -> bool:
    bad = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(d.severity in bad for d in diags)


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted and deduplicated, so output is deterministic."""
    return sorted(set(diags), key=Diagnostic.sort_key)


QUOTE_LIMIT = 256 << 20   # bytes: a larger file (a video dropped into ledger/) is not read to quote it


class SourceLines:
    """Lazily reads source files to quote the offending line under a diagnostic.

    Files are read through `confine.Boundary`: a ref whose path leads outside the
    book (a link to /etc/passwd) or to something that is not a regular file is never
    quoted, so a diagnostic cannot print what the book was not allowed to read."""

    def __init__(self, root: Path, texts: Mapping[str, str] | None = None):
        self.root = Path(root)
        self._book = Boundary(root)
        self._cache: dict[str, list[str]] = {}
        if texts:
            for path, text in texts.items():
                self._cache[path] = _split_lines(text)

    def line(self, ref: SourceRef) -> str | None:
        if not ref.line:
            return None
        lines = self._cache.get(ref.path)
        if lines is None:
            try:   # only a regular file inside the book: never a link out of it, never a FIFO
                raw = self._book.read(ref.path, QUOTE_LIMIT)
                lines = _split_lines(raw.decode("utf-8", errors="replace").lstrip("\ufeff"))
            except (OSError, ValueError):   # ValueError: a NUL in a path no file has
                lines = []
            self._cache[ref.path] = lines
        if 1 <= ref.line <= len(lines):
            return lines[ref.line - 1]
        return None


def _split_lines(text: str) -> list[str]:
    """Lines as the loader counts them: split on "\n" only (not on the other characters
    str.splitlines() treats as breaks, such as form feed or U+2028), CR of CRLF dropped."""
    return text.replace("\r\n", "\n").split("\n")


def format_text(diags: list[Diagnostic], sources: SourceLines | None = None) -> str:
    """`path:line:col: severity: message [code]`, the quoted line, a caret, the hint.

    Messages quote the book's text (a key, a token): control and bidirectional characters
    in them are shown escaped, so a book cannot drive the terminal or forge output lines."""
    out: list[str] = []
    for d in diags:
        out.append(f"{printable_name(str(d.ref))}: {d.severity.value}: {printable_name(d.message)} [{d.code}]")
        src = sources.line(d.ref) if sources else None
        if src is not None:
            shown, caret = quoted(src, d.ref.col)
            out += [f"    {shown}", "    " + " " * caret + "^"]
        if d.hint:
            out.append(f"  hint: {printable_name(d.hint)}")
        for r in d.related:
            out.append(f"  see: {printable_name(str(r))}")
    return "\n".join(out) + ("\n" if out else "")


QUOTE_WIDTH = 120   # characters of a source line shown around the caret


def quoted(line: str, col: int) -> tuple[str, int]:
    """The source line as shown under a diagnostic, and the caret's offset in it: escaped
    (printable_line), and cut to QUOTE_WIDTH characters around the column with `...` marks,
    so a 5 MB line (or a binary file's first "line") prints as one short line, quickly."""
    at = max(0, min(col - 1, len(line)))
    lo, hi = max(0, at - QUOTE_WIDTH), at + QUOTE_WIDTH   # escaping only lengthens: enough raw text
    before, after = printable_line(line[lo:at]), printable_line(line[at:hi])
    shown, caret = before + after, len(before)
    start = max(0, min(caret - QUOTE_WIDTH // 2, len(shown) - QUOTE_WIDTH))
    head = "..." if start or lo else ""
    tail = "..." if start + QUOTE_WIDTH < len(shown) or hi < len(line) else ""
    return head + shown[start:start + QUOTE_WIDTH] + tail, caret - start + len(head)


def printable_line(text: str) -> str:
    """A quoted source line as it can be shown on a terminal: tabs as one space, control
    and bidirectional characters (an ESC sequence, U+202E) as escapes, never as themselves."""
    return printable_name(text.expandtabs(1))


def format_json(diags: list[Diagnostic]) -> str:
    """A JSON list of as_dict(); text that cannot be written as UTF-8 (a file name's stray
    byte, kept by Python as a lone surrogate) is escaped like a printed name."""
    return json.dumps([_writable(d.as_dict()) for d in diags], indent=2, ensure_ascii=False) + "\n"


def _writable(value):
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return printable_name(value)
        return value
    if isinstance(value, list):
        return [_writable(v) for v in value]
    if isinstance(value, dict):
        return {k: _writable(v) for k, v in value.items()}
    return value


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diags: list[Diagnostic]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's files."""
    out = []
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    for d in diags:
        props = f"file={_gh_escape(printable_name(d.ref.path), True)}"
        if d.ref.line:
            props += f",line={d.ref.line},col={d.ref.col or 1}"
        props += f",title={_gh_escape(d.code, True)}"
        msg = printable_name(d.message + (f" (hint: {d.hint})" if d.hint else ""))
        out.append(f"::{level[d.severity]} {props}::{_gh_escape(msg)}")
    return "\n".join(out) + ("\n" if out else "")


def summary(diags: list[Diagnostic]) -> str:
    e = sum(d.severity is Severity.ERROR for d in diags)
    w = sum(d.severity is Severity.WARNING for d in diags)
    return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"

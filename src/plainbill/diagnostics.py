"""Problems as values: SourceRef, Severity, Diagnostic, and their formatters.

Every stage of the pipeline appends Diagnostics to a list instead of raising;
one run reports everything. Exceptions are for bugs only.
"""
from __future__ import annotations

import enum
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping


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


class SourceLines:
    """Lazily reads source files to quote the offending line under a diagnostic."""

    def __init__(self, root: Path, texts: Mapping[str, str] | None = None):
        self.root = Path(root)
        self._cache: dict[str, list[str]] = {}
        if texts:
            for path, text in texts.items():
                self._cache[path] = _split_lines(text)

    def line(self, ref: SourceRef) -> str | None:
        if not ref.line:
            return None
        lines = self._cache.get(ref.path)
        if lines is None:
            try:
                path = self.root / ref.path
                real, root = os.path.realpath(path), os.path.realpath(self.root)
                if os.path.commonpath([real, root]) != root or not os.path.isfile(real):
                    raise OSError("never quoted: outside the book (a link to /etc/shadow) or not a file")
                raw = path.read_bytes()
                lines = _split_lines(raw.decode("utf-8", errors="replace").lstrip("\ufeff"))
            except OSError:
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
    """`path:line:col: severity: message [code]`, the quoted line, a caret, the hint."""
    out: list[str] = []
    for d in diags:
        out.append(f"{d.ref}: {d.severity.value}: {d.message} [{d.code}]")
        src = sources.line(d.ref) if sources else None
        if src is not None:
            shown, col = _window(src.expandtabs(1), d.ref.col)
            out.append(f"    {shown}")
            out.append("    " + " " * max(0, min(col, len(shown) + 1) - 1) + "^")
        if d.hint:
            out.append(f"  hint: {d.hint}")
        for r in d.related:
            out.append(f"  see: {r}")
    return "\n".join(out) + ("\n" if out else "")


SHOWN = 160   # characters of a quoted line: a 5 MB line is cut to the part around the caret


def _window(line: str, col: int) -> tuple[str, int]:
    """The part of a long line around column `col`, with `…` where it was cut, and the column in it."""
    if len(line) <= SHOWN:
        return line, col
    start = max(0, min(col - 1 - SHOWN // 3, len(line) - SHOWN))
    cut = ("…" if start else "") + line[start:start + SHOWN] + ("…" if start + SHOWN < len(line) else "")
    return cut, col - start + (1 if start else 0)


def format_json(diags: list[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diags], indent=2, ensure_ascii=False) + "\n"


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
        props = f"file={_gh_escape(d.ref.path, True)}"
        if d.ref.line:
            props += f",line={d.ref.line},col={d.ref.col or 1}"
        props += f",title={_gh_escape(d.code, True)}"
        msg = d.message + (f" (hint: {d.hint})" if d.hint else "")
        out.append(f"::{level[d.severity]} {props}::{_gh_escape(msg)}")
    return "\n".join(out) + ("\n" if out else "")


def summary(diags: list[Diagnostic]) -> str:
    e = sum(d.severity is Severity.ERROR for d in diags)
    w = sum(d.severity is Severity.WARNING for d in diags)
    return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"

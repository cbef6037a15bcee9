"""Source files of a book: discovery, decoding, and refs clamped to real lines.

Decoding is explicit (docs/format.md): UTF-8 only; a leading byte-order mark is
dropped; CRLF line ends are accepted with a `crlf-line-ends` warning; bytes that
are not UTF-8 are an `encoding` error located at the first bad byte, and the
file is then read with replacement characters so the rest of it is still checked.
Lines are split on "\\n" only, the same way diagnostics quote them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, SourceRef, error, warning

IGNORED_DIRS = frozenset({"build", "issued", "templates", "node_modules", "__pycache__"})
# line breaks of YAML 1.1 (and str.splitlines) that are not "\n": they would make
# YAML's line numbers disagree with the lines we quote, so they are reported
ODD_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


@dataclass
class SourceFile:
    """One decoded file: its path relative to the root, its text and its line count."""

    path: str
    text: str
    nlines: int
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def ref(self, line: int, col: int = 1) -> SourceRef:
        """A ref clamped into the file, so a diagnostic never points past its end."""
        if self.nlines == 0:
            return SourceRef(self.path, 0, 0)
        line = min(max(line, 1), self.nlines)
        return SourceRef(self.path, line, max(col, 1))


def decode(path: str, data: bytes | str) -> SourceFile:
    """Bytes -> SourceFile, reporting encoding problems instead of raising."""
    diags: list[Diagnostic] = []
    if isinstance(data, str):   # in-memory books: lone surrogates become an encoding error
        data = data.encode("utf-8", "surrogatepass")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        diags.append(error("encoding", SourceRef(path, line, col),
                           f"not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded",
                           "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 FILE`)"))
        text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]   # a BOM is harmless: drop it silently
    if "\r\n" in text:
        line = text.count("\n", 0, text.index("\r\n")) + 1
        diags.append(warning("crlf-line-ends", SourceRef(path, line, 1),
                             "file has Windows (CRLF) line ends",
                             "convert to LF line ends (e.g. `dos2unix`) to keep diffs clean"))
        text = text.replace("\r\n", "\n")
    nlines = text.count("\n") + (0 if not text or text.endswith("\n") else 1)
    return SourceFile(path, text, nlines, diags)


def discover(root: Path) -> list[str]:
    """Book files relative to root (POSIX separators), sorted by byte order.

    Hidden files and folders (`.git`, `.cache`...) and output folders (`build/`)
    are never sources.
    """
    found: list[str] = []
    if (root / "plainbill.yaml").is_file():
        found.append("plainbill.yaml")
    for top in ("clients", "ledger"):
        base = root / top
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in IGNORED_DIRS]
            rel = Path(dirpath).relative_to(root).as_posix()
            found += [f"{rel}/{f}" for f in filenames if not f.startswith(".")]
    return sorted(found, key=lambda p: p.encode("utf-8", "surrogateescape"))

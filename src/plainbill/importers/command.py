"""The runner of `plainbill import` (cli.py stays thin): read the exports, plan, print, write.

Exit codes as every command: 0 imported (or nothing new), 1 a problem in an export,
the mapping or the lines it would make (nothing written), 2 usage or I/O (no book,
an export that cannot be read, a file that cannot be written).
"""
from __future__ import annotations

from pathlib import Path

from ..diagnostics import SourceLines, format_github, format_json, format_text, sort_diagnostics, summary
from ..terminal import EXIT_OK, EXIT_PROBLEMS, say, usage_error

MAX_EXPORT = 256 << 20   # bytes: an export larger than this is not a month of time entries


def run_import(root: Path, tool: str, files: tuple[Path, ...], *, dry_run: bool = False, fmt: str = "text") -> int:
    from ..pipeline import book_problem
    from . import import_files
    from .ledgerout import Busy, import_lock

    problem = book_problem(root)
    if problem:
        return usage_error(problem)
    exports: dict[str, str] = {}
    for path in files:
        text, problem = _read_export(path)
        if problem:
            return usage_error(problem)
        exports[str(path)] = text
    if dry_run:
        return _finish(root, tool, import_files(Path(root), tool, exports), True, fmt)
    try:
        with import_lock(Path(root)):
            return _finish(root, tool, import_files(Path(root), tool, exports), False, fmt)
    except OSError as exc:
        return usage_error(str(exc) if isinstance(exc, Busy) else f"cannot write the ledger: {exc.strerror or exc}")


def _finish(root: Path, tool: str, result, dry_run: bool, fmt: str) -> int:
    """Print what the import found; write its files unless it is a dry run (raises OSError)."""
    from .ledgerout import write_files

    _report(root, result, fmt)
    if not result.ok:
        if result.snippet:
            say(f"add to imports/{tool}.yaml (check each guess):\n{result.snippet}", err=True)
        say("nothing imported", err=True)
        return EXIT_PROBLEMS
    if dry_run:
        for path in result.contents:
            new = [l for l in result.lines if l.path == path]
            say(f"# {path}: {len(new)} new " + ("entry" if len(new) == 1 else "entries"))
            for line in sorted(new, key=lambda l: l.sort):
                say(line.text)
        say(_summary(result, "would be imported"), err=True)
        return EXIT_OK
    write_files(Path(root), result.contents)
    for path in result.contents:
        n = sum(1 for l in result.lines if l.path == path)
        say(f"{path}: {n} " + ("entry" if n == 1 else "entries") + " added", err=True)
    say(_summary(result, "imported"), err=True)
    return EXIT_OK


def _summary(result, verb: str) -> str:
    parts = [f"{len(result.lines)} {'entry' if len(result.lines) == 1 else 'entries'} {verb}"]
    if result.known:
        parts.append(f"{result.known} already in the ledger")
    if result.skipped:
        parts.append(f"{result.skipped} too short to bill")
    return ", ".join(parts)


def _read_export(path: Path) -> tuple[str, str | None]:
    """The export's text, or why it cannot be read (a usage error: exit 2)."""
    try:
        if not path.is_file():
            return "", f"{path}: " + ("is a folder, not an export file" if path.is_dir() else "no such file")
        if path.stat().st_size > MAX_EXPORT:
            return "", f"{path}: larger than {MAX_EXPORT >> 20} MB; export one month at a time"
        data = path.read_bytes()
    except OSError as exc:
        return "", f"{path}: cannot be read: {(exc.strerror or str(exc)).lower()}"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return "", (f"{path}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}); export it again as UTF-8, "
                    f"or convert it: iconv -f latin1 -t utf-8 {path}")


def _report(root: Path, result, fmt: str) -> None:
    diags = sort_diagnostics(result.diagnostics)
    if fmt == "json":
        say(format_json(diags), nl=False)
        return
    if fmt == "github":
        say(format_github(diags), nl=False, err=True)
    else:
        say(format_text(diags, SourceLines(root, result.texts)), nl=False, err=True)
    if diags:
        say(summary(diags), err=True)

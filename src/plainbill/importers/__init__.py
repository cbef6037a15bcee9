"""`plainbill import FORMAT FILE...`: time tracked in other tools, appended to the ledger.

One module per tool behind one interface, `read(path, text, date_format) ->
(records, diagnostics)`: toggl, clockify, harvest, kimai (CSV) and timewarrior,
watson (JSON). The stages, all in memory before anything is written:

    read the exports          -> Records, or located `import-file` / `import-value` errors
    map their names           -> slugs (imports/<tool>.yaml), or `unmapped-name` errors
    make ledger lines         -> skip the ids the book holds; `import-changed` for edited ones
    check the book with them  -> the new lines must check like any other
    write (or print, --dry-run)

Any error: nothing is written, exit 1. docs/import.md is the user's page.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, error, has_errors, warning
from . import clockify, harvest, kimai, timewarrior, toggl, watson

FORMATS = {m.NAME: m for m in (toggl, clockify, harvest, kimai, timewarrior, watson)}


@dataclass
class Imported:
    """What an import found: the new lines per file, how many were there already, and
    every problem. `contents` holds the files' whole new text (empty after an error)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    lines: list = field(default_factory=list)
    contents: dict[str, str] = field(default_factory=dict)
    known: int = 0
    skipped: int = 0
    snippet: str = ""
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def import_files(root: Path, tool: str, exports: dict[str, str]) -> Imported:
    """Plan the import of `exports` ({shown path: text}) into the book at root; writes nothing."""
    from ..load import load_book
    from ..load.source import read_sources
    from .mapping import Unmapped, load_mapping, mapping_path

    module = FORMATS[tool]
    result = Imported(texts=dict(exports))
    loaded = load_book(root)
    book = loaded.book
    data, problems = read_sources(root, [mapping_path(tool)]) \
        if os.path.lexists(Path(root) / mapping_path(tool)) else ({}, [])
    result.diagnostics += problems
    mapping = load_mapping(tool, data.get(mapping_path(tool)), book.settings, book.clients, result.diagnostics)
    if has_errors(result.diagnostics):
        return result
    records = []
    for path, text in exports.items():
        found, diags = module.read(path, text, mapping.date_format)
        records += found
        result.diagnostics += diags
    if has_errors(result.diagnostics):
        return result
    tag_targets = tool in ("timewarrior", "watson")
    unmapped = Unmapped(tag_targets=tag_targets)
    from .mapping import resolve
    resolved = [(r, resolve(r, mapping, unmapped, tag_targets)) for r in records]
    if unmapped.seen:
        result.diagnostics += unmapped.diagnostics(mapping, book.settings, book.clients)
        result.snippet = unmapped.snippet(book.settings, book.clients)
        return result
    _lines(root, tool, module.TITLE, resolved, mapping.timezone or book.settings.timezone, book, result)
    if result.ok and result.lines:
        _check_new_lines(root, result)
    if not result.ok:
        result.contents = {}
    return result


def _lines(root: Path, tool: str, title: str, resolved, tz_name: str, book, result: Imported) -> None:
    from .common import Malformed
    from .ledgerout import imported_ids, new_contents, normal, to_line
    from .zones import zone

    tz = zone(tz_name)
    known = imported_ids(book.entries)
    taken: dict[str, object] = {}
    for record, names in resolved:
        try:
            line = to_line(tool, title, record, names, tz)
        except Malformed as exc:
            result.diagnostics.append(error("import-value", record.ref_of("duration"), exc.message, exc.hint))
            continue
        if line is None:
            result.skipped += 1
            result.diagnostics.append(warning("import-skipped", record.ref, "the entry lasts less than half a "
                                              "minute: nothing to bill, not imported",
                                              "delete it in the tool if it was started by mistake"))
            continue
        source = line.source
        old = known.get(source) or taken.get(source)
        if old is None:
            taken[source] = line
            result.lines.append(line)
        elif normal(getattr(old, "text", "")) == normal(line.text):
            result.known += 1
        else:
            result.diagnostics.append(_changed(record, old, line))
    if result.ok:
        result.contents = new_contents(Path(root), result.lines)


def _changed(record, old, line) -> Diagnostic:
    where = getattr(old, "ref", None) or getattr(old, "record").ref
    return warning("import-changed", record.ref,
                   f"entry `{line.source}` was imported before and has changed since; "
                   f"not imported again: now it reads `{line.text}`",
                   "edit the ledger line by hand if the change is right (an issued invoice needs a "
                   "credit note), or leave it as it is", related=(where,))


def _check_new_lines(root: Path, result: Imported) -> None:
    """The book with the new lines, checked in memory: a problem on a new line (an activity
    the client's contract refuses, a duplicate) stops the import, located in the export."""
    from ..load.source import discover, read_sources
    from ..pipeline import check_files

    paths, _ = discover(Path(root))
    files, _ = read_sources(Path(root), paths)
    files.update({p: t.encode("utf-8") for p, t in result.contents.items()})
    by_place = {}
    for path, text in result.contents.items():
        lines = text.split("\n")
        for line in result.lines:
            if line.path == path:
                by_place[(path, lines.index(line.text) + 1)] = line
    for d in check_files(files, str(root)).diagnostics:
        line = by_place.get((d.ref.path, d.ref.line))
        if line is not None and d.severity.value == "error":
            result.diagnostics.append(error(d.code, line.record.ref, f"{d.message} (in the line it would "
                                            f"become: `{line.text}`)", d.hint))

"""Load a book: discover its files, read settings, clients and ledgers into records.

    load_book(root)            a book on disk
    load_files({path: text})   an in-memory book (tests, docs examples, `plainbill diff`)
    entries_of(book, clients)  the entries of some clients, without building the others

Both return a LoadResult whose `book` is always a Book (a LoadedBook: its entries
are built when first asked for); a record with an error is left out and the rest is
loaded, so every problem of the book is reported in one run. Which files are read,
and how safely, is load/source.py's business (discover, read_sources). Every record carries the SourceRef (path relative to the root, 1-based
line and column) of the text it was read from.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ..confine import name_is_safe
from ..diagnostics import Diagnostic, Severity, SourceRef, error, warning
from ..model import Client, Party, Settings
from .book import LoadedBook, entries_of
from .parsing import LedgerFile, parse_files
from .clients import client_slug, load_client
from .settings import load_settings
from .source import INPUT_PARTS, decode, discover, file_name_error, is_source_path, read_sources

__all__ = ["LoadResult", "LoadedBook", "entries_of", "load_book", "load_files"]

SETTINGS_PATH = "plainbill.yaml"
YAML_EXT = (".yaml", ".yml")
BIG_BOOK = 50_000   # entries; above this the loaded records are frozen out of the GC


@dataclass
class LoadResult:
    book: LoadedBook
    diagnostics: list[Diagnostic] = field(default_factory=list)


def load_book(root: Path) -> LoadResult:
    """Load the book at `root` (a folder). What cannot be listed or read safely (source.discover,
    source.read_sources) is an error diagnostic, so a book that was not read whole is never billed."""
    root = Path(root)
    # templates/ is listed too (not read: rendering reads it), so a template that links out
    # of the book or has a name that cannot be printed stops `check`, not `build` halfway
    paths, diags = discover(root, (*INPUT_PARTS, "templates"))
    files, unread = read_sources(root, [p for p in paths if is_source_path(p, INPUT_PARTS)])
    diags += unread
    result = _load(files, str(root))
    if any(d.ref.path == SETTINGS_PATH for d in diags):   # already said why it was not read
        result.diagnostics = [d for d in result.diagnostics if d.code != "missing-file"]
    result.diagnostics[:0] = diags
    return result


def load_files(files: Mapping[str, bytes | str], root: str = ".") -> LoadResult:
    """Load an in-memory book keyed by relative path ("plainbill.yaml", "ledger/2026/11.txt").

    Only the paths `discover` would list are kept (source.is_source_path), and a name that
    cannot be printed safely is a `file-name` error, as on disk. The problems a
    source.SourceTree carries (links of a git revision not followed) are reported too."""
    kept = {p: d for p, d in files.items() if is_source_path(p, INPUT_PARTS)}
    diags = [d for d in getattr(files, "problems", ()) if is_source_path(d.ref.path)]   # a SourceTree's
    diags += [file_name_error(p) for p in kept if not name_is_safe(p)]
    kept = {p: d for p, d in kept.items() if name_is_safe(p)}
    ordered = dict(sorted(kept.items(), key=lambda kv: kv[0].encode("utf-8")))
    result = _load(ordered, root)
    result.diagnostics[:0] = diags
    return result


def _load(files: dict[str, bytes | str], root: str) -> LoadResult:
    """Settings, clients and entries; the cyclic garbage collector is paused meanwhile.

    A big book is a million new objects, none of them garbage: every automatic collection
    would walk them all again (seconds, for nothing). Afterwards they are frozen out of
    the collector's sight (gc.freeze, for big books), so later collections skip them too.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        result = _load_all(files, root)
        if sum(f.facts.rows for f in result.book.ledgers) > BIG_BOOK:
            gc.freeze()
        return result
    finally:
        if paused:
            gc.enable()


def _load_all(files: dict[str, bytes | str], root: str) -> LoadResult:
    diags: list[Diagnostic] = []
    sources, ignored = _ledger_sources(files)
    parsing = parse_files(sources)
    settings = _settings(files, diags)
    clients = _clients(files, settings, diags)
    diags += ignored
    diags += _mappings(files, settings, clients)
    ledgers = _ledgers(parsing, diags)
    return LoadResult(LoadedBook.of(root, settings, clients, ledgers), diags)


def _settings(files: dict, diags: list[Diagnostic]) -> Settings:
    if SETTINGS_PATH not in files:
        diags.append(error("missing-file", SourceRef(SETTINGS_PATH), "the book has no plainbill.yaml",
                           "create it (`plainbill init` writes a starting one)"))
        return Settings(issuer=Party(name=""))
    src = decode(SETTINGS_PATH, files[SETTINGS_PATH])
    diags += src.diagnostics
    return load_settings(src, diags)


def _clients(files: dict, settings: Settings, diags: list[Diagnostic]) -> tuple[Client, ...]:
    out: dict[str, Client] = {}
    for path, data in files.items():
        if not path.startswith("clients/"):
            continue
        if not path.endswith(YAML_EXT) or path.count("/") != 1:
            diags.append(_ignored(path, "client files are clients/<slug>.yaml"))
            continue
        slug = client_slug(path)
        if slug in out:
            diags.append(error("duplicate-id", SourceRef(path), f"client `{slug}` is defined twice",
                               "keep one file per client", related=(out[slug].ref,)))
            continue
        src = decode(path, data)
        diags += src.diagnostics
        out[slug] = load_client(src, diags, settings)
    return tuple(out.values())


def _mappings(files: dict, settings: Settings, clients) -> list[Diagnostic]:
    """imports/<tool>.yaml, the mapping files of `plainbill import` (importers/mapping.py)."""
    if not any(p.startswith("imports/") for p in files):
        return []
    from ..importers.mapping import check_mapping_files
    return check_mapping_files(files, settings, clients)


def _ledger_sources(files: dict) -> tuple[list[tuple[str, bytes | str]], list[Diagnostic]]:
    ledgers, ignored = [], []
    for path, data in files.items():
        if not path.startswith("ledger/"):
            continue
        if path.endswith(".txt") or path.endswith(YAML_EXT):
            ledgers.append((path, data))
        else:
            ignored.append(_ignored(path, "ledger files end in .txt or .yaml"))
    return ledgers, ignored


def _ledgers(parsing, diags: list[Diagnostic]) -> list[LedgerFile]:
    out = []
    severity = {"error": Severity.ERROR, "warning": Severity.WARNING}
    for f in parsing:
        out.append(f)
        for code, sev, line, col, message, hint in f.problems:
            diags.append(Diagnostic(code, severity[sev], SourceRef(f.path, line, col), message, hint))
    return out


def _ignored(path: str, why: str) -> Diagnostic:
    return warning("ignored-file", SourceRef(path, 1, 1), "this file is not read", f"{why}; move or rename it")

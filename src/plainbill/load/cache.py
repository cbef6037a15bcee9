"""Parsed ledger files, cached by content hash and computed in parallel when big.

A ledger file's parse (rows, diagnostics, and the facts the checks need, see
facts.py) depends only on its bytes, so it is stored under
`<cache>/<sha256 of the bytes>.m`: a small head, marshal of (facts, diagnostics),
then the rows (columns.py). Loading a book reads only the heads; the rows are
read when something asks for Entry records (`LedgerFile.entries`). The cache
folder is never among the sources: by default `<book>/build/.cache/ledger`, or
$PLAINBILL_CACHE. A cache that cannot be read or written is silently ignored:
it only ever saves time.

Files missing from the cache are parsed by two worker processes when there is
enough text to repay starting them (the machine has two cores); a worker writes
the cache file itself and sends back only the head, so the rows never cross the
process boundary (unless there is no cache to put them in).
"""
from __future__ import annotations

import hashlib
import marshal
import os
import struct
import time
from pathlib import Path

from .columns import Parsed, merged, parse_columns, to_rows
from .entries import build_entries
from .facts import file_facts
from .ledger import _State
from .source import decode
from .yamlledger import parse_yaml_ledger

VERSION = b"plainbill-ledger-8"   # bump whenever parse output changes (so does any edit of _code's modules)
MAGIC = b"PBL7"
PARALLEL_BYTES = 4_000_000     # below this, forking costs more than it saves
WORKERS = 2
PRUNE_AFTER = 24 * 3600        # seconds a cache file unused by the book is kept
_HEAD = struct.Struct("<4sQ")


def default_cache_dir(root: Path) -> Path:
    env = os.environ.get("PLAINBILL_CACHE")
    return Path(env) if env else root / "build" / ".cache" / "ledger"


_MEMO = _State()   # tokens seen valid, shared by the files parsed in this process


def parse_file(path: str, data: bytes | str) -> Parsed:
    """The parse of one ledger file, decoding problems first among its diagnostics."""
    src = decode(path, data)
    if path.endswith(".txt"):
        parsed = parse_columns(src.text, _MEMO)
    else:
        rows, diags = parse_yaml_ledger(src)
        parsed = Parsed([], rows, diags)
    head = [(d.code, d.severity.value, d.ref.line, d.ref.col, d.message, d.hint) for d in src.diagnostics]
    return parsed._replace(problems=head + parsed.problems) if head else parsed


class LedgerFile:
    """One ledger file of a loaded book: facts and diagnostics at once, rows on demand."""

    __slots__ = ("path", "facts", "problems", "_parsed", "_target", "_data")

    def __init__(self, path: str, facts: tuple, problems: list, parsed: Parsed | None, target: str | None, data):
        self.path, self.facts, self.problems = path, facts, problems
        self._parsed, self._target, self._data = parsed, target, data

    def parsed(self) -> Parsed:
        if self._parsed is not None:
            return self._parsed
        found = _read_body(self._target) if self._target else None
        return Parsed(*found, self.problems) if found is not None else parse_file(self.path, self._data)

    def rows(self) -> list[tuple]:
        """Fast and full rows (columns.py) in line order."""
        return merged(self.parsed())

    def entries(self, out: list, keep: bool = True) -> None:
        """Append the file's Entry records to `out`; keep=False lets go of rows held in memory
        when they can be read again from the cache."""
        build_entries(self.path, self.rows(), out)
        if not keep and self._target:
            self._parsed = None

    def __eq__(self, other) -> bool:
        """Same path, facts, diagnostics and rows (which rows are fast depends on the memos)."""
        return isinstance(other, LedgerFile) and (self.path, self.facts, self.problems) == \
            (other.path, other.facts, other.problems) and to_rows(self.parsed()) == to_rows(other.parsed())

    def __repr__(self) -> str:
        return f"LedgerFile({self.path!r}, {self.facts[0]} rows)"


def _code() -> bytes:
    """A digest of the modules whose output is cached: editing one of them is a new version."""
    global _CODE
    if _CODE is None:
        h = hashlib.sha256(VERSION)
        here = Path(__file__).parent
        for name in ("cache", "columns", "facts", "ledger", "yamlledger", "yamlnodes", "source", "../money"):
            try:
                h.update((here / f"{name}.py").read_bytes())
            except OSError:   # e.g. a zipped install: the version alone then
                pass
        _CODE = h.digest()
    return _CODE


_CODE: bytes | None = None


def _key(path: str, data: bytes) -> str:
    """SHA-256 of the code, the kind and the bytes (twice blake2b's speed here: SHA-NI)."""
    h = hashlib.sha256(_code() + (b"txt" if path.endswith(".txt") else b"yaml"))
    h.update(data)
    return h.hexdigest()[:40]


def _digest(path: str, data, target: str | None) -> tuple[tuple, list, Parsed, bool]:
    """(facts, diagnostics, parse, stored in the cache)."""
    parsed = parse_file(path, data)
    facts = file_facts(parsed)
    stored = bool(target) and _store(target, facts, parsed)
    return facts, parsed.problems, parsed, stored


def _work(item: tuple[str, bytes, str | None]) -> bytes:
    facts, problems, parsed, stored = _digest(*item)
    return marshal.dumps((facts, problems, None if stored else tuple(parsed)))


def _store(target: str, facts: tuple, parsed: Parsed) -> bool:
    try:
        head = marshal.dumps((facts, parsed.problems))
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(_HEAD.pack(MAGIC, len(head)))
            fh.write(head)
            fh.write(marshal.dumps((parsed.fast, parsed.full)))
        os.replace(tmp, target)   # atomic: a concurrent reader sees all or nothing
        return True
    except OSError:
        return False


def _read_head(target: str) -> tuple | None:
    try:
        with open(target, "rb") as fh:
            magic, size = _HEAD.unpack(fh.read(_HEAD.size))
            head = fh.read(size)
        if magic != MAGIC or len(head) != size:
            return None
        facts, problems = marshal.loads(head)
        os.utime(target)   # recently used: safe from pruning
        return facts, problems
    except (OSError, EOFError, ValueError, TypeError, struct.error):
        return None   # missing or damaged: parse again


def _read_body(target: str) -> tuple[list, list] | None:
    """(fast rows, full rows) of a cache file (its head was read by _read_head)."""
    try:
        with open(target, "rb") as fh:
            magic, size = _HEAD.unpack(fh.read(_HEAD.size))
            fh.seek(size, os.SEEK_CUR)
            fast, full = marshal.loads(fh.read())
        return (fast, full) if magic == MAGIC else None
    except (OSError, EOFError, ValueError, TypeError, struct.error):
        return None


def parse_files(files: list[tuple[str, bytes | str]], cache: Path | None, prune: bool = False):
    """An iterator of a LedgerFile for every file, in the order given. Worker processes, if
    any, start at once (before the first file is asked for).

    With `prune`, cache files this book no longer uses (older versions of edited files)
    are removed.
    """
    cache = _usable(cache)
    targets = [str(cache / (_key(p, d) + ".m")) if cache and not isinstance(d, str) else None for p, d in files]
    heads = [_read_head(t) if t else None for t in targets]
    todo = [i for i, h in enumerate(heads) if h is None]
    size = sum(len(files[i][1]) for i in todo)
    pool = _start(files, targets, todo) if len(todo) > 1 and size >= PARALLEL_BYTES else None
    return _results(files, targets, heads, pool, cache if prune else None)


def _results(files, targets, heads, pool, prune: Path | None):
    try:
        for i, (path, data) in enumerate(files):
            yield _ledger_file(i, path, data, targets[i], heads[i], pool)
    finally:
        if pool:
            pool[0].shutdown(cancel_futures=True)
            global _JOBS
            _JOBS = ((), ())
    if prune:
        _prune(prune, {Path(t).name for t in targets if t})


def _ledger_file(i: int, path: str, data, target: str | None, head, pool) -> LedgerFile:
    if head is not None:
        return LedgerFile(path, head[0], head[1], None, target, data)
    if pool and i in pool[1]:
        facts, problems, parsed = marshal.loads(pool[1].pop(i).result())
        return LedgerFile(path, facts, problems, Parsed(*parsed) if parsed else None, target, data)
    facts, problems, parsed, _ = _digest(path, data, target)
    return LedgerFile(path, facts, problems, parsed, target, data)


def _usable(cache: Path | None) -> Path | None:
    if cache is None:
        return None
    try:
        cache.mkdir(parents=True, exist_ok=True)
        return cache
    except OSError:
        return None


def _start(files, targets, todo):
    """(executor, {index: future}) parsing the files at `todo` in worker processes.

    Forked workers find the files in their copy of _JOBS (set before they start), so the
    bytes are not pickled through a pipe; elsewhere they are sent with the task."""
    import multiprocessing   # here: most loads never start a worker
    from concurrent.futures import ProcessPoolExecutor

    global _JOBS
    if hasattr(os, "fork"):
        _JOBS = (files, targets)
        pool = ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("fork"))
        return pool, {i: pool.submit(_work_at, i) for i in todo}
    pool = ProcessPoolExecutor(max_workers=WORKERS)
    return pool, {i: pool.submit(_work, (files[i][0], files[i][1], targets[i])) for i in todo}


_JOBS: tuple = ((), ())


def _work_at(i: int) -> bytes:
    return _work((_JOBS[0][i][0], _JOBS[0][i][1], _JOBS[1][i]))


def _prune(cache: Path, keep: set[str]) -> None:
    """Remove cache files not used by this load nor by any other for a day (`plainbill diff`
    parses other revisions through the same cache: their files stay while in use)."""
    stale = time.time() - PRUNE_AFTER
    try:
        for entry in os.scandir(cache):
            if entry.name.endswith(".m") and entry.name not in keep and entry.stat().st_mtime < stale:
                os.unlink(entry.path)
    except OSError:
        pass

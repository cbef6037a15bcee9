"""Parsed ledger files, cached by content hash and computed in parallel when big.

A ledger file's parse (rows and diagnostics, see ledger.py) depends only on its
bytes, so it is stored under `<cache>/<blake2b of the bytes>.m` as `marshal`
data (plain tuples: the fastest format Python reads). The cache folder is
never among the sources: by default `<book>/build/.cache/ledger`, or
$PLAINBILL_CACHE. A cache that cannot be read or written is silently ignored:
it only ever saves time.

Files missing from the cache are parsed by two worker processes when there is
enough text to repay starting them (the machine has two cores); results come
back as marshal bytes, which cross the process boundary far faster than
pickled records.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .ledger import _State, parse_ledger
from .source import decode
from .yamlledger import parse_yaml_ledger

VERSION = b"plainbill-ledger-6"   # bump whenever parse output changes
PARALLEL_BYTES = 4_000_000     # below this, forking costs more than it saves
WORKERS = 2
PRUNE_AFTER = 24 * 3600        # seconds a cache file unused by the book is kept


def default_cache_dir(root: Path) -> Path:
    env = os.environ.get("PLAINBILL_CACHE")
    return Path(env) if env else root / "build" / ".cache" / "ledger"


_MEMO = _State()   # tokens seen valid, shared by the files parsed in this process


def parse_file(path: str, data: bytes | str) -> tuple[list, list]:
    """(rows, diagnostic tuples) of one ledger file, decoding problems included."""
    src = decode(path, data)
    if path.endswith(".txt"):
        rows, diags = parse_ledger(src.text, _MEMO)
    else:
        rows, diags = parse_yaml_ledger(src)
    head = [(d.code, d.severity.value, d.ref.line, d.ref.col, d.message, d.hint) for d in src.diagnostics]
    return rows, head + diags


def _key(path: str, data: bytes) -> str:
    kind = b"txt" if path.endswith(".txt") else b"yaml"
    return hashlib.blake2b(data, digest_size=20, key=VERSION + kind).hexdigest()


def _work(item: tuple[str, bytes, str | None]) -> bytes:
    path, data, target = item
    blob = marshal.dumps(parse_file(path, data))
    if target:
        _store(target, blob)
    return blob


def _store(target: str, blob: bytes) -> None:
    try:
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, target)   # atomic: a concurrent reader sees all or nothing
    except OSError:
        pass


def parse_files(files: list[tuple[str, bytes | str]], cache: Path | None, prune: bool = False):
    """Yield (path, rows, diagnostic tuples) for every file, in the order given.

    Cached results are read one file at a time, as the caller consumes them, so only one
    file's rows are in memory besides the records built from them. With `prune`, cache
    files this book no longer uses (older versions of edited files) are removed.
    """
    cache = _usable(cache)
    targets = [str(cache / (_key(p, d) + ".m")) if cache and not isinstance(d, str) else None for p, d in files]
    todo = [i for i, t in enumerate(targets) if t is None or not os.path.exists(t)]
    size = sum(len(files[i][1]) for i in todo)
    pool = _start(files, targets, todo) if len(todo) > 1 and size >= PARALLEL_BYTES else None
    try:
        for i, (path, data) in enumerate(files):
            yield (path, *_result(i, path, data, targets[i], pool))
    finally:
        if pool:
            pool[0].shutdown(cancel_futures=True)
    if prune and cache:
        _prune(cache, {Path(t).name for t in targets if t})


def _usable(cache: Path | None) -> Path | None:
    if cache is None:
        return None
    try:
        cache.mkdir(parents=True, exist_ok=True)
        return cache
    except OSError:
        return None


def _result(i: int, path: str, data, target: str | None, pool) -> tuple:
    if pool and i in pool[1]:
        return marshal.loads(pool[1].pop(i).result())
    if target:
        try:
            with open(target, "rb") as fh:
                result = marshal.loads(fh.read())
            os.utime(target)   # recently used: safe from pruning
            return result
        except (OSError, EOFError, ValueError, TypeError):
            pass   # missing or damaged: parse again
    result = parse_file(path, data)
    if target:
        _store(target, marshal.dumps(result))
    return result


def _start(files, targets, todo):
    """(executor, {index: future}) parsing the files at `todo` in worker processes."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    pool = ProcessPoolExecutor(max_workers=WORKERS, mp_context=ctx)
    return pool, {i: pool.submit(_work, (files[i][0], files[i][1], targets[i])) for i in todo}


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

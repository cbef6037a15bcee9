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
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .ledger import _State, parse_ledger
from .source import decode
from .yamlledger import parse_yaml_ledger

VERSION = b"plainbill-ledger-6"   # bump whenever parse output changes
PARALLEL_BYTES = 4_000_000     # below this, forking costs more than it saves
WORKERS = 2


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


def parse_files(files: list[tuple[str, bytes | str]], cache: Path | None):
    """Yield (path, rows, diagnostic tuples) for every file, in the order given."""
    targets: list[str | None] = [None] * len(files)
    results: list[tuple | None] = [None] * len(files)
    if cache is not None:
        try:
            cache.mkdir(parents=True, exist_ok=True)
        except OSError:
            cache = None
    for i, (path, data) in enumerate(files):
        if cache is None or isinstance(data, str):
            continue
        targets[i] = str(cache / (_key(path, data) + ".m"))
        try:
            with open(targets[i], "rb") as fh:
                results[i] = marshal.loads(fh.read())
        except (OSError, EOFError, ValueError, TypeError):
            pass
    todo = [i for i, r in enumerate(results) if r is None]
    size = sum(len(files[i][1]) for i in todo)
    if len(todo) > 1 and size >= PARALLEL_BYTES:
        yield from _parallel(files, targets, results, todo)
        return
    for i, (path, data) in enumerate(files):
        if results[i] is None:
            results[i] = parse_file(path, data)
            if targets[i]:
                _store(targets[i], marshal.dumps(results[i]))
        yield (path, *results[i])
        results[i] = None   # let memory go as soon as the caller has built its records


def _parallel(files, targets, results, todo):
    import multiprocessing

    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=ctx) as pool:
        futures = {i: pool.submit(_work, (files[i][0], files[i][1], targets[i])) for i in todo}
        for i, (path, _) in enumerate(files):
            if results[i] is None:
                results[i] = marshal.loads(futures.pop(i).result())
            yield (path, *results[i])
            results[i] = None

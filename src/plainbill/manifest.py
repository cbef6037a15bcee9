"""build/manifest.json: what the last build wrote, read back without trusting it.

Per invoice the manifest records `key` (output.py: the fingerprint of the
invoice's canonical JSON, of what else its page shows, of the templates and the
flags), `row` (what index.html shows) and `files`, the SHA-256 and size of every
file written for it; `files` at the top holds index.html and the assets. An
invoice is reported unchanged only when its key matches and every recorded file
on disk has the recorded hash (`files_ok` reads and hashes each one).

`build` records the whole build's input key (`input_key`: every input file, the
options, the one fingerprint) and the diagnostics it printed, as plain values:
when the next build's inputs give the same key and every recorded file checks,
`recorded_build` gives them back and nothing is loaded.

The manifest is read as JSON only and checked field by field; a damaged one, or
one naming a path that leaves the output folder (`../plainbill.yaml`, `/etc/x`,
a link out), is ignored whole. It is written last, to a temporary file flushed
and renamed over the old one: a build killed at any point leaves the previous
manifest, whose hashes then fail where files changed.
"""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .diagnostics import Diagnostic, Severity, SourceRef
from .fingerprint import fingerprint

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2


def confined(out_dir: Path, rel) -> bool:
    """Whether `rel` names a file inside the output folder (resolved: no `..`, no link out)."""
    if not isinstance(rel, str) or not rel or rel.startswith("/") or "\\" in rel or "\0" in rel:
        return False
    if any(p in ("", ".", "..") for p in rel.split("/")) or rel == MANIFEST:
        return False
    try:
        (out_dir / rel).resolve().relative_to(out_dir)
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def files_ok(out_dir: Path, files: dict) -> bool:
    """Every recorded file on disk with the recorded size and SHA-256 (read and hashed)."""
    return bool(files) and all(_file_ok(out_dir, rel, sha, size) for rel, (sha, size) in files.items())


def all_files_ok(out_dir: Path, groups: list[dict]) -> bool:
    """files_ok for every group (each non-empty), the files read and hashed on two threads:
    reading and hashlib release the GIL, so a big build's 640 MB take half the time."""
    if not all(groups):
        return False
    todo = [(rel, sha, size) for files in groups for rel, (sha, size) in files.items()]
    with ThreadPoolExecutor(2) as pool:
        return all(pool.map(lambda f: _file_ok(out_dir, *f), todo, chunksize=64))


def _file_ok(out_dir: Path, rel: str, sha: str, size: int) -> bool:
    try:
        with open(out_dir / rel, "rb") as fh:
            data = fh.read(size + 1)
    except OSError:
        return False
    return len(data) == size and _sha(data) == sha


def listed(manifest: dict) -> set[str]:
    listed = set(manifest["files"])
    for entry in manifest["invoices"].values():
        listed.update(entry["files"])
    return listed



def empty_manifest() -> dict:
    return {"version": MANIFEST_VERSION, "invoices": {}, "files": {}}


def load_manifest(out_dir: Path) -> dict:
    """The last build's manifest, checked field by field; an empty one when it is missing,
    damaged, of another format, or names a path outside the output folder."""
    out_dir = Path(out_dir).resolve()
    try:
        data = json.loads((out_dir / MANIFEST).read_bytes())
        if _valid(out_dir, data):
            return data
    except (OSError, ValueError, TypeError, AttributeError, RecursionError):
        pass
    return empty_manifest()


def _valid(out_dir: Path, data) -> bool:
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return False
    invoices, files = data.get("invoices"), data.get("files")
    if not isinstance(invoices, dict) or not isinstance(files, dict) or not _valid_files(out_dir, files):
        return False
    for entry in invoices.values():
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) \
                or not isinstance(entry.get("row"), dict) or not _valid_files(out_dir, entry.get("files")):
            return False
    build = data.get("build", {"key": "", "diagnostics": []})
    return isinstance(build, dict) and isinstance(build.get("key"), str) and isinstance(build.get("diagnostics"), list)


def _valid_files(out_dir: Path, files) -> bool:
    return isinstance(files, dict) and all(
        confined(out_dir, rel) and isinstance(v, list) and len(v) == 2 and isinstance(v[0], str)
        and type(v[1]) is int and v[1] >= 0 for rel, v in files.items())


def save_manifest(out_dir: Path, manifest: dict) -> bool:
    """Written last, atomically (a temporary file flushed to disk, then renamed over the old
    one), unless it holds these bytes already; True when written."""
    # compact: with an indent, json falls back to its pure-Python encoder (10x slower)
    data = (json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    path = out_dir / MANIFEST
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    tmp = path.with_name(f".{MANIFEST}.tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return True


# ---------------------------------------------------------------- the whole-build record


def input_key(root: Path, options: dict) -> str | None:
    """The fingerprint of everything a build reads: every source file, listed and read exactly
    as the loader and the register list and read them (load.source.discover and read_sources:
    settings, clients, ledgers, templates, the issued register), by path and bytes; and the
    options. None, so that the build runs in full and reports it, when anything could not be
    listed or read, or when an interrupted `issue` left its journal or temp files."""
    from .load.source import discover, read_sources
    from .register.journal import JOURNAL, is_temp

    root = Path(root)
    try:
        rels, problems = discover(root)   # plainbill.yaml, clients/, ledger/, templates/, issued/
        if problems or any(rel == JOURNAL or is_temp(rel) for rel in _walk(root, "issued")):
            return None
        files, unread = read_sources(root, rels)
    except (OSError, ValueError):
        return None
    if unread:
        return None
    parts = [json.dumps(options, sort_keys=True, default=str)]
    for rel in rels:
        parts += [rel, files[rel]]
    return fingerprint(*parts)


def _walk(root: Path, top: str) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root / top, followlinks=False):
        dirnames.sort()
        rel = Path(dirpath).relative_to(root).as_posix()
        found += [f"{rel}/{f}" for f in sorted(filenames)]
    return found


def recorded_build(out_dir: Path, key: str | None) -> tuple[int, list[Diagnostic]] | None:
    """(how many invoices, the diagnostics it reported) of the last complete build, when it had
    this input key and every file it recorded is on disk with its hash; else None."""
    if not key:
        return None
    out_dir = Path(out_dir).resolve()
    old = load_manifest(out_dir)
    build = old.get("build")
    if not build or build["key"] != key or not old["invoices"] and not old["files"]:
        return None
    groups = [e["files"] for e in old["invoices"].values()] + ([old["files"]] if old["files"] else [])
    if not all_files_ok(out_dir, groups):
        return None
    try:
        return len(old["invoices"]), [diagnostic_of(d) for d in build["diagnostics"]]
    except (KeyError, TypeError, ValueError):
        return None


def build_record(key: str, diagnostics: list[Diagnostic]) -> dict:
    """The manifest's `build`: the input key and the diagnostics, as plain values."""
    return {"key": key, "diagnostics": [_diag_dict(d) for d in diagnostics]}


def _diag_dict(d: Diagnostic) -> dict:
    return {"code": d.code, "severity": d.severity.value, "ref": [d.ref.path, d.ref.line, d.ref.col],
            "message": d.message, "hint": d.hint, "related": [[r.path, r.line, r.col] for r in d.related]}


def diagnostic_of(d: dict) -> Diagnostic:
    def ref(r) -> SourceRef:
        path, line, col = r
        if not isinstance(path, str) or type(line) is not int or type(col) is not int:
            raise TypeError("not a place")
        return SourceRef(path, line, col)

    for name in ("code", "message", "hint"):
        if not isinstance(d[name], str):
            raise TypeError(name)
    return Diagnostic(d["code"], Severity(d["severity"]), ref(d["ref"]), d["message"], d["hint"],
                      tuple(ref(r) for r in d["related"]))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

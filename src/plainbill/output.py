"""Writing build/: plan every file, render only what changed, write only what differs.

`write_build` is the last stage of the pipeline. For each invoice it writes
`invoices/<id>.json` (the canonical form), `<id>.html` and `<id>.pdf`; then
`index.html`, the shared `assets/` (CSS, fonts) and, last, `manifest.json`.

The manifest makes builds incremental, and nothing in it is trusted blindly:
- per invoice it records `key`, the fingerprint (fingerprint.py: plainbill's files,
  the output-shaping libraries' versions) of its canonical JSON's SHA-256, of
  everything else its page shows (client context, templates) and of the flags;
  and the SHA-256 and size of every file written for it. An invoice is reported
  unchanged, and not rendered, only when its key matches and every recorded file
  on disk has the recorded hash (each file is read and hashed);
- `build` is the whole build's input key (see `input_key`) and the diagnostics it
  printed: when the next build's inputs give the same key and every file checks,
  it prints them again and stops there (`unchanged_build`), nothing loaded.

The manifest is read as JSON only, checked field by field; a damaged one, or one
listing a path that leaves the output folder (`../plainbill.yaml`, `/etc/x`, a
link out), is ignored whole: the build is then a clean one. It is written last,
to a temporary file renamed over the old one: a build killed at any point leaves
the previous manifest, whose hashes no longer match what changed on disk.
Outputs of invoices that no longer exist are removed (not in a partial build).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Severity, SourceRef
from .fingerprint import code_fingerprint, fingerprint
from .invoice import Invoice
from .model import Book
from .render.parallel import RenderTask, render_tasks

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2
INDEX = "index.html"
BOOK_PARTS = ("plainbill.yaml", "clients", "ledger", "issued", "templates")   # what an output folder must not hold
_TEMP = re.compile(r"^\..+\.tmp\d+$")     # a temporary file of ours, left by a killed build


class OutputError(Exception):
    """The output folder cannot be used or written: a one-line message (exit 2)."""


@dataclass
class BuildStats:
    out_dir: Path
    root: Path = Path(".")       # the book: diagnostics quote its template lines
    invoices: int = 0
    rendered: int = 0
    unchanged: int = 0
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.diagnostics

    def summary(self) -> str:
        return (
            f"build: {self.invoices} invoice{'s' * (self.invoices != 1)} "
            f"({self.rendered} rendered, {self.unchanged} unchanged), {len(self.written)} file"
            f"{'s' * (len(self.written) != 1)} written, {len(self.removed)} removed, "
            f"in {self.seconds:.2f} s -> {self.out_dir}")


@dataclass
class _Plan:
    """What the build will do, decided before anything is rendered."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)   # id -> new manifest entry
    files: dict[str, bytes] = field(default_factory=dict)              # relpath -> bytes to write
    tasks: list[RenderTask] = field(default_factory=list)
    written: list[str] = field(default_factory=list)                   # JSON already written while planning
    unchanged: int = 0                                                 # invoices whose files all check


# ---------------------------------------------------------------- the output folder


def out_dir_problem(root: Path, out_dir: Path) -> str | None:
    """Why `out_dir` cannot be the output folder of the book at `root`, or None.

    An output folder that holds (or is held by) the book's sources is refused: the build
    writes and removes files there. A file in its place is refused too.
    """
    root, out = Path(root).resolve(), Path(out_dir).resolve()
    if out == root or out in root.parents:
        return f"{out_dir}: the output folder would hold the book itself; use e.g. --out {root / 'build'}"
    for part in BOOK_PARTS:
        source = root / part
        if out == source or source in out.parents or (out in source.parents):
            return f"{out_dir}: the output folder would hold the book's {part}; choose a folder of its own"
    if out.exists() and not out.is_dir():
        return f"{out_dir}: not a folder (a file is in its place); remove it or choose another --out"
    return None


def _confined(out_dir: Path, rel) -> bool:
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


# ---------------------------------------------------------------- the build


def write_build(book: Book, invoices: list[Invoice], out_dir: Path, *, render: bool = True, pdf: bool = True,
                jobs: int = 0, partial: bool = False, build_key: str = "",
                diagnostics: list[Diagnostic] = ()) -> BuildStats:
    """Write build/ for these invoices; see the module docstring. Never writes into the book.

    `build_key` and `diagnostics`: the build's input key and what it reported, recorded
    for `unchanged_build` (only when everything was written without a problem).
    Raises OutputError when the folder cannot be written.
    """
    try:
        return _write_build(book, invoices, Path(out_dir), render, pdf, jobs, partial, build_key, diagnostics)
    except OSError as exc:
        raise OutputError(f"{exc.filename or out_dir}: cannot write the output: {exc.strerror or exc}") from None


def _write_build(book, invoices, out_dir: Path, render, pdf, jobs, partial, build_key, diagnostics) -> BuildStats:
    from .render import template_set

    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    out_dir = out_dir.resolve()
    stats = BuildStats(out_dir, Path(book.root), invoices=len(invoices))
    _remove_temporaries(out_dir)
    old = load_manifest(out_dir)
    templates = template_set(Path(book.root))
    flags = json.dumps({"render": render, "pdf": render and pdf}, sort_keys=True)
    plan = _plan(book, invoices, old, out_dir, templates.key, flags, render and pdf if render else None)
    stats.rendered, stats.unchanged = len(plan.tasks), plan.unchanged
    if plan.tasks:
        stats.diagnostics += _collect(plan, render_tasks(plan.tasks, templates, out_dir, jobs))
        stats.rendered -= len(stats.diagnostics)   # a failed invoice is not rendered (and is tried again)
    new = _merge(old, plan.entries, partial)
    if render:
        _plan_index(book, templates, out_dir, old, new, plan, stats)
    stats.written = sorted(plan.written + _write(out_dir, plan.files))
    stats.removed = _remove_stale(out_dir, old, new)
    if stats.ok and build_key:
        new["build"] = {"key": build_key, "diagnostics": [_diag_dict(d) for d in diagnostics]}
    if _save_manifest(out_dir, new):
        stats.written.append(MANIFEST)
    stats.seconds = time.perf_counter() - started
    return stats


PARALLEL_ROWS = 40_000    # detail rows: below this, starting a second process costs more than it saves


def _plan(book: Book, invoices: list[Invoice], old: dict, out_dir: Path, templates_key: str,
          flags: str, pdf: bool | None) -> _Plan:
    """Each invoice's JSON written now (it needs no rendering: not held with every other
    invoice's until the end, 613 MB at 1M entries); its page planned for rendering unless
    its key matches the old manifest's and its files on disk check.

    For a big build the JSON is made in two processes (plainbill.parallel): forked, they
    have the invoices already, and send back only each one's hash, size and verdict.
    """
    from .parallel import run_parallel
    from .render.context import client_context, context_key

    plan = _Plan()
    order = sorted(invoices, key=lambda i: i.id)
    contexts: dict[tuple[str, str], tuple[dict, str]] = {}
    for inv in order:
        if (inv.client, inv.language) not in contexts:
            ctx = client_context(book, inv.client, inv.language)
            contexts[inv.client, inv.language] = (ctx, _sha(context_key(ctx).encode()))
    work = _JsonWork(out_dir, order, {k: h for k, (_, h) in contexts.items()}, old, templates_key, flags)
    big = sum(len(inv.entries) for inv in order) >= PARALLEL_ROWS
    for inv, (sha, size, key, same, written) in zip(order, run_parallel(work.one, range(len(order)),
                                                                          jobs=0 if big else 1)):
        rel = f"invoices/{inv.id}.json"
        if same:
            plan.entries[inv.id] = old["invoices"][inv.id]
            plan.unchanged += 1
            continue
        if written:
            plan.written.append(rel)
        plan.entries[inv.id] = {"key": key, "row": _row(inv), "files": {rel: [sha, size]}}
        if pdf is not None:
            plan.tasks.append(RenderTask(inv.id, inv, contexts[inv.client, inv.language][0], pdf))
    return plan


@dataclass
class _JsonWork:
    """One invoice's JSON: made, hashed, compared with the last build's, written if it differs."""

    out_dir: Path
    invoices: list[Invoice]
    context_hashes: dict[tuple[str, str], str]
    old: dict
    templates_key: str
    flags: str

    def one(self, i: int) -> tuple[str, int, str, bool, bool]:
        """(sha256, size, key, unchanged: key and files on disk match the last build's, written)."""
        inv = self.invoices[i]
        data = inv.to_json().encode()
        sha = _sha(data)
        key = fingerprint(sha, self.context_hashes[inv.client, inv.language], self.templates_key, self.flags)
        prev = self.old["invoices"].get(inv.id)
        if prev is not None and prev["key"] == key and files_ok(self.out_dir, prev["files"]):
            return sha, len(data), key, True, False
        return sha, len(data), key, False, _write_one(self.out_dir, f"invoices/{inv.id}.json", data)


def _collect(plan: _Plan, results) -> list[Diagnostic]:
    """Put rendered bytes into the plan; a failed invoice keeps its JSON and is retried next build."""
    diags: list[Diagnostic] = []
    for result in results:
        entry = plan.entries[result.id]
        if result.diagnostic is not None:
            diags.append(result.diagnostic)
            entry["key"] = ""
            continue
        _add_file(plan, entry, f"invoices/{result.id}.html", result.html)
        if result.pdf is not None:
            _add_file(plan, entry, f"invoices/{result.id}.pdf", result.pdf)
    return diags


def _add_file(plan: _Plan, entry: dict, rel: str, data: bytes) -> None:
    plan.files[rel] = data
    entry["files"][rel] = [_sha(data), len(data)]


def files_ok(out_dir: Path, files: dict) -> bool:
    """Every recorded file on disk with the recorded size and SHA-256 (read and hashed)."""
    for rel, (sha, size) in files.items():
        try:
            with open(out_dir / rel, "rb") as fh:
                data = fh.read(size + 1)
        except OSError:
            return False
        if len(data) != size or _sha(data) != sha:
            return False
    return bool(files)


def _row(inv: Invoice) -> dict[str, Any]:
    """What the index shows of an invoice, kept in the manifest so partial builds list everything."""
    return {
        "id": inv.id, "client": inv.client, "kind": inv.kind, "number": inv.number,
        "issue_date": inv.issue_date.isoformat() if inv.issue_date else "",
        "period_start": inv.period_start.isoformat(), "period_end": inv.period_end.isoformat(),
        "currency": inv.currency, "subtotal": str(inv.subtotal), "tax_total": str(inv.tax_total),
        "total": str(inv.total), "amount_due": str(inv.amount_due), "warnings": list(inv.warnings),
    }


def _merge(old: dict, entries: dict[str, dict], partial: bool) -> dict:
    """The new manifest: this build's invoices, plus (in a partial build) the others untouched."""
    invoices = dict(old["invoices"]) if partial else {}
    invoices.update(entries)
    return {"version": MANIFEST_VERSION, "invoices": dict(sorted(invoices.items())), "files": {}}


# ---------------------------------------------------------------- index and assets


def _plan_index(book: Book, templates, out_dir: Path, old: dict, new: dict, plan: _Plan, stats: BuildStats) -> None:
    """index.html (rendered again only when what it shows changed) and the shared assets."""
    kept = {}
    new["index_key"] = index_key = _index_key(book, templates.key, new)
    if old.get("index_key") == index_key and INDEX in old["files"] and files_ok(out_dir, {INDEX: old["files"][INDEX]}):
        kept = {INDEX: old["files"][INDEX]}    # the same rows, labels and template: the same page
    else:
        index, diags = _index(book, templates, out_dir, new)
        stats.diagnostics += diags
        if index is not None:
            plan.files[INDEX] = index
        else:
            new["index_key"] = ""
    for name, data in templates.assets.items():
        plan.files[f"assets/{name}"] = data
    new["files"] = {rel: [_sha(data), len(data)] for rel, data in plan.files.items()
                    if not rel.startswith("invoices/")}
    new["files"].update(kept)


def _index_key(book: Book, templates_key: str, manifest: dict) -> str:
    """Everything index.html shows (render/index.py reads no more)."""
    s = book.settings
    rows = [(inv_id, entry["row"], sorted(entry["files"])) for inv_id, entry in manifest["invoices"].items()]
    names = sorted((c.slug, c.party.name) for c in book.clients)
    return fingerprint(json.dumps([templates_key, s.language, s.locale, s.currency, s.issuer.name, names, rows],
                                  sort_keys=True, ensure_ascii=False, default=str))


def _index(book: Book, templates, out_dir: Path, manifest: dict) -> tuple[bytes | None, list[Diagnostic]]:
    from .render import RenderFailure, Renderer
    from .render.index import index_view

    renderer = Renderer(templates, out_dir)
    try:
        html = renderer.page_html("index.html", index_view(book, manifest["invoices"]))
    except RenderFailure as exc:
        return None, [exc.diagnostic]
    return html.encode("utf-8"), []


# ---------------------------------------------------------------- writing


def _write(out_dir: Path, files: dict[str, bytes]) -> list[str]:
    """Write each file whose bytes differ from what is on disk, in sorted order."""
    return [rel for rel in sorted(files) if _write_one(out_dir, rel, files[rel])]


def _write_one(out_dir: Path, rel: str, data: bytes) -> bool:
    """Write one file atomically (temporary file, then rename) unless it already holds these
    bytes; True when written. Its folder must resolve inside the output folder."""
    path = out_dir / rel
    if not _confined(out_dir, rel):
        raise OutputError(f"{path}: leads outside the output folder {out_dir} (a link?); remove it")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def _remove_stale(out_dir: Path, old: dict, new: dict) -> list[str]:
    """Remove the files the old manifest lists (all checked to be inside the output folder)
    that this build no longer produces."""
    keep = set(new["files"])
    for entry in new["invoices"].values():
        keep.update(entry["files"])
    removed = []
    for rel in sorted(_listed(old) - keep):
        path = out_dir / rel
        if _confined(out_dir, rel) and path.is_file():
            path.unlink()
            removed.append(rel)
            _prune(out_dir, path.parent)
    return removed


def _listed(manifest: dict) -> set[str]:
    listed = set(manifest["files"])
    for entry in manifest["invoices"].values():
        listed.update(entry["files"])
    return listed


def _prune(out_dir: Path, folder: Path) -> None:
    """Remove folders emptied by the removal, up to (not including) out_dir."""
    while folder != out_dir and out_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:      # not empty
            return
        folder = folder.parent


def _remove_temporaries(out_dir: Path) -> None:
    """Temporary files a killed build left behind (ours only: `.<name>.tmp<pid>`)."""
    for folder in (out_dir, out_dir / "invoices", out_dir / "assets"):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if _TEMP.match(name) and (folder / name).is_file() and not (folder / name).is_symlink():
                (folder / name).unlink()


# ---------------------------------------------------------------- manifest


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
        _confined(out_dir, rel) and isinstance(v, list) and len(v) == 2 and isinstance(v[0], str)
        and type(v[1]) is int and v[1] >= 0 for rel, v in files.items())


def _save_manifest(out_dir: Path, manifest: dict) -> bool:
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


# ---------------------------------------------------------------- the whole-build shortcut


def input_key(root: Path, options: dict) -> str | None:
    """The fingerprint of everything a build reads: every source file the loader reads
    (load.source.discover), the issued register and the book's templates (every file
    under issued/ and templates/), by path and bytes; and the options.
    None when a file cannot be read (the full build then reports it)."""
    from .load.source import discover

    root = Path(root).resolve()
    parts = [json.dumps(options, sort_keys=True, default=str)]
    try:
        rels = discover(root)
        for top in ("issued", "templates"):
            rels += _walk(root, top)
        for rel in rels:
            data = _input_bytes(root, rel)
            if data is None:
                return None
            parts += [rel, data]
    except (OSError, ValueError):
        return None
    return fingerprint(*parts)


def _input_bytes(root: Path, rel: str) -> bytes | None:
    """A regular file's bytes, never read through a link that leads outside the book (its
    target's name counts instead: the build itself refuses such a link); None for anything
    else (a FIFO would block: the full build reports it)."""
    path = root / rel
    target = path.resolve()
    if target != path and root not in target.parents:
        return b"link -> " + os.fsencode(os.readlink(path)) if path.is_symlink() else None
    if not stat.S_ISREG(os.stat(target).st_mode):
        return None
    return target.read_bytes()


def _walk(root: Path, top: str) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root / top, followlinks=False):
        dirnames.sort()
        rel = Path(dirpath).relative_to(root).as_posix()
        found += [f"{rel}/{f}" for f in sorted(filenames)]
    return found


def unchanged_build(out_dir: Path, key: str | None) -> tuple[BuildStats, list[Diagnostic]] | None:
    """When the last complete build had this input key and every file it recorded is on disk
    with its hash: its stats (nothing written) and the diagnostics it reported; else None."""
    started = time.perf_counter()
    if not key:
        return None
    out_dir = Path(out_dir).resolve()
    old = load_manifest(out_dir)
    build = old.get("build")
    if not build or build["key"] != key:
        return None
    if not old["invoices"] and not old["files"] or not all(files_ok(out_dir, e["files"]) for e in old["invoices"].values()) \
            or old["files"] and not files_ok(out_dir, old["files"]):
        return None
    try:
        diags = [_diag_of(d) for d in build["diagnostics"]]
    except (KeyError, TypeError, ValueError):
        return None
    n = len(old["invoices"])
    stats = BuildStats(out_dir, invoices=n, unchanged=n, seconds=time.perf_counter() - started)
    return stats, diags


def _diag_dict(d: Diagnostic) -> dict:
    return {"code": d.code, "severity": d.severity.value, "ref": [d.ref.path, d.ref.line, d.ref.col],
            "message": d.message, "hint": d.hint, "related": [[r.path, r.line, r.col] for r in d.related]}


def _diag_of(d: dict) -> Diagnostic:
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


__all__ = ["BuildStats", "OutputError", "code_fingerprint", "files_ok", "input_key", "load_manifest",
           "out_dir_problem", "unchanged_build", "write_build"]

"""Writing build/: plan every file in memory, render only what changed, write only what differs.

`write_build` is the last stage of the pipeline. For each invoice it writes
`invoices/<id>.json` (the canonical form), `<id>.html` and `<id>.pdf`; then
`index.html`, the shared `assets/` (CSS, fonts) and `manifest.json`.

The manifest makes builds incremental. Per invoice it records
- `fast`: a hash of the Invoice and of everything else the render reads
  (context, templates, fonts, versions, flags); the invoice's lines and rows
  count by the key of the computation that made them when the engine's cache
  knows it (billing/cache.py), else by its pickle; when it matches and the
  files are there, the invoice costs one small hash (or a pickle), no JSON;
- `key`: the same, but over the canonical JSON (the slow path, exact);
- the hash and size of every file written, and the row shown in the index.
The canonical JSON is written while planning (it needs no rendering); HTML, PDF
and the index only once every invoice has been rendered. Outputs of invoices
that no longer exist are removed (not in a partial build: --period/--client).
"""
from __future__ import annotations

import copyreg
import functools
import gc
import hashlib
import io
import json
import operator
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .diagnostics import Diagnostic
from .invoice import Invoice
from .model import Book
from .render.parallel import RenderTask, render_tasks

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


@dataclass
class BuildStats:
    out_dir: Path
    root: Path = Path(".")       # the book: diagnostics quote its template lines
    invoices: int = 0
    rendered: int = 0
    unchanged: int = 0
    serialised: int = 0        # invoices whose JSON had to be built (the fast hash did not match)
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
    """What the build will do, decided before anything is rendered or written."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)   # id -> new manifest entry
    serialised: int = 0
    files: dict[str, bytes] = field(default_factory=dict)              # relpath -> bytes to write
    tasks: list[RenderTask] = field(default_factory=list)
    written: list[str] = field(default_factory=list)                   # JSON already written while planning


def write_build(book: Book, invoices: list[Invoice], out_dir: Path, *, render: bool = True, pdf: bool = True,
                jobs: int = 0, partial: bool = False) -> "BuildStats":
    """Write build/ for these invoices; see the module docstring. Never writes into the book."""
    from .render import template_set

    started = time.perf_counter()
    out_dir = Path(out_dir)
    stats = BuildStats(out_dir, Path(book.root), invoices=len(invoices))
    old = _load_manifest(out_dir)
    templates = template_set(Path(book.root))
    flags = {"render": render, "pdf": render and pdf}
    # millions of rows unpacked from the compute cache and serialised, no cycles among them: a
    # young-generation collection every 700 allocations was two thirds of unpacking them
    paused = gc.isenabled()
    gc.disable()
    try:
        plan = _plan(book, invoices, old, out_dir, templates.key, flags)
    finally:
        if paused:
            gc.enable()
    stats.rendered, stats.unchanged = len(plan.tasks), len(invoices) - len(plan.tasks)
    stats.serialised = plan.serialised
    if plan.tasks:
        results = render_tasks(plan.tasks, templates, out_dir, jobs)
        failed = _collect(plan, results)
        stats.diagnostics += failed
        stats.rendered -= len(failed)      # a failed invoice is not rendered (and is tried again next build)
    new = _merge(old, plan.entries, partial)
    if render:
        kept = {}
        new["index_key"] = index_key = _index_key(book, templates.key, new)
        if old.get("index_key") == index_key and _files_ok(out_dir, {"files": _pick(old["files"], INDEX)}):
            kept = _pick(old["files"], INDEX)    # the same rows, labels and template: the same page
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
    stats.written = sorted(plan.written + _write(out_dir, plan.files, old))
    stats.removed = _remove_stale(out_dir, old, new, plan.files)
    stats.written += _save_manifest(out_dir, new)
    stats.seconds = time.perf_counter() - started
    return stats


# ---------------------------------------------------------------- planning


def _plan(book: Book, invoices: list[Invoice], old: dict, out_dir: Path, assets_key: str,
          flags: dict[str, bool]) -> _Plan:
    from .render.context import client_context, context_key

    plan = _Plan()
    contexts: dict[tuple[str, str], tuple[dict, str]] = {}
    salt = f"{__version__}|{assets_key}|{sorted(flags.items())}|"
    todo = []    # (invoice, its context, fast hash): the JSON is needed
    for inv in sorted(invoices, key=lambda i: i.id):
        cache_key = (inv.client, inv.language)
        if cache_key not in contexts:
            ctx = client_context(book, inv.client, inv.language)
            contexts[cache_key] = (ctx, _sha(context_key(ctx).encode()))
        ctx, ctx_hash = contexts[cache_key]
        prev = old["invoices"].get(inv.id)
        fast = _fast_hash(salt + ctx_hash, inv)
        if prev and prev.get("fast") == fast and _files_ok(out_dir, prev):
            plan.entries[inv.id] = prev
        else:
            todo.append((inv, ctx, f"{salt}{ctx_hash}|", fast))
    plan.serialised = len(todo)
    jsons = _write_jsons(out_dir, [t[0] for t in todo], _known_files(old))
    for (inv, ctx, salted, fast), (sha, size, written) in zip(todo, jsons):
        prev = old["invoices"].get(inv.id)
        key = _sha(f"{salted}{sha}".encode())
        if prev and prev.get("key") == key and _files_ok(out_dir, prev):
            plan.entries[inv.id] = {**prev, "fast": fast}
            continue
        rel = f"invoices/{inv.id}.json"
        plan.entries[inv.id] = entry = {"fast": fast, "key": key, "row": _row(inv), "files": {rel: [sha, size]}}
        if written:
            plan.written.append(rel)
        if flags["render"]:
            plan.tasks.append(RenderTask(inv.id, inv, ctx, flags["pdf"]))
    plan.entries = dict(sorted(plan.entries.items()))
    return plan


PARALLEL_ROWS = 40_000    # detail rows to serialise: below this, forking a writer costs more than it saves


def _write_jsons(out_dir: Path, invoices: list[Invoice], known: dict) -> list[tuple[str, int, bool]]:
    """Write each invoice's canonical JSON (when it differs from the file on disk); for each,
    (sha256 of the bytes, their size, whether written), in order.

    The JSON needs no rendering: written now rather than held in memory with every other
    invoice's until the end (640 MB at 1M entries). Serialising a million detail rows is
    seconds of work: for a big build, a forked process serialises about half of them.
    """
    rows = sum(map(_rows, invoices))
    if len(invoices) < 2 or rows < PARALLEL_ROWS or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return _write_some(out_dir, invoices, known)
    theirs, mine = _halves(invoices)
    return _forked(lambda: _write_some(out_dir, [invoices[i] for i in theirs], known),
                   lambda: _write_some(out_dir, [invoices[i] for i in mine], known), theirs, mine)


def _write_some(out_dir: Path, invoices: list[Invoice], known: dict) -> list[tuple[str, int, bool]]:
    return [_write_json(out_dir, inv, known) for inv in invoices]


def _rows(inv: Invoice) -> int:
    """Its detail rows, counted without unpacking an invoice read from the compute cache."""
    count = getattr(inv, "row_count", None)
    return len(inv.entries) if count is None else count


def _halves(invoices: list[Invoice]) -> tuple[list[int], list[int]]:
    """Indexes for the forked writer and for this process, about equal in rows, a client's
    invoices on one side."""
    by_client: dict[str, list[int]] = {}
    for i, inv in enumerate(invoices):
        by_client.setdefault(inv.client, []).append(i)
    size = {c: sum(50 + _rows(invoices[i]) for i in some)
            for c, some in by_client.items()}
    sides: tuple[list[int], list[int]] = ([], [])
    load = [0, 0]
    for c in sorted(by_client, key=lambda c: (-size[c], c)):
        side = 0 if load[0] <= load[1] else 1
        sides[side].extend(by_client[c])
        load[side] += size[c]
    return sorted(sides[0]), sorted(sides[1])


def _forked(theirs, mine, their_index: list[int], my_index: list[int]) -> list:
    """theirs() in a forked child and mine() here; both results merged back in index order.
    Should the child fail, its share is done here."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, theirs), daemon=True)
    child.start()
    send.close()
    done = mine()
    try:
        got = pickle.loads(receive.recv_bytes())
    except Exception:   # noqa: BLE001 - the child died: its share is done here
        got = theirs()
    finally:
        receive.close()
        child.join()
    out: list = [None] * (len(their_index) + len(my_index))
    for i, value in zip(their_index, got):
        out[i] = value
    for i, value in zip(my_index, done):
        out[i] = value
    return out


def _child(send, work) -> None:
    try:
        send.send_bytes(pickle.dumps(work()))
    except BaseException:  # noqa: BLE001 - the parent does this share again
        pass
    finally:
        send.close()
        os._exit(0)   # no atexit handlers, no flushing of the parent's buffers


def _write_json(out_dir: Path, inv: Invoice, known: dict) -> tuple[str, int, bool]:
    data = inv.to_json().encode()
    rel = f"invoices/{inv.id}.json"
    return _sha(data), len(data), _write_one(out_dir, rel, data, known.get(rel))


def _collect(plan: _Plan, results) -> list[Diagnostic]:
    """Put rendered bytes into the plan; a failed invoice keeps its JSON and is retried next build."""
    diags: list[Diagnostic] = []
    for result in results:
        entry = plan.entries[result.id]
        if result.diagnostic is not None:
            diags.append(result.diagnostic)
            entry["key"] = entry["fast"] = ""
            continue
        _add_file(plan, entry, f"invoices/{result.id}.html", result.html)
        if result.pdf is not None:
            _add_file(plan, entry, f"invoices/{result.id}.pdf", result.pdf)
    return diags


def _add_file(plan: _Plan, entry: dict, rel: str, data: bytes) -> None:
    plan.files[rel] = data
    entry["files"][rel] = [_sha(data), len(data)]


def _files_ok(out_dir: Path, entry: dict) -> bool:
    """Every recorded output still there with its size: a stat per file, no reading."""
    for rel, (_, size) in entry.get("files", {}).items():
        try:
            if (out_dir / rel).stat().st_size != size:
                return False
        except OSError:
            return False
    return bool(entry.get("files"))


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
    return {"version": MANIFEST_VERSION, "plainbill": __version__,
            "invoices": dict(sorted(invoices.items())), "files": {}}


# ---------------------------------------------------------------- index

INDEX = "index.html"


def _index_key(book: Book, templates_key: str, manifest: dict) -> str:
    """Everything index.html shows (render/index.py reads no more): when it matches the last
    build's, the page is not rendered again (1,100 invoices: 0.8 s of money formatting)."""
    s = book.settings
    rows = [(inv_id, entry.get("row"), sorted(entry.get("files", {}))) for inv_id, entry in manifest["invoices"].items()]
    names = sorted((c.slug, c.party.name) for c in book.clients)
    blob = json.dumps([__version__, templates_key, s.language, s.locale, s.currency, s.issuer.name, names, rows],
                      sort_keys=True, ensure_ascii=False, default=str)
    return _sha(blob.encode())


def _pick(files: dict, rel: str) -> dict:
    return {rel: files[rel]} if rel in files else {}



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


def _known_files(old: dict) -> dict[str, list]:
    """Every file the old manifest recorded: relpath -> [sha, size]."""
    known = dict(old.get("files", {}))
    for entry in old["invoices"].values():
        known.update(entry.get("files", {}))
    return known


def _write(out_dir: Path, files: dict[str, bytes], old: dict) -> list[str]:
    """Write each file whose bytes differ from what is on disk, in sorted order."""
    known = _known_files(old)
    return [rel for rel in sorted(files) if _write_one(out_dir, rel, files[rel], known.get(rel))]


def _write_one(out_dir: Path, rel: str, data: bytes, recorded) -> bool:
    """Write one file atomically unless it already holds these bytes; True when written."""
    path = out_dir / rel
    if _unchanged(path, data, recorded):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def _unchanged(path: Path, data: bytes, recorded) -> bool:
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if size != len(data):
        return False
    if recorded and recorded[0] == _sha(data):
        return True
    return path.read_bytes() == data


def _remove_stale(out_dir: Path, old: dict, new: dict, files: dict[str, bytes]) -> list[str]:
    """Remove the files the old manifest lists that this build no longer produces."""
    keep = set(files)
    for entry in new["invoices"].values():
        keep.update(entry.get("files", {}))
    keep.update(new["files"])
    listed = set(old.get("files", {}))
    for entry in old["invoices"].values():
        listed.update(entry.get("files", {}))
    removed = []
    for rel in sorted(listed - keep):
        if (out_dir / rel).is_file():
            (out_dir / rel).unlink()
            removed.append(rel)
            _prune(out_dir, (out_dir / rel).parent)
    return removed


def _prune(out_dir: Path, folder: Path) -> None:
    """Remove folders emptied by the removal, up to (not including) out_dir."""
    while folder != out_dir and out_dir in folder.parents:
        try:
            folder.rmdir()
        except OSError:      # not empty
            return
        folder = folder.parent


# ---------------------------------------------------------------- manifest


def _load_manifest(out_dir: Path) -> dict:
    try:
        data = json.loads((out_dir / MANIFEST).read_text("utf-8"))
        if data.get("version") == MANIFEST_VERSION and isinstance(data.get("invoices"), dict):
            return data
    except (OSError, ValueError):
        pass
    return {"version": MANIFEST_VERSION, "invoices": {}, "files": {}}


def _save_manifest(out_dir: Path, manifest: dict) -> list[str]:
    # compact: with an indent, json falls back to its pure-Python encoder (10x slower)
    data = (json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    return _write(out_dir, {MANIFEST: data}, {"invoices": {}})


def _fast_hash(salt: str, inv: Invoice) -> str:
    """Hash of everything about the invoice: its lines and rows by the key of the computation
    that made them when the engine's cache knows it (billing/cache.py: nothing to pickle),
    else by its pickle; the other fields by their repr (small, deterministic)."""
    from .billing.cache import content_key

    key = content_key(inv)
    if key is None:
        return _sha(salt.encode() + _pickled(inv))
    head = tuple(getattr(inv, name) for name in _HEAD_FIELDS)
    return _sha(f"{salt}|content|{key}|{head!r}".encode())


_HEAD_FIELDS = tuple(name for name in Invoice.__dataclass_fields__ if name not in ("lines", "entries"))


def _pickled(inv: Invoice) -> bytes:
    """The invoice as pickle bytes, fast: a slots dataclass pickles through a Python-level
    __getstate__ (2 s for 100k entries); a C attrgetter per class does it in a fraction."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=5)
    pickler.dispatch_table = _dispatch_table()
    pickler.dump(inv)
    return buf.getvalue()


@functools.lru_cache(maxsize=1)
def _dispatch_table() -> dict:
    from .diagnostics import SourceRef
    from .invoice import EntryDetail, Line, Statement, TaxLine

    table = dict(copyreg.dispatch_table)
    for cls in (Invoice, Line, EntryDetail, TaxLine, Statement, SourceRef):
        table[cls] = functools.partial(_reduce, cls, operator.attrgetter(*cls.__dataclass_fields__))
    return table


def _reduce(cls, getter, obj):
    return cls, getter(obj)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

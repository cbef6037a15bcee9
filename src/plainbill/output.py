"""Writing build/: plan every file, render only what changed, write only what differs.

`write_build` is the last stage of the pipeline. For each invoice it writes
`invoices/<id>.json` (the canonical form), `<id>.html` and `<id>.pdf`; then
`index.html`, the shared `assets/` (CSS, fonts) and, last, `manifest.json`
(manifest.py: nothing in it is trusted without checking the files on disk).

An invoice's `key` is the fingerprint (fingerprint.py: plainbill's files, the
output-shaping libraries' versions) of its canonical JSON's SHA-256, of what
else its page shows (client context), of the templates and of the flags. It is
not rendered again when its key is the last build's and its files check.
`unchanged_build` answers a build whose inputs did not change at all.

Every file is written to a temporary file renamed over the old one, only inside
the output folder (`out_dir_problem` refuses a folder holding the book's
sources; a link leading out of it stops the build). Outputs of invoices that no
longer exist are removed (not in a partial build: --period/--client).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic
from .fingerprint import fingerprint
from .invoice import Invoice
from .load.source import SOURCE_PARTS
from .manifest import (MANIFEST, MANIFEST_VERSION, build_record, confined, files_ok, listed, load_manifest,
                       recorded_build, save_manifest)
from .model import Book
from .render.parallel import RenderTask, render_tasks

INDEX = "index.html"
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
    for part in SOURCE_PARTS:   # the book's sources, as discover lists them
        source = root / part
        if out == source or source in out.parents or (out in source.parents):
            return f"{out_dir}: the output folder would hold the book's {part}; choose a folder of its own"
    if out.exists() and not out.is_dir():
        return f"{out_dir}: not a folder (a file is in its place); remove it or choose another --out"
    return None


# ---------------------------------------------------------------- the build


def write_build(book: Book, invoices: list[Invoice], out_dir: Path, *, render: bool = True, pdf: bool = True,
                jobs: int = 0, partial: bool = False, build_key: str = "",
                diagnostics: list[Diagnostic] = (), register=None, einvoices: dict | None = None,
                site=None) -> BuildStats:
    """Write build/ for these invoices; see the module docstring. Never writes into the book.

    `build_key` and `diagnostics`: the build's input key and what it reported, recorded
    for `unchanged_build` (only when everything was written without a problem). `register`:
    the issued numbers, for the e-invoices' SdI file names (plainbill.einvoice); `einvoices`:
    those files already made by `pipeline.compute` (made here when not given).
    `site`: the computed book (pipeline.Computed) whose reports go to build/reports/
    (site/plan.py); None: no reports (`--no-reports`).
    Raises OutputError when the folder cannot be written.
    """
    try:
        return _write_build(book, invoices, Path(out_dir), render, pdf, jobs, partial, build_key, diagnostics,
                            register, einvoices, site)
    except OSError as exc:
        raise OutputError(f"{exc.filename or out_dir}: cannot write the output: {exc.strerror or exc}") from None


def _write_build(book, invoices, out_dir: Path, render, pdf, jobs, partial, build_key, diagnostics,
                 register=None, einvoices=None, site=None) -> BuildStats:
    from .render import template_set

    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    out_dir = out_dir.resolve()
    stats = BuildStats(out_dir, Path(book.root), invoices=len(invoices))
    _remove_temporaries(out_dir)
    old = load_manifest(out_dir)
    templates = template_set(Path(book.root))
    flags = json.dumps({"render": render, "pdf": render and pdf}, sort_keys=True)
    plan = _plan(book, invoices, old, out_dir, templates.key, flags, render and pdf if render else None, register,
                 einvoices)
    stats.rendered, stats.unchanged = len(plan.tasks), plan.unchanged
    if plan.tasks:
        stats.diagnostics += _collect(plan, render_tasks(plan.tasks, templates, out_dir, jobs))
        stats.rendered -= len(stats.diagnostics)   # a failed invoice is not rendered (and is tried again)
    new = _merge(old, plan.entries, partial)
    if render:
        kept = _plan_site(site, templates, out_dir, old, new, plan, stats, partial)
        _plan_index(book, templates, out_dir, old, new, plan, stats)
        new["files"].update(kept)
    stats.written = sorted(plan.written + _write(out_dir, plan.files))
    stats.removed = _remove_stale(out_dir, old, new)
    if stats.ok and build_key:
        new["build"] = build_record(build_key, diagnostics)
    if save_manifest(out_dir, new):
        stats.written.append(MANIFEST)
    stats.seconds = time.perf_counter() - started
    return stats


PARALLEL_ROWS = 40_000    # detail rows: below this, starting a second process costs more than it saves


def _plan(book: Book, invoices: list[Invoice], old: dict, out_dir: Path, templates_key: str,
          flags: str, pdf: bool | None, register=None, einvoices: dict | None = None) -> _Plan:
    """Each invoice's JSON written now (it needs no rendering: not held with every other
    invoice's until the end, 613 MB at 1M entries); its page planned for rendering unless
    its key matches the old manifest's and its files on disk check.

    For a big build the JSON is made in two processes (plainbill.parallel): forked, they
    have the invoices already, and send back only each one's hash, size and verdict.
    """
    from .einvoice import einvoice_files
    from .parallel import run_parallel
    from .render.context import client_context, context_key

    plan = _Plan()
    order = sorted(invoices, key=lambda i: i.id)
    xml = einvoices if einvoices is not None else einvoice_files(book, order, register)
    xml_keys = {iid: _sha(b"".join(name.encode() + data for name, data in sorted(files.items())))
                for iid, files in xml.items()}
    contexts: dict[tuple[str, str], tuple[dict, str]] = {}
    for inv in order:
        if (inv.client, inv.language) not in contexts:
            ctx = client_context(book, inv.client, inv.language)
            contexts[inv.client, inv.language] = (ctx, _sha(context_key(ctx).encode()))
    work = _JsonWork(out_dir, order, {k: h for k, (_, h) in contexts.items()}, old, templates_key, flags, xml_keys)
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
        for name, data in xml.get(inv.id, {}).items():
            _add_file(plan, plan.entries[inv.id], name, data)
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
    xml_keys: dict[str, str] = field(default_factory=dict)   # invoice id -> hash of its e-invoice files

    def one(self, i: int) -> tuple[str, int, str, bool, bool]:
        """(sha256, size, key, unchanged: key and files on disk match the last build's, written)."""
        inv = self.invoices[i]
        data = inv.to_json().encode()
        sha = _sha(data)
        key = fingerprint(sha, self.context_hashes[inv.client, inv.language], self.templates_key, self.flags,
                          self.xml_keys.get(inv.id, ""))
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


def _plan_site(site, templates, out_dir: Path, old: dict, new: dict, plan: _Plan, stats: BuildStats,
               partial: bool) -> dict[str, list]:
    """build/reports/ (site/plan.py): its pages into the plan; returns the files kept as they
    are (charts whose data did not change; in a partial build, the last full build's site)."""
    from .site.plan import SITE_INDEX, kept_site, plan_site

    if partial:
        kept, new["charts"] = kept_site(old, out_dir)
    elif site is None:
        kept, new["charts"] = {}, {}
    else:
        found = plan_site(site, templates, out_dir, old)
        stats.diagnostics += found.diagnostics
        plan.files.update(found.files)
        kept, new["charts"] = found.kept, found.charts
    new["site"] = SITE_INDEX if SITE_INDEX in kept or SITE_INDEX in plan.files else ""
    return kept


def _index_key(book: Book, templates_key: str, manifest: dict) -> str:
    """Everything index.html shows (render/index.py reads no more)."""
    s = book.settings
    rows = [(inv_id, entry["row"], sorted(entry["files"])) for inv_id, entry in manifest["invoices"].items()]
    from .render.logo import logo_uri

    names = sorted((c.slug, c.party.name) for c in book.clients)
    return fingerprint(json.dumps([templates_key, s.language, s.locale, s.currency, s.issuer.name, logo_uri(book),
                                   names, rows, manifest.get("site", "")],
                                  sort_keys=True, ensure_ascii=False, default=str))


def _index(book: Book, templates, out_dir: Path, manifest: dict) -> tuple[bytes | None, list[Diagnostic]]:
    from .render import RenderFailure, Renderer
    from .render.index import index_view

    renderer = Renderer(templates, out_dir)
    try:
        html = renderer.page_html("index.html", index_view(book, manifest["invoices"], manifest.get("site", "")))
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
    if not confined(out_dir, rel):
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
    for rel in sorted(listed(old) - keep):
        path = out_dir / rel
        if confined(out_dir, rel) and path.is_file():
            path.unlink()
            removed.append(rel)
            _prune(out_dir, path.parent)
    return removed


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


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unchanged_build(out_dir: Path, key: str | None) -> tuple[BuildStats, list[Diagnostic]] | None:
    """When nothing changed since the last complete build (manifest.recorded_build): its
    stats, nothing written, and the diagnostics it reported; else None."""
    started = time.perf_counter()
    found = recorded_build(out_dir, key)
    if found is None:
        return None
    n, diags = found
    return BuildStats(Path(out_dir).resolve(), invoices=n, unchanged=n, seconds=time.perf_counter() - started), diags

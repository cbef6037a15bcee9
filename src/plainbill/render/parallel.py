"""Rendering many invoices over the CPU cores, with a progress bar on a terminal.

Each worker process builds one Renderer when it starts (Jinja environment,
parsed CSS, WeasyPrint fonts) and reuses it for every invoice it is sent. A
handful of invoices render in this process instead: starting workers and
warming them costs more than it saves.
"""
from __future__ import annotations

import atexit
import gc
import multiprocessing
import multiprocessing.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic
from ..invoice import Invoice

IN_PROCESS_BELOW = 4      # fewer invoices than this: no pool
_WORKER = None            # the Renderer of a worker process


@dataclass(frozen=True)
class RenderTask:
    id: str
    invoice: Invoice
    context: dict[str, Any]
    pdf: bool


@dataclass(frozen=True)
class RenderResult:
    id: str
    html: bytes = b""
    pdf: bytes | None = None
    diagnostic: Diagnostic | None = None


def render_tasks(tasks: list[RenderTask], templates, out_dir: Path, jobs: int = 0) -> list[RenderResult]:
    """Render every task; results sorted by invoice id, whatever order the workers finish in."""
    jobs = jobs if jobs > 0 else (os.cpu_count() or 1)
    jobs = min(jobs, len(tasks))
    if jobs <= 1 or len(tasks) < IN_PROCESS_BELOW:
        _init_worker(templates, out_dir)
        with _progress(len(tasks)) as advance:
            results = [advance(_render_one(task)) for task in tasks]
        return sorted(results, key=lambda r: r.id)
    # fork: workers inherit imported modules and the template set instead of unpickling them;
    # the pool starts before the progress bar's thread, so no thread is forked
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    if method == "fork":
        import weasyprint  # noqa: F401  (imported once here, not once per worker)
    chunk = max(1, min(8, len(tasks) // (jobs * 8)))
    with multiprocessing.get_context(method).Pool(jobs, _init_worker, (templates, out_dir, True)) as pool:
        with _progress(len(tasks)) as advance:
            results = [advance(r) for r in pool.imap_unordered(_render_and_collect, tasks, chunksize=chunk)]
        # let the workers finish (terminating them, as leaving the `with` does, skips their clean-up)
        pool.close()
        pool.join()
    return sorted(results, key=lambda r: r.id)


def _init_worker(templates, out_dir: Path, pool_worker: bool = False) -> None:
    global _WORKER
    from .renderer import Renderer

    if _WORKER is None or _WORKER.templates is not templates or _WORKER.out_dir != Path(out_dir).resolve():
        _forget_fonts()
        _WORKER = Renderer(templates, out_dir)
        _WORKER.made_in = os.getpid()
        gc.freeze()    # what exists now lives as long as the process
        if pool_worker:     # a pool worker ends with os._exit(): no atexit, but multiprocessing's finalizers
            multiprocessing.util.Finalize(None, _forget_fonts, exitpriority=10)
    if pool_worker:
        _WORKER.warm()
        # fonts and parsed CSS too. A render allocates ~10^5 objects, most freed by reference
        # counting and ~5,000 in cycles (boxes, styles): collecting those once per invoice costs 1%
        # fewer instructions than collecting on allocation counts (callgrind), and bounds the memory
        gc.freeze()
        gc.disable()


def _forget_fonts() -> None:
    """Remove the folder WeasyPrint copies the fonts into, which it removes only when its font
    configuration is collected: never in a pool worker (os._exit), and not at interpreter exit
    either once shutil is gone. Only the process that made the renderer removes it."""
    fonts = getattr(_WORKER, "_font_config", None)
    folder = getattr(fonts, "_folder", None)
    if folder is not None and getattr(_WORKER, "made_in", None) == os.getpid():
        shutil.rmtree(folder, ignore_errors=True)
        fonts._folder = None


atexit.register(_forget_fonts)      # this process's renderer, whichever is the last one


def _render_and_collect(task: RenderTask) -> RenderResult:
    """A pool worker's render, then the cycles it left (the collector is off in pool workers)."""
    try:
        return _render_one(task)
    finally:
        gc.collect()


def _render_one(task: RenderTask) -> RenderResult:
    from .renderer import RenderFailure

    try:
        html = _WORKER.invoice_html(task.invoice, task.context)
        pdf = _WORKER.pdf(html, task.id) if task.pdf else None
    except RenderFailure as exc:
        return RenderResult(task.id, diagnostic=exc.diagnostic)
    return RenderResult(task.id, html.encode("utf-8"), pdf)


# ---------------------------------------------------------------- progress


def show_progress() -> bool:
    """A bar on a terminal; nothing in CI or when stderr is a file or a pipe."""
    if os.environ.get("CI", "").lower() in ("1", "true") or os.environ.get("GITHUB_ACTIONS") == "true":
        return False
    return sys.stderr.isatty()


class _progress:
    """Context manager yielding `advance(result) -> result`; a rich bar only when show_progress()."""

    def __init__(self, total: int):
        self.total = total
        self._bar = None

    def __enter__(self):
        if show_progress() and self.total > 1:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("rendering"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("render", total=self.total)
        return self._advance

    def _advance(self, result: RenderResult) -> RenderResult:
        if self._bar is not None:
            self._bar.advance(self._task)
        return result

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

"""Rendering many invoices over the CPU cores (plainbill.parallel), with a progress bar on a terminal.

Each worker process builds one Renderer when it starts (Jinja environment,
parsed CSS, WeasyPrint fonts) and reuses it for every invoice it is sent. A
handful of invoices render in this process instead: starting workers and
warming them costs more than it saves.

WeasyPrint copies the fonts into a temporary folder, which its
FontConfiguration removes when it is collected. A renderer is therefore
dropped, and collected, before its process ends: here at the end of
`render_tasks`, in a pool worker by a multiprocessing finalizer (a worker
ends with os._exit(), which runs no atexit handler and collects nothing).
"""
from __future__ import annotations

import functools
import gc
import multiprocessing.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic
from ..invoice import Invoice
from ..parallel import run_parallel

IN_PROCESS_BELOW = 4      # fewer invoices than this: no pool
_WORKER = None            # the Renderer of this process while it renders


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
    if any(task.pdf for task in tasks):
        import weasyprint  # noqa: F401  (imported once here, not once per worker)
    start = functools.partial(_start_renderer, templates, Path(out_dir), os.getpid())
    with _progress(len(tasks)) as advance:
        try:
            results = run_parallel(_render_one, tasks, jobs=jobs, init=start,
                                   in_process_below=IN_PROCESS_BELOW, on_result=advance)
        finally:
            _drop_renderer()      # when it rendered here: its font folder goes now
    return sorted(results, key=lambda r: r.id)


def _start_renderer(templates, out_dir: Path, parent: int) -> None:
    global _WORKER
    from .renderer import Renderer

    _WORKER = Renderer(templates, out_dir)
    if os.getpid() != parent:       # a pool worker: warm it before its first invoice, clean it at its end
        _WORKER.warm()
        multiprocessing.util.Finalize(None, _drop_renderer, exitpriority=10)


def _drop_renderer() -> None:
    """Forget this process's renderer and collect it: WeasyPrint removes its font folder then."""
    global _WORKER
    if _WORKER is not None:
        _WORKER = None
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
    """Context manager yielding `advance(result)`; a rich bar only when show_progress().

    The bar (and its refresh thread) starts at the first result, once the pool's
    workers are forked: no thread is ever forked.
    """

    def __init__(self, total: int):
        self.total = total
        self._bar = None
        self._wanted = False

    def __enter__(self):
        self._wanted = show_progress() and self.total > 1
        return self._advance

    def _advance(self, result: RenderResult) -> None:
        if not self._wanted:
            return
        if self._bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(TextColumn("rendering"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("render", total=self.total)
        self._bar.advance(self._task)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

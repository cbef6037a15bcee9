"""The billing engine: a checked book becomes invoices whose every line explains itself.

`compute_invoices` groups the ledger by client once, then each client's
invoices are computed in period order (`client.py`): scheduled lines from
contracts, time entries (`work.py` prepares, `timelines.py` bills by contract
kind), expenses and call-outs, caps and budgets (`alerts.py`), then taxes and
totals (`taxes.py`). The rules are documented in docs/billing.md.
"""
from __future__ import annotations

import gc
from operator import attrgetter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping

from ..diagnostics import Diagnostic, SourceRef, error
from ..invoice import Invoice
from ..model import Book, Settings
from . import cache, parallel
from .client import ClientRun
from .clock import Calendar
from .periods import parse_filter

__all__ = ["compute_invoices"]


@dataclass
class Context:
    """What every client's computation shares: settings, lookups, calendar, diagnostics."""

    settings: Settings
    horizon: date | None
    activities: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    tax_rates: dict = field(default_factory=dict)
    calendar: Calendar | None = None
    diags: list = field(default_factory=list)

    @classmethod
    def of(cls, book: Book) -> "Context":
        s = book.settings
        last = max(map(attrgetter("date"), book.entries), default=None)
        ctx = cls(s, s.reference_date or last)
        ctx.activities = {a.slug: a for a in s.activities}
        ctx.people = {p.slug: p for p in s.team}
        ctx.tax_rates = {t.code: t.rate for t in s.taxes}
        ctx.calendar = Calendar(s)
        return ctx


def compute_invoices(book: Book, *, period: str | None = None, client: str | None = None,
                     issued: Mapping[str, frozenset[str]] | None = None, jobs: int | None = None,
                     cache_dir: Path | None = None) -> tuple[list[Invoice], list[Diagnostic]]:
    """Every invoice of the book (or of one client / the periods overlapping `period`), and problems found.

    `jobs`: 1 computes in this process only; None (auto) forks one worker for a big
    book on Linux with two or more CPUs (`parallel.py`); the result is the same.
    `cache_dir`: with a folder (e.g. `cache.default_dir(book.root)`), a client whose
    inputs did not change since a computation stored there is loaded, not computed
    (`cache.py`); the result is the same.
    """
    # The engine makes millions of short-lived objects and no cycles worth collecting;
    # with a million loaded entries alive, the cyclic GC would rescan them again and again.
    # Afterwards a big book's invoices are frozen out of its sight too (as the loader does
    # with the entries): they live until the build is written, rescanning them finds nothing.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        result = _compute(book, period, client, issued, jobs, cache_dir)
        if len(book.entries) >= parallel.MIN_ENTRIES:
            gc.freeze()
        return result
    finally:
        if was_enabled:
            gc.enable()


def _compute(book, period, client, issued, jobs, cache_dir=None):
    ctx = Context.of(book)
    issued = dict(issued or {})
    fp_issued = {fp: inv for inv, fps in issued.items() for fp in fps}
    window = parse_filter(period) if period else None
    if period and window is None:
        ctx.diags.append(error("bad-period", SourceRef("<command line>"), f"--period {period!r} is not YYYY-MM or YYYY-Qn",
                               "write e.g. --period 2026-11 or --period 2026-Q4"))
        return [], ctx.diags
    by_client: dict[str, list] = {}
    for e in book.entries:
        found = by_client.get(e.client)
        if found is None:
            found = by_client[e.client] = []
        found.append(e)
    clients = [c for c in sorted(book.clients, key=lambda c: c.slug) if client is None or c.slug == client]

    keys = cache.client_keys(ctx, clients, by_client, issued) if cache_dir is not None else {}

    def compute(some: list) -> list:
        # whole clients, unfiltered by period: what the cache keeps; stored by the process
        # that computed them (the forked worker too: the parent does not pack its results again)
        out = []
        for c in some:
            start = len(ctx.diags)
            entries = by_client.get(c.slug, [])
            invoices = ClientRun(ctx, c, entries).run(issued, fp_issued)
            out.append((c.slug, invoices, ctx.diags[start:]))
            if keys:
                cache.store(cache_dir, c.slug, keys[c.slug], entries, invoices, out[-1][2])
            del ctx.diags[start:]
        return out

    results, todo = [], []
    for c in clients:
        found = cache.load(cache_dir, c.slug, keys[c.slug], by_client.get(c.slug, [])) if keys else None
        if found is None:
            todo.append(c)
        else:
            results.append((c.slug, *found))
    results += _compute_clients(compute, todo, by_client, jobs)
    if keys:
        cache.prune(cache_dir, set(keys.values()))
    results.sort(key=lambda r: r[0])    # client order, as computed one after the other
    invoices: list[Invoice] = []
    for _, some, diags in results:
        invoices += [inv for inv in some if window is None or _overlaps(inv, window)]
        ctx.diags += diags
    invoices.sort(key=lambda inv: inv.id)
    cache.remember(invoices, keys)
    return invoices, ctx.diags


def _compute_clients(compute, clients: list, by_client: dict[str, list], jobs) -> list:
    """compute(clients), in two processes for a big share of a big book (`parallel.py`)."""
    n = sum(len(by_client.get(c.slug, ())) for c in clients)
    if len(clients) > 1 and parallel.usable(n, jobs):
        worker, parent = parallel.split(clients, {slug: len(es) for slug, es in by_client.items()})
        return parallel.run(compute, worker, parent, by_client)
    return compute(clients)


def _overlaps(inv: Invoice, window: tuple[date, date]) -> bool:
    return inv.period_start <= window[1] and window[0] <= inv.period_end


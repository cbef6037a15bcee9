"""The billing engine: a checked book becomes invoices whose every line explains itself.

`compute_invoices` groups the ledger by client once, then each client's
invoices are computed in period order (`client.py`): scheduled lines from
contracts, time entries (`work.py` prepares, `timelines.py` bills by contract
kind), expenses and call-outs, caps and budgets (`alerts.py`), then taxes and
totals (`taxes.py`). The rules are documented in docs/billing.md.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping

from ..diagnostics import Diagnostic, SourceRef, error
from ..invoice import Invoice
from ..load.book import client_sizes, entries_of, entry_count, is_built, last_date, ledgers_of
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
        ctx = cls(s, s.reference_date or last_date(book))
        ctx.activities = {a.slug: a for a in s.activities}
        ctx.people = {p.slug: p for p in s.team}
        ctx.tax_rates = {t.code: t.rate for t in s.taxes}
        ctx.calendar = Calendar(s)
        return ctx


def compute_invoices(book: Book, *, period: str | None = None, client: str | None = None,
                     only: frozenset[str] | None = None,
                     issued: Mapping[str, frozenset[str]] | None = None, jobs: int | None = None,
                     cache_dir: Path | None = None) -> tuple[list[Invoice], list[Diagnostic]]:
    """Every invoice of the book (or of one client / the clients in `only` / the periods overlapping
    `period`), and problems found.

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
        result = _compute(book, period, client, only, issued, jobs, cache_dir)
        if entry_count(book) >= parallel.MIN_ENTRIES:
            gc.freeze()
        return result
    finally:
        if was_enabled:
            gc.enable()


def _compute(book, period, client, only, issued, jobs, cache_dir=None):
    ctx = Context.of(book)
    issued = dict(issued or {})
    fp_issued = {fp: inv for inv, fps in issued.items() for fp in fps}
    window = parse_filter(period) if period else None
    if period and window is None:
        ctx.diags.append(error("bad-period", SourceRef("<command line>"), f"--period {period!r} is not YYYY-MM or YYYY-Qn",
                               "write e.g. --period 2026-11 or --period 2026-Q4"))
        return [], ctx.diags
    clients = [c for c in sorted(book.clients, key=lambda c: c.slug)
               if (client is None or c.slug == client) and (only is None or c.slug in only)]
    ledgers = ledgers_of(book)
    if cache_dir is None:
        keys = {}
    elif ledgers is not None:   # entries not built: a client is keyed by its rows' digests
        keys = cache.fast_keys(ctx, clients, ledgers, issued)
    else:
        keys = cache.client_keys(ctx, clients, _by_client(book.entries), issued)

    # Entries are built as late as possible: none for a client read from the cache; for a
    # big book with nothing cached, each of the two processes builds only its own clients'
    lazy = bool(keys) and ledgers is not None and not is_built(book)
    batch = cache.Batch(book)

    def run(c, entries: list) -> tuple[list, list]:
        """A client's invoices and the diagnostics its computation adds."""
        start = len(ctx.diags)
        invoices = ClientRun(ctx, c, entries).run(issued, fp_issued)
        diags = ctx.diags[start:]
        del ctx.diags[start:]
        return invoices, diags

    def loaded(c):
        """(invoices, diagnostics) of the cache, their rows unpacked only when read."""
        return cache.load(cache_dir, c.slug, keys[c.slug], lambda: run(c, batch.entries(c.slug))[0])

    results, todo = [], []
    for c in clients:
        found = loaded(c) if keys else None
        if found is None:
            todo.append(c)
        else:
            results.append((c.slug, *found))
    if not todo:
        by_client = {}
    elif lazy:
        by_client = None   # built by each process for its own clients
    elif len(todo) == len(book.clients) or ledgers is None:
        by_client = _by_client(book.entries)
    else:   # only these clients' entries are built
        by_client = _by_client(entries_of(book, {c.slug for c in todo}))
    if by_client:
        batch.got.update(by_client)
    sizes = client_sizes(ledgers) if by_client is None else {slug: len(es) for slug, es in by_client.items()}

    def compute(some: list, worker: bool = False) -> list:
        # whole clients, unfiltered by period: what the cache keeps; stored by the process
        # that computed them. The forked worker sends back only its diagnostics for a client
        # it stored (for every client, when it built their entries itself): the parent reads
        # its invoices from the cache, lazily (no rows sent back), or computes them again
        if by_client is None:
            batch.fetch({c.slug for c in some})
        mine = batch.got if by_client is None else by_client
        out = []
        for c in some:
            entries = mine.get(c.slug, [])
            invoices, diags = run(c, entries)
            stored = False
            if keys:
                frozen = frozenset(i.id for i in invoices if i.id in issued)
                stored = cache.store(cache_dir, c.slug, keys[c.slug], invoices, diags, frozen)
            out.append((c.slug, None if worker and (stored or lazy) else invoices, diags))
        return out

    for slug, invoices, diags in _compute_clients(compute, todo, sizes, by_client or {}, jobs):
        if invoices is None:   # computed by the worker
            c = next(c for c in todo if c.slug == slug)
            found = loaded(c)
            results.append((slug, *found) if found is not None else (slug, *run(c, batch.entries(slug))))
        else:
            results.append((slug, invoices, diags))
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


def _by_client(entries) -> dict[str, list]:
    """Each client's entries, in book order."""
    by_client: dict[str, list] = {}
    for e in entries:
        found = by_client.get(e.client)
        if found is None:
            found = by_client[e.client] = []
        found.append(e)
    return by_client


def _compute_clients(compute, clients: list, sizes: dict[str, int], by_client: dict[str, list], jobs) -> list:
    """compute(clients), in two processes for a big share of a big book (`parallel.py`)."""
    n = sum(sizes.get(c.slug, 0) for c in clients)
    if len(clients) > 1 and parallel.usable(n, jobs):
        worker, parent = parallel.split(clients, sizes)
        return parallel.run(compute, worker, parent, by_client)
    return compute(clients)


def _overlaps(inv: Invoice, window: tuple[date, date]) -> bool:
    return inv.period_start <= window[1] and window[0] <= inv.period_end


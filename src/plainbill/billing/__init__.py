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
    window = parse_filter(period) if period else None
    if period and window is None:
        ctx.diags.append(error("bad-period", SourceRef("<command line>"), f"--period {period!r} is not YYYY-MM or YYYY-Qn",
                               "write e.g. --period 2026-11 or --period 2026-Q4"))
        return [], ctx.diags
    clients = [c for c in sorted(book.clients, key=lambda c: c.slug)
               if (client is None or c.slug == client) and (only is None or c.slug in only)]
    run = _Run(book, ctx, dict(issued or {}), cache_dir, clients)
    results, todo = run.from_cache(clients)
    sizes = run.prepare(todo)
    results += run.collect(todo, _compute_clients(run.compute, todo, sizes, run.by_client or {}, jobs))
    if run.keys:
        cache.prune(cache_dir, set(run.keys.values()))
    results.sort(key=lambda r: r[0])    # client order, as computed one after the other
    invoices: list[Invoice] = []
    for _, some, diags in results:
        invoices += [inv for inv in some if window is None or _overlaps(inv, window)]
        ctx.diags += diags
    invoices.sort(key=lambda inv: inv.id)
    cache.remember(invoices, run.keys)
    return invoices, ctx.diags


class _Run:
    """One computation of some clients: their keys in the compute cache, their entries built
    as late as possible (none for a client read from the cache; for a big book with nothing
    cached, each of the two processes builds only its own clients'), and who computes what.

    A result is (client slug, its invoices, its diagnostics), whole clients unfiltered by
    period: what the cache keeps.
    """

    def __init__(self, book: Book, ctx: Context, issued: dict, cache_dir: Path | None, clients: list):
        self.book, self.ctx, self.issued, self.cache_dir = book, ctx, issued, cache_dir
        self.fp_issued = {fp: inv for inv, fps in issued.items() for fp in fps}
        self.ledgers = ledgers_of(book)
        if cache_dir is None:
            self.keys = {}
        elif self.ledgers is not None:   # a client keyed by its rows' digests: no entry built
            self.keys = cache.fast_keys(ctx, clients, self.ledgers, issued)
        else:
            self.keys = cache.client_keys(ctx, clients, _by_client(book.entries), issued)
        self.lazy = bool(self.keys) and self.ledgers is not None and not is_built(book)
        self.batch = cache.Batch(book)
        self.by_client: dict[str, list] | None = {}   # None: each process builds its own

    def run(self, c, entries: list) -> tuple[list, list]:
        """A client's invoices and the diagnostics its computation adds."""
        ctx = self.ctx
        start = len(ctx.diags)
        invoices = ClientRun(ctx, c, entries).run(self.issued, self.fp_issued)
        diags = ctx.diags[start:]
        del ctx.diags[start:]
        return invoices, diags

    def loaded(self, c):
        """(invoices, diagnostics) of the cache, their rows unpacked only when read; or None."""
        return cache.load(self.cache_dir, c.slug, self.keys[c.slug],
                          lambda: self.run(c, self.batch.entries(c.slug))[0])

    def from_cache(self, clients: list) -> tuple[list, list]:
        """(results read from the cache, clients to compute)."""
        results, todo = [], []
        for c in clients:
            found = self.loaded(c) if self.keys else None
            if found is None:
                todo.append(c)
            else:
                results.append((c.slug, *found))
        return results, todo

    def prepare(self, todo: list) -> dict[str, int]:
        """Build (or plan to build) the entries of the clients to compute; their sizes."""
        book = self.book
        if not todo:
            self.by_client = {}
        elif self.lazy:
            self.by_client = None
        elif len(todo) == len(book.clients) or self.ledgers is None:
            self.by_client = _by_client(book.entries)
        else:   # only these clients' entries are built
            self.by_client = _by_client(entries_of(book, {c.slug for c in todo}))
        if self.by_client is None:
            return client_sizes(self.ledgers)
        self.batch.got.update(self.by_client)
        return {slug: len(es) for slug, es in self.by_client.items()}

    def compute(self, some: list, worker: bool = False) -> list:
        """Results of these clients, each stored by the process that computed it. The forked
        worker sends back only the diagnostics of a client it stored (of every client, when
        it built their entries itself): the parent reads those from the cache (`collect`)."""
        if self.by_client is None:
            self.batch.fetch({c.slug for c in some})
        mine = self.batch.got if self.by_client is None else self.by_client
        out = []
        for c in some:
            entries = mine.get(c.slug, [])
            invoices, diags = self.run(c, entries)
            stored = False
            if self.keys:
                frozen = frozenset(i.id for i in invoices if i.id in self.issued)
                stored = cache.store(self.cache_dir, c.slug, self.keys[c.slug], invoices, diags, frozen)
            out.append((c.slug, None if worker and (stored or self.lazy) else invoices, diags))
        return out

    def collect(self, todo: list, computed: list) -> list:
        """The computed results, those the worker left in the cache read back (lazily) or,
        should that fail, computed here."""
        clients = {c.slug: c for c in todo}
        out = []
        for slug, invoices, diags in computed:
            if invoices is None:
                c = clients[slug]
                found = self.loaded(c)
                out.append((slug, *found) if found is not None else (slug, *self.run(c, self.batch.entries(slug))))
            else:
                out.append((slug, invoices, diags))
        return out


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


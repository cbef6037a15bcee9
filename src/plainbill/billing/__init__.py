"""The billing engine: a checked book becomes invoices whose every line explains itself.

`compute_invoices` groups the ledger by client once, then each client's
invoices are computed in period order (`client.py`): scheduled lines from
contracts, time entries (`work.py` prepares, `timelines.py` bills by contract
kind), expenses and call-outs, caps and budgets (`alerts.py`), then taxes and
totals (`taxes.py`). The rules are documented in docs/billing.md.
"""
from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

from ..diagnostics import Diagnostic, SourceRef, error
from ..invoice import Invoice
from ..load.book import BIG_BOOK, client_sizes, entries_of, entry_count, is_built, last_date, ledgers_of
from ..model import Book, Settings
from ..parallel import run_parallel
from .client import ClientRun
from .clock import Calendar
from .periods import parse_filter, period_hint

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
                     issued: Mapping[str, frozenset[str]] | None = None,
                     jobs: int | None = None) -> tuple[list[Invoice], list[Diagnostic]]:
    """Every invoice of the book (or of one client / the clients in `only` / the periods overlapping
    `period`), and problems found.

    `jobs`: None or 1 computes in this process; 2 or more (0: one per CPU) splits the clients
    over that many processes (plainbill.parallel), by their entries; the result is the same.
    One process is the default: sending a client's invoices back from a worker (pickling
    their rows) cost more than computing them (benchmarks/README.md).
    """
    # The engine makes millions of short-lived objects and no cycles worth collecting;
    # with a million loaded entries alive, the cyclic GC would rescan them again and again.
    # Afterwards a big book's invoices are frozen out of its sight (as the loader does with
    # the entries): they live until the build is written, and the processes that write
    # their JSON (output.py) then do not touch every page of them in each collection.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        result = _compute(book, period, client, only, dict(issued or {}), jobs)
        if entry_count(book) >= BIG_BOOK:
            gc.freeze()
        return result
    finally:
        if was_enabled:
            gc.enable()


def period_problem(period: str | None) -> Diagnostic | None:
    """A --period that is neither YYYY-MM nor YYYY-Qn (the CLI reports it before loading)."""
    if not period or parse_filter(period) is not None:
        return None
    return error("bad-period", SourceRef("<command line>"), f"--period {period!r} is not YYYY-MM or YYYY-Qn",
                 period_hint(period))


def _compute(book: Book, period, client, only, issued: dict, jobs):
    ctx = Context.of(book)
    bad = period_problem(period)
    if bad:
        return [], ctx.diags + [bad]
    window = parse_filter(period) if period else None
    clients = [c for c in sorted(book.clients, key=lambda c: c.slug)
               if (client is None or c.slug == client) and (only is None or c.slug in only)]
    groups = _groups(book, clients, jobs)
    run = _Run(book, ctx, issued)
    results = sorted((r for some in run_parallel(run.group, groups, jobs=len(groups)) for r in some),
                     key=lambda r: r[0])    # client order, as computed one after the other
    invoices: list[Invoice] = []
    for _, some, diags in results:
        invoices += [inv for inv in some if window is None or _overlaps(inv, window)]
        ctx.diags += diags
    invoices.sort(key=lambda inv: inv.id)
    return invoices, ctx.diags


class _Run:
    """The computation of groups of clients, each group in a process of its own when there
    are several: a result is (client slug, its invoices, its diagnostics)."""

    def __init__(self, book: Book, ctx: Context, issued: dict):
        self.book, self.ctx, self.issued = book, ctx, issued
        self.fp_issued = {fp: inv for inv, fps in issued.items() for fp in fps}

    def group(self, clients: list) -> list:
        book = self.book
        # a process computing some of the clients builds only their entries
        whole = is_built(book) or len(clients) == len(book.clients)
        entries = book.entries if whole else entries_of(book, {c.slug for c in clients})
        by_client = _by_client(entries)
        return [(c.slug, *self.run(c, by_client.get(c.slug, []))) for c in clients]

    def run(self, c, entries: list) -> tuple[list, list]:
        """A client's invoices and the diagnostics its computation adds."""
        ctx = self.ctx
        start = len(ctx.diags)
        invoices = ClientRun(ctx, c, entries).run(self.issued, self.fp_issued)
        diags = ctx.diags[start:]
        del ctx.diags[start:]
        return invoices, diags


def _groups(book: Book, clients: list, jobs: int | None) -> list[list]:
    """The clients in one group, or (jobs > 1) in one group per process, about
    equal in entries: the biggest client first to the group with the fewest."""
    if jobs is None or jobs == 1 or len(clients) < 2:
        return [clients] if clients else []
    n = min(len(clients), jobs if jobs > 1 else (os.cpu_count() or 1))
    ledgers = ledgers_of(book)
    sizes = client_sizes(ledgers) if ledgers is not None and not is_built(book) else \
        {slug: len(es) for slug, es in _by_client(book.entries).items()}
    groups: list[list] = [[] for _ in range(n)]
    load = [0] * n
    for c in sorted(clients, key=lambda c: (-sizes.get(c.slug, 0), c.slug)):
        i = load.index(min(load))
        groups[i].append(c)
        load[i] += sizes.get(c.slug, 0) + 50
    return [g for g in groups if g]


def _by_client(entries) -> dict[str, list]:
    """Each client's entries, in book order."""
    by_client: dict[str, list] = {}
    for e in entries:
        found = by_client.get(e.client)
        if found is None:
            found = by_client[e.client] = []
        found.append(e)
    return by_client


def _overlaps(inv: Invoice, window: tuple[date, date]) -> bool:
    return inv.period_start <= window[1] and window[0] <= inv.period_end


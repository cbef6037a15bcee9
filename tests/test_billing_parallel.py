"""Computing clients in a forked worker gives exactly what computing them in turn gives."""
from __future__ import annotations

from pathlib import Path

import pytest

from plainbill.billing import compute_invoices, parallel
from plainbill.load import load_book, load_files
from billing_helpers import split_book

ROOT = Path(__file__).resolve().parent.parent

TWO_CLIENTS = """
--- clients/acme.yaml
name: Acme
rates: [{rate: 60.00}]
rules: {rounding: {increment: 15m, mode: up, scope: day}}
--- clients/beta.yaml
name: Beta
rates: [{activity: remote, rate: 40.00}]
--- ledger/2026/11.txt
2026-11-03 09:00-10:20 acme remote @mario Printer
2026-11-03 20m acme remote @mario Mail
2026-11-04 1h beta remote @mario VPN
2026-11-04 1h beta dev @lucia no rate for dev
2026-11-05 1h acme dev @lucia rated
"""


pytestmark = pytest.mark.skipif(not parallel.usable(0, 2), reason="needs fork and two CPUs")


@pytest.mark.parametrize("book", [ROOT, ROOT / "examples" / "freelance"], ids=["example", "freelance"])
def test_a_forked_worker_changes_nothing(book):
    loaded = load_book(book).book
    alone, diags_alone = compute_invoices(loaded, jobs=1)
    shared, diags_shared = compute_invoices(loaded, jobs=2)
    assert [inv.to_json() for inv in shared] == [inv.to_json() for inv in alone]
    assert shared == alone
    assert diags_shared == diags_alone


def test_diagnostics_keep_their_order_and_rows_their_entries():
    book = load_files(split_book(TWO_CLIENTS)).book
    alone, diags_alone = compute_invoices(book, jobs=1)
    shared, diags_shared = compute_invoices(book, jobs=2)
    assert shared == alone and len(shared) == 2
    assert diags_shared == diags_alone and [d.code for d in diags_alone] == ["rate-missing"]
    rows = [d for inv in shared for d in inv.entries]
    by_ref = {e.ref: e for e in book.entries}
    assert all(by_ref[d.ref].ref is d.ref for d in rows)   # rebuilt from the parent's own entries


def test_small_books_stay_in_one_process():
    assert not parallel.usable(1000, None)
    assert not parallel.usable(10 ** 6, 1)


@pytest.mark.parametrize("book", [ROOT, ROOT / "examples" / "freelance"], ids=["example", "freelance"])
def test_a_worker_with_a_cache_sends_back_no_rows(book, tmp_path):
    from plainbill.billing import cache

    alone, diags_alone = compute_invoices(load_book(book).book, jobs=1)
    loaded = load_book(book).book
    shared, diags_shared = compute_invoices(loaded, jobs=2, cache_dir=tmp_path / "c")
    sizes = {}
    for e in loaded.entries:
        sizes[e.client] = sizes.get(e.client, 0) + 1
    worker, _ = parallel.split(sorted(loaded.clients, key=lambda c: c.slug), sizes)
    # the worker's clients come back through the cache, lazily; the parent's as computed
    lazy = {inv.client for inv in shared if isinstance(inv, cache.CachedInvoice)}
    assert lazy == {c.slug for c in worker} & {inv.client for inv in shared}
    assert shared == alone and diags_shared == diags_alone
    assert [inv.to_json() for inv in shared] == [inv.to_json() for inv in alone]

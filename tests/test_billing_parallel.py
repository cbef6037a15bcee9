"""Computing clients in worker processes (plainbill.parallel) gives exactly what computing them in turn gives."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from plainbill.billing import _groups, compute_invoices
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


pytestmark = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")


@pytest.mark.parametrize("book", [ROOT, ROOT / "examples" / "freelance"], ids=["example", "freelance"])
def test_worker_processes_change_nothing(book):
    alone, diags_alone = compute_invoices(load_book(book).book, jobs=1)
    shared, diags_shared = compute_invoices(load_book(book).book, jobs=2)   # entries built per process
    assert [inv.to_json() for inv in shared] == [inv.to_json() for inv in alone]
    assert shared == alone
    assert diags_shared == diags_alone


def test_diagnostics_keep_their_order():
    book = load_files(split_book(TWO_CLIENTS)).book
    alone, diags_alone = compute_invoices(book, jobs=1)
    shared, diags_shared = compute_invoices(book, jobs=2)
    assert shared == alone and len(shared) == 2
    assert diags_shared == diags_alone and [d.code for d in diags_alone] == ["rate-missing"]


def test_one_process_unless_asked_and_groups_balanced_by_entries():
    book = load_book(ROOT).book
    clients = sorted(book.clients, key=lambda c: c.slug)
    assert _groups(book, clients, None) == [clients] == _groups(book, clients, 1)
    groups = _groups(book, clients, 2)
    assert len(groups) == 2 and sorted(c.slug for g in groups for c in g) == [c.slug for c in clients]

"""`diff` reports only invoices whose content changed (issue 13): entries moving within the
ledger (a line inserted above them) move no invoice; a changed amount still does."""
from decimal import Decimal as D

from plainbill.gitdiff.compare import compare
from plainbill.gitdiff.snapshot import InvoiceView, LineView, Snapshot


def view(refs: dict[str, str], amount="100.00", number=""):
    lines = {"time/remote": LineView("Remote", D(2), "h", D(amount), tuple(sorted(refs)))}
    return InvoiceView("acme-2026-11", "acme", "2026-11-01..2026-11-30", "invoice", number, "EUR",
                       D(amount), D(amount), lines, refs)


def pair(a: InvoiceView, b: InvoiceView):
    base, head = Snapshot("base"), Snapshot("head")
    base.invoices, head.invoices = {a.id: a}, {b.id: b}
    return compare(base, head)


def test_entries_that_only_moved_change_no_invoice():
    before = view({"f1": "ledger/11.txt:1", "f2": "ledger/11.txt:2"})
    after = view({"f1": "ledger/11.txt:2", "f2": "ledger/2026/11.txt:3"})   # a line above; a file renamed
    assert pair(before, after).changes == []


def test_content_changes_are_still_reported():
    before = view({"f1": "ledger/11.txt:1"})
    assert [c.status for c in pair(before, view({"f1": "ledger/11.txt:1"}, amount="120.00")).changes] == ["changed"]
    assert pair(before, view({"f9": "ledger/11.txt:1"})).changes != []             # another entry behind it
    assert pair(before, view({"f1": "ledger/11.txt:1"}, number="2026/0001")).changes != []   # issued

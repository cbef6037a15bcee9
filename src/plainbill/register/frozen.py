"""Frozen invoices: an issued invoice, recomputed from today's book, must equal its record.

The engine recomputes each issued invoice from the fingerprints in its record
(entries added later to an issued period go to the next open period). Any
difference left is an error naming the invoice number and, where an entry is
behind it, the entry's path:line and what it said when the invoice was issued.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from ..diagnostics import Diagnostic, SourceRef, error
from ..invoice import Invoice
from ..model import Book, Entry
from .audit import HINT, locate
from .records import Record, billed_fingerprints, frozen_digests, totals_of
from .store import Register

# Two ways out, each a command that succeeds: undo the edit, or settle it with a credit note
# (settle.py: the invoice stays as issued, the entry as it is now is billed late).
REMEDY = ("an issued invoice never changes: put the line back as quoted, or settle the edit: "
          "`plainbill credit-note {number} --reason \"...\"` credits the lines that billed this entry "
          "and the entry as it is now is billed, marked late, in the next open period")
RULE_CHANGED = ("no entry behind it changed, so a rate, contract or rule did (clients/, plainbill.yaml): "
                "an issued invoice never changes; undo that change, or keep the old value and add the new "
                "one from a later date (a rate or contract with `from: {after}`)")


def verify_issued(register: Register, invoices: list[Invoice], book: Book) -> list[Diagnostic]:
    """Errors for every issued invoice whose recomputation differs from its record."""
    computed = {inv.id: inv for inv in invoices if inv.kind == "invoice"}
    index: _BookIndex | None = None
    diags: list[Diagnostic] = []
    for record in register.by_draft.values():
        inv = computed.get(record.draft)
        if inv is not None and record.digest in frozen_digests(inv):
            diags += _record_edited(record, inv)
            continue
        index = index or _BookIndex(book)
        entry_diags = _entry_changes(record, inv, index)
        diags += entry_diags
        # a missing invoice whose entries are all still there was filtered out (--period, --client)
        if inv is not None and not entry_diags:
            diags.append(_invoice_changed(record, inv))
    return diags


class _BookIndex:
    """Book entries by fingerprint and by path:line, built only when something differs."""

    def __init__(self, book: Book):
        self.by_fp: dict[str, list[Entry]] = defaultdict(list)
        self.by_ref: dict[str, Entry] = {}
        for e in book.entries:
            self.by_fp[e.fingerprint].append(e)
            self.by_ref[e.ref.short] = e


def _entry_changes(record: Record, inv: Invoice | None, index: _BookIndex) -> list[Diagnostic]:
    now = set(billed_fingerprints(inv)) if inv is not None else set()
    diags = []
    for billed in record.entries:
        # still in the book: billed (or, with no invoice, filtered out by --period/--client);
        # if amounts moved anyway, the invoice-level comparison says which
        if billed.fingerprint in now or billed.fingerprint in index.by_fp:
            continue
        where = f"issued invoice {record.number} ({record.draft})"
        hint = REMEDY.format(number=record.number)
        current = index.by_ref.get(billed.ref)
        if current is not None and current.fingerprint not in record.fingerprints:
            diags.append(error("issued-entry-changed", current.ref,
                               f"{where} billed this entry as: {billed.text}", hint,
                               related=[record.ref]))
        else:
            path, _, line = billed.ref.rpartition(":")
            ref = SourceRef(path, int(line), 1) if line.isdigit() else SourceRef(billed.ref)
            diags.append(error("issued-entry-removed", ref,
                               f"{where} billed an entry that is gone: {billed.text}", hint,
                               related=[record.ref]))
    return diags


def _record_edited(record: Record, inv: Invoice) -> list[Diagnostic]:
    """The invoice is unchanged (same digest), so totals or line amounts that differ from it were
    edited in the record itself."""
    stated, actual = dict(record.totals), dict(totals_of(inv))
    where = [(("totals", k), f"{k} {stated.get(k)} is not the issued invoice's ({v})")
             for k, v in sorted(actual.items()) if k in stated and stated[k] != v]
    amounts = {l.key: str(l.amount) for l in inv.lines}
    where += [(("lines", i, "amount"), f"line {key} says {amount}, the issued invoice {amounts[key]}")
              for i, (key, amount) in enumerate(record.lines) if key in amounts and amounts[key] != amount]
    return _errors(record, where)


def _errors(record: Record, where: list) -> list[Diagnostic]:
    return [error("issued-record-totals", locate(record.text, record.ref.path, keys),
                  f"issued record {record.number}: {message}", HINT.format(path=record.ref.path))
            for keys, message in where]


def _invoice_changed(record: Record, inv: Invoice) -> Diagnostic:
    before = dict(record.lines)
    after = {l.key: str(l.amount) for l in inv.lines}
    moved = [f"{k}: {before.get(k, '-')} -> {after.get(k, '-')}"
             for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    total = dict(record.totals).get("total", "?")
    detail = "; ".join(moved) if moved else "line texts, quantities or taxes differ"
    return error("issued-invoice-changed", record.ref,
                 f"issued invoice {record.number} ({record.draft}) would change: total {total} -> "
                 f"{inv.total} {inv.currency}; {detail}",
                 RULE_CHANGED.format(after=(record.period_end + timedelta(days=1)).isoformat()))

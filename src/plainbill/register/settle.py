"""Credit notes that settle an edit of an issued invoice.

Editing or deleting an entry an issued invoice billed is an error (frozen.py): the
invoice was sent as it was. `credit-note NUMBER` is the remedy, and runs while that
error stands: it credits the lines that billed the edited entries, and its record
lists their fingerprints (`settles`). From then on the issued invoice is computed
from those entries as they were issued (their text is in its record), so it stays
what was sent, and the entries as they are now are new ones: billed, marked late,
in the client's next open period. Credit (cancel) plus late billing (re-bill) is
the correction, and the book checks again.
"""
from __future__ import annotations

from dataclasses import replace

from ..diagnostics import Diagnostic, SourceRef, warning
from ..model import Book, Entry
from .records import BilledEntry, Record
from .store import Register

FROZEN_CODES = frozenset({"issued-entry-changed", "issued-entry-removed"})


def settled_book(book: Book, register: Register) -> Book:
    """The book with the entries settled by credit notes, as they were issued, added back."""
    restored = restore(book, register, settled_fingerprints(register))
    return replace(book, entries=(*book.entries, *restored)) if restored else book


def settled_fingerprints(register: Register) -> dict[str, Record]:
    """Fingerprint -> the issued invoice whose edited entry a credit note settled."""
    out = {}
    for note in register.records.values():
        for number in note.references if note.settles else ():
            original = register.get(number)
            if original is not None:
                out.update((fp, original) for fp in note.settles if fp in original.fingerprints)
    return out


def unsettled(book: Book, record: Record, register: Register) -> list[str]:
    """Fingerprints `record` billed that the book no longer holds and no credit note settled."""
    present = {e.fingerprint for e in book.entries}
    done = settled_fingerprints(register)
    return [b.fingerprint for b in record.entries if b.fingerprint not in present and b.fingerprint not in done]


def restore(book: Book, register: Register, wanted: dict[str, Record]) -> list[Entry]:
    """Entries as issued (parsed again from their records' text) for the fingerprints wanted,
    leaving out those the book still holds; an entry that does not parse back is left out
    (frozen.py then keeps reporting it)."""
    present = {e.fingerprint for e in book.entries}
    out = []
    for fp, record in sorted(wanted.items()):
        billed = next((b for b in record.entries if b.fingerprint == fp), None)
        if fp not in present and billed is not None:
            entry = parse_billed(billed)
            if entry is not None:
                out.append(entry)
    return out


def parse_billed(billed: BilledEntry) -> Entry | None:
    """The Entry a record's billed text describes, at its path:line; None if it does not read
    back as exactly that entry (a YAML-ledger record, a text from an older format)."""
    from ..load.entries import build_entries
    from ..load.ledger import parse_ledger

    rows, diags = parse_ledger(billed.text + "\n")
    if diags or len(rows) != 1:
        return None
    path, _, line = billed.ref.rpartition(":")
    out: list[Entry] = []
    build_entries(path or billed.ref, rows, out)
    entry = out[0]
    if entry.fingerprint != billed.fingerprint:
        return None
    return replace(entry, ref=SourceRef(path or billed.ref, int(line) if line.isdigit() else 0, 1))


def only_frozen_errors_of(diags: list[Diagnostic], record: Record) -> bool:
    """Every error is an edited or deleted entry of `record`: what a credit note settles."""
    errors = [d for d in diags if d.severity == "error"]
    return bool(errors) and all(d.code in FROZEN_CODES and record.ref in (d.related or ()) for d in errors)


def check_settled(book: Book, register: Register) -> list[Diagnostic]:
    """`settled-entry-back`: an entry a credit note settled is back as it was issued. The
    credit note cancelled it and nothing bills it again, so that work is now billed at zero."""
    present = {e.fingerprint: e for e in book.entries}
    diags = []
    for note in sorted(register.records.values(), key=lambda r: r.number):
        for fp in note.settles:
            entry = present.get(fp)
            if entry is not None:
                diags.append(warning(
                    "settled-entry-back", entry.ref,
                    f"this entry is back as {', '.join(note.references)} billed it, but credit note "
                    f"{note.number} credited it: nothing bills it now",
                    "if the work is due, write it as it should be billed (a changed line is billed, "
                    "marked late, in the next open period); if the credit was the point, leave it",
                    related=[note.ref]))
    return diags

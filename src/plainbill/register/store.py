"""The register of issued documents: reading `issued/`, its consistency checks,
and what the pipeline asks of it (issued fingerprints, numbers on invoices).

Reading never writes. A register with problems (a gap, a number used twice,
a draft issued twice, dates out of order, an unreadable record) yields
diagnostics; the book then has errors and `issue` refuses to consume numbers.
"""
from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Mapping

from ..diagnostics import Diagnostic, SourceRef, error
from ..invoice import Invoice
from ..load.source import discover, read_sources
from .records import ISSUED_DIR, Record, RecordError, invoice_from_dict, lock_path, parse_record, path_for


class Register:
    """Every issued invoice and credit note, keyed by number."""

    def __init__(self, records: Iterable[Record] = ()):
        self.records: dict[str, Record] = {}
        for r in records:
            self.records.setdefault(r.number, r)
        self.by_draft: dict[str, Record] = {
            r.draft: r for r in sorted(self.records.values(), key=_order) if r.series == "invoice"}

    def __len__(self) -> int:
        return len(self.records)

    def get(self, number: str) -> Record | None:
        return self.records.get(number)

    def issued_fingerprints(self) -> dict[str, frozenset[str]]:
        """Draft id -> fingerprints of the entries its issued invoice billed."""
        return {draft: r.fingerprints for draft, r in self.by_draft.items()}

    def last(self, series: str, year: int) -> Record | None:
        """The highest-numbered record of a series in a year."""
        rs = [r for r in self.records.values() if r.series == series and r.year == year]
        return max(rs, key=lambda r: r.seq) if rs else None

    def next_seq(self, series: str, year: int) -> int:
        last = self.last(series, year)
        return last.seq + 1 if last else 1

    def credit_notes_of(self, number: str) -> list[Record]:
        return sorted((r for r in self.records.values() if number in r.references), key=_order)

    def apply(self, invoices: list[Invoice]) -> list[Invoice]:
        """Issued drafts get their number and dates; credit notes join the list."""
        out = []
        for inv in invoices:
            r = self.by_draft.get(inv.id)
            if r is not None and inv.kind == "invoice":
                # a cached invoice stays lazy (billing/cache.py): its rows are not unpacked for this
                replace = getattr(inv, "with_header", None) or functools.partial(dataclasses.replace, inv)
                inv = replace(number=r.number, issue_date=r.issue_date, due_date=r.due_date)
            out.append(inv)
        shown = {inv.id for inv in invoices}
        for r in sorted(self.records.values(), key=_order):
            # with --period/--client, a credit note comes along with the invoice it credits
            originals = [self.records.get(n) for n in r.references]
            if not any(o is not None and o.draft in shown for o in originals):
                continue
            if r.series == "credit-note" and r.invoice is not None:
                try:
                    out.append(invoice_from_dict(r.invoice))
                except (KeyError, TypeError, ValueError):  # reported by load_register
                    pass
        return out


def _order(r: Record):
    return (r.series, r.year, r.seq, r.number)


def load_register(root: Path) -> tuple[Register, list[Diagnostic]]:
    """Read `root/issued/**/*.json`; an absent folder is an empty register. The folder is
    listed by load.source.discover, with the same rules as the book's sources (no link
    out of the book is read; an unreadable folder is an error)."""
    paths, problems = discover(Path(root), (ISSUED_DIR,))
    files, unread = read_sources(Path(root), [p for p in paths if p.endswith((".json", ".txt"))])
    register, diags = register_from_files(files)
    return register, problems + unread + diags


def register_from_files(files: Mapping[str, bytes | str]) -> tuple[Register, list[Diagnostic]]:
    """The register held by a {book-relative path: content} map (other paths ignored)."""
    records, diags, locks = [], [], {}
    for path in sorted(files):
        if path.startswith(ISSUED_DIR + "/drafts/") and path.endswith(".txt"):
            raw = files[path]
            locks[path] = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw).strip()
            continue
        if not (path.startswith(ISSUED_DIR + "/") and path.endswith(".json")):
            continue
        raw = files[path]
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            records.append(parse_record(text, path))
        except (RecordError, UnicodeDecodeError) as exc:
            diags.append(error("issued-record-invalid", SourceRef(path, 1, 1),
                               f"issued record cannot be read: {exc}",
                               "records under issued/ are written by `plainbill issue`; restore it from git"))
    diags += validate(records)
    diags += _check_locks(records, locks)
    return Register(records), diags


def _check_locks(records: list[Record], locks: dict[str, str]) -> list[Diagnostic]:
    """Each draft lock names the number its draft was issued as."""
    issued = {lock_path(r.draft): r.number for r in records if r.series == "invoice"}
    return [error("issued-draft-lock", SourceRef(path, 1, 1),
                  f"{path} says {number or 'nothing'}, but " +
                  (f"the draft was issued as {issued[path]}" if path in issued else "no invoice is issued for it"),
                  "the lock files under issued/drafts/ are written by `plainbill issue`; restore it from git")
            for path, number in sorted(locks.items()) if issued.get(path) != number]


def validate(records: list[Record]) -> list[Diagnostic]:
    """Numbers unique and gap-free per series and year, dates in order, one number per draft."""
    diags: list[Diagnostic] = []
    by_number: dict[str, list[Record]] = defaultdict(list)
    series: dict[tuple[str, int], list[Record]] = defaultdict(list)
    drafts: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        if r.path and r.path != path_for(r.number):
            diags.append(error("issued-record-misplaced", r.ref,
                               f"record of {r.number} is at {r.path}, expected {path_for(r.number)}",
                               "move it back: the path derived from the number is what makes a "
                               "number issued on two branches conflict in git"))
        by_number[r.number].append(r)
        series[(r.series, r.year)].append(r)
        if r.series == "invoice":
            drafts[r.draft].append(r)
    for number, rs in sorted(by_number.items()):
        if len(rs) > 1:
            diags.append(error("issued-number-duplicate", rs[1].ref, f"number {number} is issued twice",
                               "a number is never reused: keep one record, credit the other invoice",
                               related=[r.ref for r in rs[:1]]))
    for (name, year), rs in sorted(series.items()):
        diags += _check_series(name, year, rs)
    for draft, rs in sorted(drafts.items()):
        if len(rs) > 1:
            rs = sorted(rs, key=_order)
            diags.append(error("issued-draft-twice", rs[1].ref,
                               f"draft {draft} is issued twice: {', '.join(r.number for r in rs)}",
                               "keep the first; cancel the other with a credit note",
                               related=[r.ref for r in rs[:1]]))
    credited: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        for ref_number in r.references:
            if ref_number not in by_number:
                diags.append(error("credit-note-unknown-original", r.ref,
                                   f"credit note {r.number} references {ref_number}, which is not issued"))
            else:
                credited[ref_number].append(r)
    for number, notes in sorted(credited.items()):
        diags += _check_credited(by_number[number][0], notes)
    return diags


def _check_credited(original: Record, notes: list[Record]) -> list[Diagnostic]:
    """Credit notes of one invoice (maybe issued on two branches) never exceed it."""
    def subtotal(r: Record) -> Decimal:
        return Decimal(dict(r.totals).get("subtotal", "0"))

    total = sum((subtotal(n) for n in notes), Decimal(0))
    if total <= subtotal(original):
        return []
    last = max(notes, key=_order)
    return [error("credit-note-exceeds", last.ref,
                  f"credit notes {', '.join(n.number for n in sorted(notes, key=_order))} credit {total}, "
                  f"more than invoice {original.number} ({subtotal(original)})",
                  "cancel the excess with a new invoice", related=[original.ref])]


def _check_series(name: str, year: int, rs: list[Record]) -> list[Diagnostic]:
    diags = []
    rs = sorted(rs, key=lambda r: (r.seq, r.number))
    seqs = sorted({r.seq for r in rs})
    missing = sorted(set(range(1, seqs[-1] + 1)) - set(seqs))
    if missing:
        diags.append(error("issued-number-gap", rs[-1].ref,
                           f"{name} numbers of {year} have a gap: {_ranges(missing)} missing",
                           "numbers are gap-free: restore the missing records from git history"))
    for prev, cur in zip(rs, rs[1:]):
        if cur.issue_date < prev.issue_date:
            diags.append(error("issued-date-order", cur.ref,
                               f"{cur.number} is dated {cur.issue_date}, before {prev.number} "
                               f"({prev.issue_date})",
                               "numbers must follow issue dates within a series and year",
                               related=[prev.ref]))
    return diags


def _ranges(seqs: list[int]) -> str:
    out, start = [], seqs[0]
    for a, b in zip(seqs, seqs[1:] + [None]):
        if b != a + 1:
            out.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(out)

"""The register of issued documents: reading `issued/`, its consistency checks,
and what the pipeline asks of it (issued fingerprints, numbers on invoices).

Reading never writes. A register with problems (a gap, a number used twice,
a draft issued twice, dates out of order, an unreadable record) yields
diagnostics; the book then has errors and `issue` refuses to consume numbers.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Mapping

from ..diagnostics import Diagnostic, SourceRef, error
from ..invoice import Invoice
from ..model import Numbering
from ..load.source import discover, read_sources
from .audit import audit_record
from .journal import JOURNAL, LOCK, JournalError, held, is_temp, parse_journal
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

    def next_seq(self, series: str, year: int, first: int = 1) -> int:
        """After the last record of the year; `first` (numbering.start) when there is none."""
        last = self.last(series, year)
        return last.seq + 1 if last else first

    def credit_notes_of(self, number: str) -> list[Record]:
        return sorted((r for r in self.records.values() if number in r.references), key=_order)

    def apply(self, invoices: list[Invoice]) -> list[Invoice]:
        """Issued drafts get their number and dates; credit notes join the list."""
        out = []
        for inv in invoices:
            r = self.by_draft.get(inv.id)
            if r is not None and inv.kind == "invoice":
                inv = dataclasses.replace(inv, number=r.number, issue_date=r.issue_date, due_date=r.due_date)
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
    """Read `root/issued/`; an absent folder is an empty register.

    Records (`*.json`) and draft locks (`drafts/*.txt`) are listed by load.source.discover,
    with the same rules as the book's sources (no link out of the book is read; an
    unreadable folder is an error). The hidden files of an interrupted write are looked
    for too: the journal is read (never through a link), temp files only named."""
    root = Path(root)
    paths, problems = discover(root, (ISSUED_DIR,))
    files, unread = read_sources(root, [p for p in paths if p.endswith((".json", ".txt"))])
    hidden, more = _interrupted_write(root)
    files.update(hidden)
    register, diags = register_from_files(files)
    diags = problems + unread + more + diags
    if any(d.code in _HALF_WRITTEN for d in diags) and held(root):
        diags = [_in_progress(d) if d.code in _HALF_WRITTEN else d for d in diags]
    return register, diags


def _interrupted_write(root: Path) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The journal and temp files left by an interrupted `issue` (hidden names discover skips)."""
    files: dict[str, bytes] = {}
    diags: list[Diagnostic] = []
    base = root / ISSUED_DIR
    if base.is_symlink() or not base.is_dir():
        return files, diags
    for dirpath, dirnames, filenames in os.walk(base):   # never follows links
        for name in filenames:
            rel = (Path(dirpath) / name).relative_to(root).as_posix()
            if is_temp(rel):
                files[rel] = b""
            elif rel == JOURNAL:
                try:
                    files[rel] = _read_plain(root / rel)
                except OSError as exc:
                    diags.append(error("issued-interrupted", SourceRef(rel), f"{rel} cannot be read: "
                                       f"{exc.strerror or exc}", "check the file's permissions"))
    return files, diags


def _read_plain(path: Path) -> bytes:
    """A regular file's bytes, never through a link (O_NOFOLLOW) and never blocking on a FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(0, "not a regular file")
        return f.read()


_HALF_WRITTEN = ("issued-interrupted", "issued-temp-file")


def _in_progress(d: Diagnostic) -> Diagnostic:
    return dataclasses.replace(d, message=f"{d.message}: a run is writing the register right now ({LOCK} is held)",
                               hint="check again once it has finished")


def register_from_files(files: Mapping[str, bytes | str]) -> tuple[Register, list[Diagnostic]]:
    """The register held by a {book-relative path: content} map (other paths ignored)."""
    records, diags, locks = [], [], {}
    pending, journal_diags = _journal(files)
    diags += journal_diags
    for path in sorted(files):
        if not path.startswith(ISSUED_DIR + "/") or path == JOURNAL or path in pending:
            continue
        if is_temp(path):
            diags.append(error("issued-temp-file", SourceRef(path, 1, 1),
                               "a temporary file of an interrupted `plainbill issue` or `credit-note`",
                               "no record was written from it: delete it (the next `plainbill issue` or "
                               "`credit-note` does so itself)"))
            continue
        if path.startswith(ISSUED_DIR + "/drafts/") and path.endswith(".txt"):
            locks[path] = _text(files[path]).strip()
            continue
        if not path.endswith(".json"):
            continue
        try:
            text = _text(files[path], strict=True)
            record = parse_record(text, path)
        except RecordError as exc:
            diags.append(error("issued-record-invalid", SourceRef(path, exc.line, exc.col),
                               f"issued record cannot be read: {exc}", RESTORE))
            continue
        except UnicodeDecodeError:
            diags.append(error("issued-record-invalid", SourceRef(path, 1, 1),
                               "issued record cannot be read: not UTF-8 text", RESTORE))
            continue
        records.append(record)
        diags += audit_record(record, text)
    diags += validate(records)
    diags += _check_locks(records, locks)
    return Register(records), diags


RESTORE = "records under issued/ are written by `plainbill issue`; restore it from git"


def _text(raw: bytes | str, strict: bool = False) -> str:
    if isinstance(raw, str):
        return raw
    return raw.decode("utf-8") if strict else raw.decode("utf-8", "replace")


def _journal(files: Mapping[str, bytes | str]) -> tuple[set[str], list[Diagnostic]]:
    """The files an interrupted run left (still as it wrote them), and the error naming them."""
    if JOURNAL not in files:
        return set(), []
    where = SourceRef(JOURNAL, 1, 1)
    try:
        journal = parse_journal(files[JOURNAL])
    except JournalError as exc:
        return set(), [error("issued-interrupted", where, f"{JOURNAL} cannot be read: {exc}",
                             "it is written by `plainbill issue` and `credit-note` while they write the "
                             "register; if none is running, compare the files it lists with git, then delete it")]
    left = sorted(path for path, digest in journal.files if path in files and
                  hashlib.sha256(_raw(files[path])).hexdigest() == digest)
    numbers = [p.removeprefix(ISSUED_DIR + "/").removesuffix(".json") for p in left if not p.startswith(
        ISSUED_DIR + "/drafts/")]
    listed = ", ".join(left[:4]) + (f" and {len(left) - 4} more" if len(left) > 4 else "")
    message = (f"an interrupted `plainbill {journal.command}` left {len(left)} of the {len(journal.files)} "
               f"files it was writing ({', '.join(numbers[:3]) or 'no record'}"
               f"{' ...' if len(numbers) > 3 else ''}); none of them was issued")
    hint = (f"run `plainbill {journal.command}` again: it first removes them and this journal, then works as "
            f"usual; or delete them by hand ({listed or 'none'}), then {JOURNAL}")
    return set(left), [error("issued-interrupted", where, message, hint)]


def _raw(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _check_locks(records: list[Record], locks: dict[str, str]) -> list[Diagnostic]:
    """Each issued invoice has its draft lock, and each lock names the number its draft was issued as.

    A draft issued twice is reported as that (issued-draft-twice): either number satisfies its lock."""
    issued: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        if r.series == "invoice":
            issued[lock_path(r.draft)].append(r)
    diags = []
    for path, number in sorted(locks.items()):
        if number not in {r.number for r in issued.get(path, ())}:
            diags.append(error("issued-draft-lock", SourceRef(path, 1, 1),
                               f"{path} says {number or 'nothing'}, but " +
                               (f"the draft was issued as {issued[path][0].number}" if path in issued
                                else "no invoice is issued for it"),
                               "the lock files under issued/drafts/ are written by `plainbill issue`; "
                               "restore it from git"))
    for path, rs in sorted(issued.items()):
        if path not in locks:
            diags.append(error("issued-draft-lock", rs[0].ref,
                               f"issued invoice {rs[0].number} has no lock file {path}",
                               f"restore it from git, or write it: printf '{rs[0].number}\\n' > {path}"))
    return diags


def validate(records: list[Record], numbering: Numbering | None = None) -> list[Diagnostic]:
    """Numbers unique and gap-free per series and year, dates in order, one number per draft.

    Without `numbering` (the register read alone) a year's numbers are checked from its first
    record on; `check_start` checks them against the book's first numbers (numbering.start)."""
    diags: list[Diagnostic] = []
    by_number: dict[str, list[Record]] = defaultdict(list)
    series: dict[tuple[str, int], list[Record]] = defaultdict(list)
    drafts: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        if r.path and r.path != path_for(r.number):
            diags.append(error("issued-record-misplaced", r.at("number"),
                               f"record of {r.number} is at {r.path}, expected {path_for(r.number)}",
                               "move it back: the path derived from the number is what makes a "
                               "number issued on two branches conflict in git"))
        by_number[r.number].append(r)
        series[(r.series, r.year)].append(r)
        if r.series == "invoice":
            drafts[r.draft].append(r)
    for number, rs in sorted(by_number.items()):
        if len(rs) > 1:
            diags.append(error("issued-number-duplicate", rs[1].at("number"), f"number {number} is issued twice",
                               "a number is never reused: keep one record, credit the other invoice",
                               related=[r.ref for r in rs[:1]]))
    for (name, year), rs in sorted(series.items()):
        diags += _check_series(name, year, rs, numbering)
    for draft, rs in sorted(drafts.items()):
        if len(rs) > 1:
            rs = sorted(rs, key=_order)
            diags.append(error("issued-draft-twice", rs[1].at("draft"),
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


def check_start(register: Register, numbering: Numbering) -> list[Diagnostic]:
    """Each year's numbers against the book's first number (1, or numbering.start): none missing
    before the first record, none below the start."""
    series: dict[tuple[str, int], list[Record]] = defaultdict(list)
    for r in register.records.values():
        series[(r.series, r.year)].append(r)
    diags = []
    for (name, year), rs in sorted(series.items()):
        first = numbering.first_seq(name, year)
        low = min(rs, key=lambda r: (r.seq, r.number))
        if low.seq < first:
            where = next(ref for s, y, _, ref in numbering.start if s == name and y == year)
            diags.append(error("numbering-start", where,
                               f"numbering.start says {name} numbers of {year} start at {first}, but "
                               f"{low.number} is issued", "numbering.start is for a year this book did not "
                               "number from 1: set it to the first number this book issued that year, or remove it",
                               related=[low.ref]))
        elif low.seq > first:   # located where validate() locates a gap: at the series' last record
            diags.append(error("issued-number-gap", max(rs, key=lambda r: (r.seq, r.number)).ref,
                               f"{name} numbers of {year} have a gap: {_ranges(list(range(first, low.seq)))} missing",
                               f"numbers are gap-free: restore the missing records from git history; if this book "
                               f"took over the numbering from another tool, say so under `numbering:` in "
                               f"plainbill.yaml: `start: {{{SERIES_KEY[name]}: {{{year}: {low.seq}}}}}`"))
    return diags


SERIES_KEY = {"invoice": "invoice", "credit-note": "credit_note"}


def _check_series(name: str, year: int, rs: list[Record], numbering: Numbering | None = None) -> list[Diagnostic]:
    diags = []
    rs = sorted(rs, key=lambda r: (r.seq, r.number))
    seqs = sorted({r.seq for r in rs})
    first = min(seqs[0], numbering.first_seq(name, year)) if numbering else seqs[0]
    missing = sorted(set(range(first, seqs[-1] + 1)) - set(seqs))
    if missing:
        diags.append(error("issued-number-gap", rs[-1].ref,
                           f"{name} numbers of {year} have a gap: {_ranges(missing)} missing",
                           "numbers are gap-free: restore the missing records from git history"))
    for prev, cur in zip(rs, rs[1:]):
        if cur.issue_date < prev.issue_date:
            diags.append(error("issued-date-order", cur.at("issue_date"),
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

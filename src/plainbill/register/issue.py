"""Issuing: choose drafts, give them the next numbers, and turn them into records.

Pure functions: they take the computed invoices and the register and return
records (or diagnostics saying why not); `commands.py` writes them.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..billing.client import fee_only
from ..diagnostics import Diagnostic, error
from ..invoice import Invoice
from ..model import Book
from .numbering import check_format, due_date, format_number, number_format
from .records import BilledEntry, Record, billed_fingerprints, frozen_digest, totals_of
from .store import Register, validate


def select_drafts(invoices: list[Invoice], on: date, drafts: tuple[str, ...] = ()) -> tuple[list[Invoice], list[str]]:
    """Unissued invoices to issue, in numbering order, and the draft ids asked for but not found.

    Without draft ids: every draft whose period ended on or before the issue date.
    """
    open_ = [inv for inv in invoices if inv.kind == "invoice" and not inv.number]
    if drafts:
        wanted = set(drafts)
        chosen = [inv for inv in open_ if inv.id in wanted]
        unknown = sorted(wanted - {inv.id for inv in chosen})
    else:
        chosen, unknown = [inv for inv in open_ if inv.period_end <= on], []
    chosen.sort(key=lambda inv: (inv.period_end, inv.period_start, inv.client, inv.id))
    return chosen, unknown


def older_than_issued(drafts: list[Invoice], register: Register) -> list[tuple[Invoice, Record]]:
    """Drafts for a period that ends before the latest one already issued to the same client,
    with that record: a draft skipped last month, or months a new contract reaches back to,
    which are numbered only when asked for (`--allow-older`)."""
    latest: dict[str, Record] = {}
    for r in register.by_draft.values():
        if r.client not in latest or r.period_end > latest[r.client].period_end:
            latest[r.client] = r
    return [(inv, latest[inv.client]) for inv in drafts
            if inv.client in latest and inv.period_end < latest[inv.client].period_end]


def before_the_work(drafts: list[Invoice], invoices: list[Invoice]) -> list[Invoice]:
    """Drafts with no entry behind them (only a contract's fee) for a period before the first
    work of their client: a retainer written with the date its contract began may reach back to
    months billed elsewhere, or never meant to be billed. Numbered only when named."""
    first_work: dict[str, date] = {}
    for inv in invoices:
        if inv.kind == "invoice" and inv.entries:
            first_work[inv.client] = min(inv.period_start, first_work.get(inv.client, inv.period_start))
    return [inv for inv in drafts if fee_only(inv) and inv.client in first_work
            and inv.period_end < first_work[inv.client]]


def nothing_to_bill(inv: Invoice) -> bool:
    """A draft whose every line is 0.00 (only no-charge work, say): it is never numbered, since an
    invoice of nothing would cost the client a registration and the firm a number."""
    return inv.total == 0 and all(line.amount == 0 for line in inv.lines)


def plan_issue(book: Book, register: Register, drafts: list[Invoice], on: date) -> tuple[list[Record], list[Diagnostic]]:
    """Records for `drafts`, numbered after the register's last; nothing when any is wrong."""
    diags = _series_ready(book, register, "invoice", on)
    if diags:
        return [], diags
    texts = {e.fingerprint: e for e in book.entries}
    seq = register.next_seq("invoice", on.year, book.settings.numbering.first_seq("invoice", on.year))
    fmt = number_format(book.settings, "invoice")
    records = []
    for inv in drafts:
        number = format_number(fmt, "invoice", on.year, seq)
        records.append(_record(book, inv, number, on, seq, texts))
        seq += 1
    return records, _still_valid(register, records)


def _series_ready(book: Book, register: Register, series: str, on: date) -> list[Diagnostic]:
    bad = check_format(book.settings, series)
    if bad:
        return [bad]
    last = register.last(series, on.year)
    if last and on < last.issue_date:
        return [error("issue-date-order", last.ref,
                      f"issue date {on} is before {last.number}, issued on {last.issue_date}",
                      f"numbers follow dates: issue on {last.issue_date} or later (--date)")]
    return []


def _still_valid(register: Register, records: list[Record]) -> list[Diagnostic]:
    """The register with the new records must stay consistent; checked before any write."""
    return validate([*register.records.values(), *records])


def _record(book: Book, inv: Invoice, number: str, on: date, seq: int, texts) -> Record:
    entries = []
    by_fp = {d.fingerprint: d for d in inv.entries}
    for fp in billed_fingerprints(inv):
        e = texts.get(fp)
        d = by_fp.get(fp)
        ref = e.ref.short if e else (d.ref.short if d else "")
        day = (e.date if e else d.date).isoformat() if (e or d) else ""
        entries.append(BilledEntry(fp, ref, day, e.text if e else (d.description if d else "")))
    entries.sort(key=lambda b: _ref_order(b.ref))
    client = book.client(inv.client)
    return Record(number=number, series=inv.kind, year=on.year, seq=seq, issue_date=on,
                  due_date=due_date(on, client, book.settings) if inv.kind == "invoice" else None,
                  draft=inv.id, client=inv.client, period_start=inv.period_start, period_end=inv.period_end,
                  currency=inv.currency, totals=totals_of(inv), hash=inv.hash, digest=frozen_digest(inv),
                  lines=tuple((l.key, str(l.amount)) for l in inv.lines), entries=tuple(entries),
                  taxes=tuple((t.tax_code, str(t.rate), str(t.base), str(t.tax)) for t in inv.taxes),
                  references=inv.references,
                  invoice=inv.to_dict() if inv.kind == "credit-note" else None)


def _ref_order(ref: str):
    path, _, line = ref.rpartition(":")
    return (path, int(line)) if line.isdigit() else (ref, 0)


def numbered(inv: Invoice, record: Record) -> Invoice:
    return replace(inv, number=record.number, issue_date=record.issue_date, due_date=record.due_date)

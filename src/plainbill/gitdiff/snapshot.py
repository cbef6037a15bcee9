"""One side of a diff: a book's invoices reduced to what a reviewer compares.

A Snapshot is plain data (tuples, dicts, strings) so a worker process can
compute one side and hand it back cheaply; amounts stay Decimal.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Mapping

from ..diagnostics import Diagnostic, Severity
from ..invoice import Invoice

SETTINGS_PARTS = ("plainbill.yaml", "clients/")


@dataclass(frozen=True, slots=True)
class LineView:
    description: str
    quantity: Decimal
    unit: str
    amount: Decimal
    entries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InvoiceView:
    id: str
    client: str
    period: str
    kind: str
    number: str
    currency: str
    total: Decimal
    amount_due: Decimal
    lines: dict[str, LineView]
    entries: dict[str, str]          # fingerprint -> path:line


@dataclass
class Snapshot:
    label: str
    invoices: dict[str, InvoiceView] = field(default_factory=dict)
    entries: dict[str, tuple[str, str]] = field(default_factory=dict)   # fingerprint -> (path:line, text)
    settings: dict[str, str] = field(default_factory=dict)              # settings/client file -> sha1
    errors: list[str] = field(default_factory=list)                     # formatted, first ones only
    error_count: int = 0
    computed: bool = True        # False: the book does not check, so it has no invoices to compare


def view(inv: Invoice) -> InvoiceView:
    lines = {l.key: LineView(l.description, l.quantity, l.unit, l.amount, tuple(sorted(l.entries)))
             for l in inv.lines}
    entries = {d.fingerprint: d.ref.short for d in inv.entries}
    for l in inv.lines:
        for fp, src in zip(l.entries, l.sources):
            entries.setdefault(fp, src.short)
    key = inv.number if inv.kind == "credit-note" else inv.id
    return InvoiceView(key, inv.client, f"{inv.period_start}..{inv.period_end}", inv.kind, inv.number,
                       inv.currency, inv.total, inv.amount_due, lines, entries)


def snapshot_files(label: str, files: Mapping[str, bytes], root: str = ".") -> Snapshot:
    """Check and compute a book given as {path: bytes} (a git revision)."""
    from ..pipeline import compute_book

    settings = {p: b for p, b in files.items() if p.startswith(SETTINGS_PARTS)}
    return _snapshot(label, compute_book(Path(root), files=files, einvoices=False), settings)


def snapshot_worktree(label: str, root: Path) -> Snapshot:
    """The same for the book on disk (the working tree)."""
    from ..pipeline import compute_book
    from .gitread import read_worktree

    settings = {p: b for p, b in read_worktree(root).items() if p.startswith(SETTINGS_PARTS)}
    return _snapshot(label, compute_book(root, einvoices=False), settings)


def _snapshot(label: str, computed, settings: Mapping[str, bytes]) -> Snapshot:
    """The pipeline's invoices of a book; none when the book does not check (it could not be
    read whole, or breaks a rule): comparing them would be comparing nonsense."""
    snap = Snapshot(label)
    snap.settings = {p: hashlib.sha1(b if isinstance(b, bytes) else b.encode()).hexdigest()
                     for p, b in settings.items()}
    snap.computed = computed.invoices is not None
    if computed.problem:   # not a book at all (a folder gone since): nothing to compare
        snap.errors, snap.error_count = [computed.problem], 1
        return snap
    if snap.computed:
        for inv in computed.invoices:
            v = view(inv)
            snap.invoices[v.id] = v
        snap.entries = {e.fingerprint: (e.ref.short, e.text) for e in computed.checked.book.entries}
    errors = sorted((d for d in computed.diagnostics if d.severity is Severity.ERROR), key=Diagnostic.sort_key)
    snap.error_count = len(errors)
    snap.errors = [f"{d.ref}: {d.message} [{d.code}]" for d in errors[:20]]
    return snap

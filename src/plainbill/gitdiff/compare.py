"""Compare two snapshots: which invoices were added, removed or changed, and why.

For each changed invoice: totals before and after, the lines whose amount or
quantity moved, and the entries behind the change (added, removed, or changed
in place: the same path:line now holding different text).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .snapshot import InvoiceView, Snapshot

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class LineChange:
    key: str
    description: str
    quantity_before: Decimal | None
    quantity_after: Decimal | None
    unit: str
    before: Decimal | None
    after: Decimal | None


@dataclass(frozen=True, slots=True)
class EntryChange:
    status: str                 # added | removed | changed
    ref: str                    # path:line (head side when it exists)
    text: str
    before: str = ""            # changed: the old text
    before_ref: str = ""


@dataclass
class InvoiceChange:
    status: str                 # added | removed | changed
    id: str
    client: str
    period: str
    kind: str
    number: str
    currency: str
    before: Decimal | None
    after: Decimal | None
    lines: list[LineChange] = field(default_factory=list)
    entries: list[EntryChange] = field(default_factory=list)

    @property
    def delta(self) -> Decimal:
        return (self.after or ZERO) - (self.before or ZERO)


@dataclass
class DiffResult:
    base: Snapshot
    head: Snapshot
    changes: list[InvoiceChange]
    settings_changed: list[str]

    @property
    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per currency: (before, after) summed over the invoices that change (credit notes subtract)."""
        out: dict[str, list[Decimal]] = {}
        for c in self.changes:
            sign = -1 if c.kind == "credit-note" else 1
            pair = out.setdefault(c.currency, [ZERO, ZERO])
            pair[0] += sign * (c.before or ZERO)
            pair[1] += sign * (c.after or ZERO)
        return {c: (a, b) for c, (a, b) in sorted(out.items()) if a != b}


def compare(base: Snapshot, head: Snapshot) -> DiffResult:
    changes = []
    for key in sorted(set(base.invoices) | set(head.invoices)):
        a, b = base.invoices.get(key), head.invoices.get(key)
        if same_content(a, b):
            continue
        changes.append(_change(a, b, base, head))
    settings = sorted(p for p in set(base.settings) | set(head.settings)
                      if base.settings.get(p) != head.settings.get(p))
    return DiffResult(base, head, changes, settings)


def same_content(a: InvoiceView | None, b: InvoiceView | None) -> bool:
    """The same invoice for its client: numbers, totals, lines and the entries behind them. Where
    the entries sit (path:line) is left out: a line inserted above them, a ledger file split or
    renamed, moves no invoice."""
    if a is None or b is None:
        return a is b
    return (a.number, a.total, a.amount_due, a.lines, a.currency, a.entries.keys()) == \
        (b.number, b.total, b.amount_due, b.lines, b.currency, b.entries.keys())


def _change(a: InvoiceView | None, b: InvoiceView | None, base: Snapshot, head: Snapshot) -> InvoiceChange:
    v = b or a
    status = "added" if a is None else "removed" if b is None else "changed"
    change = InvoiceChange(status, v.id, v.client, v.period, v.kind, v.number, v.currency,
                           a.total if a else None, b.total if b else None)
    la, lb = (a.lines if a else {}), (b.lines if b else {})
    for key in sorted(set(la) | set(lb)):
        x, y = la.get(key), lb.get(key)
        if x is not None and y is not None and (x.amount, x.quantity) == (y.amount, y.quantity):
            continue
        w = y or x
        change.lines.append(LineChange(key, w.description, x.quantity if x else None,
                                       y.quantity if y else None, w.unit,
                                       x.amount if x else None, y.amount if y else None))
    change.entries = _entry_changes(a.entries if a else {}, b.entries if b else {}, base, head)
    return change


def _entry_changes(ea: dict[str, str], eb: dict[str, str], base: Snapshot, head: Snapshot) -> list[EntryChange]:
    removed = {fp: base.entries.get(fp, (ref, "")) for fp, ref in ea.items() if fp not in eb}
    added = {fp: head.entries.get(fp, (ref, "")) for fp, ref in eb.items() if fp not in ea}
    removed_at = {ref: (fp, text) for fp, (ref, text) in removed.items()}
    out = []
    for fp, (ref, text) in sorted(added.items(), key=lambda kv: _ref_key(kv[1][0])):
        old = removed_at.pop(ref, None)
        if old is not None:
            out.append(EntryChange("changed", ref, text, before=old[1], before_ref=ref))
        else:
            out.append(EntryChange("added", ref, text))
    for ref, (fp, text) in removed_at.items():
        out.append(EntryChange("removed", ref, text, before_ref=ref))
    return sorted(out, key=lambda c: _ref_key(c.ref))


def _ref_key(ref: str):
    path, _, line = ref.rpartition(":")
    return (path, int(line)) if line.isdigit() else (ref, 0)

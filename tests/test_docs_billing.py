"""docs/billing.md never lies: every `book` example is billed and compared with the
`invoice` blocks that follow it (lines, totals, and any warnings)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from billing_helpers import compute

DOC = Path(__file__).resolve().parent.parent / "docs" / "billing.md"
FENCE = re.compile(r"^```(book|invoice)([^\n]*)\n(.*?)^```", re.S | re.M)


def examples(text: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(title, book text, [(invoice id, expected table)]) for every book in the document."""
    out, title = [], ""
    for m in FENCE.finditer(text):
        kind, arg, body = m.group(1), m.group(2).strip(), m.group(3)
        if kind == "book":
            heading = re.findall(r"^#+ (.+)$", text[:m.start()], re.M)
            title = heading[-1] if heading else "example"
            out.append((title, body, []))
        elif out:
            out[-1][2].append((arg, body))
    return out


def table(inv) -> str:
    """An invoice as the docs show it: one row per line, then totals, notes and warnings."""
    rows = [f"{ln.kind:<15}| {ln.description} | {ln.quantity.normalize():f} {ln.unit} x {ln.unit_price} | {ln.amount}"
            for ln in inv.lines]
    totals = f"subtotal {inv.subtotal}, tax {inv.tax_total}, total {inv.total}"
    if inv.withholding:
        pct = (inv.withholding_rate * 100).normalize()
        totals += f", withholding {inv.withholding} ({pct:f}% of {inv.withholding_base})"
    if inv.split_payment:
        totals += f", split payment {inv.split_payment}"
    rows.append(totals + f", due {inv.amount_due}")
    rows += [f"statement: {s.contract} " + ", ".join(f"{k} {v}" for k, v in s.minutes) for s in inv.statements]
    rows += [f"note: {n}" for n in inv.notes]
    rows += [f"warning: {w}" for w in inv.warnings]
    return "\n".join(rows) + "\n"


CASES = examples(DOC.read_text(encoding="utf-8")) if DOC.exists() else []


@pytest.mark.parametrize("title,text,expected", CASES, ids=[c[0] for c in CASES])
def test_documented_example(title, text, expected):
    invoices, diags = compute(text)
    assert expected, f"{title}: the example shows no invoice"
    errors = [f"{d.ref}: {d.message} [{d.code}]" for d in diags if d.severity.name == "ERROR"]
    assert errors == [], f"{title}: the example has errors"
    for inv_id, table_text in expected:
        assert inv_id in invoices, f"{title}: no invoice {inv_id}; got {sorted(invoices)}"
        assert table(invoices[inv_id]) == table_text, f"{title}: {inv_id} differs"


def test_the_document_has_examples():
    assert len(CASES) >= 10

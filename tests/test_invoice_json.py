"""The directly written canonical JSON equals what json.dumps makes of the plain invoice."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from plainbill import pipeline
from plainbill.invoice import _plain
from billing_helpers import compute

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = '''
--- clients/acme.yaml
name: "Acme \\"quoted\\" & <b>bold</b> — ünïcode"
language: it
rates: [{rate: 60.00}, {activity: onsite, rate: 72.50, person: mario}]
rules: {rounding: {increment: 15m, mode: up}, multipliers: {after_hours: 1.5}}
projects:
  web: {name: "Sito \\\\ web \\t tab"}
--- ledger/2026/11.txt
2026-11-03 17:30-19:10 acme/web remote @mario Printer "offline" \\ back slash
2026-11-03 20m acme onsite @mario Ñandú ☃ #nobill
2026-11-04 expense acme @mario 12.40 Cavo "patch" qty=2
'''


def _old_json(inv) -> str:
    return json.dumps(_plain(inv), sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _old_hash(inv) -> str:
    d = _plain(inv)
    for k in ("number", "issue_date", "due_date"):
        d.pop(k, None)
    return hashlib.sha256(json.dumps(d, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _invoices_of(root: Path):
    checked = pipeline.check_book(root)
    return pipeline.compute(checked)


@pytest.mark.parametrize("book", [ROOT, ROOT / "examples" / "freelance"], ids=["example", "freelance"])
def test_written_json_is_json_dumps_of_the_plain_invoice(book):
    invoices = _invoices_of(book)
    assert invoices
    for inv in invoices:
        assert inv.to_json() == _old_json(inv)
        assert inv.hash == _old_hash(inv)
        assert inv.to_dict() == _plain(inv)


def test_hostile_text_is_escaped_exactly_like_json_dumps():
    invoices, _ = compute(HOSTILE)
    assert invoices
    for inv in invoices.values():
        assert inv.entries and any(ln.sources for ln in inv.lines)
        assert inv.to_json() == _old_json(inv)
        assert inv.hash == _old_hash(inv)
        assert json.loads(inv.to_json()) == _plain(inv)


def test_an_invoice_survives_pickling_equal_and_with_the_same_json():
    import pickle

    invoices = _invoices_of(ROOT)
    for inv in invoices:
        back = pickle.loads(pickle.dumps(inv, protocol=5))
        assert back == inv and back.to_json() == inv.to_json()
        assert pickle.dumps(back, protocol=5) == pickle.dumps(inv, protocol=5)

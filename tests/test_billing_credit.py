"""A credit note carries only the notes that concern the lines it credits."""
from datetime import date

from billing_helpers import split_book
from plainbill.billing import compute_invoices
from plainbill.load import load_files
from plainbill.register.credit import plan_credit_note
from plainbill.register.issue import numbered, plan_issue, select_drafts
from plainbill.register.records import invoice_from_dict
from plainbill.register.store import Register

BOOK = """
--- clients/acme.yaml
name: Acme
language: it
rates: [{rate: 100.00}]
--- ledger/2026/11.txt
2026-11-03 1h acme remote @mario Assistenza al 22 %
2026-11-04 expense acme @mario 90.00 Corso esente tax=forfettario
"""


def _issued():
    bk = load_files(split_book(BOOK)).book
    invoices, _ = compute_invoices(bk)
    chosen, _ = select_drafts(invoices, date(2026, 12, 1))
    records, diags = plan_issue(bk, Register(), chosen, date(2026, 12, 1))
    assert not diags
    return bk, Register(records), numbered(chosen[0], records[0])


def test_crediting_the_vat_line_alone_drops_the_exemption_and_stamp_notes():
    bk, reg, original = _issued()
    assert any("bollo" in n for n in original.notes) and any("franchigia" in n for n in original.notes)
    vat_line = next(ln.key for ln in original.lines if ln.tax_code == "vat22")
    rec, diags = plan_credit_note(bk, reg, original, (vat_line,), "sconto", date(2026, 12, 5))
    assert diags == []
    cn = invoice_from_dict(rec.invoice)
    assert len(cn.notes) == 1 and "sconto" in cn.notes[0]


def test_crediting_everything_keeps_every_note():
    bk, reg, original = _issued()
    rec, diags = plan_credit_note(bk, reg, original, (), "storno", date(2026, 12, 5))
    cn = invoice_from_dict(rec.invoice)
    assert cn.notes[1:] == original.notes
    assert [t.nature for t in cn.taxes if t.tax_code == "stamp-duty"] == ["N1"]


def test_crediting_the_exempt_line_keeps_its_note_but_not_the_stamp_note():
    bk, reg, original = _issued()
    exempt = next(ln.key for ln in original.lines if ln.tax_code == "forfettario")
    rec, _ = plan_credit_note(bk, reg, original, (exempt,), "reso", date(2026, 12, 5))
    cn = invoice_from_dict(rec.invoice)
    assert any("franchigia" in n for n in cn.notes) and not any("bollo" in n for n in cn.notes)

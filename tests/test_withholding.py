"""The ritenuta d'acconto: its base leaves out the bollo and sums advanced for the client
(art. 15, nature N1) unless a tax code says otherwise; a credit note gives back what the
credited lines withheld. Figures computed by hand in each test."""
from datetime import date
from decimal import Decimal as D

from billing_helpers import compute, split_book
from plainbill.billing import compute_invoices
from plainbill.load import load_files
from plainbill.register.credit import plan_credit_note
from plainbill.register.issue import numbered, plan_issue, select_drafts
from plainbill.register.records import invoice_from_dict
from plainbill.register.store import Register

def book(expense_code: str = "anticipate", extra_code: str = "") -> str:
    return f"""
--- plainbill.yaml
issuer: {{name: Studio Uno, vat_number: IT01234567890}}
currency: EUR
language: it
locale: it_IT
calendar: {{country: IT}}
working_hours: {{days: [mon, tue, wed, thu, fri], start: "09:00", end: "18:00"}}
stamp_duty: {{amount: 2.00, threshold: 77.47, charge_client: true}}
taxes:
  default: vat22
  codes:
    vat22: {{rate: 22%}}
    anticipate:
      rate: 0%
      nature: N1
      note: {{it: "Spese anticipate in nome e per conto del cliente, art. 15 DPR 633/72."}}
{extra_code}
team:
  mario: {{name: Mario Rossi}}
activities:
  consulting: {{names: {{it: Consulenza, en: Consulting}}}}
--- clients/acme.yaml
name: Acme S.p.A.
language: it
withholding: {{rate: 20%, base: 100%}}
rates: [{{rate: 100.00}}]
--- ledger/2026/11.txt
2026-11-03 1h acme consulting @mario Parere
2026-11-04 expense acme @mario 100.00 Diritti di segreteria anticipati tax={expense_code}
"""


def test_advanced_costs_and_the_bollo_stay_out_of_the_base():
    invoices, diags = compute(book())
    inv = invoices["acme-2026-11"]
    # 100.00 at 22 % + 100.00 N1 + 2.00 bollo (the N1 line is over 77.47)
    assert inv.subtotal == D("202.00") and inv.tax_total == D("22.00") and inv.total == D("224.00")
    # 20 % of the fee alone: 20.00, not 20 % of 200.00
    assert (inv.withholding_rate, inv.withholding_base, inv.withholding) == (D("0.20"), D("100.00"), D("20.00"))
    assert inv.amount_due == D("204.00")


def test_a_tax_code_can_put_its_lines_in_the_base():
    code = "    rimborso: {rate: 0%, nature: N1, withholding: true, note: {it: Rimborso}}"
    invoices, _ = compute(book("rimborso", code))
    inv = invoices["acme-2026-11"]
    # 20 % of 200.00: the bollo still stays out
    assert (inv.withholding_base, inv.withholding) == (D("200.00"), D("40.00"))


def test_a_vat_code_can_keep_its_lines_out():
    code = "    esclusa: {rate: 22%, withholding: false}"
    invoices, _ = compute(book("esclusa", code))
    inv = invoices["acme-2026-11"]
    assert (inv.withholding_base, inv.withholding) == (D("100.00"), D("20.00"))
    assert inv.subtotal == D("200.00")          # no bollo: VAT is charged on every line


def test_half_the_fee_for_agents():
    invoices, _ = compute(book().replace("base: 100%", "base: 50%").replace("100.00 Diritti", "10.00 Diritti"))
    inv = invoices["acme-2026-11"]
    # base 50 % x 100.00 = 50.00; 20 % x 50.00 = 10.00
    assert (inv.withholding_base, inv.withholding) == (D("50.00"), D("10.00"))


def _issued(text: str):
    bk = load_files(split_book(text)).book
    invoices, _ = compute_invoices(bk)
    chosen, _ = select_drafts(invoices, date(2026, 12, 1))
    records, diags = plan_issue(bk, Register(), chosen, date(2026, 12, 1))
    assert not diags
    return bk, Register(records), numbered(chosen[0], records[0])


def test_crediting_the_time_line_gives_back_its_whole_withholding():
    bk, reg, original = _issued(book())
    assert original.withholding == D("20.00")
    hour = next(ln.key for ln in original.lines if ln.tax_code == "vat22")
    rec, diags = plan_credit_note(bk, reg, original, (hour,), "errore", date(2026, 12, 5))
    assert diags == []
    cn = invoice_from_dict(rec.invoice)
    # 20 % of 100.00: 20.00 (prorating 20.00 over the 202.00 subtotal gave 9.90; 40.00 gave 19.80)
    assert (cn.withholding_rate, cn.withholding_base, cn.withholding) == (D("0.20"), D("100.00"), D("20.00"))
    assert cn.total == D("122.00") and cn.amount_due == D("102.00")


def test_crediting_the_expense_gives_back_no_withholding():
    bk, reg, original = _issued(book())
    expense = next(ln.key for ln in original.lines if ln.tax_code == "anticipate")
    rec, _ = plan_credit_note(bk, reg, original, (expense,), "errore", date(2026, 12, 5))
    cn = invoice_from_dict(rec.invoice)
    assert cn.withholding == D("0.00") and cn.amount_due == D("100.00")


def test_a_partial_amount_withholds_on_that_amount():
    bk, reg, original = _issued(book())
    hour = next(ln.key for ln in original.lines if ln.tax_code == "vat22")
    rec, _ = plan_credit_note(bk, reg, original, (f"{hour}=25.00",), "sconto", date(2026, 12, 5))
    cn = invoice_from_dict(rec.invoice)
    # 20 % of 25.00 = 5.00; 25.00 + 22 % = 30.50; due 25.50
    assert (cn.withholding, cn.total, cn.amount_due) == (D("5.00"), D("30.50"), D("25.50"))


def test_a_full_credit_note_gives_back_exactly_what_was_withheld():
    bk, reg, original = _issued(book())
    rec, _ = plan_credit_note(bk, reg, original, (), "storno", date(2026, 12, 5))
    cn = invoice_from_dict(rec.invoice)
    assert (cn.withholding, cn.withholding_base, cn.total) == (original.withholding, original.withholding_base,
                                                               original.total)

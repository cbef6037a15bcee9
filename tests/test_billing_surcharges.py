"""Social-security surcharges (docs/billing.md, Social security), totals computed by hand.

The rivalsa INPS 4 % (TC22) is part of the fee: subject to VAT and to the withholding.
A fund's contributo integrativo (TC02 CNPADC, TC04 Inarcassa...) is subject to VAT but
not to the withholding. Both follow the VAT of the fees they are computed on.
"""
import json
from datetime import date
from decimal import Decimal as D

from billing_helpers import billed, codes, compute, split_book
from plainbill.billing import compute_invoices
from plainbill.load import load_files
from plainbill.register.credit import plan_credit_note
from plainbill.register.issue import numbered, plan_issue, select_drafts
from plainbill.register.records import invoice_from_dict
from plainbill.register.store import Register

INPS = "--- plainbill.yaml+\nsocial_security: [{kind: TC22, rate: 4%}]\n"
CNPADC = "--- plainbill.yaml+\nsocial_security: [{kind: TC02, rate: 4%}]\n"


@billed
def test_rivalsa_inps_is_taxed_and_withheld(invoices, diags):
    """
    --- plainbill.yaml+
    social_security: [{kind: TC22, rate: 4%}]
    --- clients/acme.yaml
    name: Acme
    withholding: {rate: 20%, base: 100%}
    rates: [{rate: 100.00}]
    --- ledger/2026/11.txt
    2026-11-03 10h acme remote @mario Audit
    """
    inv = invoices["acme-2026-11"]
    # fees 1000.00; INPS 4 % = 40.00; VAT 22 % of 1040.00 = 228.80; total 1268.80;
    # withholding 20 % of 1040.00 = 208.00; due 1268.80 - 208.00 = 1060.80
    assert [(ln.kind, ln.amount) for ln in inv.lines] == [("time", D("1000.00")), ("surcharge", D("40.00"))]
    (s,) = inv.surcharges
    assert (s.kind, s.rate, s.base, s.amount, s.tax_rate, s.nature, s.withholding) == \
        ("TC22", D("0.04"), D("1000.00"), D("40.00"), D("0.22"), "", True)
    assert s.description == "INPS social-security surcharge 4%"
    assert [(t.base, t.tax) for t in inv.taxes] == [(D("1040.00"), D("228.80"))]
    assert (inv.subtotal, inv.tax_total, inv.total) == (D("1040.00"), D("228.80"), D("1268.80"))
    assert (inv.withholding, inv.amount_due) == (D("208.00"), D("1060.80"))
    assert codes(diags) == []


@billed
def test_cassa_integrativo_is_taxed_but_not_withheld(invoices, diags):
    """
    --- plainbill.yaml+
    social_security: [{kind: TC02, rate: 4%}]
    --- clients/acme.yaml
    name: Acme
    language: it
    withholding: {rate: 20%, base: 100%}
    rates: [{rate: 100.00}]
    --- ledger/2026/11.txt
    2026-11-03 10h acme remote @mario Revisione
    """
    inv = invoices["acme-2026-11"]
    # fees 1000.00; cassa 40.00; VAT 228.80; total 1268.80; withholding 20 % of 1000.00 only = 200.00
    (s,) = inv.surcharges
    assert (s.kind, s.amount, s.withholding) == ("TC02", D("40.00"), False)
    assert s.description == "Contributo integrativo CNPADC 4%"
    assert (inv.subtotal, inv.tax_total, inv.total) == (D("1040.00"), D("228.80"), D("1268.80"))
    assert (inv.withholding, inv.amount_due) == (D("200.00"), D("1068.80"))


@billed
def test_withholding_can_be_set_either_way(invoices, diags):
    """
    --- plainbill.yaml+
    social_security: [{kind: TC22, rate: 4%, withholding: false}, {kind: TC04, rate: 4%, withholding: true}]
    --- clients/acme.yaml
    name: Acme
    withholding: {rate: 20%, base: 100%}
    rates: [{rate: 100.00}]
    --- ledger/2026/11.txt
    2026-11-03 10h acme remote @mario Progetto
    """
    inv = invoices["acme-2026-11"]
    # two surcharges, each on the fees alone: 40.00 + 40.00; VAT 22 % of 1080.00 = 237.60;
    # withholding 20 % of 1000.00 + 40.00 (Inarcassa marked withheld) = 208.00
    assert [(s.kind, s.amount, s.withholding) for s in inv.surcharges] == \
        [("TC22", D("40.00"), False), ("TC04", D("40.00"), True)]
    assert (inv.subtotal, inv.tax_total, inv.total) == (D("1080.00"), D("237.60"), D("1317.60"))
    assert (inv.withholding, inv.amount_due) == (D("208.00"), D("1109.60"))


@billed
def test_each_tax_code_gets_its_own_surcharge_and_the_bollo_counts_it(invoices, diags):
    """
    --- plainbill.yaml+
    social_security: [{kind: TC22, rate: 4%}]
    --- clients/acme.yaml
    name: Acme
    rates: [{rate: 100.00}]
    --- ledger/2026/11.txt
    2026-11-03 3h20m acme remote @mario Support at 22 %
    2026-11-04 expense acme @mario 75.00 Teaching, exempt tax=forfettario
    """
    inv = invoices["acme-2026-11"]
    # 22 %: 333.33 -> INPS 13.3332 -> 13.33; N2.2: 75.00 -> INPS 3.00. The N2.2 lines total
    # 78.00, over 77.47 (75.00 alone is not): the bollo 2.00 is due.
    assert [(s.tax_code, s.base, s.amount, s.nature) for s in inv.surcharges] == \
        [("forfettario", D("75.00"), D("3.00"), "N2.2"), ("vat22", D("333.33"), D("13.33"), "")]
    by_code = {t.tax_code: (t.base, t.tax) for t in inv.taxes}
    assert by_code == {"vat22": (D("346.66"), D("76.27")), "forfettario": (D("78.00"), D("0.00")),
                       "stamp-duty": (D("2.00"), D("0.00"))}
    # 333.33 + 75.00 + 13.33 + 3.00 + 2.00 = 426.66; + 76.27 = 502.93
    assert (inv.subtotal, inv.tax_total, inv.total, inv.amount_due) == \
        (D("426.66"), D("76.27"), D("502.93"), D("502.93"))


def test_a_client_can_have_none_or_its_own():
    book = """
    --- plainbill.yaml+
    social_security: [{kind: TC22, rate: 4%}]
    --- clients/acme.yaml
    name: Acme
    social_security: []
    rates: [{rate: 100.00}]
    --- clients/beta.yaml
    name: Beta
    social_security: [{kind: TC04, rate: 2%}]
    rates: [{rate: 100.00}]
    --- ledger/2026/11.txt
    2026-11-03 1h acme remote @mario One
    2026-11-03 1h beta remote @mario Two
    """
    invoices, _ = compute(book)
    assert invoices["acme-2026-11"].surcharges == () and invoices["acme-2026-11"].total == D("122.00")
    assert [(s.kind, s.amount) for s in invoices["beta-2026-11"].surcharges] == [("TC04", D("2.00"))]
    assert invoices["beta-2026-11"].total == D("124.44")      # 102.00 + 22 % = 124.44


def test_json_carries_the_surcharges_only_when_there_are_some():
    inv = compute(INPS + "--- clients/acme.yaml\nname: Acme\nrates: [{rate: 100.00}]\n"
                  "--- ledger/2026/11.txt\n2026-11-03 1h acme remote @mario One\n")[0]["acme-2026-11"]
    plain = compute("--- clients/acme.yaml\nname: Acme\nrates: [{rate: 100.00}]\n"
                    "--- ledger/2026/11.txt\n2026-11-03 1h acme remote @mario One\n")[0]["acme-2026-11"]
    import json
    d = json.loads(inv.to_json())
    assert d["surcharges"] == [{"amount": "4.00", "base": "100.00", "description": "INPS social-security surcharge 4%",
                                "key": "surcharge/TC22/vat22", "kind": "TC22", "nature": "", "rate": "0.04",
                                "tax_code": "vat22", "tax_rate": "0.22", "withholding": True}]
    assert d == json.loads(json.dumps(inv.to_dict()))
    assert "surcharges" not in json.loads(plain.to_json())
    assert invoice_from_dict(inv.to_dict()).surcharges == inv.surcharges


BOOK = CNPADC + """
--- clients/acme.yaml
name: Acme
language: it
withholding: {rate: 20%, base: 100%}
rates: [{rate: 100.00}]
--- ledger/2026/11.txt
2026-11-03 10h acme remote @mario Revisione
"""


def _issued():
    bk = load_files(split_book(BOOK)).book
    invoices, _ = compute_invoices(bk)
    chosen, _ = select_drafts(invoices, date(2026, 12, 1))
    records, diags = plan_issue(bk, Register(), chosen, date(2026, 12, 1))
    assert not diags
    return bk, Register(records), numbered(chosen[0], records[0])


def test_a_full_credit_note_credits_the_surcharge():
    bk, reg, original = _issued()
    rec, diags = plan_credit_note(bk, reg, original, (), "storno", date(2026, 12, 5))
    assert diags == []
    cn = invoice_from_dict(rec.invoice)
    assert cn.surcharges == original.surcharges
    assert (cn.subtotal, cn.tax_total, cn.total) == (D("1040.00"), D("228.80"), D("1268.80"))


def test_a_partial_credit_of_the_surcharge_keeps_base_and_amount_consistent():
    bk, reg, original = _issued()
    rec, diags = plan_credit_note(bk, reg, original, ("surcharge/TC02/vat22=10.00",), "sconto", date(2026, 12, 5))
    assert diags == []
    cn = invoice_from_dict(rec.invoice)
    # 10.00 of the 40.00 contributo: its base is 10.00 / 4 % = 250.00
    assert [(s.base, s.amount) for s in cn.surcharges] == [(D("250.00"), D("10.00"))]
    rec2, _ = plan_credit_note(bk, reg, original, (next(ln.key for ln in original.lines if ln.kind == "time"),),
                               "sconto", date(2026, 12, 5))
    assert invoice_from_dict(rec2.invoice).surcharges == ()


def test_the_client_reads_the_surcharge_in_the_totals_in_its_language(tmp_path):
    import shutil
    from pathlib import Path

    from click.testing import CliRunner

    from plainbill.cli import main
    from test_render_client import visible

    book = tmp_path / "book"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "freelance", book)
    settings = book / "plainbill.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "social_security: [{kind: TC22, rate: 4%}]\n",
                        encoding="utf-8")
    out = book / "out"
    result = CliRunner().invoke(main, ["build", "--no-pdf", "-j", "1", "--out", str(out), "--client",
                                       "meccanica-dora", "--period", "2026-11", str(book)])
    assert result.exit_code == 0, result.output
    page = (out / "invoices" / "meccanica-dora-2026-11.html").read_text(encoding="utf-8")
    lines_table, totals = page.split('class="summary"', 1)
    assert "Rivalsa INPS" not in lines_table
    text = visible("<body>" + totals)
    # November: 1680.00 of fees; INPS 4 % = 67.20; taxable 1747.20; VAT 22 % = 384.38 (384.384);
    # withholding 20 % of 1747.20 = 349.44; due 1747.20 + 384.38 - 349.44 = 1782.14
    assert "Totale righe 1.680,00 € Rivalsa INPS 4% 67,20 € Imponibile 1.747,20 € IVA 384,38 €" in text
    assert "Ritenuta d'acconto 20% su 1.747,20 − 349,44 € Netto a pagare 1.782,14 €" in text


def test_sums_advanced_for_the_client_are_outside_the_base():
    book = """
    --- plainbill.yaml
    issuer: {name: Studio Verdi, vat_number: IT01234567890}
    language: it
    taxes:
      default: vat22
      codes:
        vat22: {rate: 22%}
        anticipate: {rate: 0%, nature: N1, note: "Anticipazioni art. 15 DPR 633/72."}
    team:
      mario: {name: Mario Verdi, default_rate: 100.00}
    activities:
      remote: {names: {it: Consulenza}}
    social_security: [{kind: TC02, rate: 4%}]
    --- clients/acme.yaml
    name: Acme
    rates: [{rate: 100.00}]
    --- ledger/2026/11.txt
    2026-11-03 5h acme remote @mario Consulenza
    2026-11-04 expense acme @mario 16.00 Diritti camerali anticipati tax=anticipate
    """
    inv = compute(book)[0]["acme-2026-11"]
    # cassa 4 % of the 500.00 of fees only (the 16.00 advanced are not fees): 20.00; VAT 22 % of 520.00 = 114.40
    assert [(s.base, s.amount) for s in inv.surcharges] == [(D("500.00"), D("20.00"))]
    assert (inv.subtotal, inv.tax_total, inv.total) == (D("536.00"), D("114.40"), D("650.40"))

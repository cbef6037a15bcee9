"""Taxes and totals, currencies, billing cycles, the period filter and late entries."""
from decimal import Decimal as D

from billing_helpers import billed, codes, compute, lines_of

LEDGER = """
--- ledger/2026/11.txt
2026-11-03 1h acme remote @mario Support
2026-11-04 expense acme @mario 33.33 Toner tax=vat10
"""


def client(extra: str) -> str:
    return "--- clients/acme.yaml\nname: Acme\nlanguage: it\nrates: [{rate: 100.00}]\n" + extra + LEDGER


def test_vat_per_rate_rounded_once_per_rate():
    inv = compute(client(""))[0]["acme-2026-11"]
    assert [(t.tax_code, t.base, t.tax) for t in inv.taxes] == [
        ("vat10", D("33.33"), D("3.33")), ("vat22", D("100.00"), D("22.00"))]
    assert inv.total == D("158.66") == inv.subtotal + inv.tax_total
    assert inv.amount_due == inv.total


def test_split_payment_deducted_with_its_note():
    inv = compute(client("split_payment: true\n"))[0]["acme-2026-11"]
    assert inv.split_payment == D("25.33") and inv.amount_due == D("133.33")
    assert "Scissione dei pagamenti art. 17-ter DPR 633/72" in inv.notes


def test_withholding_deducted_from_amount_due():
    inv = compute(client("withholding: {rate: 20%, base: 50%}\n"))[0]["acme-2026-11"]
    # 20% x 50% x 133.33 = 13.333 -> 13.33
    assert inv.withholding == D("13.33") and inv.amount_due == inv.total - D("13.33")


def test_reverse_charge_note_in_the_clients_language():
    inv = compute(client("tax: rc-eu\n").replace("language: it", "language: en").replace(" tax=vat10", ""))[0]
    inv = inv["acme-2026-11"]
    assert inv.tax_total == 0 and inv.taxes[0].nature == "N2.1"
    assert any("Reverse charge" in n for n in inv.notes)


@billed
def test_stamp_duty_over_the_threshold(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: it
    tax: forfettario
    rates: [{rate: 40.00}]
    --- ledger/2026/10.txt
    2026-10-03 1h acme remote @mario Under the threshold
    --- ledger/2026/11.txt
    2026-11-03 2h acme remote @mario Over the threshold
    """
    oct_, nov = invoices["acme-2026-10"], invoices["acme-2026-11"]
    assert lines_of(oct_, "stamp-duty") == []
    stamp = lines_of(nov, "stamp-duty")
    assert [(s.amount, s.tax_code) for s in stamp] == [(D("2.00"), "stamp-duty")]
    assert nov.total == D("82.00") and any("bollo" in n for n in nov.notes)
    # the summary's bases add up to the subtotal: the bollo is an N1 base (excluded, art. 15), no tax
    assert [(t.tax_code, t.nature, t.base, t.tax) for t in nov.taxes] == [
        ("forfettario", "N2.2", D("80.00"), D("0.00")), ("stamp-duty", "N1", D("2.00"), D("0.00"))]
    assert sum(t.base for t in nov.taxes) == nov.subtotal
    assert any("franchigia" in n for n in nov.notes)


@billed
def test_currency_with_no_minor_unit(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    currency: JPY
    tax: rc-eu
    rates: [{rate: 7777}]
    --- ledger/2026/11.txt
    2026-11-03 20m acme remote @mario A third of an hour
    """
    assert invoices["acme-2026-11"].total == D("2592")


@billed
def test_quarterly_cycle_and_period_filter(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    billing_cycle: quarterly
    rates: [{rate: 50.00}]
    --- ledger/2026/11.txt
    2026-10-03 1h acme remote @mario October
    2026-12-03 1h acme remote @mario December
    """
    assert list(invoices) == ["acme-2026-Q4"]
    assert invoices["acme-2026-Q4"].subtotal == D("100.00")


def test_period_filter_selects_overlapping_invoices():
    text = client("")
    assert list(compute(text, period="2026-11")[0]) == ["acme-2026-11"]
    assert list(compute(text, period="2026-Q4")[0]) == ["acme-2026-11"]
    assert list(compute(text, period="2026-10")[0]) == []
    assert codes(compute(text, period="nov")[1]) == ["bad-period"]


ISSUED_BOOK = """
--- clients/acme.yaml
name: Acme
language: en
rates: [{rate: 50.00}]
--- ledger/2026/10.txt
2026-10-03 1h acme remote @mario Billed in October
2026-10-20 2h acme remote @mario Added after October was issued
--- ledger/2026/11.txt
2026-11-03 1h acme remote @mario November
"""


def _issued():
    invoices, _ = compute(ISSUED_BOOK)
    first = invoices["acme-2026-10"].entries[0].fingerprint
    return {"acme-2026-10": frozenset({first})}


def test_late_entry_billed_in_the_next_open_period():
    invoices, diags = compute(ISSUED_BOOK, issued=_issued())
    assert invoices["acme-2026-10"].subtotal == D("50.00")
    nov = invoices["acme-2026-11"]
    assert nov.subtotal == D("150.00")
    assert any("late entry dated 20 October 2026" in e.note for e in nov.entries)
    assert any("Late entry dated 20 October 2026" in w for w in nov.warnings)
    assert diags == []


def test_late_entry_as_an_error_by_setting():
    text = ISSUED_BOOK + "--- plainbill.yaml+\nbilling: {late_entries: error}\n"
    invoices, diags = compute(text, issued=_issued())
    assert codes(diags) == ["late-entry"] and diags[0].ref.line == 2
    assert invoices["acme-2026-11"].subtotal == D("50.00")

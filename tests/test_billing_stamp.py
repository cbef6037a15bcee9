"""Stamp duty (bollo) by the law's defaults: the nature code decides, an override is kept and warned.

Each book reads like docs/billing.md, section Stamp duty: the bollo is due on invoices
without VAT above 77.47 EUR (N1, N2.x, N3.3-N3.6, N4), not on exports and intra-EU
supplies of goods (N3.1, N3.2), nor when VAT is charged, nor under domestic reverse
charge (N6.x), nor for the margin scheme (N5) or VAT paid in another state (N7).
"""
from decimal import Decimal as D

import pytest

from billing_helpers import billed, codes, compute, lines_of, split_book

CODES = """\
--- plainbill.yaml
issuer: {name: Rete Sicura S.r.l., vat_number: IT01234567890}
currency: EUR
language: en
taxes:
  default: vat22
  codes:
    vat22: {rate: 22%}
    excluded: {rate: 0%, nature: N1}
    eu-services: {rate: 0%, nature: N2.1, reverse_charge: true}
    flat-rate: {rate: 0%, nature: N2.2}
    export: {rate: 0%, nature: N3.1}
    eu-goods: {rate: 0%, nature: N3.2}
    san-marino: {rate: 0%, nature: N3.3}
    intent-letter: {rate: 0%, nature: N3.5}
    exempt: {rate: 0%, nature: N4}
    margin: {rate: 0%, nature: N5}
    rc-domestic: {rate: 0%, nature: N6.7, reverse_charge: true}
    oss: {rate: 0%, nature: N7}
team:
  mario: {name: Mario Rossi, default_rate: 100.00}
activities:
  remote: {names: {en: Remote support}}
--- ledger/2026/11.txt
2026-11-03 1h acme remote @mario Work
"""

DUE = {"excluded": True, "eu-services": True, "flat-rate": True, "export": False, "eu-goods": False,
       "san-marino": True, "intent-letter": True, "exempt": True, "margin": False, "rc-domestic": False,
       "oss": False, "vat22": False}


@pytest.mark.parametrize("code,due", sorted(DUE.items()))
def test_the_nature_code_decides(code, due):
    invoices, diags = compute(CODES + f"--- clients/acme.yaml\nname: Acme\ntax: {code}\n")
    inv = invoices["acme-2026-11"]
    stamp = lines_of(inv, "stamp-duty")
    assert bool(stamp) is due, code
    assert any("bollo" in n for n in inv.notes) is due
    if due:
        assert inv.subtotal == D("102.00") and inv.total == D("102.00")
        assert sum(t.base for t in inv.taxes) == inv.subtotal
        assert [t.nature for t in inv.taxes if t.tax_code == "stamp-duty"] == ["N1"]
    assert codes(diags) == []


@billed
def test_kranz_services_to_an_eu_business_bear_the_bollo(invoices, diags):
    """
    --- clients/kranz.yaml
    name: Kranz Logistik GmbH
    language: en
    tax: rc-eu
    rates: [{rate: 80.00}]
    --- ledger/2026/11.txt
    2026-11-03 1h acme remote @mario Under the threshold: 80.00 is above, this one is alone
    2026-11-04 1h kranz remote @mario Support, 80.00: above 77.47, so the bollo is due
    """
    inv = invoices["kranz-2026-11"]
    assert [(ln.kind, ln.amount) for ln in inv.lines] == [("time", D("80.00")), ("stamp-duty", D("2.00"))]
    assert inv.total == inv.amount_due == D("82.00")
    assert any("Reverse charge" in n for n in inv.notes) and any("bollo" in n for n in inv.notes)


@billed
def test_an_override_wins_and_check_warns(invoices, diags):
    """
    --- plainbill.yaml
    issuer: {name: Rete Sicura S.r.l., vat_number: IT01234567890}
    taxes:
      default: rc-eu
      codes:
        rc-eu: {rate: 0%, nature: N2.1, reverse_charge: true, stamp_duty: false}
        export: {rate: 0%, nature: N3.1, stamp_duty: false}
    team:
      mario: {name: Mario Rossi, default_rate: 100.00}
    activities:
      remote: {names: {en: Remote support}}
    --- clients/acme.yaml
    name: Acme
    --- ledger/2026/11.txt
    2026-11-03 1h acme remote @mario Override: no bollo
    """
    assert lines_of(invoices["acme-2026-11"], "stamp-duty") == []
    # only the override that contradicts the default is warned, located at its value
    assert codes(diags) == []    # compute does not repeat the loader's warnings


def test_the_override_warning_is_located():
    from billing_helpers import split_book
    from plainbill.load import load_files
    files = split_book(test_an_override_wins_and_check_warns.__doc__)
    warned = [d for d in load_files(files).diagnostics if d.code == "stamp-duty-override"]
    assert len(warned) == 1
    d = warned[0]
    assert (d.ref.path, d.ref.line) == ("plainbill.yaml", 5) and "N2.1" in d.message and "due" in d.message


FX = """
--- plainbill.yaml+
stamp_duty: {exchange_rates: {USD: 0.80}}
--- clients/bright.yaml
name: Brightline Analytics
language: en
currency: USD
tax: rc-eu
rates: [{rate: 100.00}]
"""


def test_foreign_currency_threshold_on_the_euro_value():
    """96.00 USD at 0.80 is 76.80 EUR: under 77.47, no bollo; 97.00 USD is 77.60 EUR: due,
    and the 2.00 EUR are charged as 2.50 USD."""
    under = compute(FX + "--- ledger/2026/11.txt\n2026-11-03 1h bright remote @mario Work rate=96.00\n")[0]
    assert lines_of(under["bright-2026-11"], "stamp-duty") == []
    over, diags = compute(FX + "--- ledger/2026/11.txt\n2026-11-03 1h bright remote @mario Work rate=97.00\n")
    stamp = lines_of(over["bright-2026-11"], "stamp-duty")
    assert [(s.amount, s.unit_price) for s in stamp] == [(D("2.50"), D("2.50"))]
    assert "0.80" in stamp[0].explanation
    assert over["bright-2026-11"].total == D("99.50") and codes(diags) == []


def test_foreign_currency_without_a_rate_is_found_by_check():
    from plainbill.pipeline import check_files
    text = FX.replace("--- plainbill.yaml+\nstamp_duty: {exchange_rates: {USD: 0.80}}\n", "")
    text += "--- ledger/2026/11.txt\n2026-11-03 1h bright remote @mario Work\n"
    found = [d for d in check_files(split_book(text)).diagnostics if d.code == "stamp-duty-exchange-rate"]
    assert len(found) == 1 and found[0].ref.path == "clients/bright.yaml" and "exchange_rates" in found[0].hint
    invoices, diags = compute(text, strict_load=False)
    assert codes(diags) == []            # check reported it: computing does not repeat it
    assert lines_of(invoices["bright-2026-11"], "stamp-duty") == []


def test_an_entry_tax_code_without_a_rate_is_found_when_computed():
    text = FX.replace("tax: rc-eu", "tax: vat22").replace(
        "--- plainbill.yaml+\nstamp_duty: {exchange_rates: {USD: 0.80}}\n", "")
    invoices, diags = compute(text + "--- ledger/2026/11.txt\n2026-11-03 1h bright remote @mario Work tax=rc-eu\n"
                                     "2026-12-03 1h bright remote @mario Work tax=rc-eu\n")
    assert codes(diags) == ["stamp-duty-exchange-rate"]     # once per client, not per invoice
    assert diags[0].ref.path == "clients/bright.yaml" and "100.00 USD" in diags[0].message


def test_no_due_lines_need_no_rate():
    text = FX.replace("tax: rc-eu", "tax: vat22").replace("--- plainbill.yaml+\nstamp_duty: {exchange_rates: {USD: 0.80}}\n", "")
    assert codes(compute(text + "--- ledger/2026/11.txt\n2026-11-03 1h bright remote @mario Work\n")[1]) == []


@billed
def test_mixed_lines_only_the_lines_without_vat_count(invoices, diags):
    """
    --- clients/acme.yaml
    name: Acme
    language: it
    rates: [{rate: 100.00}]
    --- ledger/2026/11.txt
    2026-11-03 1h acme remote @mario VAT charged: does not count
    2026-11-04 expense acme @mario 70.00 Exempt course fee tax=forfettario
    """
    assert lines_of(invoices["acme-2026-11"], "stamp-duty") == []

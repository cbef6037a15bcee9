"""The e-invoice's building blocks: check digits, text within the schema, SdI file names,
exchange rates (dated, and their old place), and what the page says because of the XML."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from plainbill.cli import main
from plainbill.einvoice import einvoice_files
from plainbill.einvoice.document import phone_number, progressive, sdi_file_name
from plainbill.einvoice.rules import codice_fiscale_ok, partita_iva_ok
from plainbill.einvoice.text import Fit, chunks, plain
from plainbill.model import Party
from plainbill.pipeline import check_book, compute_book

ROOT = Path(__file__).parent.parent
FREELANCE = ROOT / "examples" / "freelance"


@pytest.mark.parametrize("number,ok", [("09472810150", True), ("11847300016", True), ("01234567897", True),
                                       ("01234567890", False), ("0947281015", False), ("0947281015A", False)])
def test_partita_iva_check_digit(number, ok):
    assert partita_iva_ok(number) is ok


@pytest.mark.parametrize("code,ok", [("MRCLRA85M52L219T", True), ("RSSMRA85T10A562S", True), ("rssmra85t10a562s", True),
                                     ("RSSMRA85T10A562T", False), ("RSSMRA85T10A56", False), ("83501270157", True),
                                     ("83501270158", False)])
def test_codice_fiscale_check_character(code, ok):
    assert codice_fiscale_ok(code) is ok


def test_text_is_brought_into_latin_1():
    assert plain("L’offerta  “base”\n– 100 € …") == "L'offerta \"base\" - 100 EUR ..."
    assert plain("Città Zoë") == "Città Zoë"                # Latin-1 keeps its accents
    assert plain("Łódź Kraków") == "Lódz Kraków"            # beyond Latin-1: the base letter (ó is Latin-1)
    assert plain("Città", latin1=False) == "Citta"          # Basic Latin fields
    assert plain("ok 🚀") == "ok ?"


def test_a_cut_is_recorded_and_notes_are_split_not_cut():
    fit = Fit()
    assert fit("x" * 90, 80, "client name") == "x" * 80
    assert fit("short", 80, "issuer name") == "short"
    assert fit.cuts == [("client name", "x" * 90, "x" * 80)]
    pieces = chunks("parola " * 80, 200)
    assert all(len(p) <= 200 for p in pieces) and " ".join(pieces) == ("parola " * 80).strip()


def test_sdi_file_names_come_from_the_register_and_never_collide():
    issuer = Party("Navigli", vat_number="IT09472810150", tax_code="09472810150")
    assert sdi_file_name(issuer, "invoice", 2026, 42) == "IT09472810150_QF016.xml"
    assert sdi_file_name(issuer, "credit-note", 2026, 1) == "IT09472810150_QN001.xml"
    names = {progressive(s, y, n) for s in ("invoice", "credit-note") for y in (2026, 2027) for n in range(1, 2000)}
    assert len(names) == 2 * 2 * 1999 and all(len(n) == 5 and n.isalnum() for n in names)
    with pytest.raises(ValueError):
        progressive("invoice", 2036, 1)


def test_phone_fits_the_schema():
    assert phone_number("+39 02 8942 6150") == "0289426150"
    assert phone_number("+39 347 218 5530") == "3472185530"
    assert phone_number("12") == ""


def _book(tmp_path, source=ROOT) -> Path:
    """A copy of a book's sources (plainbill.yaml, clients/, ledger/, templates/ when it has one)."""
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(source / "plainbill.yaml", book)
    for folder in ("clients", "ledger", "templates"):   # nothing issued, so none of its payments
        if (source / folder).is_dir():
            shutil.copytree(source / folder, book / folder, ignore=shutil.ignore_patterns("incassi.txt"))
    return book


def _xml(book: Path, inv_id: str):
    c = compute_book(book)
    assert c.invoices is not None, [str(d) for d in c.diagnostics]
    files = einvoice_files(c.checked.book, [i for i in c.invoices if i.id == inv_id], c.checked.register)
    return etree.fromstring(files[inv_id][f"invoices/{inv_id}.xml"]), c


def test_dated_exchange_rates_apply_from_their_date(tmp_path):
    book = _book(tmp_path)
    settings = book / "plainbill.yaml"
    settings.write_text(settings.read_text().replace("rates: {USD: 0.86, CHF: 1.07}",
                                                     "rates: {USD: 0.86, CHF: {2026-09-01: 1.07, 2026-11-01: 1.05}}"))
    october, _ = _xml(book, "hotel-alpenblick-2026-10")
    november, _ = _xml(book, "hotel-alpenblick-2026-11")
    assert any("1 CHF = 1.07 EUR del 01/09/2026" in c.text for c in october.iterfind(".//Causale"))
    assert any("1 CHF = 1.05 EUR del 01/11/2026" in c.text for c in november.iterfind(".//Causale"))


def test_old_place_of_the_exchange_rates_still_works(tmp_path):
    book = _book(tmp_path)
    settings = book / "plainbill.yaml"
    text = settings.read_text()
    start = text.index("exchange_rates:\n  source")
    end = text.index("rates: {USD: 0.86, CHF: 1.07}\n") + len("rates: {USD: 0.86, CHF: 1.07}\n")
    text = text[:start] + text[end:]
    settings.write_text(text.replace("  charge_client: true\n", "  charge_client: true\n  exchange_rates: {USD: 0.86, CHF: 1.07}\n", 1))
    checked = check_book(book)
    assert [d for d in checked.diagnostics if d.severity.value == "error"] == []
    doc, computed = _xml(book, "hotel-alpenblick-2026-10")
    assert any("1 CHF = 1.07 EUR" in c.text for c in doc.iterfind(".//Causale"))
    inv = next(i for i in computed.invoices if i.id == "hotel-alpenblick-2026-10")
    assert any(ln.kind == "stamp-duty" for ln in inv.lines)       # the bollo threshold still converts


def _html(tmp_path, book: Path, client: str) -> dict[str, str]:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(book), "--client", client, "--no-pdf", "--out", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    return {p.stem: p.read_text() for p in (out / "invoices").glob("*.html")}


def test_the_page_says_it_is_the_courtesy_copy_with_references_and_share_capital(tmp_path):
    pages = _html(tmp_path, ROOT, "comune-cassano")
    page = pages["comune-cassano-2026-11"]
    assert "Copia di cortesia" in page and "Courtesy copy" not in page
    assert "B2A7C41F09" in page and "Determina" in page and "n. 412/2026" in page
    assert "Capitale sociale 50.000,00" in page


def test_an_english_page_says_it_in_english_with_the_euro_value(tmp_path):
    page = _html(tmp_path, ROOT, "hotel-alpenblick")["hotel-alpenblick-2026-10"]
    assert "Courtesy copy" in page and "Copia di cortesia" not in page
    assert "Euro value at 1 CHF = 1.07 EUR (Banca d&#39;Italia, cambi di riferimento)" in page
    assert "B2A7C41F09" not in page


def test_an_issuer_outside_italy_gets_no_xml_and_no_courtesy_notice(tmp_path):
    book = _book(tmp_path, FREELANCE)
    settings = book / "plainbill.yaml"
    settings.write_text(settings.read_text().replace("vat_number: IT11847300016", "vat_number: DE811907980")
                        .replace("province: TO, country: IT}", "province: TO, country: DE}"))
    pages = _html(tmp_path, book, "meccanica-dora")
    assert pages and all("Copia di cortesia" not in p for p in pages.values())
    assert not list((tmp_path / "out" / "invoices").glob("*.xml"))


@pytest.mark.parametrize("codes,client,message", [
    ("    generic: {rate: 0%, nature: N2}\n", "", "`N2` is not a nature code"),
    ("    odd: {rate: 10%, nature: N4}\n", "", "charges VAT and also names nature N4"),
    ("    bare: {rate: 0%}\n", "", "is 0% but names no `nature`"),
    ("    rc-it: {rate: 0%, nature: N6.7, reverse_charge: true}\n", "split_payment: true\ntax: rc-it\n",
     "split payment with a reverse-charge tax code"),
])
def test_natures_the_sdi_refuses_are_errors(tmp_path, codes, client, message):
    book = _book(tmp_path, FREELANCE)
    settings = book / "plainbill.yaml"
    settings.write_text(settings.read_text().replace("    vat22: {rate: 22%}\n", "    vat22: {rate: 22%}\n" + codes))
    if client:
        path = book / "clients" / "meccanica-dora.yaml"
        path.write_text(path.read_text().replace("tax: vat22\n", "") + client)
    found = [d for d in check_book(book).diagnostics if d.code == "einvoice-nature"]
    assert len(found) == 1 and message in found[0].message, [str(d) for d in found]
    assert found[0].severity.value == "error" and found[0].ref.line > 1

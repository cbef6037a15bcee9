"""FatturaPA XML (plainbill.einvoice): every document of both example books validates against
the official XSD, and each scenario's fields read back as the book and the invoice say.

The schema is not part of plainbill: the tests find it beside the repository
(`../shared/einvoice/fatturapa`, or $PLAINBILL_FATTURAPA_XSD) and FAIL when it is missing,
so CI can never pass without validating (docs/einvoice.md, "Validating").
"""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from plainbill.cli import main
from plainbill.einvoice import einvoice_files
from plainbill.einvoice.validate import ENV, load_schema, problems, schema_folder
from plainbill.pipeline import compute_book

ROOT = Path(__file__).parent.parent
FREELANCE = ROOT / "examples" / "freelance"
D = Decimal


@pytest.fixture(scope="module")
def schema():
    folder = schema_folder(ROOT)
    if folder is None:
        pytest.fail(f"the FatturaPA schema is missing: expected {ROOT.parent / 'shared/einvoice/fatturapa'} "
                    f"(or set {ENV} to the folder holding Schema_del_file_xml_FatturaPA_v1.2.2.xsd)")
    return load_schema(folder)


def documents(root: Path) -> tuple[dict, dict]:
    """({invoice id: Invoice}, {invoice id: {path: xml bytes}}) of a book."""
    computed = compute_book(root)
    assert computed.invoices is not None, [str(d) for d in computed.diagnostics]
    files = einvoice_files(computed.checked.book, computed.invoices, computed.checked.register)
    return {inv.id: inv for inv in computed.invoices}, files


@pytest.fixture(scope="module")
def example():
    return documents(ROOT)


@pytest.fixture(scope="module")
def freelance():
    return documents(FREELANCE)


def xml(book, invoice_id: str) -> etree._Element:
    _, files = book
    return etree.fromstring(files[invoice_id][f"invoices/{invoice_id}.xml"])


def text(doc, path: str) -> str:
    found = doc.findtext(path)
    assert found is not None, f"{path} missing"
    return found


def texts(doc, path: str) -> list[str]:
    return [e.text for e in doc.iterfind(path)]


# ---------------------------------------------------------------- every document validates


@pytest.mark.parametrize("name", ["example", "freelance"])
def test_every_xml_of_the_example_books_validates(name, schema, request):
    invoices, files = request.getfixturevalue(name)
    assert set(files) == set(invoices) and files
    for inv_id, by_path in files.items():
        for path, data in by_path.items():
            assert problems(schema, data) == [], (path, data.decode()[:2000])


@pytest.mark.parametrize("name", ["example", "freelance"])
def test_summaries_reconcile_with_the_lines_and_the_invoice(name, request):
    """SdI 00421-00423: each summary's taxable amount is the sum of its lines, its tax the
    taxable amount at its rate; the document total and the amount due are the invoice's."""
    invoices, files = request.getfixturevalue(name)
    for inv_id in files:
        doc, inv = xml(request.getfixturevalue(name), inv_id), invoices[inv_id]
        sums: dict[tuple[str, str], Decimal] = {}
        for line in doc.iterfind(".//DettaglioLinee"):
            key = (line.findtext("AliquotaIVA"), line.findtext("Natura") or "")
            sums[key] = sums.get(key, D(0)) + D(line.findtext("PrezzoTotale"))
        for cassa in doc.iterfind(".//DatiCassaPrevidenziale"):            # in its rate's summary (00422)
            key = (cassa.findtext("AliquotaIVA"), cassa.findtext("Natura") or "")
            sums[key] = sums.get(key, D(0)) + D(cassa.findtext("ImportoContributoCassa"))
            if line.findtext("Quantita"):
                product = D(line.findtext("Quantita")) * D(line.findtext("PrezzoUnitario"))
                assert abs(product - D(line.findtext("PrezzoTotale"))) <= D("0.01"), inv_id
        taxable = tax = D(0)
        for r in doc.iterfind(".//DatiRiepilogo"):
            key = (r.findtext("AliquotaIVA"), r.findtext("Natura") or "")
            base, imposta = D(r.findtext("ImponibileImporto")), D(r.findtext("Imposta"))
            assert base == sums.pop(key), (inv_id, key)
            assert abs(imposta - (base * D(key[0]) / 100)) <= D("0.01"), (inv_id, key)
            assert (key[1] == "") == (D(key[0]) > 0), inv_id          # Natura iff rate 0 (00429, 00430)
            taxable, tax = taxable + base, tax + imposta
        assert sums == {}
        assert D(text(doc, ".//ImportoTotaleDocumento")) == taxable + tax
        if inv.currency == "EUR":
            assert (taxable, tax) == (inv.subtotal, inv.tax_total)
            if inv.amount_due > 0:
                assert D(text(doc, ".//ImportoPagamento")) == inv.amount_due


# ---------------------------------------------------------------- scenarios


def test_reverse_charge_to_a_german_client(example):
    doc = xml(example, "kranz-logistik-2026-10")
    assert doc.get("versione") == "FPR12"
    assert text(doc, ".//CodiceDestinatario") == "XXXXXXX"
    client = doc.find(".//CessionarioCommittente")
    assert text(client, ".//IdFiscaleIVA/IdPaese") == "DE"
    assert text(client, ".//Sede/Nazione") == "DE" and client.find(".//Sede/Provincia") is None
    assert set(texts(doc, ".//DettaglioLinee/Natura")) == {"N2.1", "N1"}     # the services, the bollo
    assert set(texts(doc, ".//DettaglioLinee/AliquotaIVA")) == {"0.00"}
    summary = doc.find(".//DatiRiepilogo[Natura='N2.1']")
    assert (text(summary, "Natura"), text(summary, "Imposta")) == ("N2.1", "0.00")
    assert summary.find("EsigibilitaIVA") is None
    assert "inversione contabile" in text(summary, "RiferimentoNormativo").lower()   # the Italian note, not the English


def test_split_payment_to_a_public_body_with_its_cig(example):
    invoices, _ = example
    inv = invoices["comune-cassano-2026-11"]
    doc = xml(example, inv.id)
    assert doc.get("versione") == "FPA12" and text(doc, ".//FormatoTrasmissione") == "FPA12"
    assert text(doc, ".//CodiceDestinatario") == "UF7KQ2"
    assert set(texts(doc, ".//DatiRiepilogo/EsigibilitaIVA")) == {"S"}
    contract = doc.find(".//DatiGenerali/DatiContratto")
    assert (text(contract, "IdDocumento"), text(contract, "CodiceCIG")) == ("412/2026", "B2A7C41F09")
    # only the milestone line is the contract's; the help-desk hours are not
    milestone = [ln for ln in doc.iterfind(".//DettaglioLinee") if ln.findtext("Descrizione").startswith("SAL 2")][0]
    assert texts(contract, "RiferimentoNumeroLinea") == [milestone.findtext("NumeroLinea")]
    assert D(text(doc, ".//ImportoTotaleDocumento")) == inv.total
    assert D(text(doc, ".//ImportoPagamento")) == inv.total - inv.tax_total == inv.amount_due


def test_the_freelancer_with_withholding(freelance):
    invoices, _ = freelance
    inv = invoices["meccanica-dora-2026-10"]
    doc = xml(freelance, inv.id)
    assert text(doc, ".//IdTrasmittente/IdCodice") == "MRCLRA85M52L219T"
    assert text(doc, ".//CedentePrestatore//RegimeFiscale") == "RF01"
    r = doc.find(".//DatiRitenuta")
    assert (text(r, "TipoRitenuta"), text(r, "AliquotaRitenuta"), text(r, "CausalePagamento")) == ("RT01", "20.00", "A")
    assert D(text(r, "ImportoRitenuta")) == inv.withholding > 0
    assert set(texts(doc, ".//DettaglioLinee/Ritenuta")) == {"SI"}
    assert D(text(doc, ".//ImportoPagamento")) == inv.total - inv.withholding
    assert text(doc, ".//DettaglioPagamento/IBAN") == "IT06J0306901000100000064812"
    assert text(doc, ".//ModalitaPagamento") == "MP05" and text(doc, ".//CondizioniPagamento") == "TP02"


def test_stamp_duty_and_an_exempt_line(freelance):
    invoices, _ = freelance
    inv = invoices["its-piemonte-2026-10"]
    doc = xml(freelance, inv.id)
    assert (text(doc, ".//DatiBollo/BolloVirtuale"), text(doc, ".//DatiBollo/ImportoBollo")) == ("SI", "2.00")
    natures = dict(zip(texts(doc, ".//DatiRiepilogo/Natura"), texts(doc, ".//DatiRiepilogo/ImponibileImporto")))
    assert natures == {"N4": "960.00", "N1": "2.00"}
    stamp = [ln for ln in doc.iterfind(".//DettaglioLinee") if ln.findtext("Natura") == "N1"][0]
    assert stamp.find("Ritenuta") is None                          # the bollo is outside the withholding base
    exempt = doc.find(".//DatiRiepilogo[Natura='N4']")
    assert "art. 10" in text(exempt, "RiferimentoNormativo")
    assert D(text(doc, ".//ImportoTotaleDocumento")) == inv.total == D("962.00")


def test_foreign_currency_is_stated_in_euro_at_the_books_rate(example):
    invoices, _ = example
    inv = invoices["hotel-alpenblick-2026-10"]
    assert inv.currency == "CHF"
    doc = xml(example, inv.id)
    assert text(doc, ".//Divisa") == "EUR"
    rate = D("1.07")
    for line, own in zip(doc.iterfind(".//DettaglioLinee"), [ln for ln in inv.lines if ln.amount or ln.quantity]):
        chf = D(line.find("AltriDatiGestionali[TipoDato='VALUTA']/RiferimentoNumero").text)
        assert line.findtext("AltriDatiGestionali/RiferimentoTesto") == "CHF"
        assert D(text(line, "PrezzoTotale")) == (chf * rate).quantize(D("0.01"))
    total_chf = sum((ln.amount for ln in inv.lines), D(0))
    assert abs(D(text(doc, ".//ImportoTotaleDocumento")) - total_chf * rate) < D("0.05")
    assert any("1 CHF = 1.07 EUR" in c and "Banca d'Italia" in c for c in texts(doc, ".//Causale"))


def test_issuer_company_register_entry(example):
    rea = xml(example, "farmacia-centrale-2026-10").find(".//IscrizioneREA")
    assert [(e.tag, e.text) for e in rea] == [("Ufficio", "MI"), ("NumeroREA", "2098765"), ("CapitaleSociale", "50000.00"),
                                              ("SocioUnico", "SM"), ("StatoLiquidazione", "LN")]


def test_credit_note_is_td04_linked_to_its_invoice_and_both_get_sdi_names(tmp_path, schema):
    book = tmp_path / "book"
    shutil.copytree(FREELANCE, book)
    run = CliRunner().invoke
    assert run(main, ["issue", str(book), "its-piemonte-2026-10", "--date", "2026-11-02"]).exit_code == 0
    assert run(main, ["credit-note", "1/2026", "--book", str(book), "--reason", "Errore", "--date",
                      "2026-11-05"]).exit_code == 0
    result = run(main, ["build", str(book), "--no-pdf"])
    assert result.exit_code == 0, result.output
    out = book / "build" / "invoices"
    invoice, note = out / "ITMRCLRA85M52L219T_QF001.xml", out / "ITMRCLRA85M52L219T_QN001.xml"
    assert invoice.read_bytes() == (out / "its-piemonte-2026-10.xml").read_bytes()
    doc = etree.fromstring(note.read_bytes())
    assert problems(schema, note.read_bytes()) == [] and problems(schema, invoice.read_bytes()) == []
    assert (text(doc, ".//TipoDocumento"), text(doc, ".//Numero"), text(doc, ".//Data")) == ("TD04", "NC1/2026", "2026-11-05")
    linked = doc.find(".//DatiFattureCollegate")
    assert (text(linked, "IdDocumento"), text(linked, "Data")) == ("1/2026", "2026-11-02")
    assert text(doc, ".//ProgressivoInvio") == "QN001"
    assert doc.find(".//DatiPagamento") is None                     # a credit note asks for no payment
    assert D(text(doc, ".//ImportoTotaleDocumento")) == D("962.00")


def test_the_freelancer_with_rivalsa_inps_withholding_and_stamp_duty(tmp_path, schema):
    """Rivalsa INPS 4 % (TC22) on the exempt teaching: DatiCassaPrevidenziale, not a line; its
    amount joins the N4 summary; withheld on (Ritenuta SI); the bollo outside both.
    By hand: 16 h x 60.00 = 960.00; rivalsa 4 % = 38.40; N4 base 998.40; bollo 2.00;
    total 1000.40; withholding 20 % x 998.40 = 199.68; due 800.72."""
    book = tmp_path / "book"
    shutil.copytree(FREELANCE, book)
    settings = book / "plainbill.yaml"
    settings.write_text(settings.read_text() + "social_security: [{kind: TC22, rate: 4%}]\n")
    invoices, files = documents(book)
    inv = invoices["its-piemonte-2026-10"]
    data = files[inv.id][f"invoices/{inv.id}.xml"]
    assert problems(schema, data) == []
    doc = etree.fromstring(data)
    cassa = doc.find(".//DatiCassaPrevidenziale")
    assert [(e.tag, e.text) for e in cassa] == [
        ("TipoCassa", "TC22"), ("AlCassa", "4.00"), ("ImportoContributoCassa", "38.40"), ("ImponibileCassa", "960.00"),
        ("AliquotaIVA", "0.00"), ("Ritenuta", "SI"), ("Natura", "N4")]
    assert "surcharge" not in {ln.findtext("Descrizione") for ln in doc.iterfind(".//DettaglioLinee")}
    assert len(doc.findall(".//DettaglioLinee")) == 2                       # the teaching and the bollo
    n4 = doc.find(".//DatiRiepilogo[Natura='N4']")
    assert text(n4, "ImponibileImporto") == "998.40"                        # 960.00 + the rivalsa
    assert text(doc, ".//ImportoRitenuta") == "199.68" == str(inv.withholding)
    assert text(doc, ".//ImportoTotaleDocumento") == "1000.40" == str(inv.total)
    assert text(doc, ".//ImportoPagamento") == "800.72" == str(inv.amount_due)
    assert text(doc, ".//DatiBollo/ImportoBollo") == "2.00"


def test_a_draft_with_nothing_to_bill_has_no_xml_and_no_courtesy_notice(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(FREELANCE, book)
    (book / "ledger" / "extra.txt").write_text("2026-09-10 2h its-piemonte prep @laura Preparazione interna\n")
    invoices, files = documents(book)
    assert invoices["its-piemonte-2026-09"].total == 0
    assert "its-piemonte-2026-09" not in files and "its-piemonte-2026-10" in files
    result = CliRunner().invoke(main, ["build", str(book), "--no-pdf", "-j", "1"])
    assert result.exit_code == 0, result.output
    out = book / "build" / "invoices"
    assert not (out / "its-piemonte-2026-09.xml").exists() and (out / "its-piemonte-2026-10.xml").exists()
    assert "Copia di cortesia" not in (out / "its-piemonte-2026-09.html").read_text()
    assert "Copia di cortesia" in (out / "its-piemonte-2026-10.html").read_text()


def test_a_long_legal_note_gives_the_xml_the_laws_short_reference_not_a_cut_text():
    """The example book's reverse-charge note (154 characters) is written for the page; the XML's
    RiferimentoNormativo (100 at most) takes the nature's short reference instead of cutting it."""
    from click.testing import CliRunner

    from plainbill.billing.legal import _REFERENCE, reference
    from plainbill.cli import main

    assert all(len(text) <= 100 for text in _REFERENCE.values())
    assert reference("N2.1", True).startswith("Inversione contabile")
    assert reference("N4", False) == "Esente - art. 10 DPR 633/72"
    assert reference("N5", False) == ""
    result = CliRunner().invoke(main, ["check", "--full", "--book", str(Path(__file__).resolve().parents[1])])
    assert result.exit_code == 0, result.output
    assert "einvoice-text-cut" not in result.output

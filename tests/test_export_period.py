"""`plainbill export PERIOD`: the zip for the accountant reconciles with the invoices to the cent.

The VAT register's columns, the hledger/Ledger journal as Ledger itself reads it, and the
beancount journal as beancount loads it, all add up to the period's issued documents
(credit notes negative); the FatturaPA files are those of the documents and agree with them.
"""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import zipfile
from collections import defaultdict
from decimal import Decimal as D

import pytest

from exportkit import einvoices, fake_xml, freelance, invoices, run
from plainbill.export import parse_period

ZERO = D(0)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    book = freelance(tmp_path_factory.mktemp("export"))
    r = run("build", book, "--no-pdf", "-j", "1")
    assert r.exit_code == 0, r.output
    einvoices(book)
    r = run("export", "2026-11", "--book", book, "--no-pdf", "-j", "1")
    assert r.exit_code == 0, r.output
    path = book / "build" / "export-2026-11.zip"
    docs = [i for i in invoices(book) if i.number and i.issue_date.month == 11]
    return book, path, docs


def signed(inv, value):
    return -value if inv.kind == "credit-note" else value


def files(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_the_zip_holds_the_xml_the_register_and_both_journals_sorted(exported):
    book, path, docs = exported
    names = list(files(path))
    assert names == sorted(names)
    xml = [n for n in names if n.startswith("fatturapa/")]
    assert len(xml) == len(docs) == 3 and {d.kind for d in docs} == {"invoice", "credit-note"}
    assert names[len(xml):] == ["journal-2026-11.beancount", "journal-2026-11.ledger", "vat-register-2026-11.csv"]
    for name in xml:
        assert files(path)[name] == (book / "build" / "invoices" / name[len("fatturapa/"):]).read_bytes()


def test_the_vat_register_adds_up_to_the_invoices(exported):
    _, path, docs = exported
    rows = list(csv.DictReader(io.StringIO(files(path)["vat-register-2026-11.csv"].decode())))
    col = lambda name: sum((D(r[name]) for r in rows if r[name]), ZERO)   # noqa: E731
    assert col("taxable") + col("vat") == col("total") == sum(signed(d, d.total) for d in docs)
    assert col("vat") == sum(signed(d, d.tax_total) for d in docs)
    assert col("withholding") == sum(signed(d, d.withholding) for d in docs)
    assert col("amount_due") == sum(signed(d, d.amount_due) for d in docs)
    assert col("cassa") == sum(signed(d, s.amount) for d in docs for s in d.surcharges) > 0
    assert col("stamp_duty") == D("2.00")
    for d in docs:   # each document on its own too, credit notes negative
        mine = [r for r in rows if r["number"] == d.number]
        assert sum(D(r["taxable"]) + D(r["vat"]) for r in mine) == D(mine[0]["total"]) == signed(d, d.total)
        assert mine[0]["type"] == ("TD04" if d.kind == "credit-note" else "TD01")
    assert D(next(r for r in rows if r["type"] == "TD04")["total"]) < 0


def expected_accounts(docs) -> dict[str, D]:
    out: dict[str, D] = defaultdict(D)
    for d in docs:
        stamp = sum((ln.amount for ln in d.lines if ln.kind == "stamp-duty"), ZERO)
        inps = sum((s.amount for s in d.surcharges), ZERO)
        for account, value in ((f"Assets:Receivables:{'-'.join(p.capitalize() for p in d.client.split('-'))}",
                                d.amount_due), ("Assets:Withholding-tax", d.withholding),
                               ("Income:Fees", -(d.subtotal - stamp - inps)), ("Income:Stamp-duty", -stamp),
                               ("Income:Rivalsa-INPS", -inps), ("Liabilities:VAT:Output", -d.tax_total)):
            if value:
                out[account] += signed(d, value)
    return dict(out)


@pytest.mark.skipif(shutil.which("ledger") is None, reason="ledger is not installed")
def test_ledger_reads_the_journal_and_its_balances_are_the_invoices(exported, tmp_path):
    _, path, docs = exported
    journal = tmp_path / "j.ledger"
    journal.write_bytes(files(path)["journal-2026-11.ledger"])
    out = subprocess.run(["ledger", "-f", str(journal), "csv"], capture_output=True, text=True, check=True)
    balances: dict[str, D] = defaultdict(D)
    codes = set()
    for row in csv.reader(io.StringIO(out.stdout)):
        codes.add(row[1])
        assert row[4] == "EUR"
        balances[row[3]] += D(row[5])
    assert codes == {d.number for d in docs}
    assert dict(balances) == expected_accounts(docs)
    total = subprocess.run(["ledger", "-f", str(journal), "bal", "--strict"], capture_output=True, text=True)
    assert total.returncode == 0 and total.stdout.rstrip().endswith("0"), total.stdout + total.stderr


def test_beancount_loads_the_journal_and_its_balances_are_the_invoices(exported, tmp_path):
    loader = pytest.importorskip("beancount.loader")
    from beancount.core.data import Transaction

    _, path, docs = exported
    text = files(path)["journal-2026-11.beancount"].decode()
    journal = tmp_path / "j.beancount"
    journal.write_text(text, encoding="utf-8")
    check = subprocess.run([sys.executable, "-m", "beancount.scripts.check", str(journal)],   # bean-check
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    entries, errors, _ = loader.load_string(text)
    assert errors == []
    balances: dict[str, D] = defaultdict(D)
    tx = [e for e in entries if isinstance(e, Transaction)]
    assert sorted(t.meta["number"] for t in tx) == sorted(d.number for d in docs)
    for t in tx:
        for p in t.postings:
            assert p.units.currency == "EUR"
            balances[p.account] += p.units.number
    assert dict(balances) == expected_accounts(docs)


def test_the_same_book_gives_the_same_bytes(exported, tmp_path):
    book, path, _ = exported
    first = path.read_bytes()
    again = tmp_path / "again.zip"
    r = run("export", "2026-11", "--book", book, "--no-pdf", "-j", "1", "-o", again)
    assert r.exit_code == 0, r.output
    assert again.read_bytes() == first
    with zipfile.ZipFile(again) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 30, 0, 0, 0)}
    r = run("export", "2026-11", "--book", book, "--no-pdf", "-j", "1")
    assert "(unchanged)" in r.output and path.read_bytes() == first


def test_a_period_is_a_month_a_quarter_or_a_year(exported, tmp_path):
    book, _, docs = exported
    assert parse_period("2026-Q4")[0].month == 10 and parse_period("2026")[1].day == 31
    assert parse_period("2026-13") is None and parse_period("26-11") is None and parse_period("2026-Q5") is None
    r = run("export", "2026-10", "--book", book, "--no-pdf", "-j", "1", "-o", tmp_path / "oct.zip")
    assert r.exit_code == 0 and "0 invoices, 0 credit notes" in r.output, r.output
    assert list(files(tmp_path / "oct.zip")) == ["journal-2026-10.beancount", "journal-2026-10.ledger",
                                                 "vat-register-2026-10.csv"]
    r = run("export", "2026-Q4", "--book", book, "--no-pdf", "-j", "1", "-o", tmp_path / "q4.zip")
    assert r.exit_code == 0 and "2 invoices, 1 credit note, 3 FatturaPA files" in r.output, r.output


def test_an_xml_that_disagrees_with_its_document_stops_the_export(exported, tmp_path):
    """On a copy of the build folder (a real build would put its own file back)."""
    from plainbill import pipeline
    from plainbill.export import gather

    book, _, docs = exported
    out = tmp_path / "build"
    shutil.copytree(book / "build" / "invoices", out / "invoices")
    target = next(p for p in sorted((out / "invoices").glob("IT*_*.xml")) if b"<Numero>2/2026</Numero>" in p.read_bytes())
    computed = pipeline.compute_book(book)
    export = lambda: gather(computed.checked, computed.invoices, parse_period("2026-11"), "2026-11", out)  # noqa: E731
    assert export().problem is None
    inv = next(d for d in docs if d.number == "2/2026")
    target.write_text(fake_xml(inv, total=inv.total + D("0.01")), encoding="utf-8")
    assert "does not reconcile with 2/2026: ImportoTotaleDocumento" in export().problem
    target.write_text(fake_xml(inv, type="TD04"), encoding="utf-8")
    assert "TipoDocumento TD04, not TD01" in export().problem
    target.write_text("<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", encoding="utf-8")
    assert "declares a DOCTYPE" in export().problem
    target.unlink()
    assert "no FatturaPA file for 2/2026" in export().problem


HAND = """\
--- plainbill.yaml+
social_security: [{kind: TC22, rate: 4%}]
export: {accounts: {fees: Income:Compensi, vat: Liabilities:IVA-vendite}}
--- clients/acme.yaml
name: Acme S.p.A.
vat_number: IT01234567890
language: it
withholding: {rate: 20%, base: 100%}
rates: [{rate: 100.00}]
--- ledger/2026/11.txt
2026-11-03 10h acme remote @mario Consulenza
"""


def test_by_hand_an_invoice_and_its_credit_note(tmp_path):
    """Fees 1000.00, rivalsa INPS 40.00, VAT 22 % of 1040.00 = 228.80, total 1268.80, withholding
    20 % of 1040.00 = 208.00, due 1060.80; then credited whole: the same, negative."""
    from billing_helpers import split_book

    book = tmp_path / "book"
    for path, text in split_book(HAND).items():
        (book / path).parent.mkdir(parents=True, exist_ok=True)
        (book / path).write_text(text, encoding="utf-8")
    assert run("issue", book, "--date", "2026-12-01").exit_code == 0
    number = next(i.number for i in invoices(book) if i.number)
    r = run("credit-note", number, "--book", book, "--reason", "annullata", "--date", "2026-12-05")
    assert r.exit_code == 0, r.output
    credit = next(i.number for i in invoices(book) if i.kind == "credit-note")
    assert run("build", book, "--no-pdf", "-j", "1").exit_code == 0
    einvoices(book)
    r = run("export", "2026-12", "--book", book, "--no-pdf", "-j", "1")
    assert r.exit_code == 0, r.output
    got = files(book / "build" / "export-2026-12.zip")
    assert got["vat-register-2026-12.csv"].decode().splitlines()[1:] == [
        f"{number},2026-12-01,TD01,acme,Acme S.p.A.,IT01234567890,EUR,22.00,,1040.00,228.80,40.00,0.00,208.00,0.00,"
        "1268.80,1060.80",
        f"{credit},2026-12-05,TD04,acme,Acme S.p.A.,IT01234567890,EUR,22.00,,-1040.00,-228.80,-40.00,0.00,-208.00,"
        "0.00,-1268.80,-1060.80"]
    ledger = got["journal-2026-12.ledger"].decode()
    assert ledger.split("\n\n")[1].splitlines() == [
        f"2026-12-01 * ({number}) Acme S.p.A.",
        "    ; invoice acme-2026-11, 2026-11-01 to 2026-11-30",
        "    Assets:Receivables:Acme           1060.80 EUR",
        "    Assets:Withholding-tax             208.00 EUR",
        "    Income:Compensi                  -1000.00 EUR",
        "    Income:Rivalsa-INPS                -40.00 EUR",
        "    Liabilities:IVA-vendite           -228.80 EUR"]
    assert f'2026-12-05 * "Acme S.p.A." "Nota di credito {credit}"' in got["journal-2026-12.beancount"].decode()
    assert "    Income:Compensi                   1000.00 EUR" in ledger.split("\n\n")[2]


@pytest.mark.skipif(shutil.which("ledger") is None, reason="ledger is not installed")
def test_a_hostile_client_name_stays_text_in_every_file(tmp_path):
    import re

    book = freelance(tmp_path)
    client = book / "clients" / "meccanica-dora.yaml"
    text = client.read_text(encoding="utf-8")
    evil = '=HYPERLINK("http://x") ; "quoted" \\\\ back'
    client.write_text(re.sub(r"^name: .*$", lambda m: "name: '" + evil.replace("'", "''") + "'", text, count=1,
                             flags=re.M),
                      encoding="utf-8")
    r = run("build", "--book", book, "--no-pdf", "-j", "1")
    assert r.exit_code == 0, r.output
    einvoices(book)
    r = run("export", "2026-11", "--book", book, "--no-pdf", "-j", "1")
    assert r.exit_code == 0, r.output
    got = files(book / "build" / "export-2026-11.zip")
    rows = list(csv.DictReader(io.StringIO(got["vat-register-2026-11.csv"].decode())))
    assert {r["client_name"] for r in rows if r["client"] == "meccanica-dora"} == {"'" + evil}
    journal = tmp_path / "j.ledger"
    journal.write_bytes(got["journal-2026-11.ledger"])
    out = subprocess.run(["ledger", "-f", str(journal), "csv"], capture_output=True, text=True, check=True)
    assert len(out.stdout.splitlines()) == sum(len(b.splitlines()) - 2 for b in
                                              got["journal-2026-11.ledger"].decode().split("\n\n")[1:] if b)
    loader = pytest.importorskip("beancount.loader")
    _, errors, _ = loader.load_string(got["journal-2026-11.beancount"].decode())
    assert errors == []

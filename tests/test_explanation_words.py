"""The words of each rule, in Italian and in English: lines explain their own numbers, legal
notes carry the law's wording, warnings speak the firm's language, credit notes read as credits."""
from __future__ import annotations

import re
from datetime import date

import pytest

from billing_helpers import compute, split_book
from plainbill.billing import compute_invoices
from plainbill.load import load_files
from plainbill.register.credit import plan_credit_note
from plainbill.register.issue import numbered, plan_issue, select_drafts
from plainbill.register.records import invoice_from_dict
from plainbill.register.store import Register
from plainbill.render.context import invoice_view, taxable_and_excluded


def client(lang: str, body: str, ledger: str) -> str:
    return f"--- clients/acme.yaml\nname: Acme\nlanguage: {lang}\n{body}\n--- ledger/2026/11.txt\n{ledger}\n"


def explanation(inv, description_part: str) -> str:
    found = [ln.explanation for ln in inv.lines if description_part in ln.description]
    assert found, [ln.description for ln in inv.lines]
    return found[0]


# ---------------------------------------------------------------- the minimum, named on its line

MINIMUM = ("rates: [{rate: 60.00}]\nrules:\n  minimum: {time: 2h, per: visit}",
           "2026-11-03 10:00-10:40 acme onsite @mario Short visit\n2026-11-05 10:00-13:00 acme onsite @mario Long visit")


@pytest.mark.parametrize("lang,words", [
    ("it", "5 h in 2 registrazioni a 60,00/h; tempo effettivo 3 h 40 m, fatturato 5 h "
           "(minimo 2 h per intervento su 1 registrazione)"),
    ("en", "5 h in 2 entries at 60.00/h; raw time 3 h 40 m, billed 5 h (minimum of 2 h per visit on 1 entry)"),
])
def test_the_minimum_is_named_where_it_raised_the_time(lang, words):
    invoices, _ = compute(client(lang, *MINIMUM))
    inv = invoices["acme-2026-11"]
    assert explanation(inv, "On-site" if lang == "en" else "Intervento") == words
    # 40 m raised to 2 h + 3 h = 5 h: the line's own figures add up
    assert sum(ln.minutes for ln in inv.lines if ln.kind == "time") == 300


# ---------------------------------------------------------------- a rate change, with its dates

RATES = ("rates:\n  - {rate: 68.00}\n  - {rate: 72.00, from: 2026-11-15}",
         "2026-11-03 2h acme dev @mario Before\n2026-11-10 1h acme dev @mario Before again\n"
         "2026-11-20 3h acme dev @mario After")


@pytest.mark.parametrize("lang,before,after", [
    ("it", "3 h in 2 registrazioni a 68,00/h; tariffa 68,00/h fino al 10/11/2026",
     "3 h in 1 registrazione a 72,00/h; tariffa 72,00/h dal 20/11/2026"),
    ("en", "3 h in 2 entries at 68.00/h; rate 68.00/h until 10 November 2026",
     "3 h in 1 entry at 72.00/h; rate 72.00/h from 20 November 2026"),
])
def test_two_lines_that_differ_by_rate_say_when_each_rate_held(lang, before, after):
    invoices, _ = compute(client(lang, *RATES))
    words = [ln.explanation for ln in invoices["acme-2026-11"].lines if ln.kind == "time"]
    assert words == [before, after]


def test_lines_that_differ_for_another_reason_are_left_alone():
    invoices, _ = compute(client("en", "rates: [{rate: 60.00}]",
                                 "2026-11-03 2h acme dev @mario One\n2026-11-04 1h acme remote @mario Two"))
    assert all("rate " not in ln.explanation.split("at")[-1] for ln in invoices["acme-2026-11"].lines)


# ---------------------------------------------------------------- rounding a day: what each row took

DAY = ("rates: [{rate: 60.00}]\nrules:\n  rounding: {increment: 30m, mode: up, scope: day}",
       "2026-11-03 09:00-09:40 acme remote @mario First\n2026-11-03 11:00-11:45 acme remote @mario Second")


@pytest.mark.parametrize("lang,note", [
    ("it", "arrotondato per eccesso a multipli di 30 m per persona e giorno: +5 m su questa registrazione"),
    ("en", "rounded up to a multiple of 30 m per person and day: +5 m on this entry"),
])
def test_a_pooled_rounding_says_what_the_row_took(lang, note):
    invoices, _ = compute(client(lang, *DAY))
    rows = invoices["acme-2026-11"].entries
    assert [(r.raw_minutes, r.billed_minutes, r.note) for r in rows] == [(40, 40, ""), (45, 50, note)]


# ---------------------------------------------------------------- block factor rounding

BLOCK = ("""rates: [{rate: 60.00}]
contracts:
  - id: pack
    kind: block
    from: 2026-01-01
    purchases: [{date: 2026-11-01, hours: 10h, price: 500.00}]
    factors: {onsite: 1.5}""",
         "2026-11-03 10:00-10:45 acme onsite @mario A\n2026-11-04 10:00-10:45 acme onsite @mario B")


@pytest.mark.parametrize("lang,words", [
    ("it", "1 h 30 m fatturate, 2 h 16 m scalate dal pacchetto ore (fattore 1,5, al minuto su ogni registrazione)"),
    ("en", "1 h 30 m billed, 2 h 16 m drawn from the prepaid hours (factor 1.5, to the minute on each entry)"),
])
def test_block_factor_rounding_is_said(lang, words):
    invoices, _ = compute(client(lang, *BLOCK))
    # 45 m x 1.5 = 67.5 -> 68 block minutes, twice: 136, not 135
    assert explanation(invoices["acme-2026-11"], "pacchetto" if lang == "it" else "prepaid") == words


# ---------------------------------------------------------------- legal notes

RC_IT = "Inversione contabile: operazione non soggetta ad IVA ai sensi dell'art. 7-ter DPR 633/72"
RC_EN = "Reverse charge: service not subject to Italian VAT under art. 7-ter DPR 633/72"


def test_reverse_charge_in_italian_with_english_beside_it_for_an_english_client():
    invoices, _ = compute(client("en", "tax: rc-eu\nrates: [{rate: 50.00}]", "2026-11-03 1h acme dev @mario Work"))
    note = invoices["acme-2026-11"].notes[0]
    assert note.startswith(RC_IT) and " / " + RC_EN in note
    assert "art. 21 c. 6-bis lett. a DPR 633/72" in note and "2006/112/CE" in note and "2006/112/EC" in note


def test_reverse_charge_in_italian_only_for_an_italian_client():
    invoices, _ = compute(client("it", "tax: rc-eu\nrates: [{rate: 50.00}]", "2026-11-03 1h acme dev @mario Work"))
    assert invoices["acme-2026-11"].notes == (
        RC_IT + " (art. 21 c. 6-bis lett. a DPR 633/72), imposta dovuta dal committente ai sensi "
        "dell'art. 196 della Direttiva 2006/112/CE.",)


NON_EU = """--- plainbill.yaml+
stamp_duty: {amount: 2.00, threshold: 77.47, exchange_rates: {USD: 0.80}}
"""


@pytest.mark.parametrize("lang,stamp", [
    ("it", "Imposta di bollo di 2,00 euro assolta in modo virtuale ai sensi dell'art. 6, comma 2, "
           "del D.M. 17 giugno 2014."),
    ("en", "Imposta di bollo di 2,00 euro assolta in modo virtuale ai sensi dell'art. 6, comma 2, "
           "del D.M. 17 giugno 2014. / Stamp duty of EUR 2.00 paid virtually under art. 6(2) of the "
           "Ministerial Decree of 17 June 2014."),
])
def test_the_stamp_duty_note_says_virtual_payment_and_the_amount(lang, stamp):
    code = "    extra-ue: {rate: 0%, nature: N2.1}"
    text = client(lang, "tax: extra-ue\nrates: [{rate: 100.00}]", "2026-11-03 1h acme dev @mario Work")
    book = split_book(text)
    book["plainbill.yaml"] = book["plainbill.yaml"].replace("    vat10: {rate: 10%}", "    vat10: {rate: 10%}\n" + code)
    invoices, _ = compute_invoices(load_files(book).book)
    inv = invoices[0]
    assert inv.notes[-1] == stamp
    assert inv.notes[0].startswith("Operazione non soggetta ad IVA ai sensi dell'art. 7-ter DPR 633/72 "
                                   "(art. 21 c. 6-bis lett. b DPR 633/72)")
    assert ("outside the European Union" in inv.notes[0]) == (lang == "en")


def test_the_book_note_wins_and_the_law_fills_the_language_it_leaves_out():
    from plainbill.billing.legal import tax_note
    from plainbill.model import TaxCode
    from decimal import Decimal
    tc = TaxCode("esente", Decimal(0), "N4", {"it": "Esente art. 10 c. 1 n. 20 DPR 633/72."})
    assert tax_note(tc, "it") == "Esente art. 10 c. 1 n. 20 DPR 633/72."
    assert tax_note(tc, "en") == "Esente art. 10 c. 1 n. 20 DPR 633/72. / VAT exempt under art. 10 DPR 633/72."
    assert tax_note(TaxCode("vat22", Decimal("0.22")), "en") == ""


# ---------------------------------------------------------------- warnings: the firm's language

CAP = ("rates: [{rate: 100.00}]\nrules:\n  cap: {amount: 1500.00, action: warn}",
       "2026-11-03 20h acme dev @mario Long work")


@pytest.mark.parametrize("book_lang,warning", [
    ("it", "Tetto di 1.500,00 superato: 2.000,00"),
    ("en", "Cap of 1,500.00 exceeded: 2,000.00"),
])
def test_warnings_speak_the_books_language_whatever_the_client_reads(book_lang, warning):
    book = split_book(client("it" if book_lang == "en" else "en", *CAP))
    book["plainbill.yaml"] = book["plainbill.yaml"].replace("language: en\n", f"language: {book_lang}\n", 1)
    invoices, _ = compute_invoices(load_files(book).book)
    assert invoices[0].warnings == (warning,)


# ---------------------------------------------------------------- credit notes

CREDIT = ("withholding: {rate: 20%, base: 100%}\nrates: [{rate: 100.00}]",
          "2026-11-03 2h acme dev @mario Work")


def _credit(lang: str, specs=()):
    bk = load_files(split_book(client(lang, *CREDIT))).book
    invoices, _ = compute_invoices(bk)
    chosen, _ = select_drafts(invoices, date(2026, 12, 1))
    records, diags = plan_issue(bk, Register(), chosen, date(2026, 12, 1))
    assert not diags
    original = numbered(chosen[0], records[0])
    rec, diags = plan_credit_note(bk, Register(records), original, specs, "errore", date(2026, 12, 5))
    assert not diags
    return bk, original, invoice_from_dict(rec.invoice)


@pytest.mark.parametrize("lang,note,partial", [
    ("it", "Nota di credito a storno della fattura n. 2026/0001 del 01/12/2026: errore",
     "50,00 dei 200,00 fatturati su questa riga"),
    ("en", "Credit note for invoice no. 2026/0001 of 1 December 2026: errore",
     "50.00 of the 200.00 invoiced on this line"),
])
def test_a_credit_note_names_the_invoice_with_its_date_in_the_clients_language(lang, note, partial):
    bk, original, _ = _credit(lang)
    key = original.lines[0].key
    _, _, cn = _credit(lang, (f"{key}=50.00",))
    assert cn.notes[0] == note
    assert cn.lines[0].explanation == partial
    # 20 % of 50.00 withheld on the credited part
    assert (cn.withholding, cn.amount_due) == (cn.withholding_base * cn.withholding_rate, cn.total - 10)


@pytest.mark.parametrize("lang,credited,due", [("it", "Importo a credito", "Netto a pagare"),
                                                ("en", "Amount credited", "Amount due")])
def test_a_credit_note_page_reads_as_a_credit(lang, credited, due):
    from pathlib import Path

    from plainbill.render.context import client_context
    from plainbill.render.environment import template_set
    from plainbill.render.renderer import Renderer
    bk, original, cn = _credit(lang)
    ctx = client_context(bk, "acme", lang)
    page = Renderer(template_set(Path("/nonexistent-book")), Path("/nonexistent-out")).invoice_html(cn, ctx)
    text = " ".join(re.sub(r"<[^>]+>", " ", page.split("<body", 1)[1]).split())
    assert credited in text and due not in text
    assert bk.settings.bank.iban not in text if bk.settings.bank.iban else True
    assert ("Payment terms" if lang == "en" else "Termini di pagamento") not in text
    assert "2026/0001" in text
    view = invoice_view(cn, ctx)
    assert view["appendix"] == [] and view["is_credit"]


# ---------------------------------------------------------------- the totals: Imponibile apart from art. 15

def test_the_taxable_total_leaves_out_the_art_15_exclusions():
    invoices, _ = compute(client("it", "tax: forfettario\nrates: [{rate: 40.00}]",
                                 "2026-11-03 2h acme remote @mario Over the threshold"))
    inv = invoices["acme-2026-11"]
    split = taxable_and_excluded(inv)
    # 80.00 exempt + 2.00 bollo (N1): Imponibile 80.00, excluded 2.00, together the subtotal
    assert (split["taxable"], split["excluded"]) == (inv.subtotal - 2, 2)
    assert sum(t.base for t in inv.taxes if t.nature != "N1") == split["taxable"]


# ---------------------------------------------------------------- units the book made up

@pytest.mark.parametrize("unit,lang,qty,shown", [
    ("postazione", "it", 7, "postazioni"), ("postazione", "it", 1, "postazione"), ("licenza", "it", 3, "licenze"),
    ("lic.", "it", 2, "lic."), ("server", "it", 2, "server"), ("seat", "en", 2, "seats"), ("seat", "en", 1, "seat"),
])
def test_a_unit_the_book_made_up_agrees_with_its_quantity(unit, lang, qty, shown):
    from decimal import Decimal

    from plainbill.render.labels import unit_label
    assert unit_label(unit, lang, Decimal(qty)) == shown


def test_appendix_rates_and_amounts_read_to_the_cent():
    from decimal import Decimal

    from plainbill.render.context import shown_amount
    assert shown_amount(Decimal("103.385"), "EUR") == Decimal("103.39")
    assert shown_amount(Decimal("229.5833"), "EUR") == Decimal("229.58")
    assert shown_amount(Decimal("7777"), "JPY") == Decimal("7777")


# ---------------------------------------------------------------- explain: the keys credit-note takes

def test_a_line_key_printed_by_explain_is_what_credit_note_takes(tmp_path):
    import shutil
    from pathlib import Path

    from click.testing import CliRunner

    from plainbill.cli import main

    book = tmp_path / "book"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "freelance", book,
                    ignore=shutil.ignore_patterns("build"))
    run = CliRunner().invoke
    assert run(main, ["issue", str(book), "meccanica-dora-2026-10", "--date", "2026-11-02"]).exit_code == 0
    shown = run(main, ["explain", "meccanica-dora-2026-10", "--book", str(book)])
    assert shown.exit_code == 0, shown.output
    keys = re.findall(r"chiave riga: (\S+)", shown.output)
    assert keys
    done = run(main, ["credit-note", "1/2026", "--book", str(book), "--lines", f"{keys[0]}=80.00",
                      "--reason", "sconto", "--date", "2026-11-20"])
    assert done.exit_code == 0, done.output
    assert "NC1/2026" in done.output


@pytest.mark.parametrize("book_lang,warning", [
    ("it", "Budget Acme: 80% raggiunto (1.600,00 su 2.000,00)"),    # no "il 80%": l'80% would need the article
    ("en", "Budget Acme: 80% reached (1,600.00 of 2,000.00)"),
])
def test_budget_warnings_in_the_books_language(book_lang, warning):
    book = split_book(client("en", "rates: [{rate: 100.00}]\nrules:\n  budget: {amount: 2000.00, alerts: [80%]}",
                             "2026-11-03 16h acme dev @mario Work"))
    book["plainbill.yaml"] = book["plainbill.yaml"].replace("language: en\n", f"language: {book_lang}\n", 1)
    invoices, _ = compute_invoices(load_files(book).book)
    assert invoices[0].warnings == (warning,)

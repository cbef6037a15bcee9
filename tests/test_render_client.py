"""The client's invoice by the client's settings (`documents:`), its units and its words; `explain` for the firm."""
from __future__ import annotations

import html as htmllib
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill import i18n
from plainbill.cli import main
from plainbill.render.labels import unit_label

ROOT = Path(__file__).resolve().parents[1]


def visible(page: str) -> str:
    body = page.split("<body", 1)[1]
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def book_copy(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    shutil.copytree(ROOT / "clients", book / "clients")
    shutil.copytree(ROOT / "ledger", book / "ledger", ignore=shutil.ignore_patterns("incassi.txt"))   # nothing issued
    shutil.copy(ROOT / "plainbill.yaml", book / "plainbill.yaml")
    return book


def build_one(book: Path, client: str, period: str) -> tuple[str, dict]:
    out = book / "out"
    result = CliRunner().invoke(main, ["build", "--no-pdf", "-j", "1", "--out", str(out), "--client", client,
                                       "--period", period, str(book)])
    assert result.exit_code == 0, result.output
    page = (out / "invoices" / f"{client}-{period}.html").read_text(encoding="utf-8")
    data = json.loads((out / "invoices" / f"{client}-{period}.json").read_text(encoding="utf-8"))
    return page, data


def with_documents(book: Path, client: str, settings: str) -> None:
    path = book / "clients" / f"{client}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"\ndocuments: {settings}\n", encoding="utf-8")


# ---------------------------------------------------------------- documents:


def test_default_hides_internal_work_and_fixed_price_effort_but_keeps_marked_no_charge(tmp_path):
    book = book_copy(tmp_path)
    page, data = build_one(book, "fratelli-galli", "2026-11")
    text = visible(page)
    assert "Attività interna" not in text and "Refactoring interno" not in text
    assert "segnato come non addebitabile" in text          # the book's no_charge: show, work of a billable activity
    assert "Sara Lombardi" in text and "@sara" not in text
    assert "Cartelle condivise ufficio" in text and "NAS a fine vita" not in text
    kinds = [line["kind"] for line in data["lines"]]
    assert kinds.count("no-charge") == 2                     # the JSON keeps every line


def test_no_charge_hide_and_compact_appendix_by_role(tmp_path):
    book = book_copy(tmp_path)
    with_documents(book, "fratelli-galli", "{appendix: compact, people: role, no_charge: hide}")
    page, _ = build_one(book, "fratelli-galli", "2026-11")
    text = visible(page)
    assert "segnato come non addebitabile" not in text
    assert "Sara Lombardi" not in text and "Senior" in text
    assert "ledger/2026/11.txt" not in text and "Tariffa" not in text.split("Dettaglio")[-1]
    assert "Le attività alla base di questa fattura" in text


def test_appendix_off(tmp_path):
    book = book_copy(tmp_path)
    with_documents(book, "fratelli-galli", "{appendix: off}")
    page, _ = build_one(book, "fratelli-galli", "2026-11")
    assert "Dettaglio delle attività" not in visible(page)


def test_internal_show_gives_the_client_everything(tmp_path):
    book = book_copy(tmp_path)
    with_documents(book, "comune-cassano", "{internal: show}")
    page, _ = build_one(book, "comune-cassano", "2026-11")
    text = visible(page)
    assert "incluso nel prezzo fisso" in text and "Prevendita e preventivi" in text
    assert 'href="https://github.com/navigli-informatica/contabilita/blob/main/ledger/' in page


def test_a_wrong_documents_value_is_located(tmp_path):
    book = book_copy(tmp_path)
    with_documents(book, "fratelli-galli", "{appendix: short}")
    result = CliRunner().invoke(main, ["check", str(book)])
    assert result.exit_code == 1
    assert "clients/fratelli-galli.yaml:" in result.output and "invalid-value" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- units and words


def test_units_agree_with_the_quantity():
    assert unit_label("visit", "it", Decimal(5)) == "uscite" and unit_label("visit", "it", Decimal(1)) == "uscita"
    assert unit_label("h", "it", Decimal(1)) == "ora" and unit_label("h", "it", Decimal(3)) == "ore"
    assert unit_label("month", "en", Decimal(2)) == "months" and unit_label("lic.", "it", Decimal(2)) == "lic."


def test_a_time_shown_as_hours_and_minutes_has_no_unit_after_it(tmp_path):
    book = book_copy(tmp_path)
    page, _ = build_one(book, "hotel-alpenblick", "2026-11")
    text = visible(page)
    assert "9 h 50 m" in text and "9 h 50 m h" not in text


@pytest.mark.parametrize("lang,mode,words", [
    ("it", "up", "arrotondato per eccesso a multipli di 15 m"),
    ("it", "nearest", "arrotondato al multiplo più vicino di 15 m"),
    ("en", "nearest", "rounded to the nearest multiple of 15 m"),
    ("en", "down", "rounded down to a multiple of 6 m"),
])
def test_rounding_words(lang, mode, words):
    inc = 6 if "6 m" in words else 15
    assert i18n.t(lang, "rounded", mode=i18n.mode_word(lang, mode), inc=i18n.duration(lang, inc)) == words


def test_amounts_and_dates_in_prose_by_language():
    assert i18n.number("it", Decimal("1790")) == "1.790,00" and i18n.number("en", Decimal("1790")) == "1,790.00"
    assert i18n.number("it", Decimal("-1234.125")) == "-1.234,125"
    assert i18n.t("it", "expl_milestone", contract="x", date="2026-11-13") == "stato di avanzamento del 13/11/2026"
    assert i18n.t("en", "late", date="2026-10-20") == "late entry dated 20 October 2026"


def test_recurring_per_month_said_once():
    assert i18n.t("it", "expl_recurring", unit_price="24,90", unit="mese", qty="1", how="") == "24,90 al mese x 1"
    assert i18n.t("it", "expl_recurring", unit_price="9,00", unit="postazione", qty="4", how="") \
        == "9,00 per postazione al mese x 4"


def test_example_book_explanations_read_right(tmp_path):
    """The words the issue found, gone from every line of the example book; retainer lines add up."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--no-render", "--out", str(out), str(ROOT)])
    assert result.exit_code == 0, result.output
    explanations = []
    for path in sorted((out / "invoices").glob("*.json")):
        explanations += [line["explanation"] for line in json.loads(path.read_text(encoding="utf-8"))["lines"]]
    text = "\n".join(explanations)
    for bad in ("per mese al mese", "pacchetto pacchetto", "per vicino", "to nearest to", "tariffa:", "rate:",
                "costo", "ricarico", "del contratto", "of contract", "già usate"):
        assert bad not in text, bad
    block = [x for x in explanations if "scalate dal pacchetto ore" in x]
    assert block and all(re.match(r"[\d hm]+ fatturate, ", x) for x in block)   # billed time, said so
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)
    assert not re.search(r"\b\d{4},\d{2}\b", text)            # 1790,00: thousands are grouped
    added_up = 0
    for words in explanations:
        m = re.match(r"(.+?) delle (.+?) incluse nel canone di \w+ \d{4}(?: \((.+?) sulle altre righe\))?, (.+?) residue",
                     words)
        if m:
            used, included, others, left = (minutes(x) if x else 0 for x in m.groups())
            assert used + others + left == included, words
            added_up += 1
    assert added_up >= 6


def minutes(text: str) -> int:
    h = re.search(r"(\d+) h", text)
    m = re.search(r"(\d+) m", text)
    return (int(h.group(1)) * 60 if h else 0) + (int(m.group(1)) if m else 0)


# ---------------------------------------------------------------- explain


def test_explain_piped_keeps_whole_lines_speaks_the_invoice_language_and_shows_line_keys():
    result = CliRunner().invoke(main, ["explain", "fratelli-galli-2026-11", "--book", str(ROOT)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Imposte" in out and "chiave riga:" in out and "Taxes" not in out
    assert max(len(line) for line in out.splitlines()) > 120
    assert "Cartelle condivise ufficio tecnico lente // NAS a fine vita: proporre la sostituzione" in out
    assert "@sara" in out                                   # the firm's view keeps the handles
    keys = re.findall(r"chiave riga: (\S+)", out)
    assert len(keys) == len(set(keys)) >= 8 and "retainer-fee/assistenza-2026-27/2026-11" in keys


def test_explain_in_english_for_an_english_invoice():
    result = CliRunner().invoke(main, ["explain", "kranz-logistik-2026-10", "--book", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert "Taxes" in result.output and "line key:" in result.output and "Imposte" not in result.output


# ---------------------------------------------------------------- the page itself


def test_the_html_carries_its_style_and_prints_at_legible_sizes(tmp_path):
    book = book_copy(tmp_path)
    page, _ = build_one(book, "fratelli-galli", "2026-11")
    style = re.search(r'<style media="screen">(.*?)</style>', page, re.S)
    assert style and ".explanation {" in style.group(1) and "@page" in style.group(1)
    css = (ROOT / "src" / "plainbill" / "templates" / "invoice.css").read_text(encoding="utf-8")

    def size(selector: str) -> float:
        rule = re.search(re.escape(selector) + r" \{[^}]*?font-size: ([\d.]+)pt", css)
        assert rule, selector
        return float(rule.group(1))
    for selector in (".explanation", ".notes", ".taxes", ".tax-note td", ".statement"):
        assert size(selector) >= 8.5, selector
    assert size(".entries pre") >= 7.5


def test_long_names_and_paths_wrap_in_the_appendix():
    from plainbill.render.context import COLUMNS, _layout

    values = ("03/11", "Maria Antonietta Bianchi-Castelli", "A description", "1:00", "1:00", "60,00",
              "60,00", "ledger/2026/clienti/importati/kimai-novembre.yaml:1234")
    lines = _layout(values, COLUMNS)
    text = "\n".join(a + b for a, b in lines)
    start = COLUMNS[0][1] + 2
    person = "".join(a[start:start + COLUMNS[1][1]].replace(" ", "") for a, _ in lines)
    assert person == values[1].replace(" ", "") and "…" not in text
    assert "".join(b for _, b in lines) == values[-1]
    widest = sum(w for _, w, _ in COLUMNS) + 2 * (len(COLUMNS) - 1)
    assert widest <= 110 and all(len(a + b) <= widest for a, b in lines)

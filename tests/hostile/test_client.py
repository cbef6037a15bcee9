"""Hostile input for the client's documents: `documents:` settings, firm notes, handles, explain."""
from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from hostile_kit import copy_book, hostile

CLIENT = "meccanica-dora"
INVOICE = f"{CLIENT}-2026-11"


def client_file(book: Path) -> Path:
    return book / "clients" / f"{CLIENT}.yaml"


def set_documents(book: Path, text: str) -> None:
    path = client_file(book)
    path.write_text(path.read_text(encoding="utf-8") + f"\ndocuments: {text}\n", encoding="utf-8")


def add_line(book: Path, line: str) -> None:
    path = book / "ledger" / "2026" / "11.txt"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


def page(book: Path) -> str:
    return (book / "build" / "invoices" / f"{INVOICE}.html").read_text(encoding="utf-8")


def visible(book: Path) -> str:
    body = page(book).split("<body", 1)[1]
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.parametrize("value,code", [
    ("{appendix: short}", "invalid-value"),
    ("{people: everyone}", "invalid-value"),
    ("{no_charge: no}", "invalid-value"),          # YAML 1.1 would read a boolean: here a wrong word
    ("{internal: yes}", "invalid-value"),
    ("{colour: red}", ""),                          # an unknown key: "did you mean"
    ("full", ""),                                   # a word where a mapping belongs
    ("[full, role]", ""),                           # a list where a mapping belongs
])
def test_a_wrong_documents_setting_is_located(tmp_path, value, code):
    book = copy_book(tmp_path)
    set_documents(book, value)
    result = hostile(book, "check", book, code=1, located=f"clients/{CLIENT}.yaml")
    if code:
        assert f"[{code}]" in result.output


def test_documents_null_is_the_default(tmp_path):
    book = copy_book(tmp_path)
    set_documents(book, "null")
    hostile(book, "build", book, "--no-pdf", "--client", CLIENT, "--period", "2026-11", code=0)
    assert "Laura Marchetti" in visible(book)


def test_a_description_that_is_only_a_firm_note_builds_and_hides_the_note(tmp_path):
    book = copy_book(tmp_path)
    add_line(book, "2026-11-20 1h meccanica-dora consulting @laura // only for us: client pays late")
    hostile(book, "build", book, "--no-pdf", "--client", CLIENT, "--period", "2026-11", code=0)
    assert "client pays late" not in visible(book)


def test_markup_in_a_firm_note_never_becomes_markup(tmp_path):
    book = copy_book(tmp_path)
    add_line(book, '2026-11-20 1h meccanica-dora consulting @laura Call <b>x</b> // <script>alert("x")</script>')
    hostile(book, "build", book, "--no-pdf", "--client", CLIENT, "--period", "2026-11", code=0)
    assert "<script>" not in page(book) and "alert" not in page(book)
    assert "Call <b>x</b>" in visible(book)


def test_a_tag_after_the_firm_note_still_counts(tmp_path):
    book = copy_book(tmp_path)
    add_line(book, "2026-11-20 3h meccanica-dora consulting @laura Goodwill review // we owe them #nobill")
    hostile(book, "build", book, "--no-pdf", "--client", CLIENT, "--period", "2026-11", code=0)
    text = visible(book)
    assert "Goodwill review" in text and "we owe them" not in text and "nobill" not in text


def test_handles_in_a_description_become_names_unknown_ones_stay_text(tmp_path):
    book = copy_book(tmp_path)
    add_line(book, "2026-11-20 1h meccanica-dora consulting @laura To @laura and @ghost")
    hostile(book, "build", book, "--no-pdf", "--client", CLIENT, "--period", "2026-11", code=0)
    text = visible(book)
    assert "To Laura Marchetti and" in text and "@ghost" in text and "@laura" not in text


def test_people_off_names_nobody(tmp_path):
    book = copy_book(tmp_path)
    set_documents(book, "{people: off}")
    hostile(book, "build", book, "--no-pdf", "--client", CLIENT, "--period", "2026-11", code=0)
    assert "Laura Marchetti" not in visible(book).replace("Laura Marchetti ·", "").split("P. IVA", 1)[1]


def test_appendix_off_with_internal_show_has_no_appendix_and_no_links(tmp_path):
    book = copy_book(tmp_path)
    set_documents(book, "{appendix: off, internal: show}")
    hostile(book, "build", book, "--no-pdf", "--client", CLIENT, "--period", "2026-11", code=0)
    assert "Dettaglio" not in visible(book) and "#L" not in page(book)


def test_explain_prints_a_very_long_description_whole(tmp_path):
    book = copy_book(tmp_path)
    words = " ".join(f"parola{i}" for i in range(100))
    add_line(book, f"2026-11-20 1h meccanica-dora consulting @laura {words}")
    result = hostile(book, "explain", INVOICE, "--book", book, code=0)
    assert words in result.output


def test_explain_unknown_invoice_is_a_usage_error(tmp_path):
    book = copy_book(tmp_path)
    result = hostile(book, "explain", "meccanica-dora-2031-01", "--book", book, code=2)
    assert "meccanica-dora-2026" in result.output

"""`plainbill explain`: the invoice line by line, entry by entry; unknown ids suggest close ones."""
import io

import pytest
from rich.console import Console

from billing_helpers import split_book
from plainbill import explain, pipeline

BOOK = """
--- clients/acme.yaml
name: Acme
language: en
rates: [{rate: 60.00}]
rules:
  multipliers: {after_hours: 1.5}
--- ledger/2026/11.txt
2026-11-03 17:30-19:00 acme remote @mario Late fix [b]not markup[/b]
"""


@pytest.fixture
def book(tmp_path, monkeypatch):
    return write_book(tmp_path, monkeypatch, BOOK)


def write_book(tmp_path, monkeypatch, book_text: str):
    for path, text in split_book(book_text).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")

    def check_only_loading(root):   # the book is valid; keep this test independent of checks.py
        from plainbill.load import load_book
        from plainbill.register import load_register
        loaded = load_book(root)
        register, diags = load_register(root)
        return pipeline.Checked(loaded.book, list(loaded.diagnostics) + diags, register)

    monkeypatch.setattr(pipeline, "check_book", check_only_loading)
    return tmp_path


def test_explain_prints_lines_entries_and_totals(book):
    out = io.StringIO()
    assert explain.run_explain(book, "acme-2026-11", Console(file=out, width=200)) == 0
    text = out.getvalue()
    assert "Remote support (after hours x1.5)" in text
    assert "ledger/2026/11.txt:1" in text and "after hours 18:00-19:00" in text
    assert "[b]not markup[/b]" in text or "Late fix" in text
    assert "amount due" in text and "120.00" in text and "146.40" in text


def test_explain_shows_the_entry_metadata_as_typed(tmp_path, monkeypatch):
    """docs/format.md: keys without a meaning are kept as metadata and shown in explain."""
    book = write_book(tmp_path, monkeypatch, BOOK + "2026-11-04 1h acme remote @mario Call po=PO-12 site=[i]Mi[/i]\n")
    out = io.StringIO()
    assert explain.run_explain(book, "acme-2026-11", Console(file=out, width=200)) == 0
    assert "po=PO-12 site=[i]Mi[/i]" in out.getvalue()     # as typed, never read as rich markup


def test_explain_unknown_id_suggests(book, capsys):
    assert explain.run_explain(book, "acme-2026-1", Console(file=io.StringIO())) == 2
    assert "did you mean acme-2026-11" in capsys.readouterr().err

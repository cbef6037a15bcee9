"""The client's documents carry nothing of the firm's: both example books, every invoice.

The invoice HTML (and a few PDFs, by their text) are searched for what the firm
keeps to itself: staff handles, costs and markups, contract ids, the firm's notes
(` // ...` in a ledger line), the entries of non-billable activities, the effort
behind a fixed price, engine words and links to the repository. The JSON is the
firm's canonical data: it keeps everything (checked too, so the search is known to
find what it looks for).
"""
from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill.cli import main
from plainbill.pipeline import check_book

ROOT = Path(__file__).resolve().parents[1]
BOOKS = {"example": ROOT, "freelance": ROOT / "examples" / "freelance"}

HANDLE = re.compile(r"(?<![\w.+-])@[a-z][a-z0-9_-]*")
COSTS = re.compile(r"\b(costo|cost|ricarico|markup)\b", re.IGNORECASE)
ENGINE = re.compile(r"\b(tariffa|rate): ")
FIXED_EFFORT = ("incluso nel prezzo fisso", "included in the fixed fee")


def visible(html: str) -> str:
    body = html.split("<body", 1)[1]
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def build(book: Path, out: Path, *args: str) -> None:
    result = CliRunner().invoke(main, ["build", "-j", "1", "--out", str(out), *args, str(book)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module", params=sorted(BOOKS))
def built(request, tmp_path_factory):
    book = BOOKS[request.param]
    out = tmp_path_factory.mktemp(request.param)
    build(book, out, "--no-pdf")
    return book, out


def secrets(book: Path) -> dict[str, list[str]]:
    """What the book keeps for the firm, read from the book itself."""
    checked = check_book(book)
    b = checked.book
    internal = {a.slug for a in b.settings.activities if not a.billable}
    notes = [e.description.split(" // ", 1)[1].strip() for e in b.entries if " // " in e.description]
    hidden = sorted({e.description for e in b.entries
                     if e.activity in internal and "billable" not in e.tags and e.description})
    ids = sorted({c.id for c in b.clients for c in c.contracts})
    return {"notes": notes, "internal": hidden, "contracts": ids,
            "handles": [p.slug for p in b.settings.team], "repo": [b.settings.repository_url]}


def contract_id_shown(text: str, cid: str) -> bool:
    if "-" in cid or any(ch.isdigit() for ch in cid):
        return re.search(rf"(?<![\w-]){re.escape(cid)}(?![\w-])", text) is not None
    # a plain word ("spese") is also ordinary Italian: look for it where an id would stand
    return re.search(rf"\b(contratto|contract|pacchetto|block|retainer) {re.escape(cid)}\b", text) is not None


def client_htmls(out: Path) -> dict[str, str]:
    pages = {p.stem: p.read_text(encoding="utf-8") for p in sorted((out / "invoices").glob("*.html"))}
    assert pages
    return pages


def test_the_example_books_have_something_to_hide(built):
    book, out = built
    s = secrets(book)
    assert s["notes"] and s["contracts"] and s["handles"]
    if book == ROOT:
        assert s["internal"] and s["repo"][0]


def test_no_client_html_shows_anything_internal(built):
    book, out = built
    s = secrets(book)
    for name, page in client_htmls(out).items():
        text = visible(page)
        assert not HANDLE.findall(text), (name, HANDLE.findall(text))
        assert not COSTS.findall(text), (name, COSTS.findall(text))
        assert not ENGINE.findall(text), (name, ENGINE.findall(text))
        for note in s["notes"] + s["internal"]:
            assert note not in text, (name, note)
        for cid in s["contracts"]:
            assert not contract_id_shown(text, cid), (name, cid)
        for words in FIXED_EFFORT:
            assert words not in text, (name, words)
        if s["repo"][0]:
            assert s["repo"][0] not in page, name
        assert "href=" not in page.split("</head>", 1)[1], name


def test_the_firm_keeps_everything_in_the_json(built):
    """The JSON next to the page is the firm's canonical record: notes and handles stay in it."""
    book, out = built
    s = secrets(book)
    data = "\n".join(p.read_text(encoding="utf-8") for p in (out / "invoices").glob("*.json"))
    for note in s["notes"]:
        assert note in data
    persons = {e["person"] for p in (out / "invoices").glob("*.json")
               for e in json.loads(p.read_text(encoding="utf-8"))["entries"]}
    assert persons & set(s["handles"])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_text_of_two_invoices_shows_nothing_internal(tmp_path):
    out = tmp_path / "pdf"
    build(ROOT, out, "--client", "fratelli-galli", "--period", "2026-11")
    build(ROOT, out, "--client", "kranz-logistik", "--period", "2026-10")
    s = secrets(ROOT)
    pdfs = sorted((out / "invoices").glob("*.pdf"))
    assert len(pdfs) == 2
    for pdf in pdfs:
        text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                                       text=True, check=True).stdout.split())
        assert "Fattura" in text or "Invoice" in text
        assert not HANDLE.findall(text) and not COSTS.findall(text) and not ENGINE.findall(text)
        for note in s["notes"] + s["internal"]:
            assert note not in text, (pdf.name, note)
        for cid in s["contracts"]:
            assert not contract_id_shown(text, cid), (pdf.name, cid)

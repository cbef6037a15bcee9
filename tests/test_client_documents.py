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
ENGINE = re.compile(r"\b(tariffa|rate): |tariffa base d|set on the entry|indicata nella registrazione|"
                    r"client default|default rate of the person|overage rate|tariffa oltre pacchetto")
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
            assert not shown(text, note), (name, note)
        for cid in s["contracts"]:
            assert not contract_id_shown(text, cid), (name, cid)
        for words in FIXED_EFFORT:
            assert words not in text, (name, words)
        if s["repo"][0]:
            assert s["repo"][0] not in page, name
        assert "href=" not in page.split("</head>", 1)[1], name


def test_no_einvoice_xml_shows_anything_internal(built):
    """The FatturaPA XML is a client document too (the legal one): its texts hold nothing internal."""
    from lxml import etree

    book, out = built
    s = book_secrets("example" if book == ROOT else "freelance")
    files = sorted((out / "invoices").glob("*.xml"))
    assert files
    for path in files:
        text = " ".join(t.strip() for t in etree.parse(str(path)).getroot().itertext() if t.strip())
        assert leaks(text, s) == [], (path.name, leaks(text, s))


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


def pdf_text(pdf: Path) -> str:
    return " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())


def shown(text: str, phrase: str) -> bool:
    """Whether `phrase` is on the page, also when the appendix wrapped it over several lines
    (its columns interleave with the others): any three words of it in a row give it away."""
    words = phrase.split()
    if len(words) <= 3:
        return phrase in text
    return any(" ".join(words[i:i + 3]) in text for i in range(len(words) - 2))


def leaks(text: str, s: dict) -> list:
    """Everything internal found in a client document's text (empty: nothing)."""
    found = HANDLE.findall(text) + COSTS.findall(text) + ENGINE.findall(text)
    found += [n for n in s["notes"] + s["internal"] if shown(text, n)]
    found += [c for c in s["contracts"] if contract_id_shown(text, c)]
    found += [w for w in FIXED_EFFORT if w in text]
    found += [u for u in s["repo"] if u and u in text] + (["github.com"] if "github.com" in text else [])
    return found


_COMPUTED: dict = {}
_SECRETS: dict = {}


def book_secrets(name: str) -> dict:
    if name not in _SECRETS:
        _SECRETS[name] = secrets(BOOKS[name])
    return _SECRETS[name]


def last_invoices(name: str) -> tuple:
    """(book, {client: its last invoice}), computed once per book for the tests below."""
    from plainbill.pipeline import compute_book

    if name not in _COMPUTED:
        computed = compute_book(BOOKS[name])
        _COMPUTED[name] = (computed.checked.book, {inv.client: inv for inv in computed.invoices})
    return _COMPUTED[name]


def client_pdf(name: str, slug: str, out: Path) -> Path:
    """The PDF of the client's last invoice, rendered in this process (the book loaded once)."""
    from plainbill.render.context import client_context
    from plainbill.render.environment import template_set
    from plainbill.render.renderer import Renderer

    book, last = last_invoices(name)
    inv = last[slug]
    renderer = Renderer(template_set(BOOKS[name]), out)
    pdf = out / f"{inv.id}.pdf"
    pdf.write_bytes(renderer.pdf(renderer.invoice_html(inv, client_context(book, slug, inv.language)), inv.id))
    return pdf


EVERY_CLIENT = [(name, p.stem) for name in sorted(BOOKS) for p in sorted((BOOKS[name] / "clients").glob("*.yaml"))]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("name,slug", EVERY_CLIENT, ids=[s for _, s in EVERY_CLIENT])
def test_pdf_text_of_every_clients_invoice_shows_nothing_internal(tmp_path, name, slug):
    """Each client's last invoice of both example books as a PDF, read back as text: nothing the
    firm keeps to itself is on the page (the HTML of every invoice is searched above)."""
    text = pdf_text(client_pdf(name, slug, tmp_path))
    assert "Fattura" in text or "Invoice" in text
    assert leaks(text, book_secrets(name)) == []


def test_every_client_of_both_books_is_on_paper():
    assert len(EVERY_CLIENT) == 10 and len({s for _, s in EVERY_CLIENT}) == 10


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_a_client_that_opts_in_reads_the_firms_notes_on_paper(tmp_path):
    """`documents: {internal: show}`: the same search finds the firm's notes, the internal work
    and the repository link, on that client's documents only."""
    book = tmp_path / "book"
    for part in ("clients", "ledger", "templates"):   # nothing issued, so none of its payments
        shutil.copytree(ROOT / part, book / part, ignore=shutil.ignore_patterns("incassi.txt"))
    shutil.copy(ROOT / "plainbill.yaml", book / "plainbill.yaml")
    path = book / "clients" / "fratelli-galli.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\ndocuments: {internal: show}\n", encoding="utf-8")
    out = tmp_path / "out"
    build(book, out, "--client", "fratelli-galli", "--period", "2026-11")
    build(book, out, "--client", "farmacia-centrale", "--period", "2026-11")
    s = secrets(book)
    paper = pdf_text(out / "invoices" / "fratelli-galli-2026-11.pdf")
    page = (out / "invoices" / "fratelli-galli-2026-11.html").read_text(encoding="utf-8")
    assert any(shown(paper, n) for n in s["notes"]) and any(shown(paper, n) for n in s["internal"])
    assert s["repo"][0] in page
    assert leaks(pdf_text(out / "invoices" / "farmacia-centrale-2026-11.pdf"), s) == []

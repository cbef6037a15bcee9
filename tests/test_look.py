"""The firm's look: a book's invoice.html extends the built-in one and overrides single blocks."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from plainbill.render import Renderer, client_context, template_set
from plainbill.render import environment
from plainbill.render.sample import sample_book, sample_invoice

OVERRIDE = """{% extends "plainbill/invoice.html" %}
{% block footer %}{{ super() }} · Cortesia: www.example.it{% endblock %}
"""


@pytest.fixture
def book(tmp_path):
    (tmp_path / "templates").mkdir()
    return sample_book(root=str(tmp_path), clients=3)


def render_html(book, invoice) -> str:
    renderer = Renderer(template_set(Path(book.root)), Path(book.root) / "build")
    return renderer.invoice_html(invoice, client_context(book, invoice.client, invoice.language))


def test_a_one_block_override_changes_that_block_and_keeps_the_rest(book):
    invoice = sample_invoice(1, entries=3, issued=True)
    plain = render_html(book, invoice)
    (Path(book.root) / "templates" / "invoice.html").write_text(OVERRIDE)
    overridden = render_html(book, invoice)
    assert "Cortesia: www.example.it" in overridden and "Cortesia" not in plain
    assert overridden.replace(" · Cortesia: www.example.it", "") == plain


def test_a_one_block_override_gets_a_later_change_to_another_built_in_block(book, tmp_path, monkeypatch):
    """The point of blocks: the firm's override of the footer survives an upgrade of plainbill
    whose built-in template changed the lines table (here: a new class and a word in it)."""
    (Path(book.root) / "templates" / "invoice.html").write_text(OVERRIDE)
    upgraded = tmp_path / "upgraded-plainbill-templates"
    shutil.copytree(environment.PACKAGE_TEMPLATES, upgraded)
    builtin = (upgraded / "invoice.html").read_text()
    marker = '<table class="lines">'
    assert marker in builtin
    (upgraded / "invoice.html").write_text(builtin.replace(marker, '<table class="lines upgraded">UPGRADED'))
    invoice = sample_invoice(1, entries=3, issued=True)
    before = render_html(book, invoice)
    monkeypatch.setattr(environment, "PACKAGE_TEMPLATES", upgraded)
    after = render_html(book, invoice)
    assert "UPGRADED" not in before and "UPGRADED" in after
    assert '<table class="lines upgraded">' in after
    assert "Cortesia: www.example.it" in after      # the book's own block is still there


def test_the_built_in_template_stays_reachable_under_its_own_name(book):
    templates = template_set(Path(book.root))
    (Path(book.root) / "templates" / "invoice.html").write_text("<p>mine</p>\n")
    mine = template_set(Path(book.root))
    assert mine.templates["invoice.html"][0] == "<p>mine</p>\n"
    assert mine.templates["plainbill/invoice.html"] == templates.templates["invoice.html"]


# ---------------------------------------------------------------- the page: its own style, sizes, wrapping

CSS = Path(environment.PACKAGE_TEMPLATES / "invoice.css")


def css_values() -> dict[str, str]:
    """The custom properties of the built-in stylesheet's :root."""
    css = CSS.read_text(encoding="utf-8")
    start = css.index("\n:root {")
    return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", css[start:css.index("\n}", start)]))


def font_size(selector: str) -> float:
    """The font-size (pt) the built-in stylesheet gives `selector`, through its custom property."""
    css = CSS.read_text(encoding="utf-8")
    rule = re.search(re.escape(selector) + r" \{[^}]*?font-size: ([^;]+);", css)
    assert rule, selector
    value = rule.group(1).strip()
    var = re.fullmatch(r"var\((--[\w-]+)\)", value)
    value = css_values()[var.group(1)] if var else value
    assert value.endswith("pt"), (selector, value)
    return float(value[:-2])


def test_print_sizes_are_legible_and_the_appendix_is_not_monospace():
    for selector in (".explanation", ".notes", ".taxes", ".tax-note td", ".statement"):
        assert font_size(selector) >= 8.5, selector
    assert font_size(".entries") >= 7.5
    css = CSS.read_text(encoding="utf-8")
    assert "Mono" not in css and "monospace" not in css and "<pre>" not in (CSS.parent / "invoice.html").read_text()


def test_the_html_carries_its_style_and_needs_no_other_file(book):
    html = render_html(book, sample_invoice(1, entries=3, issued=True))
    head = html.split("</head>")[0]
    style = re.search(r'<style data-plainbill="plainbill/invoice.css">\n(.*?)</style>', head, re.S)
    assert style and style.group(1) == CSS.read_text(encoding="utf-8")
    assert "<link" not in head and "media=" not in head       # printed from a browser too
    # the only files it names are fonts, under ../assets/ (a page sent alone uses the reader's sans-serif)
    assert set(re.findall(r'url\("([^"]+)"\)', head)) <= {f"../assets/fonts/{p.name}"
                                                          for p in environment.PACKAGE_FONTS.iterdir()}


def test_the_book_stylesheet_comes_after_plainbills_and_restyles_by_custom_properties(book):
    (Path(book.root) / "templates" / "invoice.css").write_text(":root { --color-accent: #8a1538; }\n")
    html = render_html(book, sample_invoice(1, entries=3, issued=True))
    builtin = html.index('<style data-plainbill="plainbill/invoice.css">')
    own = html.index('<style data-plainbill="invoice.css">\n:root { --color-accent: #8a1538; }\n</style>')
    assert builtin < own


def test_long_names_and_paths_are_never_cut(book, tmp_path):
    """A long name and a long source path wrap in their cells: every character reaches the PDF."""
    import dataclasses
    import shutil as sh
    import subprocess

    if sh.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    from plainbill.diagnostics import SourceRef
    from plainbill.model import Person

    long_name = "Maria Antonietta Bianchi-Castelli"
    long_path = "ledger/2026/clienti/importati/kimai-novembre-esportazione.yaml"
    settings = dataclasses.replace(book.settings, team=(Person("mario", long_name),))
    book = dataclasses.replace(book, settings=settings)
    invoice = sample_invoice(1, entries=2, issued=True)
    entries = tuple(dataclasses.replace(e, person="mario", ref=SourceRef(long_path, 1234, 1)) for e in invoice.entries)
    invoice = dataclasses.replace(invoice, entries=entries)
    renderer = Renderer(template_set(Path(book.root)), tmp_path / "build")
    html = renderer.invoice_html(invoice, client_context(book, invoice.client, invoice.language))
    assert f'<td class="person">{long_name}</td>' in html and f">{long_path}:1234</td>" in html
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(renderer.pdf(html, invoice.id))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = "".join(text.split()).replace("-", "")     # pdftotext joins a word broken at its hyphen
    assert all(word.replace("-", "") in squeezed for word in long_name.split())   # lines of a cell: words
    assert f"{long_path}:1234".replace("-", "") in squeezed


# ---------------------------------------------------------------- plainbill init's starter


def test_init_writes_a_templates_starter_that_changes_nothing_until_edited(tmp_path):
    from datetime import date

    from plainbill.scaffold import run_init

    root = tmp_path / "book"
    assert run_init(root, today=date(2026, 12, 4)) == 0
    html_starter = (root / "templates" / "invoice.html").read_text()
    css_starter = (root / "templates" / "invoice.css").read_text()
    assert '{% extends "plainbill/invoice.html" %}' in html_starter and "--color-accent" in css_starter
    book = sample_book(root=str(root), clients=3)
    invoice = sample_invoice(1, entries=3, issued=True)
    with_starter = render_html(book, invoice)
    without = re.sub(r'<style data-plainbill="invoice.css">\n.*?</style>\n', "", with_starter, flags=re.S)
    assert without != with_starter          # the book's stylesheet is there, after plainbill's...
    (root / "templates" / "invoice.html").unlink()
    (root / "templates" / "invoice.css").unlink()
    assert render_html(book, invoice) == without      # ...and nothing else differs
    # one of its examples, moved out of the comment, does what it says
    example = re.search(r"^ +(\{% block footer_note %\}.*\{% endblock %\})$", html_starter, re.M).group(1)
    (root / "templates" / "invoice.html").write_text(html_starter + example + "\n")
    assert 'data-footer-note="www.example.com · +39 02 1234 5678"' in render_html(book, invoice)

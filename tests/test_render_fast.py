"""WeasyPrint's fast paths (render/weasy*.py) give the PDF WeasyPrint's own code gives."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from plainbill.render import Renderer, client_context, template_set
from plainbill.render.environment import PACKAGE_TEMPLATES
from plainbill.render.sample import sample_book, sample_invoice

# text that takes WeasyPrint's unusual paths: justification, ellipses, spacing, hyphens, tabs,
# right-to-left and characters no shipped font has (unknown glyphs), emoji, soft hyphens
NOTES = (
    "Interventi di manutenzione straordinaria sull'infrastruttura di rete, giustificati su tutta la "
    "larghezza della colonna, con parole lunghissime come precipitevolissimevolmente e "
    "internazionalizzazione che vanno a capo con la sillabazione automatica.",
    "A line that never wraps and is cut with an ellipsis because it is far too long to fit in the "
    "width of the page, however wide the page may be, it goes on and on and on.",
    "Spaced out letters, and a_very_long_identifier_without_any_break_opportunity_at_all_that_must_"
    "wrap_anywhere_because_overflow_wrap_says_so_0123456789abcdef.",
    "Clamped to two lines: " + "word " * 80,
    "مرحبا بالعالم — שלום עולם — 你好世界 — 🙂 — soft\u00adhyphen\u00adated co\u00adop\u00aderation.",
)
EXTRA_CSS = """
.notes p:nth-of-type(1) { text-align: justify; hyphens: auto; word-spacing: 0.4pt; }
.notes p:nth-of-type(2) { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.notes p:nth-of-type(3) { letter-spacing: 0.3pt; overflow-wrap: anywhere; }
.notes p:nth-of-type(4) { line-clamp: 2; }
.line-description { text-transform: uppercase; letter-spacing: 0.02em; }
.notes .caption { float: right; text-decoration: underline; }
.statements { position: relative; left: 2mm; }
.appendix .intro { position: absolute; top: 0; right: 0; text-decoration: underline overline; }
.explanation { text-decoration: line-through dotted; }
.explanation span, .notes p { page: wide; }
@page wide { margin: 10mm; }
"""


def undo_fast_paths(monkeypatch) -> int:
    """Put WeasyPrint's and pydyf's own functions back wherever a fast path replaced one; how many."""
    undone = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith(("weasyprint", "pydyf")) or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if getattr(value, "plainbill_fast", False):
                monkeypatch.setattr(module, attr, value.__wrapped__)
                undone += 1
            elif isinstance(value, type) and value.__module__ == name:
                for class_attr, class_value in list(vars(value).items()):
                    if getattr(class_value, "plainbill_fast", False):
                        monkeypatch.setattr(value, class_attr, class_value.__wrapped__)
                        undone += 1
    return undone


def renderer_for(root: Path) -> Renderer:
    renderer = Renderer(template_set(root), root / "build")
    renderer.warm()
    return renderer


def pdf_of(renderer: Renderer, book, invoice) -> bytes:
    html = renderer.invoice_html(invoice, client_context(book, invoice.client, invoice.language))
    return renderer.pdf(html, invoice.id)


def count_layouts(monkeypatch) -> list[int]:
    """Counts the Pango layouts WeasyPrint sets up (once to lay a text out, once more to draw it)."""
    from weasyprint.text.line_break import Layout

    counted = [0]
    setup = Layout.setup

    def counting(self, style):
        counted[0] += 1
        return setup(self, style)

    counting.plainbill_fast, counting.__wrapped__ = getattr(setup, "plainbill_fast", False), setup.__wrapped__ \
        if hasattr(setup, "__wrapped__") else setup
    monkeypatch.setattr(Layout, "setup", counting)
    return counted


@pytest.mark.parametrize("index, entries, issued", [(0, 4, True), (1, 12, False), (2, 60, True)])
def test_fast_paths_give_the_same_pdf(tmp_path, monkeypatch, index, entries, issued):
    book = sample_book(root=str(tmp_path), clients=3, repository_url="https://git.example.com/b/blob/main")
    renderer = renderer_for(tmp_path)
    invoice = sample_invoice(index, entries=entries, language="en" if index % 2 else "it", issued=issued)
    fast = pdf_of(renderer, book, invoice)
    assert undo_fast_paths(monkeypatch) >= 25
    assert pdf_of(renderer, book, invoice) == fast


def test_fast_paths_give_the_same_pdf_for_unusual_text(tmp_path, monkeypatch):
    (tmp_path / "templates").mkdir()
    css = (PACKAGE_TEMPLATES / "invoice.css").read_text("utf-8") + EXTRA_CSS
    (tmp_path / "templates" / "invoice.css").write_text(css, "utf-8")
    book = sample_book(root=str(tmp_path), clients=2)
    renderer = renderer_for(tmp_path)
    invoice = sample_invoice(1, entries=6, language="en",
                             description="Tabs\tin a\tdescription — العربية — 日本語 — 🙂 — ﬁ ligature")
    invoice = dataclasses.replace(invoice, notes=NOTES)
    fast = pdf_of(renderer, book, invoice)
    undo_fast_paths(monkeypatch)
    assert pdf_of(renderer, book, invoice) == fast


def test_text_is_drawn_from_the_layout_it_was_laid_out_with(tmp_path, monkeypatch):
    book = sample_book(root=str(tmp_path), clients=1)
    renderer = renderer_for(tmp_path)
    invoice = sample_invoice(0, entries=12, language="it")
    pdf_of(renderer, book, invoice)          # fonts and struts cached alike for both counts
    counted = count_layouts(monkeypatch)
    pdf_of(renderer, book, invoice)
    fast = counted[0]
    undo_fast_paths(monkeypatch)
    counted = count_layouts(monkeypatch)
    pdf_of(renderer, book, invoice)
    # WeasyPrint sets every text box up twice (layout, then drawing): kept layouts skip most of the second
    assert fast < 0.6 * counted[0], (fast, counted[0])


def test_render_workers_remove_the_font_folders_weasyprint_makes(tmp_path, monkeypatch):
    import tempfile

    from plainbill.render import parallel
    from plainbill.render.parallel import RenderTask, render_tasks

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))     # where WeasyPrint's mkdtemp() puts its fonts
    book = sample_book(root=str(tmp_path / "book"), clients=4)
    templates = template_set(Path(book.root))
    tasks = [RenderTask(inv.id, inv, client_context(book, inv.client, inv.language), True)
             for inv in (sample_invoice(i, entries=2) for i in range(4))]
    results = render_tasks(tasks, templates, tmp_path / "build", jobs=2)       # two pool workers
    assert all(r.pdf and r.pdf.startswith(b"%PDF") for r in results)
    assert not list(temp.glob("weasyprint-*"))
    render_tasks(tasks[:1], templates, tmp_path / "build", jobs=1)             # this process
    assert len(list(temp.glob("weasyprint-*"))) == 1
    parallel._forget_fonts()        # what atexit does
    assert not list(temp.glob("weasyprint-*"))


def test_metadata_and_stylesheets_of_the_builtin_tree_are_what_weasyprint_finds(tmp_path):
    import weasyprint.css
    from weasyprint import html as html_module

    from plainbill.render.weasy import html_class, squeeze, xml_tree
    from plainbill.render.weasy_boxes import plain_tree

    book = sample_book(root=str(tmp_path), clients=1)
    renderer = renderer_for(tmp_path)
    invoice = sample_invoice(0, entries=3, language="it", issued=True)
    html = renderer.invoice_html(invoice, client_context(book, invoice.client, invoice.language))
    tree = xml_tree(squeeze(renderer._stylesheets(html)[0]))
    plain_tree(tree)
    document = html_class().from_tree(tree, (tmp_path / "x.html").as_uri(), None)
    fast, general = html_module.get_html_metadata, html_module.get_html_metadata.__wrapped__
    assert getattr(fast, "plainbill_fast", False)
    expected = general(document)
    wrapper = document.wrapper_element

    class NoQueries:        # the fast path must not query with cssselect2
        etree_element = wrapper.etree_element

        def query_all(self, *selectors):
            raise AssertionError("cssselect2 query on the built-in tree")

    document.wrapper_element = NoQueries()
    metadata = fast(document)
    assert metadata == expected and metadata["title"] and metadata["authors"] and metadata["created"]
    document.wrapper_element = wrapper
    found = weasyprint.css.find_stylesheets
    assert getattr(found, "plainbill_fast", False)
    args = (document.wrapper_element, "print", None, document.base_url, None, None, {}, [], [])
    assert list(found.__wrapped__(*args)) == []
    assert list(found(NoQueries(), *args[1:])) == []


def test_every_fast_path_replaced_every_reference_to_what_it_replaces(tmp_path):
    renderer_for(tmp_path)         # installs them
    fast = {}
    for name, module in list(sys.modules.items()):
        if name.startswith(("weasyprint", "pydyf")) and module is not None:
            for attr, value in vars(module).items():
                if getattr(value, "plainbill_fast", False):
                    fast[id(value.__wrapped__)] = f"{name}.{attr}"
    assert len(fast) >= 9
    stale = [f"{name}.{attr}" for name, module in list(sys.modules.items())
             if name.startswith(("weasyprint", "pydyf")) and module is not None
             for attr, value in vars(module).items() if id(value) in fast]
    assert not stale, f"modules still holding WeasyPrint's own function: {stale}"


def test_a_font_subset_seen_before_is_embedded_without_cutting_it_again(tmp_path, monkeypatch):
    from weasyprint.pdf.fonts import Font

    book = sample_book(root=str(tmp_path), clients=2)
    renderer = renderer_for(tmp_path)
    invoice = sample_invoice(1, entries=5, language="en")
    first = pdf_of(renderer, book, invoice)
    cut = []
    subset = Font._harfbuzz_subset
    monkeypatch.setattr(Font, "_harfbuzz_subset", lambda self, *a: cut.append(self.family) or subset(self, *a))
    assert pdf_of(renderer, book, invoice) == first and cut == []          # same glyphs: nothing cut
    other = dataclasses.replace(invoice, notes=("Ünïcödé ÿ ß ø",))
    pdf_of(renderer, book, other)
    assert cut                                                             # new glyphs: cut again


def test_appendix_rows_in_blocks_give_the_pdf_of_one_block(tmp_path):
    """Blocks of 7 rows instead of the template's 40, for more block ends near page ends: with
    380 entries a page ended one line early at a block end before orphans and widows were 1."""
    source = (PACKAGE_TEMPLATES / "invoice.html").read_text("utf-8")
    blocks = "{%- for block in group.rows|batch(40) %}<pre>\n{%- for row in block %}"
    assert blocks in source
    variants = {"blocks": source.replace("batch(40)", "batch(7)"),
                "one": source.replace(blocks, "{%- for block in [group.rows] %}<pre>\n{%- for row in block %}")}
    invoice = sample_invoice(0, entries=380, language="it", issued=True)
    pdfs = []
    for name, text in variants.items():
        (tmp_path / name / "templates").mkdir(parents=True)
        (tmp_path / name / "templates" / "invoice.html").write_text(text, "utf-8")
        book = sample_book(root=str(tmp_path / name), clients=1)
        renderer = renderer_for(tmp_path / name)
        html = renderer.invoice_html(invoice, client_context(book, invoice.client, invoice.language))
        assert (html.count("<pre>") > 40) == (name == "blocks")
        pdfs.append(renderer.pdf(html, invoice.id))
    assert pdfs[0] == pdfs[1]

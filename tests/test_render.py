"""Rendering: formatting never rounds, HTML shows what the JSON says, user text stays text."""
from __future__ import annotations

import html as htmllib
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from plainbill.render import RenderFailure, Renderer, client_context, template_set
from plainbill.render.formatting import amount, clock, duration, money, number, percent, short_date
from plainbill.render.sample import sample_book, sample_invoice

REPO = "https://git.example.com/firm/books/blob/main"


@pytest.fixture
def book(tmp_path):
    (tmp_path / "templates").mkdir()
    return sample_book(root=str(tmp_path), clients=3, repository_url=REPO)


def render_html(book, invoice) -> str:
    renderer = Renderer(template_set(Path(book.root)), Path(book.root) / "build")
    return renderer.invoice_html(invoice, client_context(book, invoice.client, invoice.language))


def text_of(html: str) -> str:
    """The visible text, tags stripped and entities decoded, spaces collapsed."""
    return flat(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)))


def flat(text: str) -> str:
    return " ".join(text.split())


def in_appendix(description: str, shown: str) -> bool:
    """Whether the description is on the page whole: in the appendix it wraps within its cell,
    never cut."""
    return flat(description) in shown


# ---------------------------------------------------------------- formatting


def test_money_keeps_engine_digits_and_never_rounds_half_even():
    assert money(Decimal("1234.50"), "EUR", "it_IT") == "1.234,50\xa0€"
    assert money(Decimal("1234.50"), "EUR", "en_GB") == "€1,234.50"
    assert amount(Decimal("0.125"), "EUR", "it_IT") == "0,125"      # Babel alone would print 0,12
    assert amount(Decimal("2.5"), "EUR", "en_GB") == "2.50"
    assert amount(Decimal("1000"), "JPY", "en_GB") == "1,000"


def test_numbers_percent_dates_durations():
    from datetime import date

    assert number(Decimal("1.50"), "it_IT") == "1,5"
    assert percent(Decimal("0.22"), "it_IT") == "22%"
    assert percent(Decimal("0.125"), "en_GB") == "12.5%"
    assert short_date(date(2026, 11, 3), "it_IT") == "03/11/2026"
    assert duration(90) == "1 h 30 m" and duration(45) == "45 m" and duration(120) == "2 h"
    assert clock(90) == "1:30" and clock(5) == "0:05"


def test_filters_refuse_floats():
    with pytest.raises(TypeError):
        number(1.5, "it_IT")


# ---------------------------------------------------------------- content


def test_invoice_shows_the_json_totals(book):
    inv = sample_invoice(1, entries=9, issued=True)
    html = render_html(book, inv)
    data = json.loads(inv.to_json())
    shown = text_of(html)
    for key in ("subtotal", "tax_total", "total", "amount_due"):
        assert flat(money(Decimal(data[key]), "EUR", "it_IT")) in shown, key
    for line in data["lines"]:
        assert amount(Decimal(line["amount"]), "EUR", "it_IT") in shown
        assert line["explanation"] in shown
    assert "2026/0002" in shown and "BOZZA" not in shown


def test_every_entry_is_in_the_appendix_with_its_source_and_no_link(book):
    """The repository is the firm's: its address never reaches the client's invoice by default."""
    inv = sample_invoice(2, entries=15)
    html = render_html(book, inv)
    for entry in json.loads(inv.to_json())["entries"]:
        assert f">{entry['ref']['path']}:{entry['ref']['line']}</td>" in html
        assert in_appendix(entry["description"], text_of(html))
    assert REPO not in html and "href=" not in html.split("</head>")[1]


def test_a_client_that_opts_in_gets_links_to_the_ledger(book):
    from dataclasses import replace as dc_replace

    from plainbill.model import Documents

    inv = sample_invoice(2, entries=15)
    clients = tuple(dc_replace(c, documents=Documents(internal="show")) if c.slug == inv.client else c
                    for c in book.clients)
    html = render_html(dc_replace(book, clients=clients), inv)
    for entry in json.loads(inv.to_json())["entries"]:
        short = f"{entry['ref']['path']}:{entry['ref']['line']}"
        assert f'href="{REPO}/{entry["ref"]["path"]}#L{entry["ref"]["line"]}">{short}</a>' in html


def test_draft_shows_draft_and_its_id_and_no_warnings(book):
    inv = sample_invoice(0, entries=3)            # index 0 has a warning
    assert inv.warnings
    shown = text_of(render_html(book, inv))
    assert "BOZZA client0000-2026-11" in shown
    assert inv.warnings[0] not in shown          # warnings are for the firm, not the client


def test_english_labels_and_locale(book):
    shown = text_of(render_html(book, sample_invoice(1, entries=3, language="en", issued=True)))
    assert "Amount due" in shown and "Bill to" in shown and "€" in shown
    assert "IT60X0542811101000000123456" in shown and "Rete Sicura S.r.l." in shown


def test_html_in_a_description_renders_as_text(book):
    evil = '<script>alert("x")</script><b>x</b> & "q"'
    html = render_html(book, sample_invoice(1, entries=2, description=evil))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert in_appendix(evil, text_of(html))


# ---------------------------------------------------------------- templates of the book


def test_book_template_overrides_and_undefined_variable_is_a_diagnostic(book):
    (Path(book.root) / "templates" / "invoice.html").write_text("<p>{{ invoice.id }}</p>\n<p>{{ nope }}</p>\n")
    with pytest.raises(RenderFailure) as info:
        render_html(book, sample_invoice(1, entries=1))
    diag = info.value.diagnostic
    assert diag.code == "template-error"
    assert str(diag.ref) == "templates/invoice.html:2:1" and "nope" in diag.message


def test_template_syntax_error_names_file_and_line(book):
    (Path(book.root) / "templates" / "invoice.html").write_text("ok\n{% if %}\n")
    with pytest.raises(RenderFailure) as info:
        render_html(book, sample_invoice(1, entries=1))
    assert str(info.value.diagnostic.ref).startswith("templates/invoice.html:2")


def test_template_reaching_outside_the_book_fails_with_a_clear_message(book, tmp_path_factory):
    secret = tmp_path_factory.mktemp("outside") / "secret.png"
    secret.write_bytes(b"not for invoices")
    (Path(book.root) / "templates" / "invoice.html").write_text(
        f'<html><body>\n<p>{{{{ invoice.id }}}}</p>\n<img src="{secret.as_uri()}">\n</body></html>\n')
    renderer = Renderer(template_set(Path(book.root)), Path(book.root) / "build")
    inv = sample_invoice(1, entries=1)
    html = renderer.invoice_html(inv, client_context(book, inv.client, inv.language))
    with pytest.raises(RenderFailure) as info:
        renderer.pdf(html, inv.id)
    diag = info.value.diagnostic
    assert diag.code == "template-outside-book"
    assert str(diag.ref) == "templates/invoice.html:3:11"
    assert secret.as_uri() in diag.message and "outside the book" in diag.message


def test_fetcher_refuses_network_and_allows_book_files(book):
    from plainbill.render.fetcher import BookFetcher, OutsideBookError

    logo = Path(book.root) / "templates" / "logo.svg"
    logo.write_text("<svg/>")
    ts = template_set(Path(book.root))
    fetcher = BookFetcher(ts.sources, Path(book.root) / "build" / "assets", ts.assets)
    assert fetcher.fetch(logo.as_uri()).read() == b"<svg/>"
    assert fetcher.fetch((Path(book.root) / "build/assets/invoice.css").as_uri()).read().startswith(b"/*")
    with pytest.raises(OutsideBookError, match="network"):
        fetcher.fetch("https://tracker.example.com/pixel.png")
    with pytest.raises(OutsideBookError, match="outside"):
        fetcher.fetch((Path(book.root) / ".." / "etc.png").resolve().as_uri())


def test_credit_note_shows_its_kind_and_the_invoice_it_credits(book):
    import dataclasses

    inv = dataclasses.replace(sample_invoice(1, entries=2, issued=True), kind="credit-note",
                              number="NC-2026/0001", references=("2026/0002",))
    shown = text_of(render_html(book, inv))
    assert "Nota di credito" in shown and "NC-2026/0001" in shown
    assert "Storna la fattura 2026/0002" in shown and "Scadenza 30 dic 2026" in shown


def test_foreign_client_country_is_a_name_in_the_client_language(book):
    import dataclasses

    from plainbill.model import Address

    client = book.clients[1]
    moved = dataclasses.replace(client, party=dataclasses.replace(
        client.party, address=Address("Landsberger Straße 302", "München", "80687", "", "DE")))
    book = dataclasses.replace(book, clients=(book.clients[0], moved, book.clients[2]))
    assert "Germania" in text_of(render_html(book, sample_invoice(1, entries=1)))


def test_assets_are_css_and_fonts_not_the_init_scaffold(book):
    (Path(book.root) / "templates" / "img").mkdir()
    (Path(book.root) / "templates" / "img" / "logo.svg").write_text("<svg/>")
    assets = template_set(Path(book.root)).assets
    assert {"invoice.css", "index.css", "fonts/Inter-Regular.otf", "img/logo.svg"} <= set(assets)
    assert not any(name.startswith("init/") for name in assets)


# ---------------------------------------------------------------- PDF


def test_worker_warm_up_leaves_a_stylesheet_reaching_outside_to_the_invoice(book, tmp_path_factory):
    """warm() runs in the pool's initializer: it must not raise, pdf() reports the problem."""
    secret = tmp_path_factory.mktemp("outside") / "font.otf"
    secret.write_bytes(b"not a font")
    (Path(book.root) / "templates" / "invoice.css").write_text(
        f'@font-face {{ font-family: X; src: url("{secret.as_uri()}"); }}\nhtml {{ font-family: X; }}\n')
    renderer = Renderer(template_set(Path(book.root)), Path(book.root) / "build")
    renderer.warm()
    inv = sample_invoice(1, entries=1)
    html = renderer.invoice_html(inv, client_context(book, inv.client, inv.language))
    with pytest.raises(RenderFailure) as info:
        renderer.pdf(html, inv.id)
    assert info.value.diagnostic.code == "template-outside-book"


def test_hours_that_are_not_whole_hundredths_show_as_time():
    from types import SimpleNamespace

    from plainbill.render.formatting import quantity

    assert quantity(SimpleNamespace(quantity=Decimal("1.5833"), unit="h", minutes=95), "it_IT") == "1 h 35 m"
    assert quantity(SimpleNamespace(quantity=Decimal("1.25"), unit="h", minutes=75), "it_IT") == "1,25"
    assert quantity(SimpleNamespace(quantity=Decimal("2"), unit="pcs", minutes=0), "en_US") == "2"


def test_render_workers_and_this_process_leave_no_font_folder(tmp_path, monkeypatch):
    """WeasyPrint copies fonts into a temporary folder it removes when its FontConfiguration is
    collected: every renderer is dropped before its process ends (pool workers end with os._exit)."""
    import tempfile

    from plainbill.render.parallel import RenderTask, render_tasks

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))     # where WeasyPrint's mkdtemp() puts its fonts
    book = sample_book(root=str(tmp_path / "book"), clients=4)
    templates = template_set(Path(book.root))
    tasks = [RenderTask(inv.id, inv, client_context(book, inv.client, inv.language), True)
             for inv in (sample_invoice(i, entries=2) for i in range(4))]
    for jobs in (2, 1):       # two pool workers, then this process
        results = render_tasks(tasks, templates, tmp_path / "build", jobs=jobs)
        assert all(r.pdf and r.pdf.startswith(b"%PDF") for r in results)
        assert not list(temp.glob("weasyprint-*")), jobs


PATCH_PROBE = """
import sys
from pathlib import Path
import weasyprint

def attributes():
    out = {}
    for name, module in sorted(sys.modules.items()):
        if module is None or not name.startswith(("weasyprint", "pydyf", "jinja2", "tinycss2", "cssselect2")):
            continue
        for attr, value in list(vars(module).items()):
            out[name + "." + attr] = id(value)
            if isinstance(value, type) and value.__module__ == name:
                out.update({f"{name}.{attr}.{k}": id(v) for k, v in vars(value).items()})
    return out

root = Path(sys.argv[1])
weasyprint.HTML(string="<p>warm up <b>every</b> module</p>").write_pdf()    # WeasyPrint alone
before = attributes()
from plainbill.render import Renderer, client_context, template_set
from plainbill.render.sample import sample_book, sample_invoice
book = sample_book(root=str(root), clients=2, repository_url="https://example.com/b")
renderer = Renderer(template_set(root), root / "build")
inv = sample_invoice(1, entries=3)
renderer.pdf(renderer.invoice_html(inv, client_context(book, inv.client, inv.language)), inv.id)
after = attributes()
changed = sorted(k for k in before if k in after and before[k] != after[k])
print("\\n".join(changed))
"""


def test_rendering_replaces_nothing_in_weasyprint_or_its_libraries(tmp_path):
    """No module of plainbill replaces another package's functions or attributes (issue 16)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", PATCH_PROBE, str(tmp_path)], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == ""
    assert not any(f.name.startswith(("weasy", "patching")) for f in
                   (Path(__file__).parent.parent / "src/plainbill/render").iterdir())


def test_check_templates_finds_refused_files_and_syntax_errors_without_rendering(book, tmp_path_factory):
    from plainbill.render import check_templates

    outside = tmp_path_factory.mktemp("outside") / "x.css"
    outside.write_text("body {}")
    templates = Path(book.root) / "templates"
    assert check_templates(Path(book.root)) == []
    (templates / "x.css").symlink_to(outside)
    (templates / "invoice.html").write_text("<p>\n{% if %}\n")
    found = sorted((d.code, str(d.ref)) for d in check_templates(Path(book.root)))
    assert found == [("template-error", "templates/invoice.html:2:1"), ("template-outside-book", "templates/x.css:1:1")]


def test_a_book_template_may_include_its_svg_logo_and_stylesheet_but_not_a_font(book):
    templates = Path(book.root) / "templates"
    (templates / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><title>Logo</title></svg>')
    (templates / "invoice.html").write_text('{% include "logo.svg" %}\n<style>{% include "invoice.css" %}</style>\n')
    html = render_html(book, sample_invoice(1, entries=1))
    assert "<title>Logo</title>" in html and "@font-face" in html
    (templates / "invoice.html").write_text('{% include "fonts/Inter-Regular.otf" %}\n')
    with pytest.raises(RenderFailure) as info:
        render_html(book, sample_invoice(1, entries=1))
    assert info.value.diagnostic.code == "template-missing"

"""The firm's look: a book's invoice.html extends the built-in one and overrides single blocks."""
from __future__ import annotations

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

"""Hostile looks: a logo and block overrides written by someone who wants in (issue 14).

`issuer.logo` is read only through the book's boundary and only when it is an
image that just draws; a book's `invoice.html` that extends plainbill's keeps
the sandbox and the nothing-outside-the-book guarantees. Each case: the right
exit code, a located message, no traceback, no source changed, and nothing of
what was reached for in the output.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hostile_kit import copy_book, hostile

SECRET = "s3cr3t-r00t-hash-do-not-print"
DRAW = '<rect width="10" height="10" fill="#0b5d63"/>'


@pytest.fixture
def book(tmp_path) -> Path:
    root = copy_book(tmp_path)
    (root / "templates").mkdir()
    return root


@pytest.fixture
def secret(tmp_path) -> Path:
    """A file outside the book standing for a private image (or /etc/shadow)."""
    path = tmp_path / "outside" / "logo.svg"
    path.parent.mkdir()
    path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg"><title>{SECRET}</title>{DRAW}</svg>\n')
    return path


def set_logo(root: Path, value: str) -> None:
    """`logo: value` under issuer: in the freelancer's plainbill.yaml (line 8, column 9)."""
    path = root / "plainbill.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  name: Laura Marchetti\n", f"  name: Laura Marchetti\n  logo: {value}\n", 1),
                    encoding="utf-8")


def svg(body: str, head: str = "") -> str:
    return f'{head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{body}</svg>\n'


def built_text(root: Path) -> str:
    out = root / "build"
    if not out.is_dir():
        return ""
    return "".join(p.read_bytes().decode("latin-1") for p in out.rglob("*") if p.is_file())


def refused(root: Path, words: str, command: str = "check") -> str:
    """The logo is refused: exit 1, located at the `logo:` value, and `words` in the message."""
    args = (command, root) if command == "check" else (command, root, "--no-pdf")
    result = hostile(root, *args, code=1, located="plainbill.yaml")
    assert "plainbill.yaml:8:9: error: issuer.logo" in result.output and "[logo-unusable]" in result.output
    assert words in result.output, result.output
    assert SECRET not in result.output and SECRET not in built_text(root)
    return result.output


# ---------------------------------------------------------------- where the logo is


@pytest.mark.parametrize("value", ["/etc/passwd", "../outside/logo.svg", "templates/../../outside/logo.svg",
                                   "ledger/2026/logo.svg", "'C:\\logo.svg'"])
def test_a_logo_outside_templates_is_refused_and_never_read(book, secret, value):
    set_logo(book, value)
    refused(book, "inside the book's templates/ folder")


def test_a_logo_linked_to_a_file_outside_the_book_is_refused_and_never_read(book, secret):
    (book / "templates" / "logo.svg").symlink_to(secret)
    set_logo(book, "templates/logo.svg")
    refused(book, "a link to a file outside the book", command="build")


def test_a_logo_linked_into_a_hidden_folder_is_refused(book):
    (book / ".git").mkdir()
    (book / ".git" / "logo.svg").write_text(svg(f"<title>{SECRET}</title>{DRAW}"))
    (book / "templates" / "logo.svg").symlink_to(book / ".git" / "logo.svg")
    set_logo(book, "templates/logo.svg")
    refused(book, "a link to a file outside the book")


def test_a_missing_logo_is_located(book):
    set_logo(book, "templates/logo.png")
    refused(book, "there is no such file in the book", command="build")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_logo_is_refused_without_waiting_on_it(book):
    os.mkfifo(book / "templates" / "logo.svg")
    set_logo(book, "templates/logo.svg")
    refused(book, "not a regular file")


def test_a_folder_as_logo_is_refused(book):
    (book / "templates" / "logo.svg").mkdir()
    set_logo(book, "templates/logo.svg")
    refused(book, "not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_logo_is_located(book):
    path = book / "templates" / "logo.svg"
    path.write_text(svg(DRAW))
    path.chmod(0)
    try:
        refused(book, "cannot be read")
    finally:
        path.chmod(0o644)


# ---------------------------------------------------------------- what the logo is


def test_a_logo_that_is_not_an_image_is_refused(book):
    (book / "templates" / "logo.png").write_text("just text, named like a picture\n")
    set_logo(book, "templates/logo.png")
    refused(book, "not a PNG image")


def test_a_logo_of_another_kind_is_refused_by_its_name(book):
    (book / "templates" / "logo.gif").write_bytes(b"GIF89a")
    set_logo(book, "templates/logo.gif")
    refused(book, "not an SVG or PNG file")


def test_a_huge_logo_is_refused(book):
    (book / "templates" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 1_100_000)
    set_logo(book, "templates/logo.png")
    refused(book, "over the limit")


@pytest.mark.parametrize("case, body, words", [
    ("script", f"{DRAW}<script>alert(1)</script>", "<script>"),
    ("handler", '<rect width="1" height="1" onload="fetch(\'https://t.example\')"/>', "event handler"),
    ("network image", '<image href="https://tracker.example.com/p.png" width="1" height="1"/>', "refers to"),
    ("file image", '<image xlink:href="file:///etc/passwd" width="1" height="1"/>', "refers to"),
    ("other file", '<use href="../../plainbill.yaml#x"/>', "refers to"),
    ("style url", '<rect width="1" height="1" style="fill: url(https://t.example/x)"/>', "style refers"),
    ("style import", '<style>@import "https://t.example/x.css";</style>', "style refers"),
    ("foreign html", '<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>', "foreignObject"),
    ("not svg", None, "not an SVG image"),
    ("not xml", "<rect", "not well-formed"),
])
def test_an_svg_that_does_more_than_draw_is_refused(book, case, body, words):
    text = '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>\n' if body is None else svg(body)
    (book / "templates" / "logo.svg").write_text(text)
    set_logo(book, "templates/logo.svg")
    refused(book, words, command="build")


def test_entities_in_an_svg_logo_are_refused(book, secret):
    """XXE and the billion laughs: a logo declares no entities."""
    xxe = f'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY s SYSTEM "file://{secret}">]>\n'
    (book / "templates" / "logo.svg").write_text(svg("<title>&s;</title>", head=xxe))
    set_logo(book, "templates/logo.svg")
    refused(book, "declares entities")
    laughs = '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    (book / "templates" / "logo.svg").write_text(svg("<title>&b;</title>", head=laughs))
    refused(book, "declares entities")


def test_a_logo_that_only_draws_is_in_the_invoice_as_data_and_nothing_is_fetched(book):
    (book / "templates" / "logo.svg").write_text(svg(f"<title>Marchetti</title>{DRAW}"))
    set_logo(book, "templates/logo.svg")
    hostile(book, "build", book, code=0)
    page = next((book / "build" / "invoices").glob("*.html")).read_text(encoding="utf-8")
    assert '<img class="logo" src="data:image/svg+xml;base64,' in page
    assert 'src="data:image/svg+xml;base64,' in (book / "build" / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- block overrides


def extends(root: Path, *blocks: str) -> None:
    (root / "templates" / "invoice.html").write_text(
        '{% extends "plainbill/invoice.html" %}\n' + "\n".join(blocks) + "\n", encoding="utf-8")


@pytest.mark.parametrize("expression", [
    "cycler.__init__.__globals__.os.popen('id').read()",
    "self._TemplateReference__context",
    "super.__globals__",
    "(''|attr('__class__')).__mro__",
])
def test_a_block_override_that_tries_to_leave_the_sandbox_is_refused(book, expression):
    extends(book, "{% block footer_note %}x{% endblock %}", f"{{% block notes %}}\n{{{{ {expression} }}}}\n{{% endblock %}}")
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/invoice.html")
    assert "[template-unsafe]" in result.output or "[template-error]" in result.output
    assert "uid=" not in result.output and "uid=" not in built_text(book)


@pytest.mark.parametrize("name", ["../plainbill.yaml", "/etc/passwd", "plainbill/../../plainbill.yaml",
                                  "plainbill/init/plainbill.yaml"])
def test_extends_or_include_of_a_file_outside_the_template_set_is_not_found(book, name):
    (book / "templates" / "invoice.html").write_text(f'{{% extends "{name}" %}}\n', encoding="utf-8")
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/invoice.html")
    assert "[template-missing]" in result.output and "issuer:" not in result.output and "root:" not in result.output


def test_a_block_reaching_for_a_file_outside_is_refused_where_it_is_written(book):
    extends(book, '{% block logo %}<img src="file:///etc/passwd">{% endblock %}')
    result = hostile(book, "build", book, code=1, located="templates/invoice.html")
    assert "templates/invoice.html:2:" in result.output and "[template-outside-book]" in result.output


def test_a_custom_property_holding_an_outside_url_is_refused(book):
    (book / "templates" / "invoice.css").write_text(
        ":root { --color-soft: #eee; --x: url(file:///etc/passwd); }\nbody { background-image: var(--x); }\n")
    result = hostile(book, "build", book, code=1, located="templates/invoice.css")
    assert "[template-outside-book]" in result.output and "root:x:0:0" not in built_text(book)


def test_a_book_file_named_like_the_built_in_cannot_stand_in_for_it(book):
    """`plainbill/invoice.html` is always plainbill's: a book's templates/plainbill/ cannot replace
    what a one-block override extends."""
    (book / "templates" / "plainbill").mkdir()
    (book / "templates" / "plainbill" / "invoice.html").write_text(f"<p>{SECRET}</p>\n")
    extends(book, "{% block footer_note %}mine{% endblock %}")
    hostile(book, "build", book, "--no-pdf", code=0)
    page = next((book / "build" / "invoices").glob("*.html")).read_text(encoding="utf-8")
    assert SECRET not in page and 'data-footer-note="mine"' in page and '<table class="lines">' in page

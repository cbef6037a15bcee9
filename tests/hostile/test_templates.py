"""Hostile templates: a book's templates/ written by someone who wants in (issue 17, item 6).

Templates run in Jinja's immutable sandbox; template and asset files whose real
path leaves the book are refused, never read; WeasyPrint's fetcher serves only
the template set, from memory. Each case: exit 1, a message located in the
book's templates/, no traceback, no source changed, and nothing of what was
reached for in the output.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from hostile_kit import copy_book, hostile, run

SECRET = "s3cr3t-r00t-hash-do-not-print"


@pytest.fixture
def book(tmp_path) -> Path:
    root = copy_book(tmp_path)
    (root / "templates").mkdir()
    return root


@pytest.fixture
def secret(tmp_path) -> Path:
    """A file outside the book standing for /etc/shadow."""
    path = tmp_path / "outside" / "shadow"
    path.parent.mkdir()
    path.write_text(f"root:{SECRET}:19000:0:99999:7:::\n")
    return path


def invoice_template(root: Path, body: str) -> None:
    (root / "templates" / "invoice.html").write_text(f"<!DOCTYPE html>\n<html><body>\n{body}\n</body></html>\n")


def built_text(root: Path) -> str:
    """Everything the build wrote, as text, to look for what must not be there."""
    out = root / "build"
    if not out.is_dir():
        return ""
    return "".join(p.read_bytes().decode("latin-1") for p in out.rglob("*") if p.is_file())


# ---------------------------------------------------------------- the sandbox


ESCAPES = {
    "cycler-globals-os": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "mro-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "template-reference-context": "{{ self._TemplateReference__context }}",
    "lipsum-globals": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "range-class": "{{ range.__class__.__init__.__globals__ }}",
    "attr-filter": "{{ (''|attr('__class__')).__mro__ }}",
    "joiner-globals": "{{ joiner.__init__.__globals__.__builtins__.open('/etc/passwd').read() }}",
    "format-string": "{{ '{0.__class__.__init__.__globals__}'.format(invoice) }}",
    "mutating-method": "{{ invoice.lines.append(1) }}",
    "huge-string": "{{ 'x' * 1000000000 }}",
    "huge-width-percent": "{{ '%999999999d' % 1 }}",
    "huge-width-format": "{{ '{:>999999999}'.format(1) }}",
    "huge-width-filter": "{{ '%0999999999d'|format(1) }}",
    "huge-power": "{{ ((2 ** 64) ** 64) ** 64 }}",
    "config-flask": "{{ config.items() }}",
    "request-flask": "{{ request.application.__globals__.__builtins__ }}",
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_known_template_escapes_are_located_errors_and_run_nothing(book, name):
    invoice_template(book, f"<p>{{{{ invoice.id }}}}</p>\n<p>{ESCAPES[name]}</p>")
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/invoice.html")
    assert re.search(r"templates/invoice\.html:4:\d+: error: template (refused|error)", result.output), result.output
    assert "[template-unsafe]" in result.output or "[template-error]" in result.output
    assert "uid=" not in result.output and "root:" not in result.output
    assert "uid=" not in built_text(book) and "<class" not in built_text(book)


def test_a_book_template_that_stays_in_its_lane_still_renders(book):
    invoice_template(book, "<h1>{{ title }} {{ shown_number }}</h1>\n{% for line in invoice.lines %}"
                           "<p>{{ line.description }} {{ line.amount|amount }}</p>{% endfor %}")
    hostile(book, "build", book, code=0)
    assert list((book / "build" / "invoices").glob("*.pdf"))


# ---------------------------------------------------------------- files and links leaving the book


def test_template_asset_linked_to_a_file_outside_is_refused_and_never_read(book, secret):
    (book / "templates" / "s.css").symlink_to(secret)
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/s.css")
    assert "templates/s.css:1:1: error: templates/s.css is a link to a file outside the book" in result.output
    assert SECRET not in result.output and SECRET not in built_text(book)
    assert not (book / "build" / "assets" / "s.css").exists()


def test_book_template_linked_outside_is_refused(book, secret):
    (book / "templates" / "invoice.html").symlink_to(secret)
    result = hostile(book, "build", book, code=1, located="templates/invoice.html")
    assert "[template-outside-book]" in result.output and SECRET not in result.output


def test_templates_folder_linked_outside_is_refused(book, secret):
    (book / "templates").rmdir()
    (book / "templates").symlink_to(secret.parent, target_is_directory=True)
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates")
    assert SECRET not in result.output and SECRET not in built_text(book)


def test_font_linked_outside_the_book_is_refused(book, secret):
    (book / "templates" / "fonts").mkdir()
    (book / "templates" / "fonts" / "Inter-Regular.otf").symlink_to(secret)
    result = hostile(book, "build", book, code=1, located="templates/fonts/Inter-Regular.otf")
    assert SECRET not in result.output and SECRET not in built_text(book)


def test_css_url_to_etc_passwd_is_refused_where_it_is_written(book):
    (book / "templates" / "invoice.css").write_text(
        "/* mine */\nbody { background: url(file:///etc/passwd); }\n")
    result = hostile(book, "build", book, code=1, located="templates/invoice.css")
    assert "templates/invoice.css:2:24: error: a template refers to file:///etc/passwd" in result.output
    assert "root:x:0:0" not in built_text(book)


def test_img_of_an_absolute_path_is_refused(book):
    invoice_template(book, '<p>{{ invoice.id }}</p>\n<img src="/etc/passwd">')
    result = hostile(book, "build", book, code=1, located="templates/invoice.html")
    assert "templates/invoice.html:4:11: error: a template refers to file:///etc/passwd" in result.output


def test_relative_path_up_to_the_book_sources_is_refused(book):
    """`../..` from build/invoices/ is the book itself: its ledger and settings are not assets."""
    invoice_template(book, '<p>{{ invoice.id }}</p>\n<img src="../../plainbill.yaml">')
    result = hostile(book, "build", book, code=1, located="templates/invoice.html")
    assert "[template-outside-book]" in result.output


def test_network_stylesheet_is_refused_and_never_fetched(book):
    (book / "templates" / "invoice.css").write_text('@import url("https://tracker.example.com/x.css");\n')
    result = hostile(book, "build", book, code=1, located="templates/invoice.css")
    assert "network access is not allowed" in result.output


def test_include_climbing_out_of_the_templates_is_not_found(book):
    invoice_template(book, '{% include "../plainbill.yaml" %}')
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/invoice.html")
    assert "[template-missing]" in result.output and "issuer" not in result.output


# ---------------------------------------------------------------- broken templates


def test_template_syntax_error_is_located(book):
    invoice_template(book, "<p>{{ invoice.id }}</p>\n{% for x in %}\n")
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/invoice.html")
    assert "templates/invoice.html:4:" in result.output


def test_missing_include_is_located(book):
    invoice_template(book, '<p>{{ invoice.id }}</p>\n{% include "header.html" %}')
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/invoice.html")
    assert "templates/invoice.html:4:13: error: template 'header.html' not found" in result.output


def test_template_including_itself_is_an_error_not_a_crash(book):
    invoice_template(book, '{% include "invoice.html" %}')
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/invoice.html")
    assert "[template-error]" in result.output


def test_huge_template_is_refused_before_it_is_compiled(book):
    (book / "templates" / "invoice.html").write_text("<p>{{ invoice.id }}</p>\n" * 200_000)   # 5 MB
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/invoice.html")
    assert "[template-unusable]" in result.output and "over the limit" in result.output


def test_template_that_is_not_utf8_is_located(book):
    (book / "templates" / "invoice.html").write_bytes(b"<p>Fattura n\xb0 {{ invoice.id }}</p>\n")
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/invoice.html")
    assert "not UTF-8" in result.output


def test_fifo_in_the_templates_is_refused_without_waiting_on_it(book):
    os.mkfifo(book / "templates" / "logo.png")
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/logo.png")
    assert "not a regular file" in result.output


def test_division_by_zero_in_a_template_is_located(book):
    invoice_template(book, "<p>{{ invoice.id }}</p>\n<p>{{ 1 / 0 }}</p>")
    result = hostile(book, "build", book, "--no-pdf", code=1, located="templates/invoice.html")
    assert "templates/invoice.html:4:1: error: template error: ZeroDivisionError" in result.output


# ---------------------------------------------------------------- what reaches the output


def test_copied_assets_get_ordinary_permissions_not_the_source_mode(book):
    logo = book / "templates" / "logo.svg"
    logo.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    logo.chmod(0o4777)      # setuid and world-writable in the book
    hostile(book, "build", book, "--no-pdf", code=0)
    mode = stat.S_IMODE((book / "build" / "assets" / "logo.svg").stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask and not mode & 0o111


def test_javascript_repository_url_never_becomes_a_link(book):
    settings = book / "plainbill.yaml"
    text = settings.read_text()
    text = re.sub(r"(?m)^repository_url:.*\n", "", text) + "repository_url: javascript:alert(document.cookie)\n"
    settings.write_text(text)
    clients_see_internal(book)
    result = run("build", book, "--no-pdf")
    assert result.exit_code in (0, 1), result.output        # the settings loader may refuse it outright
    hrefs = re.findall(r'href="([^"]*)"', built_text(book))
    assert not [h for h in hrefs if "javascript" in h.lower()]


def clients_see_internal(book: Path) -> None:
    """Links to the repository reach a client's invoice only when the client opts in."""
    for path in (book / "clients").glob("*.yaml"):
        path.write_text(path.read_text() + "\ndocuments: {internal: show}\n")


def test_https_repository_url_becomes_links_to_the_ledger_lines(book):
    clients_see_internal(book)
    settings = book / "plainbill.yaml"
    text = re.sub(r"(?m)^repository_url:.*\n", "", settings.read_text())
    settings.write_text(text + "repository_url: https://git.example.com/firm/books/blob/main\n")
    hostile(book, "build", book, "--no-pdf", code=0)
    assert 'href="https://git.example.com/firm/books/blob/main/ledger/' in built_text(book)


def test_check_finds_a_template_link_outside_and_a_syntax_error_before_any_build(book, secret):
    (book / "templates" / "s.css").symlink_to(secret)
    invoice_template(book, "{% for x in %}")
    result = hostile(book, "check", book, code=1, located="templates/s.css")
    assert "templates/invoice.html:3:" in result.output and SECRET not in result.output

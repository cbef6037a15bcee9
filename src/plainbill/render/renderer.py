"""Invoice -> HTML (Jinja, sandboxed) -> PDF (WeasyPrint's public API), failures turned into diagnostics.

One Renderer lives in each worker process: its Jinja environment, URL
fetcher, WeasyPrint font configuration and parsed stylesheets are made once
and reused for every invoice, so fonts are loaded and CSS parsed once per
worker, not once per document. PDF bytes depend only on the HTML and the
locked versions of WeasyPrint and pydyf: the metadata date is the invoice's
date (written by the template as `dcterms.created`), there is no file
identifier, and fonts come only from the package.
"""
from __future__ import annotations

import logging
import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SecurityError

from ..diagnostics import Diagnostic, SourceRef, error
from ..invoice import Invoice
from .context import invoice_view
from .environment import TemplateSet, make_environment, template_path, template_set

_ASSET_LINK = re.compile(r'<link rel="stylesheet" href="\.\./assets/([^"<>]+\.css)">')
# the stylesheets the built-in template writes into the page (so that the HTML keeps its look alone)
_INLINE_STYLE = re.compile(r'<style data-plainbill="([^"<>]+\.css)">\n(.*?)</style>', re.S)
# documented options of write_pdf(): no file identifier (optional in PDF 1.7, and pydyf would make it
# by serialising the file a second time), compressed streams, subset fonts, no hinting
PDF_OPTIONS = {"pdf_identifier": False, "uncompressed_pdf": False, "full_fonts": False, "hinting": False}


class RenderFailure(Exception):
    """Rendering an invoice failed because of a template: carries the diagnostic to report."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class Renderer:
    def __init__(self, templates: TemplateSet, out_dir: Path):
        self.templates = templates
        self.env = make_environment(templates)
        self.out_dir = Path(out_dir).resolve()
        self._fetcher = None
        self._font_config = None
        self._css: dict = {}
        self._images: dict = {}          # WeasyPrint's image cache, kept across documents

    # ------------------------------------------------------------ HTML

    def invoice_html(self, invoice: Invoice, ctx: dict[str, Any]) -> str:
        return self._render("invoice.html", invoice_view(invoice, ctx))

    def page_html(self, name: str, variables: dict[str, Any]) -> str:
        return self._render(name, variables)

    def _render(self, name: str, variables: dict[str, Any]) -> str:
        if self.templates.problems:
            raise RenderFailure(self.templates.problems[0])
        try:
            return self.env.get_template(name).render(variables)
        except jinja2.TemplateSyntaxError as exc:
            raise RenderFailure(self._diag(exc.filename, exc.lineno, exc.message or str(exc))) from None
        except jinja2.TemplateNotFound as exc:
            ref = _find_reference(exc.name, self.templates) or SourceRef("templates/" + name)
            raise RenderFailure(error("template-missing", ref, f"template {exc.name!r} not found",
                                      f"put {exc.name} in the book's templates/ folder "
                                      "(plainbill's own templates are invoice.html and index.html)")) from None
        except SecurityError as exc:
            filename, line = _template_frame(exc, self.templates)
            ref = SourceRef(template_path(self.templates, filename or name), line or 1, 1)
            raise RenderFailure(error(
                "template-unsafe", ref, f"template refused: {exc}",
                "templates run in a sandbox: they format the variables listed in docs/rendering.md "
                "and cannot reach Python's internals, files or commands")) from None
        except Exception as exc:   # noqa: BLE001  undefined names, and whatever else a template's code raises
            filename, line = _template_frame(exc, self.templates)
            message = str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
            raise RenderFailure(self._diag(filename or name, line, message)) from None

    def _diag(self, filename: str | None, line: int | None, message: str) -> Diagnostic:
        ref = SourceRef(template_path(self.templates, filename), line or 1, 1)
        return error("template-error", ref, f"template error: {message}",
                     "templates format values; every variable they use must exist (see docs/rendering.md)")

    # ------------------------------------------------------------ PDF

    def pdf(self, html: str, name: str) -> bytes:
        """The PDF of an HTML page that lives at build/invoices/<name>.html."""
        from weasyprint import HTML

        from .fetcher import OutsideBookError

        self.warm()
        base_url = (self.out_dir / "invoices" / f"{name}.html").as_uri()
        try:
            html, sheets = self._stylesheets(html)
            document = HTML(string=html, base_url=base_url, url_fetcher=self._fetcher)
            return document.write_pdf(font_config=self._font_config, stylesheets=sheets, cache=self._images,
                                      **PDF_OPTIONS)
        except OutsideBookError as exc:
            raise RenderFailure(self._outside_diag(exc)) from None
        except Exception as exc:   # noqa: BLE001  WeasyPrint failing on what a template asks of it
            raise RenderFailure(self._failed_diag(name, exc)) from None

    def _stylesheets(self, html: str):
        """The stylesheets of the page, each parsed once per renderer (weasyprint.CSS): an inline
        `<style data-plainbill="x.css">` holding exactly x.css, and `<link href="../assets/x.css">`,
        are taken out of the HTML and passed as parsed sheets, in their order."""
        sheets = []
        for match in _INLINE_STYLE.finditer(html):
            name, text = match.group(1), match.group(2)
            if self._css_text(name) == text:
                sheets.append(self._sheet(name, text))
                html = html.replace(match.group(0), "", 1)
        for match in _ASSET_LINK.finditer(html):
            name = match.group(1)
            if name not in self.templates.assets:
                continue
            sheets.append(self._sheet(name, self.templates.assets[name].decode("utf-8", errors="replace")))
            html = html.replace(match.group(0), "", 1)
        return html, sheets

    def _css_text(self, name: str) -> str | None:
        found = self.templates.templates.get(name)
        if found is not None:
            return found[0]
        data = self.templates.assets.get(name)
        return data.decode("utf-8", errors="replace") if data is not None else None

    def _sheet(self, name: str, text: str):
        from weasyprint import CSS

        if name not in self._css:     # relative URLs (fonts, images) resolve from build/assets/
            url = (self.out_dir / "assets" / Path(name).name).as_uri()
            self._css[name] = CSS(string=text, base_url=url, url_fetcher=self._fetcher, font_config=self._font_config)
        return self._css[name]

    def warm(self) -> None:
        """The fetcher and the font configuration, made once; then invoice.css parsed (fonts loaded)."""
        if self._fetcher is not None:
            return
        from weasyprint.text.fonts import FontConfiguration

        from .fetcher import BookFetcher, OutsideBookError

        logging.getLogger("weasyprint").setLevel(logging.ERROR)   # CSS notes are not the user's problem
        self._fetcher = BookFetcher(self.templates.sources, self.out_dir / "assets", self.templates.assets)
        self._font_config = FontConfiguration()
        try:
            self._sheet("plainbill/invoice.css", self._css_text("plainbill/invoice.css") or "")
            if self.templates.from_book("invoice.css"):
                self._sheet("invoice.css", self._css_text("invoice.css") or "")
        except OutsideBookError:
            pass     # a book stylesheet reaching outside: each invoice's pdf() reports it
        except Exception:   # noqa: BLE001  nor a stylesheet WeasyPrint cannot parse
            pass

    def _failed_diag(self, name: str, exc: Exception) -> Diagnostic:
        """WeasyPrint raised: name the book's own template files, the likeliest cause, else plainbill's."""
        own = [n for n in ("templates/invoice.css", "templates/invoice.html") if n in self.templates.book_texts()]
        where = own[0] if own else template_path(self.templates, self.templates.templates["invoice.html"][1])
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        hint = (f"undo the last change to {' and '.join(own)}: WeasyPrint cannot lay out what it asks for "
                "(for instance line-clamp on justified text); "
                if own else "this is a bug in plainbill or WeasyPrint: please report it with the invoice's HTML; ")
        return error("render-failed", SourceRef(where),
                     f"WeasyPrint could not make the PDF of {name} ({detail})",
                     hint + "`plainbill build --no-pdf` writes its HTML to look at")

    def _outside_diag(self, exc) -> Diagnostic:
        ref = _find_reference(exc.url, self.templates) or SourceRef(
            template_path(self.templates, self.templates.templates["invoice.html"][1]), 1, 1)
        return error("template-outside-book", ref,
                     f"a template refers to {exc.url}: {exc.reason}",
                     "templates may use only files in the book's templates/ folder (as {{ assets }}/logo.png) "
                     "and plainbill's own templates and fonts; nothing is fetched from the network")


def check_templates(book_root: Path, settings=None) -> list[Diagnostic]:
    """What `check` can tell of the book's templates without rendering: files refused, syntax errors,
    and (given the settings) an `issuer.logo` that cannot be used."""
    from .logo import logo_problem

    templates = template_set(book_root)
    renderer = Renderer(templates, Path(book_root) / "build")
    found = list(templates.problems)
    logo = logo_problem(str(book_root), settings) if settings is not None else None
    if logo is not None:
        found.append(logo)
    folder = str(templates.book_root / "templates")
    for name, (text, filename) in sorted(templates.templates.items()):
        if not filename.startswith(folder):
            continue
        try:
            renderer.env.parse(text, name, filename)
        except jinja2.TemplateSyntaxError as exc:
            found.append(renderer._diag(filename, exc.lineno, exc.message or str(exc)))
    return found


def _template_frame(exc: BaseException, templates: TemplateSet) -> tuple[str | None, int | None]:
    """The innermost traceback frame inside a template file: Jinja maps it to the template line."""
    found: tuple[str | None, int | None] = (None, None)
    folders = [str(f) for f in templates.folders]
    for frame in traceback.extract_tb(exc.__traceback__):
        if any(frame.filename.startswith(f) for f in folders):
            found = (frame.filename, frame.lineno)
    return found


def _find_reference(url: str, templates: TemplateSet) -> SourceRef | None:
    """Where the offending URL is written in the book's templates: path:line:col, when we can tell."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    needles = [url, unquote(parts.path), parts.netloc, Path(unquote(parts.path)).name]
    for path, text in templates.book_texts().items():
        for needle in filter(None, needles):
            found = text.find(needle)
            if found >= 0:
                line = text.count("\n", 0, found) + 1
                col = found - (text.rfind("\n", 0, found) + 1) + 1
                return SourceRef(path, line, col)
    return None

"""Invoice -> HTML (Jinja) -> PDF (WeasyPrint), with failures turned into diagnostics.

One Renderer lives in each worker process: its Jinja environment, URL fetcher
and WeasyPrint font configuration are built once and reused for every
invoice, so fonts are loaded once per worker, not once per document.
What WeasyPrint is given is trimmed first, and its hottest functions have
faster copies giving the same bytes (weasy.py, weasy_text.py, weasy_glyphs.py,
weasy_boxes.py, weasy_pdf.py). PDF bytes depend only on the HTML: the metadata date is the
invoice's date (written by the template as `dcterms.created`), there is no
file identifier, and fonts come only from the package.
"""
from __future__ import annotations

import logging
import re
import traceback
from pathlib import Path
from typing import Any

import jinja2

from ..diagnostics import Diagnostic, SourceRef, error
from ..invoice import Invoice
from .context import invoice_view
from .environment import PACKAGE_TEMPLATES, TemplateSet, make_environment, template_path

_ASSET_LINK = re.compile(r'<link rel="stylesheet" href="\.\./assets/([^"<>]+\.css)">')
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
        self._builtin: bool | None = None

    # ------------------------------------------------------------ HTML

    def invoice_html(self, invoice: Invoice, ctx: dict[str, Any]) -> str:
        return self._render("invoice.html", invoice_view(invoice, ctx))

    def page_html(self, name: str, variables: dict[str, Any]) -> str:
        return self._render(name, variables)

    def _render(self, name: str, variables: dict[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(variables)
        except jinja2.TemplateSyntaxError as exc:
            raise RenderFailure(self._diag(exc.filename, exc.lineno, exc.message or str(exc))) from None
        except jinja2.TemplateNotFound as exc:
            ref = _find_reference(exc.name, self.templates) or SourceRef("templates/" + name)
            raise RenderFailure(error("template-missing", ref, f"template {exc.name!r} not found",
                                      f"put {exc.name} in the book's templates/ folder "
                                      "(plainbill's own templates are invoice.html and index.html)")) from None
        except jinja2.TemplateError as exc:
            filename, line = _template_frame(exc, self.templates)
            raise RenderFailure(self._diag(filename or name, line, str(exc))) from None

    def _diag(self, filename: str | None, line: int | None, message: str) -> Diagnostic:
        ref = SourceRef(template_path(self.templates, filename), line or 0, 1 if line else 0)
        return error("template-error", ref, f"template error: {message}",
                     "templates format values; every variable they use must exist (see docs/rendering.md)")

    # ------------------------------------------------------------ PDF

    def pdf(self, html: str, name: str) -> bytes:
        """The PDF of an HTML page that lives at build/invoices/<name>.html."""
        from .fetcher import OutsideBookError
        from .weasy import html_class, squeeze, xml_tree
        from .weasy_boxes import plain_tree

        self._warm()
        base_url = (self.out_dir / "invoices" / f"{name}.html").as_uri()
        try:
            html, sheets = self._stylesheets(html)
            html = squeeze(html)
            # the built-in template's HTML parses as XML into the tree an HTML5 parser builds, 50x faster
            tree = xml_tree(html) if self._builtin_invoice() else None
            if tree is not None:
                plain_tree(tree)
                document = html_class().from_tree(tree, base_url, self._fetcher)
            else:
                document = html_class()(string=html, base_url=base_url, url_fetcher=self._fetcher)
            return document.write_pdf(font_config=self._font_config, stylesheets=sheets, **PDF_OPTIONS)
        except OutsideBookError as exc:
            raise RenderFailure(self._outside_diag(exc)) from None
        except Exception as exc:   # noqa: BLE001  WeasyPrint failing on what a template asks of it
            raise RenderFailure(self._failed_diag(name, exc)) from None

    def _builtin_invoice(self) -> bool:
        """Whether invoices come from plainbill's own invoice.html (not a book's)."""
        if self._builtin is None:
            filename = self.env.get_template("invoice.html").filename or ""
            self._builtin = Path(filename).resolve().parent == PACKAGE_TEMPLATES
        return self._builtin

    def _stylesheets(self, html: str):
        """Swap `<link href="../assets/x.css">` for x.css parsed once per worker: parsing is a third of a render."""
        from weasyprint import CSS

        sheets = []
        for match in _ASSET_LINK.finditer(html):
            name = match.group(1)
            if name not in self.templates.assets:
                continue
            if name not in self._css:
                url = (self.out_dir / "assets" / name).as_uri()
                self._css[name] = CSS(string=self.templates.assets[name].decode("utf-8"), base_url=url,
                                      url_fetcher=self._fetcher, font_config=self._font_config)
            sheets.append(self._css[name])
            html = html.replace(match.group(0), "", 1)
        return html, sheets

    def warm(self) -> None:
        """Load fonts, parse the stylesheets: what every PDF needs, done before the first one."""
        from .weasy import html_class

        from .fetcher import OutsideBookError

        self._warm()
        html_class()
        try:
            self._stylesheets('<link rel="stylesheet" href="../assets/invoice.css">')
        except OutsideBookError:
            pass     # a book stylesheet reaching outside: each invoice's pdf() reports it

    def _warm(self) -> None:
        if self._fetcher is not None:
            return
        from weasyprint.text.fonts import FontConfiguration

        from . import weasy, weasy_boxes, weasy_glyphs, weasy_pdf, weasy_text
        from .fetcher import BookFetcher

        logging.getLogger("weasyprint").setLevel(logging.ERROR)   # CSS notes are not the user's problem
        weasy.install()
        weasy_text.install()
        weasy_glyphs.install()
        weasy_boxes.install()
        weasy_pdf.install()
        self._fetcher = BookFetcher(self.templates.fetch_roots, self.out_dir / "assets", self.templates.assets)
        self._font_config = FontConfiguration()

    def _failed_diag(self, name: str, exc: Exception) -> Diagnostic:
        """WeasyPrint raised: name the book's own template files, the likeliest cause, else plainbill's."""
        book_templates = self.templates.book_root / "templates"
        own = [f"templates/{n}" for n in ("invoice.css", "invoice.html") if (book_templates / n).is_file()]
        where = own[0] if own else template_path(self.templates, self.env.get_template("invoice.html").filename)
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        hint = (f"undo the last change to {' and '.join(own)}: WeasyPrint cannot lay out what it asks for "
                "(for instance line-clamp on justified text); "
                if own else "this is a bug in plainbill or WeasyPrint: please report it with the invoice's HTML; ")
        return error("render-failed", SourceRef(where),
                     f"WeasyPrint could not make the PDF of {name} ({detail})",
                     hint + "`plainbill build --no-pdf` writes its HTML to look at")

    def _outside_diag(self, exc) -> Diagnostic:
        ref = _find_reference(exc.url, self.templates) or SourceRef(
            template_path(self.templates, self.env.get_template("invoice.html").filename))
        return error("template-outside-book", ref,
                     f"a template refers to {exc.url}: {exc.reason}",
                     "templates may use only files inside the book (e.g. templates/logo.png) "
                     "and plainbill's own templates and fonts; nothing is fetched from the network")


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
    book_templates = templates.book_root / "templates"
    if not book_templates.is_dir():
        return None
    for path in sorted(p for p in book_templates.rglob("*") if p.is_file()):
        text = path.read_text("utf-8", errors="replace")
        for needle in filter(None, needles):
            match = re.search(re.escape(needle), text)
            if match:
                line = text.count("\n", 0, match.start()) + 1
                col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
                return SourceRef(path.relative_to(templates.book_root).as_posix(), line, col)
    return None

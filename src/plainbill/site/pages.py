"""The reports site: pages (tables and charts) turned into the files of build/reports/.

A `ReportPage` is what one page shows: sections, each a table and perhaps a
chart, with values as the report engine computed them (Decimals, dates, text).
`site_files` renders every page with the one sandboxed Jinja environment
(`report.html`, which formats, never computes), draws every chart (charts.py)
and returns `{path under the output folder: bytes}`; output.py writes them and
records them in the manifest like every other output.

Layout: `reports/index.html` (the overview: links to every page, and the
whole book's charts), `reports/<period>/<kind>.html` (period `all` or a month,
`2026-11`), and each chart next to its page as `<kind>-<n>.svg`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .. import __version__
from ..diagnostics import Diagnostic
from ..model import Book
from .charts import Chart, draw
from .words import words

ALL = "all"
COLUMN_KINDS = ("text", "money", "hours", "percent", "number", "date")


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"          # how the template formats the column's values (COLUMN_KINDS)

    def __post_init__(self):
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    totals: tuple[Any, ...] | None = None
    currency: str = ""          # of the money columns


@dataclass(frozen=True)
class Section:
    heading: str
    table: Table
    chart: Chart | None = None


@dataclass(frozen=True)
class ReportPage:
    kind: str                   # e.g. "hours", the page's file name
    label: str                  # e.g. "Hours", in the book's language
    period: str                 # ALL or YYYY-MM
    period_label: str
    sections: tuple[Section, ...]
    note: str = ""

    @property
    def path(self) -> str:
        return f"reports/{self.period}/{self.kind}.html"


def site_files(book: Book, templates, out_dir, pages: list[ReportPage],
               overview: tuple[Section, ...] = ()) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Every page, its charts and the overview as {relative path: bytes}; a template problem
    is a diagnostic (and no site is written)."""
    from ..render import RenderFailure, Renderer

    renderer = Renderer(templates, out_dir)
    files: dict[str, bytes] = {}
    base = _base(book)
    try:
        for page in pages:
            view = dict(base, **_page_view(page, pages, files, "../"))
            files[page.path] = renderer.page_html("report.html", view).encode("utf-8")
        view = dict(base, **_overview_view(book, pages, overview, files))
        files["reports/index.html"] = renderer.page_html("report.html", view).encode("utf-8")
    except RenderFailure as exc:
        return {}, [exc.diagnostic]
    return dict(sorted(files.items())), []


def _base(book: Book) -> dict[str, Any]:
    s = book.settings
    return {"lang": s.language, "locale": s.locale, "currency": s.currency, "issuer": s.issuer.name,
            "w": words(s.language), "generator": f"plainbill {__version__}"}


def _page_view(page: ReportPage, pages: list[ReportPage], files: dict[str, bytes], up: str) -> dict[str, Any]:
    """The variables of one page; its charts are drawn into `files`."""
    folder = page.path.rsplit("/", 1)[0]
    kinds = _unique((p.kind, p.label) for p in pages)
    periods = _unique((p.period, p.period_label) for p in pages if p.kind == page.kind)
    sections = [_section(s, f"{page.kind}-{i}", folder, files) for i, s in enumerate(page.sections, 1)]
    return {
        "title": page.label, "period_label": page.period_label, "note": page.note, "is_overview": False,
        "home": f"{up}../index.html", "overview": f"{up}index.html", "assets": f"{up}../assets",
        "kinds": [{"href": f"{k}.html", "label": label, "current": k == page.kind} for k, label in kinds
                  if any(p.kind == k and p.period == page.period for p in pages)],
        "periods": [{"href": f"{up}{p}/{page.kind}.html", "label": label, "current": p == page.period}
                    for p, label in periods],
        "links": [], "sections": sections,
    }


def _overview_view(book: Book, pages: list[ReportPage], overview: tuple[Section, ...],
                   files: dict[str, bytes]) -> dict[str, Any]:
    w = words(book.settings.language)
    periods = _unique((p.period, p.period_label) for p in pages)
    links = []
    for period, label in periods:
        for page in (p for p in pages if p.period == period):
            links.append({"href": page.path.removeprefix("reports/"), "label": f"{page.label} · {label}",
                          "detail": page.note})
    return {
        "title": w["reports"], "period_label": "", "note": w["overview_note"], "is_overview": True,
        "home": "../index.html", "overview": "index.html", "assets": "../assets",
        "kinds": [], "periods": [], "links": links,
        "sections": [_section(s, f"overview-{i}", "reports", files) for i, s in enumerate(overview, 1)],
    }


def _section(section: Section, name: str, folder: str, files: dict[str, bytes]) -> dict[str, Any]:
    chart = None
    if section.chart is not None:
        files[f"{folder}/{name}.svg"] = draw(section.chart)
        chart = {"src": f"{name}.svg", "alt": f"{section.chart.title}: {section.chart.description}",
                 "caption": section.chart.description}
    t = section.table
    return {"heading": section.heading, "chart": chart, "table": {
        "caption": t.caption, "columns": [{"label": c.label, "kind": c.kind} for c in t.columns],
        "rows": [[_cell(v, t.currency) for v in row] for row in t.rows],
        "totals": [_cell(v, t.currency) for v in t.totals] if t.totals else None,
    }}


def _cell(value: Any, currency: str) -> dict[str, Any]:
    if isinstance(value, float):   # a float here is a bug upstream: amounts are Decimal end to end
        raise TypeError("report values are Decimal, int, date or text, never float")
    negative = isinstance(value, (Decimal, int)) and not isinstance(value, bool) and value < 0
    return {"value": value if isinstance(value, (Decimal, int, date, str)) or value is None else str(value),
            "currency": currency, "negative": negative}


def _unique(pairs) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for key, label in pairs:
        seen.setdefault(key, label)
    return list(seen.items())

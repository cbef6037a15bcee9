"""The reports site: pages (report tables and charts) turned into the files of build/reports/.

A `ReportPage` is what one page shows: sections, each a report of the engine
(`plainbill.reports.Report`, shown as it is: its columns, rows and totals) and
perhaps a chart. `site_files` renders every page with the one sandboxed Jinja
environment (`report.html`, which formats, never computes), has every chart
drawn (charts.py, through a `ChartCache` that keeps a chart whose data did not
change) and returns `{path under the output folder: bytes}`; output.py writes
them and records them in the manifest like every other output.

Layout: `reports/index.html` (the overview: links to every page and the whole
book's charts), `reports/<period>/<kind>.html` (period `all` or a month,
`2026-11`), and each chart next to its page as `<kind>-<n>.svg`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from .. import __version__
from ..diagnostics import Diagnostic
from ..model import Book
from ..reports import Report
from .charts import Chart
from .words import column_title, report_caption, words

ALL = "all"
OVERVIEW = "reports/index.html"


@dataclass(frozen=True)
class Section:
    heading: str
    table: Report | None = None
    chart: Chart | None = None


@dataclass(frozen=True)
class ReportPage:
    kind: str                   # e.g. "hours": the page's file name
    label: str                  # e.g. "Hours", in the book's language
    period: str                 # ALL or YYYY-MM: the page's folder
    period_label: str
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()       # the engine's notes (what the reader must know)

    @property
    def path(self) -> str:
        return f"reports/{self.period}/{self.kind}.html"


@dataclass
class Site:
    """Every page of the site, and the overview's own sections."""

    pages: list[ReportPage] = field(default_factory=list)
    overview: tuple[tuple[ReportPage, int], ...] = ()    # the charts shown again: (page, section number)


def site_files(book: Book, templates, out_dir, site: Site,
               draw: Callable[[str, Chart], bytes | None]) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Every page and the overview as {relative path: bytes}, and each chart's SVG as
    `draw(path, chart)` gives it (None: kept as it is on disk). A template problem is a
    diagnostic, and then nothing of the site is returned."""
    from ..render import RenderFailure, Renderer

    renderer = Renderer(templates, out_dir)
    files: dict[str, Any] = {}        # page -> bytes; chart -> its Chart until drawn, below
    base = _base(book)
    try:
        for page in site.pages:
            view = {**base, **_page_view(page, site.pages, base["lang"], files)}
            files[page.path] = renderer.page_html("report.html", view).encode("utf-8")
        view = {**base, **_overview_view(site, base["lang"])}
        files[OVERVIEW] = renderer.page_html("report.html", view).encode("utf-8")
    except RenderFailure as exc:
        return {}, [exc.diagnostic]
    charts = {rel: draw(rel, chart) for rel, chart in files.items() if isinstance(chart, Chart)}
    files.update(charts)
    return dict(sorted(files.items())), []


def _base(book: Book) -> dict[str, Any]:
    s = book.settings
    return {"lang": s.language, "locale": s.locale, "currency": s.currency, "issuer": s.issuer.name,
            "w": words(s.language), "generator": f"plainbill {__version__}"}


def _page_view(page: ReportPage, pages: list[ReportPage], language: str, files: dict) -> dict[str, Any]:
    """The variables of one page; its charts are put in `files` to be drawn."""
    folder = page.path.rsplit("/", 1)[0]
    here = [p for p in pages if p.period == page.period]
    periods = _unique((p.period, p.period_label) for p in pages if p.kind == page.kind)
    return {
        "title": page.label, "period_label": page.period_label, "notes": list(page.notes), "is_overview": False,
        "home": "../../index.html", "overview": "../index.html", "assets": "../../assets",
        "kinds": [{"href": f"{p.kind}.html", "label": p.label, "current": p.kind == page.kind} for p in here],
        "periods": [{"href": f"../{p}/{page.kind}.html", "label": label, "current": p == page.period}
                    for p, label in periods],
        "grid": None,
        "sections": [_section(s, f"{folder}/{page.kind}-{i}.svg", language, files)
                     for i, s in enumerate(page.sections, 1)],
    }


def _overview_view(site: Site, language: str) -> dict[str, Any]:
    """The overview: every kind by period as a table, then the whole book's charts again."""
    w = words(language)
    periods = _unique((p.period, p.period_label) for p in site.pages)
    kinds = _unique((p.kind, p.label) for p in site.pages)
    where = {(p.kind, p.period): p.path.removeprefix("reports/") for p in site.pages}
    grid = {"periods": [label for _, label in periods],
            "rows": [{"label": label, "cells": [{"href": where.get((kind, period), ""), "text": plabel,
                                                 "label": f"{label} · {plabel}"}
                                                for period, plabel in periods]} for kind, label in kinds]}
    return {
        "title": w["reports"], "period_label": "", "notes": [w["overview_note"]], "is_overview": True,
        "home": "../index.html", "overview": "index.html", "assets": "../assets",
        "kinds": [], "periods": [], "grid": grid,
        "sections": [_shown_again(page, i, language) for page, i in site.overview],
    }


def _section(section: Section, rel: str, language: str, files: dict) -> dict[str, Any]:
    chart = None
    if section.chart is not None:
        files[rel] = section.chart
        chart = {"src": rel.rsplit("/", 1)[1], "alt": f"{section.chart.title}. {section.chart.description}",
                 "caption": section.chart.description}
    return {"heading": section.heading, "chart": chart, "table": _table(section.table, language), "more": ""}


def _shown_again(page: ReportPage, i: int, language: str) -> dict[str, Any]:
    """A page's chart on the overview: the same file, a link to its page for the figures."""
    section = page.sections[i - 1]
    src = f"{page.period}/{page.kind}-{i}.svg"
    return {"heading": f"{section.chart.title} · {page.period_label}", "table": _table(None, language),
            "chart": {"src": src, "alt": f"{section.chart.title}. {section.chart.description}",
                      "caption": section.chart.description},
            "more": page.path.removeprefix("reports/")}


def _table(report: Report | None, language: str) -> dict[str, Any]:
    if report is None:
        return {"caption": "", "columns": [], "rows": [], "totals": None}
    return {
        "caption": report_caption(report, language),
        "columns": [{"label": column_title(c, language), "kind": c.type} for c in report.columns],
        "rows": [[_cell(v, report.currency) for v in row] for row in report.rows],
        "totals": _totals(report, language),
    }


def _totals(report: Report, language: str) -> list[dict[str, Any]] | None:
    """The totals row, its first cell ("Total", the engine's word) in the book's language."""
    if not report.totals:
        return None
    first, *rest = report.totals
    label = words(language)["total"] if first == "Total" else first
    return [_cell(label, report.currency)] + [_cell(v, report.currency) for v in rest]


def _cell(value: Any, currency: str) -> dict[str, Any]:
    if isinstance(value, float):   # a float here is a bug upstream: amounts are Decimal end to end
        raise TypeError("report values are Decimal, int, date or text, never float")
    if not (value is None or isinstance(value, (Decimal, int, date, str))):
        value = str(value)
    negative = isinstance(value, (Decimal, int)) and not isinstance(value, bool) and value < 0
    return {"value": value, "currency": currency, "negative": negative}


def _unique(pairs) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for key, label in pairs:
        seen.setdefault(key, label)
    return list(seen.items())

"""What the reports site shows: every report kind for the whole book and for each month, and
the charts people would rather look at than read.

Every figure is the report engine's (`plainbill.reports.run_report` on the same
computed book the build writes): nothing is summed here. A chart is the same
numbers as the table under it, taken column by column:

    hours          by month, stacked billable / no charge / non-billable (whole book);
                   by client, stacked the same way (a month)
    profitability  margin by client
    utilisation    utilisation per person
    balances       each block's hours left at the end of every month (burn-down): the
                   balances report as of each month's end (whole book)
    receivables    open amounts by age (0-30, 31-60, 61-90, > 90 days)
"""
from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Callable

from ..render.formatting import duration
from ..reports import KINDS, Column, Range, Report, run_report
from .charts import Chart, Series
from .pages import ALL, ReportPage, Section, Site
from .words import column_title, kind_name, report_caption, words


MONTHS_SHOWN = 12      # month pages for the last 12 months with work; the whole book's pages cover all


def site_of(computed) -> Site:
    """The pages of every kind, for the whole book and for each of the last MONTHS_SHOWN months
    with work (each month's pages run every kind again: on the generated book of 100,000 entries
    over 24 months the site takes about 6 s of CPU with 12 month pages, 10 s with all 24)."""
    book = computed.checked.book
    language = Language(book.settings.language)
    language.locale = book.settings.locale
    w = words(language)
    months = _months(computed)
    site = Site()
    spans = [(ALL, w["whole_book"], Range())] + [(m, m, _month_range(m)) for m in months[-MONTHS_SHOWN:]]
    for period, label, span in spans:
        for kind in KINDS:
            report = _run(kind, computed, span)
            site.pages.append(ReportPage(kind, kind_name(kind, language), period, label,
                                         _sections(kind, period, report, computed, span, language),
                                         notes=tuple(report.notes)))
    site.overview = tuple((p, i) for p in site.pages if p.period == ALL
                          for i, s in enumerate(p.sections, 1) if s.chart is not None)
    return site


class Language(str):
    """The book's language (compared and looked up as its code) with its locale, for the
    amounts written into a chart's description."""

    locale: str = "en"


def _sections(kind: str, period: str, report: Report, computed, span: Range, language: str) -> tuple[Section, ...]:
    """The chart with the report it draws (when that is grouped otherwise than the page's
    report, it comes first with its own table), then the page's report."""
    chart, source = _chart(kind, period, report, computed, span, language)
    main = Section(report_caption(report, language), report, chart if source is report else None)
    if chart is None or source is report:
        return (main,)
    return Section(report_caption(source, language), source, chart), main


def _run(kind: str, computed, span: Range, by: str | None = None) -> Report:
    return run_report(kind, computed, span, by)


def _months(computed) -> list[str]:
    """The months with work in the ledger, as the hours report groups them."""
    return [row[0] for row in _run("hours", computed, Range(), "month").rows]


def _month_range(month: str) -> Range:
    year, mon = int(month[:4]), int(month[5:7])
    return Range(date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1]))


# ---------------------------------------------------------------- charts, kind by kind


def _chart(kind: str, period: str, report: Report, computed, span: Range,
           language: str) -> tuple[Chart | None, Report | None]:
    """A chart for the page, and the report whose numbers it draws."""
    make = _CHARTS.get(kind)
    return make(period, report, computed, span, language) if make else (None, None)


def _hours_chart(period, report, computed, span, language) -> tuple[Chart | None, Report | None]:
    by = "month" if period == ALL else "client"
    source = _run("hours", computed, span, by) if report.by != by else report
    if not source.rows:
        return None, None
    it = language == "it"
    keys = ("billable", "no_charge", "non_billable")
    series = tuple(Series(column_title(source.columns[source.index(k)], language),
                          tuple(Decimal(v) / 60 for v in source.values(k))) for k in keys)
    title = ("Ore per mese" if by == "month" else "Ore per cliente") if it else \
        ("Hours by month" if by == "month" else "Hours by client")
    worked = source.total("worked") or 0
    billable = source.total("billable") or 0
    desc = (f"{duration(worked)} lavorate, di cui {duration(billable)} fatturabili; una colonna per "
            f"{'mese' if by == 'month' else 'cliente'}, divisa in fatturabili, gratuite e non fatturabili."
            if it else
            f"{duration(worked)} worked, {duration(billable)} of them billable; one column per {by}, "
            "split into billable, no-charge and non-billable hours.")
    return Chart("hours", title, desc, "stacked", tuple(source.values(by)), series, "h" if it else "hours"), source


def _column_chart(key: str, kind: str, titles: tuple[str, str], describe: Callable[[Report, str], str],
                  unit: Callable[[Report], str]):
    """A horizontal bar per row of the report, the value of column `key` (rows without it left out)."""

    def make(period, report, computed, span, language) -> tuple[Chart | None, Report | None]:
        i = report.index(key)
        rows = [r for r in report.rows if r[i] is not None]
        if not rows:
            return None, None
        title = titles[1] if language == "it" else titles[0]
        return Chart(kind, title, describe(report, language), "hbars", tuple(str(r[0]) for r in rows),
                     (Series(column_title(report.columns[i], language), tuple(Decimal(r[i]) for r in rows)),),
                     unit(report)), report

    return make


def _describe_margin(report: Report, language: Language) -> str:
    total = _money(report.total("margin") if report.totals else None, report, language)
    if language == "it":
        return f"Margine (ricavi meno costi) di ogni cliente; in totale {total}."
    return f"Margin (revenue less cost) of each client; {total} in all."


def _money(value, report: Report, language: Language) -> str:
    from ..render.formatting import money

    return money(value or 0, report.currency, language.locale)


def _describe_utilisation(report: Report, language: str) -> str:
    if language == "it":
        return "Ore fatturabili di ogni persona come parte della sua capacità (ore lavorative meno festivi)."
    return "Each person's billable hours as a share of their capacity (working hours less holidays)."


def _utilisation_chart(period, report, computed, span, language) -> tuple[Chart | None, Report | None]:
    i = report.index("utilisation")
    rows = [r for r in report.rows if r[i] is not None]
    if not rows:
        return None, None
    it = language == "it"
    return Chart("utilisation", "Utilizzo per persona" if it else "Utilisation per person",
                 _describe_utilisation(report, language), "hbars", tuple(str(r[0]) for r in rows),
                 (Series(column_title(report.columns[i], language), tuple(r[i] * 100 for r in rows)),),
                 "%"), report


def _receivables_chart(period, report, computed, span, language) -> tuple[Chart | None, Report | None]:
    """Open amounts by age: the bucket columns' totals of the report (its last row)."""
    if report.totals is None or not report.rows:
        return None, None
    keys = AGE_BUCKETS
    values = tuple(Decimal(report.total(k) or 0) for k in keys)
    it = language == "it"
    titles = tuple(column_title(report.columns[report.index(k)], language) for k in keys)
    open_total = _money(report.total("open"), report, language)
    desc = (f"Importi aperti per anzianità alla data del report; in totale {open_total} aperti."
            if it else f"Open amounts by age as of the report's day; {open_total} open in all.")
    return Chart("receivables", "Crediti per anzianità" if it else "Receivables by age", desc, "bars", titles,
                 (Series(column_title(report.columns[report.index("open")], language), values),),
                 report.currency), report


AGE_BUCKETS = ("not_due", "overdue_0_30", "overdue_31_60", "overdue_61_90", "overdue_90")   # receivables' columns


def _burn_down_chart(period, report, computed, span, language) -> tuple[Chart | None, Report | None]:
    """Each block's balance at the end of every month: the balances report as of each month's end."""
    if period != ALL:
        return None, None
    months = _months(computed)
    at = [(m, _run("balances", computed, Range(None, _month_range(m).end))) for m in months]
    blocks = sorted({r[0] for _, b in at for r in b.rows if r[1] == "block"})
    if not blocks:
        return None, None
    left = {(m, r[0]): r[report.index("left_hours")] for m, b in at for r in b.rows if r[1] == "block"}
    table = Report("balances", "Block balance by month", "month", Range(), report.currency,
                   (Column("month", "Month"),) + tuple(Column(b, b, "minutes") for b in blocks),
                   tuple((m,) + tuple(left.get((m, b)) for b in blocks) for m in months))
    series = tuple(Series(b, tuple(Decimal(left.get((m, b)) or 0) / 60 for m in months)) for b in blocks)
    it = language == "it"
    desc = ("Ore rimaste di ogni pacchetto a fine mese: la linea scende man mano che le ore sono usate."
            if it else "Hours left on each block at the end of every month: the line falls as hours are used.")
    return Chart("burn-down", "Pacchetti di ore: saldo" if it else "Blocks: burn-down", desc, "line", tuple(months),
                 series, "h" if it else "hours"), table


_CHARTS: dict[str, Callable] = {
    "hours": _hours_chart,
    "profitability": _column_chart("margin", "margin", ("Margin by client", "Margine per cliente"),
                                   _describe_margin, lambda r: r.currency),
    "utilisation": _utilisation_chart,
    "balances": _burn_down_chart,
    "receivables": _receivables_chart,
}

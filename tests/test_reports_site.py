"""build/reports/: the reports site in the build (pages per kind and period, charts with text
alternatives), deterministic, recorded in the manifest, charts drawn again only when their
data changed, never linked from a client's document."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill import pipeline
from plainbill.cli import main
from plainbill.reports import KINDS, Range, run_report
from plainbill.site.charts import Chart, Series, draw
from plainbill.site.pages import _cell

REPO = Path(__file__).resolve().parents[1]
FREELANCE = REPO / "examples" / "freelance"


@pytest.fixture()
def book(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The freelance book built once (HTML, reports), for the tests that only read it."""
    root = tmp_path_factory.mktemp("built") / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    build(root)
    return root


def build(root: Path, **kw):
    kw.setdefault("pdf", False)
    built = pipeline.build(root, **kw)
    assert built.ok and built.stats is not None, (built.problem, built.diagnostics)
    return built.stats


def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted((out / "reports").rglob("*")) if p.is_file()}


def test_build_writes_every_kind_for_the_whole_book_and_each_month_linked_from_the_index(built):
    out = built / "build"
    files = site_files(out)
    assert "reports/index.html" in files
    for kind in KINDS:
        assert f"reports/all/{kind}.html" in files
    assert {"reports/2026-10/hours.html", "reports/2026-11/hours.html"} <= set(files)
    assert 'href="reports/index.html"' in (out / "index.html").read_text("utf-8")
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert set(files) <= set(manifest["files"])                     # recorded like every output
    assert set(manifest["charts"]) == {rel for rel in files if rel.endswith(".svg")}
    overview = files["reports/index.html"].decode()
    assert all(f'href="all/{kind}.html"' in overview for kind in KINDS)


def test_the_site_loads_nothing_from_the_network_and_has_no_script(built):
    out = built / "build"
    pages = {**site_files(out), "index.html": (out / "index.html").read_bytes()}
    for rel, data in pages.items():
        text = data.decode("utf-8")
        assert "<script" not in text, rel
        assert not re.search(r"""(src|href)=["']?(https?:)?//|url\(["']?(https?:)?//|@import""", text), rel


def test_charts_carry_their_text_alternative_and_the_page_their_figures(built):
    out = built / "build"
    page = (out / "reports/all/hours.html").read_text("utf-8")
    svg = (out / "reports/all/hours-1.svg").read_text("utf-8")
    assert '<img src="hours-1.svg" alt="' in page and "<figcaption>" in page
    assert 'role="img"' in svg and "<title>" in svg and "<desc>" in svg
    # the figures under the chart are the engine's own: the hours by month, to the minute
    computed = pipeline.compute_book(built)
    by_month = run_report("hours", computed, Range(), "month")
    for row in by_month.rows:
        assert f"<th scope=\"row\">{row[0]}</th>" in page
    from plainbill.render.formatting import duration

    assert f"<desc>{duration(by_month.total('worked'))} " in svg


def test_the_figures_on_the_profitability_page_are_the_engines(built):
    from plainbill.render.formatting import money

    computed = pipeline.compute_book(built)
    report = run_report("profitability", computed, Range())
    page = (built / "build/reports/all/profitability.html").read_text("utf-8")
    locale = computed.checked.book.settings.locale
    for row in report.rows:
        margin = row[report.index("margin")]
        assert money(margin, report.currency, locale) in page


def test_site_bytes_are_the_same_in_another_process(built, tmp_path):
    first = site_files(built / "build")
    other = tmp_path / "other"
    subprocess.run([sys.executable, "-m", "plainbill", "build", str(built), "--no-pdf", "--out", str(other)],
                   check=True, capture_output=True)
    assert site_files(other) == first


def test_a_chart_is_drawn_again_only_when_its_data_changed_and_its_file_checks(book):
    build(book)
    out = book / "build"
    ledger = book / "ledger/2026/11.txt"
    ledger.write_text(ledger.read_text("utf-8") + "2026-11-27 2h meccanica-dora consulting @laura More work\n",
                      "utf-8")
    stats = build(book)
    redrawn = {rel for rel in stats.written if rel.endswith(".svg")}
    assert "reports/2026-11/hours-1.svg" in redrawn
    assert "reports/2026-10/hours-1.svg" not in redrawn          # October did not change
    (out / "reports/2026-10/hours-1.svg").write_bytes(b"<svg>damaged</svg>")
    ledger.write_text(ledger.read_text("utf-8") + "2026-11-28 1h meccanica-dora consulting @laura Again\n", "utf-8")
    stats = build(book)
    assert "reports/2026-10/hours-1.svg" in stats.written        # nothing on disk is trusted
    assert b"damaged" not in (out / "reports/2026-10/hours-1.svg").read_bytes()


def test_no_reports_removes_the_site_and_the_index_link(book):
    build(book)
    stats = build(book, reports=False)
    assert not (book / "build/reports").exists()
    assert any(rel.startswith("reports/") for rel in stats.removed)
    assert "reports/index.html" not in (book / "build/index.html").read_text("utf-8")


def test_a_partial_build_keeps_the_last_full_builds_site(book):
    build(book)
    before = site_files(book / "build")
    build(book, period="2026-11")
    assert site_files(book / "build") == before
    assert 'href="reports/index.html"' in (book / "build/index.html").read_text("utf-8")


def test_client_documents_never_link_the_reports(built):
    for page in (built / "build/invoices").glob("*.html"):
        assert "reports/" not in page.read_text("utf-8"), page.name


def test_cli_build_no_reports_flag(book):
    result = CliRunner().invoke(main, ["build", str(book), "--no-pdf", "--no-reports"])
    assert result.exit_code == 0, result.output
    assert not (book / "build/reports").exists()


def test_the_italian_book_reads_in_italian(tmp_path):
    """The repository's own book is in Italian: menus, headings and column titles."""
    from plainbill.render import template_set
    from plainbill.site.content import site_of
    from plainbill.site.pages import site_files as render_site

    computed = pipeline.compute_book(REPO)
    files, diags = render_site(computed.checked.book, template_set(REPO), tmp_path, site_of(computed),
                               lambda rel, c: b"<svg/>")
    page = files["reports/all/hours.html"].decode()
    assert not diags
    assert '<html lang="it">' in page and "Ore per cliente" in page and "Fatturabili" in page


# ---------------------------------------------------------------- charts and cells


def chart(**kw) -> Chart:
    values = {"name": "c", "title": "Margin <by> client & co", "description": 'A "quoted" <desc>', "kind": "hbars",
              "categories": ("a", "b"), "series": (Series("Margin", (Decimal("1.50"), Decimal(-2))),), "unit": "EUR"}
    return Chart(**{**values, **kw})


@pytest.mark.parametrize("kind", ["bars", "stacked", "hbars", "line"])
def test_draw_is_deterministic_and_escapes_the_text_alternative(kind):
    svg = draw(chart(kind=kind))
    assert svg == draw(chart(kind=kind))
    text = svg.decode()
    assert "<title>Margin &lt;by&gt; client &amp; co</title>" in text
    assert "<desc>A \"quoted\" &lt;desc&gt;</desc>" in text
    assert "<!DOCTYPE" not in text and "<dc:date>" not in text


def test_a_chart_with_a_series_of_the_wrong_length_is_a_bug():
    with pytest.raises(ValueError):
        chart(series=(Series("x", (Decimal(1),)),))
    with pytest.raises(ValueError):
        chart(kind="pie")


def test_a_float_never_reaches_a_report_table():
    with pytest.raises(TypeError):
        _cell(1.5, "EUR")
    assert _cell(Decimal("-1"), "EUR")["negative"] and not _cell(True, "EUR")["negative"]

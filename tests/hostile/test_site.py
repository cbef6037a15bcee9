"""Hostile input for the reports site and `serve`: a book's report template that breaks or
reaches out of the sandbox, a reports folder that is a link out of the output folder, a forged
manifest, a folder that is no book. Each: the right exit code, a located message where the
problem has a place, no traceback, no source file changed."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile_kit import copy_book, hostile, run


@pytest.fixture
def book(tmp_path) -> Path:
    root = copy_book(tmp_path)
    (root / "templates").mkdir()
    return root


def report_template(root: Path, body: str) -> None:
    (root / "templates" / "report.html").write_text(
        f'<!DOCTYPE html>\n<html lang="en"><head><title>r</title></head><body>\n{body}\n</body></html>\n', "utf-8")


def test_a_report_template_with_a_syntax_error_is_located(book):
    report_template(book, "{% for x in sections %}")
    hostile(book, "build", str(book), "--no-pdf", code=1, located="templates/report.html")
    assert not (book / "build" / "reports").exists()


def test_a_report_template_reaching_out_of_the_sandbox_is_refused_and_located(book):
    report_template(book, "{{ w.__class__.__mro__[1].__subclasses__() }}")
    result = hostile(book, "build", str(book), "--no-pdf", code=1, located="templates/report.html")
    assert "template-unsafe" in result.output
    assert not (book / "build" / "reports" / "index.html").exists()


def test_a_report_template_naming_an_unknown_variable_is_located(book):
    report_template(book, "{{ no_such_variable }}")
    result = hostile(book, "build", str(book), "--no-pdf", code=1, located="templates/report.html")
    assert "no_such_variable" in result.output


def test_a_reports_folder_linking_out_of_the_output_folder_stops_the_build(book, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (book / "build").mkdir()
    os.symlink(elsewhere, book / "build" / "reports")
    result = hostile(book, "build", str(book), "--no-pdf", code=2)
    assert "outside the output folder" in result.output
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("charts", ["garbage", {"reports/all/hours-1.svg": 5}, {"../../plainbill.yaml": "x"}])
def test_a_forged_charts_record_in_the_manifest_is_ignored(book, charts):
    run("build", str(book), "--no-pdf")
    manifest = book / "build" / "manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    data["charts"] = charts
    data.pop("build", None)                 # not the "nothing changed" shortcut: the site is planned again
    manifest.write_text(json.dumps(data), "utf-8")
    hostile(book, "build", str(book), "--no-pdf", code=0)
    assert json.loads(manifest.read_text("utf-8"))["charts"]["reports/all/hours-1.svg"] != 5


def test_serve_on_a_folder_that_is_no_book(tmp_path):
    (tmp_path / "notes.txt").write_text("not a book\n")
    result = hostile(tmp_path, "serve", str(tmp_path), "--port", "0", code=2)
    assert "not a book" in result.output


def test_serve_with_an_output_folder_inside_the_ledger_is_refused(book):
    result = hostile(book, "serve", str(book), "--port", "0", "--out", str(book / "ledger" / "site"), code=2)
    assert "ledger" in result.output

"""Hostile command lines over the pipeline: a selection that selects nothing by mistake
(a --client typo, a malformed --period), paths that are no book, and their precedence
over the book's own problems. Each: the right exit code, one clear message, no
traceback, no source file changed and nothing written (issue 13)."""
from __future__ import annotations

import json

import pytest

from hostile_kit import copy_book, hostile


@pytest.fixture
def root(tmp_path):
    return copy_book(tmp_path)


def _only_line(result) -> str:
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_build_client_typo_suggests_the_client(root):
    result = hostile(root, "build", "--book", root, "--no-render", "--client", "meccanica-dor", code=2)
    assert _only_line(result) == "plainbill: error: no client `meccanica-dor`; did you mean `meccanica-dora`?"
    assert not (root / "build").exists()


def test_build_client_prefix_suggests_the_clients_it_starts(root):
    result = hostile(root, "build", "--book", root, "--no-render", "--client", "its", code=2)
    assert _only_line(result).endswith("did you mean `its-piemonte`?")


def test_build_client_like_none_lists_the_clients(root):
    result = hostile(root, "build", "--book", root, "--no-render", "--client", "zzz", code=2)
    assert "the book's clients are `its-piemonte`, `meccanica-dora`" in _only_line(result)


def test_client_with_control_characters_is_printed_escaped(root):
    result = hostile(root, "build", "--book", root, "--no-render", "--client", "\x1b[2Jevil", code=2)
    assert "\x1b" not in result.output and "\\x1b" in result.output


def test_client_named_only_in_the_ledger_is_a_problem_of_the_book(root):
    """A client booked in the ledger but without its file: the book's error (located, exit 1)
    comes before the selection, which would otherwise be called a typo."""
    ledger = root / "ledger" / "2026" / "11.txt"
    ledger.write_text(ledger.read_text(encoding="utf-8") + "2026-11-20 1h ghost-client dev @me Work\n",
                      encoding="utf-8")
    hostile(root, "build", "--book", root, "--no-render", "--client", "ghost-client", code=1, located="ledger/2026/11.txt")


def test_client_typo_on_a_broken_book_reports_the_book_first(root):
    (root / "ledger" / "2026" / "11.txt").write_text("2026-11-31 1h meccanica-dora dev @me Work\n", encoding="utf-8")
    result = hostile(root, "build", "--book", root, "--no-render", "--client", "nobody", code=1,
                     located="ledger/2026/11.txt")
    assert "no client" not in result.output


def test_build_client_typo_as_json_leaves_stdout_empty(root):
    result = hostile(root, "build", "--book", root, "--no-render", "--client", "meccanica", "--format", "json", code=2)
    assert result.stdout == ""


def test_issue_client_typo_issues_nothing(root):
    result = hostile(root, "issue", "--book", root, "--client", "meccanica-dor", "--date", "2027-01-15", code=2)
    assert "did you mean `meccanica-dora`?" in result.output
    assert not (root / "issued").exists()


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "nov", "2026-1-01", "11-2026", " "])
def test_build_malformed_period_is_a_usage_error(root, period):
    result = hostile(root, "build", "--book", root, "--no-render", "--period", period, code=2)
    assert "[bad-period]" in result.output and "  hint: " in result.output   # what is wrong: tests/hostile/test_monthend.py
    assert not (root / "build").exists()


def test_malformed_period_wins_over_a_broken_book(root):
    """A usage error is found before the book is read, as a missing folder is."""
    (root / "ledger" / "2026" / "11.txt").write_text("not a ledger line\n", encoding="utf-8")
    result = hostile(root, "build", "--book", root, "--no-render", "--period", "2026-13", code=2)
    assert "[bad-period]" in result.output and "ledger/2026/11.txt" not in result.output


def test_malformed_period_as_json(root):
    result = hostile(root, "build", "--book", root, "--no-render", "--period", "Q4", "--format", "json", code=2)
    assert [d["code"] for d in json.loads(result.stdout)] == ["bad-period"]


def test_issue_malformed_period_issues_nothing(root):
    result = hostile(root, "issue", "--book", root, "--period", "2026-Q0", "--date", "2027-01-15", code=2)
    assert "[bad-period]" in result.output
    assert not (root / "issued").exists()


def test_a_period_without_invoices_is_a_usage_error(root):
    """A selection that selects nothing is a typo until shown otherwise (issue 13), as --client is."""
    result = hostile(root, "build", "--book", root, "--no-render", "--period", "2016-11", code=2)
    assert "no invoice in period 2016-11; did you mean --period 2026-11" in result.output
    result = hostile(root, "build", "--book", root, "--no-render", "--period", "1999-01", code=2)
    assert "the entries run from 2026-" in result.output
    assert not (root / "build").exists()


def test_the_right_client_builds_only_its_invoices(root):
    hostile(root, "build", "--book", root, "--no-render", "--client", "meccanica-dora", code=0)
    built = [p.name for p in (root / "build" / "invoices").glob("*.json")]
    assert built and all(name.startswith("meccanica-dora-") for name in built)


@pytest.mark.parametrize("command", [["check"], ["build", "--no-render"], ["issue"]])
def test_a_folder_that_is_no_book(tmp_path, command):
    folder = tmp_path / "notabook"
    (folder / "ledger").mkdir(parents=True)
    result = hostile(folder, command[0], "--book", folder, *command[1:], code=2)
    assert _only_line(result).endswith("not a book (no plainbill.yaml); run `plainbill init " + str(folder)
                                       + "` to start one")


@pytest.mark.parametrize("command", [["check"], ["build", "--no-render"], ["issue"]])
def test_a_missing_folder(tmp_path, command):
    result = hostile(tmp_path, command[0], "--book", tmp_path / "missing", *command[1:], code=2)
    assert _only_line(result) == f"plainbill: error: {tmp_path / 'missing'}: no such folder"


def test_explain_on_a_folder_that_is_no_book(tmp_path):
    result = hostile(tmp_path, "explain", "acme-2026-11", "--book", tmp_path, code=2)
    assert "not a book" in _only_line(result)


def test_credit_note_with_a_blank_reason(root):
    result = hostile(root, "credit-note", "2026/0001", "--book", root, "--reason", "   ", code=2)
    assert _only_line(result) == "plainbill: error: --reason must say why the invoice is credited"

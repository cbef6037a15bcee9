"""Typos at month-end (issue 13): an unknown --client, --period, draft id or invoice number
exits 2 on every command, with a suggestion, before anything is computed or written."""
import pytest

from hostile_kit import copy_book, hostile, run


@pytest.fixture
def book(tmp_path):
    return copy_book(tmp_path)


@pytest.mark.parametrize("command", [["build", "--no-render"], ["issue", "--dry-run", "--date", "2027-01-15"],
                                     ["issue", "--date", "2027-01-15"]])
@pytest.mark.parametrize("option, value, suggestion", [
    ("--client", "meccanica-dor", "did you mean `meccanica-dora`?"),
    ("--period", "2026-1", "did you mean --period 2026-01?"),
    ("--period", "2026/11", "did you mean --period 2026-11?"),
    ("--period", "2026-13", "there is no month 13"),
])
def test_unknown_client_or_period(book, command, option, value, suggestion):
    result = hostile(book, command[0], "--book", book, *command[1:], option, value, code=2)
    assert suggestion in result.output and "Traceback" not in result.output
    assert not (book / "issued").exists() or not any((book / "issued").rglob("*.json"))


def test_unknown_draft_id(book):
    result = hostile(book, "issue", "--book", book, "meccanica-dora-2026-1", "--date", "2027-01-15", code=2)
    assert "no draft meccanica-dora-2026-1; did you mean " in result.output
    assert "meccanica-dora-2026-10" in result.output.split("did you mean")[1]


def test_unknown_invoice_id_for_explain(book):
    result = hostile(book, "explain", "meccanica-dora-2026-1", "--book", book, code=2)
    assert "did you mean " in result.output and "meccanica-dora-2026-10" in result.output


def test_unknown_number_for_credit_note(book):
    assert run("issue", "--book", str(book), "--date", "2027-01-15").exit_code == 0
    result = hostile(book, "credit-note", "1/202", "--book", book, "--reason", "x", code=2)
    assert "1/202 is not an issued invoice; did you mean 1/2027" in result.output

"""Remedies that work (issue 13): display settings never unfreeze an issued invoice; the
frozen-invoice errors' hints name commands that succeed; credit-note runs while the error
it settles is present."""
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill.cli import main

FREELANCE = Path(__file__).resolve().parent.parent / "examples" / "freelance"


def with_start(root, start):
    """plainbill.yaml with `start` under its numbering block (the example numbers "{seq}/{year}")."""
    settings = root / "plainbill.yaml"
    text = settings.read_text()
    settings.write_text(text.replace("numbering:\n", f"numbering:\n  start: {start}\n", 1))
    return text


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"GITHUB_ACTIONS": ""})


@pytest.fixture
def issued(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    result = run("issue", "--book", root, "--date", "2027-01-15")
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("where, before, after", [
    ("plainbill.yaml", "  no_charge: show", "  no_charge: hide"),
    ("clients/meccanica-dora.yaml", "name:", "documents: {no_charge: hide, appendix: off, people: role}\nname:"),
])
def test_display_settings_never_unfreeze_an_issued_invoice(issued, where, before, after):
    path = issued / where
    text = path.read_text()
    assert before in text
    path.write_text(text.replace(before, after, 1))
    result = run("check", "--book", issued)
    assert result.exit_code == 0, result.output
    assert "issued-invoice-changed" not in result.output


# ---------------------------------------------------------------- numbering.start


def test_numbering_start_takes_over_from_another_tool(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    with_start(root, "{invoice: {2027: 89}, credit_note: {2027: 4}}")
    result = run("issue", "--book", root, "--date", "2027-01-15")
    assert result.exit_code == 0, result.output
    numbers = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("issued ")]
    assert numbers[0] == "89/2027" and numbers[1] == "90/2027"
    assert run("check", "--book", root).exit_code == 0
    note = run("credit-note", numbers[0], "--book", root, "--reason", "test", "--date", "2027-01-20")
    assert note.exit_code == 0 and "NC4/2027" in note.stdout, note.output


def test_a_gap_before_the_first_record_names_numbering_start(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    original = with_start(root, "{invoice: {2027: 89}}")
    assert run("issue", "--book", root, "--date", "2027-01-15").exit_code == 0
    (root / "plainbill.yaml").write_text(original)   # the start forgotten: 1-88 are missing
    result = run("check", "--book", root)
    assert result.exit_code == 1 and "have a gap: 1-88 missing [issued-number-gap]" in result.output
    hinted = "under `numbering:` in plainbill.yaml: `start: {invoice: {2027: 89}}`"
    assert hinted in result.output
    with_start(root, "{invoice: {2027: 89}}")     # what the hint says, done: the book checks again
    assert run("check", "--book", root).exit_code == 0


@pytest.mark.parametrize("start, message", [
    ("{invoice: {2027: 0}}", "numbers start at 1 or later"),
    ("{invoice: {twenty: 5}}", "`twenty` is not a year"),
    ("{invoce: {2027: 5}}", "unknown-key"),
    ("{invoice: {2027: many}}", "a whole number"),
])
def test_numbering_start_is_validated(tmp_path, start, message):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    with_start(root, start)
    result = run("check", "--book", root)
    assert result.exit_code == 1 and message in result.output and "plainbill.yaml:" in result.output, result.output


# ---------------------------------------------------------------- a date hint that says what is wrong


@pytest.mark.parametrize("day, hint", [
    ("2026-11-31", "November 2026 has 30 days: the last one is 2026-11-30"),
    ("2026-02-29", "February 2026 has 28 days: the last one is 2026-02-28"),
    ("2026-13-02", "there is no month 13: months run from 01 to 12"),
    ("2026-11-00", "days start at 01"),
])
def test_the_date_hint_says_what_is_wrong(tmp_path, day, hint):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    with (root / "ledger" / "2026" / "11.txt").open("a") as f:
        f.write(f"{day} 1h meccanica-dora consulting @laura Call\n")
    result = run("check", "--book", root)
    assert result.exit_code == 1 and f"`{day}` is not a valid date [invalid-date]" in result.output
    assert f"hint: {hint}" in result.output and "YYYY-MM-DD" not in result.output


# ---------------------------------------------------------------- credit-note settles a deleted entry


def test_credit_note_settles_a_deleted_entry_and_refuses_other_errors(issued):
    ledger = issued / "ledger" / "2026" / "10.txt"
    lines = ledger.read_text().splitlines(keepends=True)
    gone = next(i for i, line in enumerate(lines) if line.startswith("2026-10-01 14:00-16:00 meccanica-dora"))
    ledger.write_text("".join(lines[:gone] + ["# removed\n"] + lines[gone + 1:]))   # the lines below keep their place
    check = run("check", "--book", issued)
    assert check.exit_code == 1 and "[issued-entry-removed]" in check.output
    # another error in the book: the credit note refuses, naming it
    clients = issued / "clients" / "its-piemonte.yaml"
    good = clients.read_text()
    clients.write_text(good + "bogus_key: 1\n")
    refused = run("credit-note", "2/2027", "--book", issued, "--reason", "...", "--date", "2027-01-20")
    assert refused.exit_code == 1 and "nothing issued" in refused.output
    clients.write_text(good)
    note = run("credit-note", "2/2027", "--book", issued, "--reason", "...", "--date", "2027-01-20")
    assert note.exit_code == 0 and "settles the edit of 1 entry of 2/2027" in note.stderr, note.output
    assert run("check", "--book", issued).exit_code == 0

"""One convention for the book: `--book PATH` on every command; the old positional
BOOK still works, with a deprecation note on stderr."""
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill.cli import main

FREELANCE = Path(__file__).resolve().parent.parent / "examples" / "freelance"


def run(*args, cwd=None):
    return CliRunner().invoke(main, [str(a) for a in args], env={"GITHUB_ACTIONS": ""})


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    return root


@pytest.mark.parametrize("command", [["check"], ["build", "--no-render"], ["issue", "--dry-run", "--date", "2027-01-15"]])
def test_book_option_on_every_command_and_no_note(root, command):
    result = run(command[0], "--book", root, *command[1:])
    assert result.exit_code == 0, result.output
    assert "deprecated" not in result.stderr


@pytest.mark.parametrize("command", [["check"], ["build", "--no-render"], ["issue", "--dry-run", "--date", "2027-01-15"]])
def test_positional_book_still_works_with_a_note(root, command):
    result = run(command[0], root, *command[1:])
    assert result.exit_code == 0, result.output
    assert f"`plainbill {command[0]} BOOK` is deprecated; use `plainbill {command[0]} --book {root}`" in result.stderr
    assert "deprecated" not in result.stdout


def test_issue_takes_a_draft_id_not_a_book(root, monkeypatch):
    """The journey of issue 13: `issue DRAFT` in the book's folder was read as a missing book."""
    monkeypatch.chdir(root)
    dry = run("issue", "--dry-run", "--date", "2027-01-15")
    draft = next(line.split()[3] for line in dry.stdout.splitlines() if line.startswith("would issue "))
    result = run("issue", draft, "--dry-run", "--date", "2027-01-15")
    assert result.exit_code == 0, result.output
    assert [line.split()[3] for line in result.stdout.splitlines() if line.startswith("would issue")] == [draft]
    assert "deprecated" not in result.stderr


def test_old_form_book_then_drafts(root):
    dry = run("issue", "--book", root, "--dry-run", "--date", "2027-01-15")
    draft = next(line.split()[3] for line in dry.stdout.splitlines() if line.startswith("would issue "))
    result = run("issue", root, draft, "--dry-run", "--date", "2027-01-15")
    assert result.exit_code == 0 and "deprecated" in result.stderr
    assert sum(line.startswith("would issue") for line in result.stdout.splitlines()) == 1


def test_the_book_named_twice_differently_is_a_usage_error(root, tmp_path):
    result = run("check", "--book", root, tmp_path)
    assert result.exit_code == 2 and "named twice" in result.output

"""`issue --dry-run` and `credit-note --dry-run`: the same numbers a real run gives, nothing written."""
import shutil
from pathlib import Path

from click.testing import CliRunner

from hostile.hostile_kit import snapshot
from plainbill.cli import main

FREELANCE = Path(__file__).resolve().parent.parent / "examples" / "freelance"


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"GITHUB_ACTIONS": ""})


def test_issue_dry_run_shows_the_numbers_a_real_run_gives_and_writes_nothing(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    before = snapshot(root)
    dry = _run("issue", root, "--date", "2027-01-15", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert snapshot(root) == before
    would = [line.split()[2] for line in dry.output.splitlines() if line.startswith("would issue ")]
    assert would and "nothing written" in dry.output
    real = _run("issue", root, "--date", "2027-01-15")
    assert real.exit_code == 0, real.output
    assert [line.split()[1] for line in real.output.splitlines() if line.startswith("issued ")] == would


def test_credit_note_dry_run_writes_nothing(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    issued = _run("issue", root, "--date", "2027-01-15")
    number = next(line.split()[1] for line in issued.output.splitlines() if line.startswith("issued "))
    before = snapshot(root)
    dry = _run("credit-note", number, "--book", root, "--reason", "test", "--date", "2027-01-20", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would issue credit note " in dry.output and f"for {number}" in dry.output
    assert snapshot(root) == before

"""`plainbill init`, the shipped pre-commit hooks and GitHub Action, validated offline."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill.cli import main
from plainbill.scaffold import example_days, run_init

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 12, 2)


def check_jsonschema(builtin: str, path: Path):
    proc = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", builtin, str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def pre_commit(command: str, path: Path):
    if importlib.util.find_spec("pre_commit") is None:
        pytest.skip("pre-commit is not installed (it validates hooks and configs)")
    proc = subprocess.run([sys.executable, "-m", "pre_commit", command, str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture
def book(tmp_path):
    assert run_init(tmp_path / "book", today=TODAY) == 0
    return tmp_path / "book"


def test_init_writes_a_book(book):
    for rel in ("plainbill.yaml", "clients/example-client.yaml", "ledger/2026/11.txt", ".gitignore",
                ".vscode/settings.json", ".github/workflows/plainbill.yml", ".pre-commit-config.yaml",
                ".plainbill/schemas/client.schema.json"):
        assert (book / rel).is_file(), rel
    assert "build/" in (book / ".gitignore").read_text()
    ledger = (book / "ledger/2026/11.txt").read_text()
    assert "2026-11-02 09:00-10:30 example-client" in ledger and "{day" not in ledger
    mapping = json.loads((book / ".vscode/settings.json").read_text())["yaml.schemas"]
    assert all((book / schema).is_file() for schema in mapping)


def test_init_never_overwrites(book, capsys):
    (book / "plainbill.yaml").write_text("mine\n")
    capsys.readouterr()
    assert run_init(book, today=TODAY) == 0
    out = capsys.readouterr().out
    assert "skipped plainbill.yaml (exists)" in out and "created" not in out
    assert (book / "plainbill.yaml").read_text() == "mine\n"


def test_example_days_are_working_days_of_last_month():
    assert example_days(date(2026, 12, 2)) == (date(2026, 11, 2), date(2026, 11, 3))
    assert example_days(date(2027, 1, 15)) == (date(2026, 12, 1), date(2026, 12, 2))


def test_generated_workflow_validates(book):
    check_jsonschema("vendor.github-workflows", book / ".github/workflows/plainbill.yml")


def test_shipped_action_validates():
    check_jsonschema("vendor.github-actions", ROOT / "action.yml")


def test_pre_commit_files_validate(book):
    pre_commit("validate-manifest", ROOT / ".pre-commit-hooks.yaml")
    pre_commit("validate-config", book / ".pre-commit-config.yaml")


def test_init_book_passes_check(book):
    result = CliRunner().invoke(main, ["check", str(book)])
    assert result.exit_code == 0, result.output

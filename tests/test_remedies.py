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

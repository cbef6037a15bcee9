"""`explain` names the rounding rule in force on each time line (issue 15, item 2)."""
from pathlib import Path

from click.testing import CliRunner

from plainbill.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_explain_prints_the_rounding_in_force():
    result = CliRunner().invoke(main, ["explain", "kranz-logistik-2026-11", "--book", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert "   rounded up to a multiple of 6 m per entry\n" in result.output

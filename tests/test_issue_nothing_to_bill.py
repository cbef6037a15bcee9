"""A draft with nothing to bill (every line 0.00) is never numbered: `issue` says so and skips it."""
import shutil
from pathlib import Path

from click.testing import CliRunner

from plainbill.cli import main

FREELANCE = Path(__file__).resolve().parent.parent / "examples" / "freelance"


def test_a_draft_of_only_no_charge_work_is_not_numbered(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    (root / "ledger" / "2026" / "09.txt").write_text(
        "2026-09-15 30m meccanica-dora consulting @laura Telefonata di cortesia #nobill\n", "utf-8")
    result = CliRunner().invoke(main, ["issue", str(root), "--date", "2027-01-15"], env={"GITHUB_ACTIONS": ""})
    assert result.exit_code == 0, result.output
    assert "not numbered, nothing to bill (every line 0.00): meccanica-dora-2026-09" in result.output
    issued = [line.split()[2] for line in result.output.splitlines() if line.startswith("issued ")]
    assert issued and "meccanica-dora-2026-09" not in issued

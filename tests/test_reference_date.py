"""`reference_date` defaults to today: it decides the `future-entry` warning and nothing else.

Today is the calendar's, or the day of SOURCE_DATE_EPOCH when set (how these tests pin it).
What is billed and written never depends on it: two builds on different days write the
same bytes, manifest included."""
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from plainbill.cli import main


def epoch(day: str) -> str:
    return str(int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp()))


def run(*args, day: str):
    return CliRunner().invoke(main, [str(a) for a in args], env={"GITHUB_ACTIONS": "", "SOURCE_DATE_EPOCH": epoch(day)})


def book(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    assert run("init", root, day="2026-12-01").exit_code == 0
    assert "reference_date" not in (root / "plainbill.yaml").read_text()
    (root / "ledger" / "2026" / "12.txt").write_text("2026-12-20 1h example-client remote @alex December work\n")
    return root


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_without_reference_date_today_decides_the_future_entry_warning(tmp_path):
    root = book(tmp_path)
    early = run("check", "--book", root, day="2026-12-10")
    assert early.exit_code == 0 and "entry dated 2026-12-20, after today 2026-12-10 [future-entry]" in early.output
    assert "set `reference_date`" in early.output
    assert "future-entry" not in run("check", "--book", root, day="2027-01-05").output


def test_the_day_of_the_run_never_changes_what_is_written(tmp_path):
    root = book(tmp_path)
    first = run("build", "--book", root, "--no-render", "--out", tmp_path / "a", day="2026-12-10")
    second = run("build", "--book", root, "--no-render", "--out", tmp_path / "b", day="2027-01-05")
    assert first.exit_code == 0 and second.exit_code == 0
    assert "future-entry" in first.output and "future-entry" not in second.output
    assert files(tmp_path / "a") == files(tmp_path / "b")


def test_a_set_reference_date_wins_over_today(tmp_path):
    root = book(tmp_path)
    settings = root / "plainbill.yaml"
    settings.write_text(settings.read_text() + "reference_date: 2026-11-30\n")
    result = run("check", "--book", root, day="2027-06-01")
    assert "after the reference date 2026-11-30 [future-entry]" in result.output

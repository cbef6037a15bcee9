"""End to end in a real git repository: init, issue, a frozen edit, a late entry,
a credit note, numbers on two branches that conflict, and a PR diff."""
from __future__ import annotations

import importlib.util
import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill.cli import main
from plainbill.scaffold import run_init

def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ValueError:   # already imported without a spec
        return False


pytestmark = pytest.mark.skipif(
    any(_missing(m) for m in ("plainbill.checks", "plainbill.billing", "plainbill.load")),
    reason="loader, checks and engine are needed")

LEDGER = "ledger/2026/11.txt"
MORE = ("2026-11-10 2h example-client remote @alex Mail server migration #T-2\n"
        "2026-11-12 1h example-client onsite @alex UPS battery swap\n")


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if proc.returncode:
        raise AssertionError(f"git {' '.join(args)}: {proc.stderr}")
    return proc.stdout


def plainbill(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def compute(repo: Path):
    from plainbill.pipeline import check_book, compute as run

    checked = check_book(repo)
    return run(checked), checked.diagnostics


@pytest.fixture
def repo(tmp_path, monkeypatch):
    repo = tmp_path / "books"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "billing@example.com")
    git(repo, "config", "user.name", "Billing")
    assert run_init(repo, today=date(2026, 12, 2)) == 0
    with open(repo / LEDGER, "a", encoding="utf-8") as fh:
        fh.write(MORE)
    commit(repo, "book")
    monkeypatch.chdir(repo)
    return repo


def records(repo: Path) -> list[str]:
    return sorted(p.relative_to(repo).as_posix() for p in (repo / "issued").rglob("*.json"))


def test_issue_freeze_late_entry_credit_note_and_diff(repo):
    r = plainbill("check", str(repo))
    assert r.exit_code == 0, r.output

    r = plainbill("issue", str(repo), "--date", "2026-12-01")
    assert r.exit_code == 0, r.output
    assert "issued 2026/0001" in r.output
    assert records(repo) == ["issued/2026/0001.json"]
    rec = json.loads((repo / "issued/2026/0001.json").read_text())
    assert rec["draft"] == "example-client-2026-11" and rec["due_date"] == "2026-12-31"
    assert any(e["ref"] == f"{LEDGER}:8" and "UPS battery swap" in e["text"] for e in rec["entries"])
    commit(repo, "issue 2026/0001")
    invoices, _ = compute(repo)
    (nov,) = [i for i in invoices if i.id == "example-client-2026-11"]
    assert (nov.number, nov.issue_date) == ("2026/0001", date(2026, 12, 1))

    # nothing left to issue: the same command consumes no number
    r = plainbill("issue", str(repo), "--date", "2026-12-01")
    assert r.exit_code == 0 and records(repo) == ["issued/2026/0001.json"]

    # editing an entry of the issued period: check names the invoice and the line
    text = (repo / LEDGER).read_text()
    (repo / LEDGER).write_text(text.replace("1h example-client onsite @alex UPS", "2h example-client onsite @alex UPS"))
    r = plainbill("check", str(repo))
    assert r.exit_code == 1
    assert f"{LEDGER}:8" in r.output and "2026/0001" in r.output and "[issued-entry-changed]" in r.output
    assert "credit-note" in r.output   # the remedy
    # ...and issue refuses while the book has errors, without using a number
    r = plainbill("issue", str(repo), "--date", "2026-12-31")
    assert r.exit_code == 1 and records(repo) == ["issued/2026/0001.json"]
    git(repo, "checkout", "--", LEDGER)
    assert plainbill("check", str(repo)).exit_code == 0

    # a late entry dated in the issued month is billed in the next open period
    with open(repo / LEDGER, "a", encoding="utf-8") as fh:
        fh.write("2026-11-20 45m example-client remote @alex Forgotten call #T-3\n")
    r = plainbill("check", str(repo))
    assert r.exit_code == 0, r.output
    invoices, _ = compute(repo)
    by_id = {i.id: i for i in invoices}
    late = [d for d in by_id["example-client-2026-12"].entries if d.description.startswith("Forgotten call")
            or "Forgotten call" in d.description]
    assert late, by_id["example-client-2026-12"].entries
    assert all("Forgotten" not in d.description for d in by_id["example-client-2026-11"].entries)
    commit(repo, "late entry")

    # a partial credit note on the issued invoice
    key = nov.lines[0].key
    r = plainbill("credit-note", "2026/0001", "--book", str(repo), "--lines", f"{key}=10.00",
                  "--reason", "Goodwill discount", "--date", "2026-12-05")
    assert r.exit_code == 0, r.output
    assert records(repo) == ["issued/2026/0001.json", "issued/NC-2026/0001.json"]
    invoices, diags = compute(repo)
    (cn,) = [i for i in invoices if i.kind == "credit-note"]
    assert cn.references == ("2026/0001",) and cn.subtotal == nov.lines[0].amount.__class__("10.00")
    assert plainbill("check", str(repo)).exit_code == 0
    commit(repo, "credit note")

    # two branches issue the next number: git conflicts instead of merging silently
    git(repo, "checkout", "-qb", "alice")
    assert plainbill("issue", str(repo), "--date", "2027-01-04").exit_code == 0
    commit(repo, "alice issues December")
    git(repo, "checkout", "-q", "main")
    with open(repo / LEDGER.replace("11", "12"), "w", encoding="utf-8") as fh:
        fh.write("2026-12-03 1h example-client remote @alex Printer again #T-4\n")
    assert plainbill("issue", str(repo), "--date", "2027-01-05").exit_code == 0
    commit(repo, "bob issues December")
    merge = subprocess.run(["git", "merge", "alice"], cwd=repo, capture_output=True, text=True)
    assert merge.returncode != 0 and "issued/2027/0001.json" in merge.stdout + merge.stderr
    git(repo, "merge", "--abort")

    # a pull request: the diff shows the invoice that changes and the line behind it
    git(repo, "checkout", "-qb", "more-work")
    with open(repo / "ledger/2027.txt", "w", encoding="utf-8") as fh:
        fh.write("2027-01-12 1h30m example-client remote @alex Firewall rules review #T-9\n")
    commit(repo, "more work")
    r = plainbill("diff", "--format", "markdown", "--exit-code")
    assert r.exit_code == 1, r.output
    assert "example-client-2027-01" in r.output and "ledger/2027.txt:1" in r.output
    assert "Firewall rules review" in r.output
    r = plainbill("diff", "main", "main", "--exit-code")
    assert r.exit_code == 0 and "no invoice changes" in r.output


def test_diff_of_an_edit_to_an_issued_period_shows_the_error(repo):
    assert plainbill("issue", str(repo), "--date", "2026-12-01").exit_code == 0
    commit(repo, "issue")
    text = (repo / LEDGER).read_text()
    (repo / LEDGER).write_text(text.replace("2h example-client remote", "3h example-client remote"))
    r = plainbill("diff", "--format", "json")
    doc = json.loads(r.output)
    assert doc["errors"]["head"] >= 1
    changed = {i["id"]: i for i in doc["invoices"]}
    assert "example-client-2026-12" in changed   # the edited entry is billed late, in December


def test_a_revision_that_does_not_check_is_not_compared(repo):
    """One typo in HEAD: not "every invoice removed", but HEAD named, with its error, exit 1."""
    from plainbill.gitdiff import diff_revisions

    text = (repo / LEDGER).read_text()
    (repo / LEDGER).write_text(text.replace("example-client onsite", "example-clinet onsite", 1))
    commit(repo, "typo")
    result = diff_revisions(repo, "HEAD~1", "HEAD")
    assert result.base.computed and not result.head.computed and result.head.error_count >= 1
    assert any(LEDGER in e for e in result.head.errors)
    r = plainbill("diff", "HEAD~1", "HEAD")
    assert r.exit_code == 1 and "cannot diff: HEAD (" in r.output and "removed" not in r.output
    assert f"{LEDGER}:" in r.output

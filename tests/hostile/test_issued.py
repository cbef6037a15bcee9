"""Hostile cases of the register (`issued/`), `issue`, `credit-note` and `diff`.

The freelance example book, issued once (four invoices: 1/2026 .. 4/2026), then
damaged: every case gets the right exit code, a located message where the
problem has a place, no traceback, and no source file changed.
"""
from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from hostile_kit import copy_book, hostile, run
from plainbill.register.journal import locked

RECORD = "issued/2/2026.json"     # meccanica-dora-2026-10, 3330.60 EUR
LOCK = "issued/drafts/meccanica-dora-2026-10.txt"


@pytest.fixture
def book(tmp_path) -> Path:
    root = copy_book(tmp_path)
    result = run("issue", root, "--date", "2026-12-01")
    assert result.exit_code == 0 and result.output.count("issued ") == 4, result.output
    return root


def edit(root: Path, path: str, old: str, new: str, count: int = 1) -> None:
    text = (root / path).read_text()
    assert old in text, (old, text)
    (root / path).write_text(text.replace(old, new, count))


def test_tampered_total_in_a_record(book):
    edit(book, RECORD, '"total": "3330.60"', '"total": "3300.60"')
    r = hostile(book, "check", book, code=1, located=RECORD)
    assert "total 3300.60 is not subtotal + tax_total" in r.output and "[issued-record-totals]" in r.output


def test_totals_edited_consistently_still_differ_from_the_issued_invoice(book):
    record = json.loads((book / RECORD).read_text())
    line = record["lines"][0]
    for key in ("subtotal", "total", "amount_due"):
        record["totals"][key] = str(Decimal(record["totals"][key]) - 100)
    line["amount"] = str(Decimal(line["amount"]) - 100)
    record["taxes"] = []   # as in an older record: no taxes to check against
    (book / RECORD).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    r = hostile(book, "check", book, code=1, located=RECORD)
    assert f"subtotal {record['totals']['subtotal']} is not the issued invoice's" in r.output
    assert f"says {line['amount']}, the issued invoice" in r.output


def test_tampered_tax_of_one_rate(book):
    record = json.loads((book / RECORD).read_text())
    assert record["taxes"], record
    record["taxes"][0]["tax"] = "1.00"
    (book / RECORD).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    r = hostile(book, "check", book, code=1, located=RECORD)
    assert "[issued-record-totals]" in r.output and "tax " in r.output


def test_deleted_draft_lock(book):
    (book / LOCK).unlink()
    r = hostile(book, "check", book, code=1, located=RECORD)
    assert f"has no lock file {LOCK}" in r.output and "printf '2/2026\\n'" in r.output


def test_stray_temp_file(book):
    (book / "issued/drafts/.x.txt.4242.tmp").write_text("5/20")
    r = hostile(book, "check", book, code=1, located="issued/drafts/.x.txt.4242.tmp")
    assert "[issued-temp-file]" in r.output
    hostile(book, "build", book, "--no-render", code=1, located="issued/drafts/.x.txt.4242.tmp")


def test_interrupted_run_is_reported_then_rolled_back(book):
    (book / "issued/.journal.json").write_text(json.dumps(
        {"plainbill_journal": 1, "command": "issue",
         "files": [{"path": "issued/5/2026.json", "sha256": "0" * 64}]}))
    r = hostile(book, "check", book, code=1, located="issued/.journal.json")
    assert "an interrupted `plainbill issue` left 0 of the 1 files" in r.output
    assert "run `plainbill issue` again" in r.output
    r = run("issue", book, "--date", "2026-12-01")
    assert r.exit_code == 0 and "rolled back an interrupted run" not in r.output   # nothing was left
    assert not (book / "issued/.journal.json").exists()
    assert run("check", book).exit_code == 0


def test_unreadable_journal_blocks_issue(book):
    (book / "issued/.journal.json").write_text("{garbage")
    hostile(book, "check", book, code=1, located="issued/.journal.json")
    r = hostile(book, "issue", book, "--date", "2026-12-31", code=1, located="issued/.journal.json")
    assert "nothing issued" in r.output and "issued 5/2026" not in r.output


def test_duplicated_number(book):
    edit(book, "issued/4/2026.json", '"number": "4/2026"', '"number": "3/2026"')
    r = hostile(book, "check", book, code=1, located="issued/4/2026.json")
    assert "[issued-number-duplicate]" in r.output and "[issued-record-misplaced]" in r.output


def test_gap_in_numbers(book):
    (book / "issued/3/2026.json").unlink()
    (book / "issued/drafts/its-piemonte-2026-11.txt").unlink()
    r = hostile(book, "check", book, code=1, located="issued/4/2026.json")
    assert "invoice numbers of 2026 have a gap: 3 missing" in r.output
    r = hostile(book, "issue", book, "--date", "2026-12-31", code=1)
    assert "nothing issued" in r.output


def test_record_that_is_not_json(book):
    (book / RECORD).write_text('{"number": "2/2026",\n  "kind": invoice\n}\n')
    r = hostile(book, "check", book, code=1, located=RECORD)
    assert f"{RECORD}:2:11: error: issued record cannot be read: not valid JSON" in r.output


def test_record_of_another_series(book):
    edit(book, "issued/1/2026.json", '"kind": "invoice"', '"kind": "credit-note"')
    r = hostile(book, "check", book, code=1, located="issued/4/2026.json")
    assert "[issued-number-gap]" in r.output and "[issued-draft-lock]" in r.output


def test_credit_note_on_an_unknown_number(book):
    r = hostile(book, "credit-note", "9/2026", "--book", book, "--reason", "x", code=2)
    assert "9/2026 is not an issued invoice" in r.output and "did you mean" in r.output


def test_credit_note_line_that_does_not_exist(book):
    r = hostile(book, "credit-note", "2/2026", "--book", book, "--reason", "x", "--lines", "nope",
                "--date", "2026-12-05", code=1, located=RECORD)
    assert "[credit-note-line]" in r.output and "has no line 'nope'" in r.output


def test_credit_note_beyond_the_line(book):
    key = json.loads((book / RECORD).read_text())["lines"][0]["key"]
    r = hostile(book, "credit-note", "2/2026", "--book", book, "--reason", "x", "--lines", f"{key}=999999.00",
                "--date", "2026-12-05", code=1, located=RECORD)
    assert "[credit-note-amount]" in r.output


def test_issue_with_a_bad_date(book):
    r = hostile(book, "issue", book, "--date", "2026-13-01", code=2)
    assert "is not a date (YYYY-MM-DD)" in r.output
    hostile(book, "credit-note", "2/2026", "--book", book, "--reason", "x", "--date", "yesterday", code=2)


def test_issue_while_another_run_holds_the_lock(book):
    with locked(book):
        r = hostile(book, "issue", book, "--date", "2026-12-31", code=2)
        assert "is locked" in r.output and "nothing issued" in r.output and "issued 5/2026" not in r.output
        hostile(book, "credit-note", "2/2026", "--book", book, "--reason", "x", code=2)


def test_issued_is_a_file(tmp_path):
    root = copy_book(tmp_path)
    (root / "issued").write_text("not a folder\n")
    r = hostile(root, "issue", root, "--date", "2026-12-01", code=2)
    assert "cannot lock the register (issued/.lock): issued is not a folder; nothing issued" in r.output


def test_edited_entry_remedy_does_what_it_says(book):
    """The hint of an edited issued entry names remedies that work: put the line back (then a
    credit note for goodwill works), or settle the edit with the credit-note command it names."""
    ledger = "ledger/2026/10.txt"
    original = (book / ledger).read_text()
    edit(book, ledger, "2026-10-01 14:00-16:00 meccanica-dora", "2026-10-01 14:00-17:00 meccanica-dora")
    r = hostile(book, "check", "--book", book, code=1, located=ledger)
    assert "[issued-entry-changed]" in r.output and "put the line back as quoted" in r.output
    assert '`plainbill credit-note 2/2026 --reason "..."`' in r.output
    (book / ledger).write_text(original)   # the first remedy: the line back; then a credit note works
    key = json.loads((book / RECORD).read_text())["lines"][0]["key"]
    r = run("credit-note", "2/2026", "--book", book, "--reason", "goodwill", "--lines", f"{key}=10.00",
            "--date", "2026-12-05")
    assert r.exit_code == 0 and "issued credit note" in r.output, r.output
    assert run("check", "--book", book).exit_code == 0


def test_the_credit_note_the_hint_names_settles_the_edit(book):
    """The second remedy, run as the hint words it while the error stands: the invoice stays as
    issued, the lines that billed the entry are credited, the entry as it is now is billed late."""
    ledger = "ledger/2026/10.txt"
    edit(book, ledger, "2026-10-01 14:00-16:00 meccanica-dora", "2026-10-01 14:00-15:00 meccanica-dora")
    issued = json.loads((book / RECORD).read_text())
    r = run("credit-note", "2/2026", "--book", book, "--reason", "...", "--date", "2026-12-05")
    assert r.exit_code == 0 and "issued credit note" in r.stdout and "settles the edit of 1 entry" in r.stderr, r.output
    assert run("check", "--book", book).exit_code == 0
    assert json.loads((book / RECORD).read_text()) == issued
    out = book / "out"
    assert run("build", "--book", book, "--no-render", "--out", out).exit_code == 0
    as_issued = json.loads((out / "invoices" / "meccanica-dora-2026-10.json").read_text())
    assert as_issued["total"] == issued["totals"]["total"] and as_issued["number"] == "2/2026"
    docs = {p.stem: json.loads(p.read_text()) for p in (out / "invoices").glob("meccanica-dora-*.json")}
    late = docs["meccanica-dora-2026-12"]      # the entry as it is now (1h), billed late
    assert any(f"({ledger}:3)" in w for w in late["warnings"]) and not late.get("number")
    note = next(d for d in docs.values() if d.get("kind") == "credit-note")
    # the 2h as issued are credited, the other entries of their line stay billed; 1h is billed again
    assert Decimal(note["total"]) == 2 * Decimal(late["total"]) < Decimal(issued["totals"]["total"])


# ---------------------------------------------------------------- diff


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    root = copy_book(tmp_path)
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=T", "add", "-A")
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qm", "book")
    monkeypatch.chdir(root)
    return root


def typo(root: Path) -> str:
    ledger = next(p for p in sorted((root / "ledger").rglob("*.txt")) if "meccanica-dora" in p.read_text())
    edit(root, ledger.relative_to(root).as_posix(), "meccanica-dora", "meccanica-dorx")
    return ledger.relative_to(root).as_posix()


def test_diff_with_a_typo_in_head(repo):
    path = typo(repo)
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qam", "typo")
    r = hostile(repo, "diff", "HEAD~1", "HEAD", code=1)
    assert "cannot diff: HEAD (" in r.output and "does not check" in r.output
    assert f"{path}:" in r.output and "removed" not in r.output


def test_diff_with_a_typo_in_the_working_tree(repo):
    typo(repo)
    r = hostile(repo, "diff", "HEAD", "--format", "markdown", code=1)
    assert "cannot diff: working tree does not check" in r.output and "removed" not in r.output


def test_diff_with_a_typo_in_base(repo):
    typo(repo)
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qam", "typo")
    git(repo, "checkout", "-q", "HEAD~1", "--", ".")
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qam", "fixed")
    r = hostile(repo, "diff", "HEAD~1", "HEAD", code=1)
    assert "cannot diff: HEAD~1 (" in r.output


def test_diff_outside_a_git_repository(tmp_path, monkeypatch):
    root = copy_book(tmp_path)
    monkeypatch.chdir(root)
    r = hostile(root, "diff", "main", code=2)
    assert "plainbill: error: git:" in r.output and "not a git repository" in r.output


def test_diff_of_an_unknown_revision(repo):
    r = hostile(repo, "diff", "no-such-branch", "HEAD", code=2)
    assert "plainbill: error: git:" in r.output


# ---------------------------------------------------------------- links


def test_a_record_that_is_a_link_outside_the_book_is_not_read(book, tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"number": "TOP-SECRET-CONTENT"}\n')
    (book / RECORD).unlink()
    (book / RECORD).symlink_to(secret)
    r = hostile(book, "check", book, code=1)
    assert f"`{RECORD}` is a link that leads outside the book" in r.output and "TOP-SECRET" not in r.output


def test_issued_folder_that_is_a_link_is_never_written(tmp_path):
    root = copy_book(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "issued").symlink_to(outside, target_is_directory=True)
    r = hostile(root, "issue", root, "--date", "2026-12-01", code=2)
    assert "is a link" in r.output and list(outside.iterdir()) == []
    r = hostile(root, "check", root, code=1)
    assert "`issued` is a link that leads outside the book" in r.output


def test_check_while_a_run_is_writing_says_so(book):
    (book / "issued/drafts/.x.txt.4242.tmp").write_text("5/20")
    with locked(book):
        r = hostile(book, "check", book, code=1, located="issued/drafts/.x.txt.4242.tmp")
    assert "a run is writing the register right now (issued/.lock is held)" in r.output

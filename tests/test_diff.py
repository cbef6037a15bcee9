"""`plainbill diff` parts that need no engine: reading git, comparing snapshots, reports."""
from __future__ import annotations

import json
import subprocess
from decimal import Decimal

import pytest

from plainbill.gitdiff.compare import compare
from plainbill.gitdiff.gitread import GitError, default_base, read_tree
from plainbill.gitdiff.report import COMMENT_LIMIT, format_json, format_markdown, format_text
from plainbill.gitdiff.snapshot import InvoiceView, LineView, Snapshot

D = Decimal


def sh(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True).stdout.decode()


@pytest.fixture
def repo(tmp_path):
    sh(tmp_path, "init", "-q", "-b", "main")
    sh(tmp_path, "config", "user.email", "t@example.com")
    sh(tmp_path, "config", "user.name", "T")
    return tmp_path


def test_read_tree_reads_the_book_only(repo):
    book = repo / "books" / "firm"
    (book / "ledger" / "2026").mkdir(parents=True)
    (book / "plainbill.yaml").write_text("issuer: {name: X}\n")
    (book / "ledger" / "2026" / "11.txt").write_bytes(b"line one\n\x00binary-ish\n")
    (book / "notes.md").write_text("not part of the book\n")
    sh(repo, "add", "-A")
    sh(repo, "commit", "-qm", "one")
    (book / "plainbill.yaml").write_text("changed in the working tree\n")
    files = read_tree("HEAD", "books/firm", repo)
    assert files == {"plainbill.yaml": b"issuer: {name: X}\n",
                     "ledger/2026/11.txt": b"line one\n\x00binary-ish\n"}
    assert (book / "plainbill.yaml").read_text() == "changed in the working tree\n"   # nothing checked out


def test_default_base_is_merge_base_with_main(repo):
    (repo / "a").write_text("1")
    sh(repo, "add", "a")
    sh(repo, "commit", "-qm", "one")
    fork = sh(repo, "rev-parse", "HEAD").strip()
    sh(repo, "checkout", "-qb", "feature")
    (repo / "a").write_text("2")
    sh(repo, "commit", "-qam", "two")
    assert default_base(repo) == fork


def test_no_default_branch(repo):
    sh(repo, "checkout", "-qb", "trunk")
    (repo / "a").write_text("1")
    sh(repo, "add", "a")
    sh(repo, "commit", "-qm", "one")
    with pytest.raises(GitError, match="default branch"):
        default_base(repo)


def inv(id_, lines, entries, total=None, kind="invoice", number=""):
    lv = {k: LineView(k.title(), D(q), "h", D(a), tuple(fps)) for k, (q, a, fps) in lines.items()}
    total = total if total is not None else sum((D(a) for _, a, _ in lines.values()), D(0))
    return InvoiceView(id_, id_.split("-")[0], "2026-11-01..2026-11-30", kind, number, "EUR", D(total),
                       D(total), lv, entries)


def snapshots():
    base = Snapshot("main (abc)")
    head = Snapshot("working tree")
    base.entries = {"f1": ("ledger/11.txt:1", "2026-11-03 1h acme remote @mario Printer"),
                    "f2": ("ledger/11.txt:2", "2026-11-04 1h acme remote @mario VPN <b>")}
    head.entries = {"f1": base.entries["f1"],
                    "f3": ("ledger/11.txt:2", "2026-11-04 2h30m acme remote @mario VPN <b>"),
                    "f4": ("ledger/11.txt:3", "2026-11-05 1h beta remote @mario New")}
    base.invoices = {"acme-2026-11": inv("acme-2026-11", {"time/remote": ("2", "100.00", ["f1", "f2"])},
                                         {"f1": "ledger/11.txt:1", "f2": "ledger/11.txt:2"}),
                     "gamma-2026-11": inv("gamma-2026-11", {"fee": ("1", "450.00", [])}, {})}
    head.invoices = {"acme-2026-11": inv("acme-2026-11", {"time/remote": ("3.5", "175.00", ["f1", "f3"])},
                                         {"f1": "ledger/11.txt:1", "f3": "ledger/11.txt:2"}),
                     "beta-2026-11": inv("beta-2026-11", {"time/remote": ("1", "60.00", ["f4"])},
                                         {"f4": "ledger/11.txt:3"})}
    return base, head


def test_compare_names_invoices_lines_and_entries():
    result = compare(*snapshots())
    assert [(c.status, c.id) for c in result.changes] == [
        ("changed", "acme-2026-11"), ("added", "beta-2026-11"), ("removed", "gamma-2026-11")]
    acme = result.changes[0]
    assert (acme.before, acme.after, acme.delta) == (D("100.00"), D("175.00"), D("75.00"))
    (line,) = acme.lines
    assert (line.before, line.after, line.quantity_before, line.quantity_after) == (D("100.00"), D("175.00"), D(2), D("3.5"))
    (entry,) = acme.entries
    assert (entry.status, entry.ref) == ("changed", "ledger/11.txt:2")
    assert "1h acme" in entry.before and "2h30m acme" in entry.text
    assert result.totals == {"EUR": (D("550.00"), D("235.00"))}   # changed invoices only


def test_text_and_json_reports():
    result = compare(*snapshots())
    text = format_text(result)
    assert "~ acme-2026-11" in text and "100.00 -> 175.00 EUR (+75.00)" in text
    assert "ledger/11.txt:2  was: 2026-11-04 1h acme" in text
    doc = json.loads(format_json(result))
    assert doc["invoices"][0]["delta"] == "75.00" and doc["invoices"][0]["entries"][0]["status"] == "changed"


def test_markdown_escapes_and_fits_one_comment():
    base, head = snapshots()
    md = format_markdown(compare(base, head))
    assert "| ~ | acme-2026-11 |" in md and "`ledger/11.txt:2`" in md
    assert "VPN <b>" not in md and "VPN &lt;b&gt;" in md
    for i in range(3000):   # a huge change set is summarised, never cut mid-way
        e = f"e{i}"
        head.entries[e] = (f"ledger/big.txt:{i}", f"2026-11-05 1h big remote @mario Item {i} " + "x" * 40)
        head.invoices[f"big{i:04d}-2026-11"] = inv(f"big{i:04d}-2026-11", {"t": ("1", "10.00", [e])},
                                                   {e: f"ledger/big.txt:{i}"})
    md = format_markdown(compare(base, head))
    assert len(md) <= COMMENT_LIMIT and "more invoices" in md


def test_no_changes():
    base, _ = snapshots()
    result = compare(base, base)
    assert result.changes == [] and "no invoice changes" in format_text(result)


def test_a_change_names_only_the_settings_files_of_its_own_client():
    from plainbill.gitdiff.report import settings_of

    changed = ["clients/bit-bottega.yaml", "clients/studio-ferri.yaml", "plainbill.yaml"]
    assert settings_of(changed, "bit-bottega") == ["clients/bit-bottega.yaml", "plainbill.yaml"]
    assert settings_of(["clients/studio-ferri.yaml"], "bit-bottega") == []

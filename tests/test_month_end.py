"""The month-end of docs/month-end.md, end to end in a temporary git repository: a new book,
November's entries, check, build, the diff a pull request would show, issue --dry-run checked
against the real issue, an issued entry corrected, the credit note that settles it, and a
build that passes again; time imported from Watson, and the issued month exported for the
accountant."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill.cli import main

ENV = {"GITHUB_ACTIONS": "", "SOURCE_DATE_EPOCH": "1796342400"}   # "today" is 2026-12-04
RETAINER = """name: Cantina Belvedere S.r.l.
vat_number: IT05556667778
address: {street: Via dei Vigneti 3, city: Asti, postal_code: "14100", province: AT, country: IT}
sdi_code: XYZ9876
rates: [{rate: 55.00}]
contracts:
  - {id: assistenza, kind: retainer, from: 2026-09-01, fee: 300.00, included: 5h, extra_rate: 50.00, rollover: lapse}
"""
WATSON = json.dumps([{"id": "9a8b7c6d5e4f30211203a4b5c6d7e8f9", "project": "cantina", "tags": ["support"],
                      "start": "2026-11-20T09:00:00+01:00", "stop": "2026-11-20T10:30:00+01:00"}])
WATSON_MAPPING = "person: alex\nclients:\n  cantina: cantina-belvedere\ntasks:\n  support: remote\n"
NOVEMBER = ("2026-11-10 2h cantina-belvedere remote @alex Backup check\n"
            "2026-11-12 3h example-client onsite @alex Server room rewiring\n"
            "2026-11-13 1h interno remote @alex Laptop setup\n")


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def plainbill(*args) -> "CliRunner.invoke":
    return CliRunner().invoke(main, [str(a) for a in args], env=ENV, catch_exceptions=False)


def ok(*args):
    result = plainbill(*args)
    assert result.exit_code == 0, f"plainbill {' '.join(map(str, args))}:\n{result.output}"
    return result


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    repo = tmp_path / "books"
    ok("init", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "billing@example.com")
    git(repo, "config", "user.name", "Billing")
    (repo / "clients" / "cantina-belvedere.yaml").write_text(RETAINER)
    (repo / "clients" / "interno.yaml").write_text("name: Lavoro interno\ninternal: true\nrates: [{rate: 40.00}]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "book")
    monkeypatch.chdir(repo)
    return repo


def test_the_month(repo):
    # 1. the month's time on a branch: written by hand, and imported from a terminal timer
    git(repo, "checkout", "-q", "-b", "november")
    with (repo / "ledger" / "2026" / "11.txt").open("a") as f:
        f.write(NOVEMBER)
    (repo / "imports").mkdir()
    (repo / "imports" / "watson.yaml").write_text(WATSON_MAPPING)
    export = repo.parent / "watson-2026-11.json"
    export.write_text(WATSON)
    dry_import = ok("import", "watson", export, "--dry-run")
    assert "2026-11-20 09:00-10:30 cantina-belvedere remote @alex" in dry_import.output
    assert not (repo / "ledger" / "import").exists()
    ok("import", "watson", export)
    imported = (repo / "ledger" / "import" / "watson-2026-11.txt").read_text()
    ok("import", "watson", export)                                 # the same export again: nothing added
    assert (repo / "ledger" / "import" / "watson-2026-11.txt").read_text() == imported
    # 2. check: clean; no reference_date needed (today is SOURCE_DATE_EPOCH's day)
    assert ": error:" not in ok("check").output
    # 3. build: every draft, the retainer's early months marked as such
    ok("build", "--no-pdf")
    early = json.loads((repo / "build" / "invoices" / "cantina-belvedere-2026-09.json").read_text())
    assert any("billing.start" in w for w in early["warnings"])
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "november")
    # 4. the pull request's diff: the invoices the branch adds, nothing else
    diff = ok("diff", "main", "--format", "json")
    added = {i["id"] for i in json.loads(diff.stdout)["invoices"]}
    assert {"cantina-belvedere-2026-11", "example-client-2026-11", "interno-2026-11"} <= added
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "november")
    # 5. issue --dry-run: what would be numbered, and why not the rest
    dry = ok("issue", "--date", "2026-12-04", "--dry-run")
    would = [line.split()[2:4] for line in dry.stdout.splitlines() if line.startswith("would issue ")]
    assert would == [["2026/0001", "cantina-belvedere-2026-11"], ["2026/0002", "example-client-2026-11"]]
    assert "internal client" in dry.stderr and "interno-2026-11" in dry.stderr
    assert "held back" in dry.stderr and "cantina-belvedere-2026-09, cantina-belvedere-2026-10" in dry.stderr
    assert not (repo / "issued").exists()
    # 6. issue: exactly what the dry run said
    real = ok("issue", "--date", "2026-12-04")
    assert [line.split()[1:3] for line in real.stdout.splitlines() if line.startswith("issued ")] == would
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "issue November")
    issued = json.loads((repo / "issued" / "2026" / "0002.json").read_text())
    # the accountant's zip: both issued invoices (issued in December) as FatturaPA, the VAT register
    to_send = re.findall(r"build/invoices/(IT\w+_QF00[12]\.xml)", real.stderr)   # `issue` names the files to send
    assert len(to_send) == 2
    ok("export", "2026-12", "--no-pdf", "-j", "1")
    assert all((repo / "build" / "invoices" / name).is_file() for name in to_send)  # the build wrote them
    with zipfile.ZipFile(repo / "build" / "export-2026-12.zip") as z:
        assert len([n for n in z.namelist() if n.startswith("fatturapa/") and n.endswith(".xml")]) == 2
        register = list(csv.DictReader(io.StringIO(z.read("vat-register-2026-12.csv").decode("utf-8"))))
    assert sum(Decimal(r["total"] or 0) for r in register) == sum(
        Decimal(json.loads((repo / "issued" / "2026" / n).read_text())["totals"]["total"]) for n in ("0001.json", "0002.json"))
    # 7. an issued entry turns out wrong (3h billed, 2h worked): check names the remedy
    ledger = repo / "ledger" / "2026" / "11.txt"
    ledger.write_text(ledger.read_text().replace("2026-11-12 3h example-client", "2026-11-12 2h example-client"))
    check = plainbill("check")
    assert check.exit_code == 1 and "[issued-entry-changed]" in check.output
    remedy = '`plainbill credit-note 2026/0002 --reason "..."`'
    assert remedy in check.output
    # 8. the remedy as the hint words it: a dry run, then the credit note
    dry_note = ok("credit-note", "2026/0002", "--reason", "3h billed, 2h worked", "--date", "2026-12-05", "--dry-run")
    assert "would issue credit note NC-2026/0001" in dry_note.stdout and not (repo / "issued" / "NC-2026").exists()
    note = ok("credit-note", "2026/0002", "--reason", "3h billed, 2h worked", "--date", "2026-12-05")
    assert "issued credit note NC-2026/0001" in note.stdout
    # 9. the book checks and builds again; the invoice is as issued, the 2h are billed in December
    ok("check")
    ok("build", "--no-pdf")
    out = repo / "build" / "invoices"
    assert json.loads((out / "example-client-2026-11.json").read_text())["total"] == issued["totals"]["total"]
    credit = json.loads((out / "example-client-NC-2026-0001.json").read_text())
    december = json.loads((out / "example-client-2026-12.json").read_text())
    assert Decimal(credit["total"]) * 2 == Decimal(december["total"]) * 3     # 3h credited, 2h billed again
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "credit note")
    assert git(repo, "status", "--porcelain") == ""

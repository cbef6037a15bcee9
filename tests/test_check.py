"""Cross-record checks and the `plainbill check` command."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill.checks import CHECKS, run_checks
from plainbill.cli import main
from plainbill.load import load_files

ROOT = Path(__file__).parent.parent
BASE = Path(__file__).parent / "errors" / "_base"


def book_files(**extra) -> dict:
    files = {str(p.relative_to(BASE)): p.read_text() for p in BASE.rglob("*") if p.is_file()}
    files.update(extra)
    return files


def check(**extra):
    loaded = load_files(book_files(**extra))
    return loaded.diagnostics + run_checks(loaded.book)


def test_base_book_is_clean():
    assert check() == []


def test_every_check_is_documented():
    for c in CHECKS:
        assert c.doc and c.codes, c.name


def test_unknown_names_reported_once_per_file_with_a_count():
    ledger = "".join(f"2026-11-{d:02d} 1h acne remote @mario x{d}\n" for d in range(1, 6))
    diags = [d for d in check(**{"ledger/a.txt": ledger, "ledger/b.txt": ledger}) if d.code == "unknown-client"]
    assert [(d.ref.path, d.ref.line) for d in diags] == [("ledger/a.txt", 1), ("ledger/b.txt", 1)]
    assert "(and 4 more lines in this file)" in diags[0].message


def test_overlaps_touching_and_past_midnight():
    ledger = ("2026-11-03 10:00-11:00 acme remote @mario a\n"
              "2026-11-03 11:00-12:00 acme remote @mario touching, fine\n"
              "2026-11-03 23:00-01:00+1 acme remote @mario night\n"
              "2026-11-04 00:30-02:00 acme remote @mario overlaps the night\n"
              "2026-11-04 00:30-02:00 acme remote @lucia another person, fine\n")
    diags = [d for d in check(**{"ledger/a.txt": ledger}) if d.code == "overlapping-time"]
    assert [(d.ref.line, d.related[0].line) for d in diags] == [(4, 3)]


def test_overlap_across_files_and_clients():
    diags = check(**{"ledger/a.txt": "2026-11-03 09:00-12:00 acme remote @mario a\n",
                     "ledger/b.yaml": "- {date: 2026-11-03, start: '11:00', end: '11:30', client: acme,"
                                      " activity: onsite, person: mario, description: b}\n"})
    assert [d.code for d in diags] == ["overlapping-time"]


def test_duplicates_ignore_whitespace():
    diags = check(**{"ledger/a.txt": "2026-11-03 1h acme remote @mario a\n",
                     "ledger/b.txt": "2026-11-03\t1h  acme remote @mario a  \n"})
    assert [(d.code, d.ref.path) for d in diags] == [("duplicate-entry", "ledger/b.txt")]


def test_future_entry_against_the_reference_date_else_today(monkeypatch):
    line = {"ledger/a.txt": "2027-01-03 1h acme remote @mario a\n"}
    assert [d.code for d in check(**line)] == ["future-entry"]
    settings = book_files()["plainbill.yaml"].replace("reference_date: 2026-11-30\n", "")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")    # 2027-01-01: the entry is ahead of today
    assert [d.code for d in check(**line, **{"plainbill.yaml": settings})] == ["future-entry"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1799280000")    # 2027-01-07
    assert check(**line, **{"plainbill.yaml": settings}) == []


def test_non_billable_entries_need_no_rate():
    client = "name: Beta\nrates: [{activity: remote, rate: 60.00}]\n"
    ledger = ("2026-11-03 1h beta onsite @mario x #nobill\n2026-11-03 1h beta internal @mario meeting\n"
              "2026-11-04 1h beta onsite @mario x bill=no\n")
    assert check(**{"clients/beta.yaml": client, "ledger/a.txt": ledger}) == []
    diags = check(**{"clients/beta.yaml": client, "ledger/a.txt": "2026-11-03 1h beta internal @mario x #billable\n"})
    assert [d.code for d in diags] == ["rate-missing"]


def test_person_default_rate_and_rate_override_are_rates():
    client = "name: Beta\nrates: [{activity: remote, rate: 60.00}]\n"
    ledger = "2026-11-03 1h beta onsite @mario x rate=50.00\n"
    assert check(**{"clients/beta.yaml": client, "ledger/a.txt": ledger}) == []


def test_contract_without_rates_covers_entries():
    client = ("name: Beta\ncontracts:\n  - {id: r, kind: retainer, from: 2026-01-01, fee: 100.00, included: 2h}\n")
    assert check(**{"clients/beta.yaml": client, "ledger/a.txt": "2026-11-03 1h beta onsite @mario x\n"}) == []
    late = "2027-01-03 1h beta onsite @mario x\n"
    client_ended = client.replace("from: 2026-01-01", "from: 2026-01-01, to: 2026-10-31")
    codes = [d.code for d in check(**{"clients/beta.yaml": client_ended, "ledger/a.txt": late})]
    assert codes == ["future-entry", "outside-contract"]


def test_more_specific_contract_is_not_ambiguous():
    client = ("name: Beta\nrates: [{rate: 50.00}]\ncontracts:\n"
              "  - {id: all, kind: hourly, from: 2026-01-01}\n"
              "  - {id: remote, kind: hourly, from: 2026-01-01, to: 2026-12-31, activities: [remote]}\n"
              "  - {id: later, kind: hourly, from: 2027-01-01, activities: [remote]}\n")
    assert check(**{"clients/beta.yaml": client}) == []


def test_decimals_follow_the_currency():
    client = "name: Beta\ncurrency: JPY\nrates: [{rate: 5000.1234}]\ncontracts:\n" \
             "  - {id: f, kind: fixed, from: 2026-01-01, milestones: [{date: 2026-02-01, amount: 100.5}]}\n"
    diags = check(**{"clients/beta.yaml": client, "ledger/a.txt": "2026-11-03 expense beta @mario 1200 taxi\n"})
    assert [(d.code, d.ref.line) for d in diags] == [("too-many-decimals", 5)]


def test_names_inside_client_files():
    client = ("name: Beta\ntax: vat10\nrates:\n  - {activity: remot, rate: 60.00}\n  - {person: maria, rate: 1.00}\n"
              "contracts:\n  - {id: c, kind: hourly, from: 2026-01-01, projects: [web]}\n")
    codes = sorted(d.code for d in check(**{"clients/beta.yaml": client}))
    assert codes == ["unknown-activity", "unknown-person", "unknown-project", "unknown-tax-code"]


# ---------------------------------------------------------------- the command


def write_book(tmp_path: Path, **extra) -> Path:
    for rel, text in book_files(**extra).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def run(*args, env=None):
    return CliRunner().invoke(main, ["check", "--book", *map(str, args)], env=env or {"GITHUB_ACTIONS": ""})


@pytest.mark.parametrize("book", [ROOT, ROOT / "examples" / "freelance"])
def test_example_books_are_clean(book):
    result = run(book)
    assert result.exit_code == 0, result.output


def test_exit_codes_and_formats(tmp_path):
    book = write_book(tmp_path, **{"ledger/a.txt": "2026-11-03 1h acme remote @mario a\n2026-11-03 1h acme remote @mario a\n"})
    assert run(book).exit_code == 0                     # a warning only
    assert run(book, "--strict").exit_code == 1
    out = run(book, "--format", "json")
    assert json.loads(out.stdout)[0]["code"] == "duplicate-entry"
    gh = run(book, "--format", "github").output
    assert gh.startswith("::warning file=ledger/a.txt,line=2,col=1,title=duplicate-entry::")
    assert run(book, env={"GITHUB_ACTIONS": "true"}).output.startswith("::warning ")
    (book / "ledger" / "b.txt").write_text("2026-11-03 1h acme remote mario\n")
    result = run(book)
    assert result.exit_code == 1 and "ledger/b.txt:1:27: error:" in result.output
    assert "\n" + " " * 30 + "^\n" in result.output   # the caret under `mario`
    assert run(tmp_path / "nowhere").exit_code == 2

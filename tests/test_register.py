"""The register: numbering, record files, consistency checks, frozen invoices, credit notes."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest

from plainbill.model import Numbering, Party, Settings
from plainbill.register import load_register, path_for, register_from_files, verify_issued
from plainbill.register.credit import plan_credit_note
from plainbill.register.issue import numbered, plan_issue, select_drafts
from plainbill.register.journal import commit
from plainbill.register.numbering import format_number
from plainbill.register.records import lock_path
from plainbill.register.records import invoice_from_dict, parse_record
from plainbill.register.store import Register
from registerkit import book, entry, invoice

NOV = [entry("2026-11-03 1h acme remote @mario Printer", line=1),
       entry("2026-11-04 1h acme remote @mario VPN", line=2)]


def register_files(recs) -> dict[str, str]:
    """What `issue` writes for these records: each record, and each invoice's draft lock."""
    files = {r.ref.path: r.to_json() for r in recs}
    files.update({lock_path(r.draft): r.number + "\n" for r in recs if r.series == "invoice"})
    return files


def codes(diags):
    return sorted(d.code for d in diags)


def issue(register, bk, invoices, on=date(2026, 12, 1)):
    chosen, _ = select_drafts(invoices, on)
    records, diags = plan_issue(bk, register, chosen, on)
    assert not diags, diags
    return Register([*register.records.values(), *records]), records


def test_path_is_derived_from_number():
    assert path_for("2026/0042") == "issued/2026/0042.json"
    assert path_for("NC-2026/0001") == "issued/NC-2026/0001.json"
    assert path_for("../x y") == "issued/__/x_y.json"


def test_format_number():
    assert format_number("{year}/{seq:04d}", "invoice", 2026, 42) == "2026/0042"
    assert format_number("FT{series}-{year}-{seq}", "invoice", 2026, 7) == "FTinvoice-2026-7"
    with pytest.raises(ValueError):
        format_number("{year}/{nope}", "invoice", 2026, 1)


def test_issue_numbers_records_and_roundtrips(tmp_path):
    bk = book(NOV)
    reg, records = issue(Register(), bk, [invoice("acme", 11, NOV)])
    (r,) = records
    assert (r.number, r.seq, r.year, r.due_date) == ("2026/0001", 1, 2026, date(2026, 12, 31))
    assert {e.ref for e in r.entries} == {"ledger/2026/11.txt:1", "ledger/2026/11.txt:2"}
    files = [(r.ref.path, r.to_json()), (lock_path(r.draft), r.number + "\n")]
    commit(tmp_path, files, "issue")
    with pytest.raises(FileExistsError):
        commit(tmp_path, files, "issue")
    assert sorted(p.name for p in (tmp_path / "issued").rglob("*")) == ["0001.json", "2026", "acme-2026-11.txt",
                                                                        "drafts"]   # no journal, no temp file
    loaded, diags = load_register(tmp_path)
    assert diags == [] and loaded.get("2026/0001") == r
    assert loaded.issued_fingerprints() == {"acme-2026-11": frozenset(e.fingerprint for e in NOV)}
    (applied,) = loaded.apply([invoice("acme", 11, NOV)])
    assert (applied.number, applied.issue_date) == ("2026/0001", date(2026, 12, 1))
    assert list(tmp_path.glob("issued/2026/.*")) == []   # no temporary file left


def test_numbers_continue_and_restart_each_year():
    bk = book(NOV, clients=("acme", "beta"))
    reg, _ = issue(Register(), bk, [invoice("acme", 11, NOV)])
    reg, recs = issue(reg, bk, [invoice("beta", 11, []), invoice("acme", 12, [])], on=date(2027, 1, 5))
    assert [r.number for r in recs] == ["2027/0001", "2027/0002"]
    reg2, recs = issue(reg, bk, [invoice("beta", 1, [], year=2027)], on=date(2027, 2, 1))
    assert recs[0].number == "2027/0003"


def test_issue_date_cannot_go_back():
    bk = book(NOV, clients=("acme", "beta"))
    reg, _ = issue(Register(), bk, [invoice("acme", 11, NOV)], on=date(2026, 12, 10))
    _, diags = plan_issue(bk, reg, [invoice("beta", 11, [])], date(2026, 12, 9))
    assert codes(diags) == ["issue-date-order"]


def test_bad_numbering_format_is_a_diagnostic():
    settings = Settings(issuer=Party("x"), numbering=Numbering(invoice="{year}"))
    _, diags = plan_issue(book(NOV, settings=settings), Register(), [invoice("acme", 11, NOV)], date(2026, 12, 1))
    assert codes(diags) == ["numbering-format"]


def test_register_problems():
    bk = book(NOV, clients=("acme", "beta", "gamma"))
    reg, recs = issue(Register(), bk, [invoice("acme", 11, NOV), invoice("beta", 11, []), invoice("gamma", 11, [])])
    files = register_files(recs)
    del files["issued/2026/0002.json"], files[lock_path("beta-2026-11")]
    files["issued/2026/0009.json"] = "{not json"
    _, diags = register_from_files(files)
    assert codes(diags) == ["issued-number-gap", "issued-record-invalid"]
    twice = json.loads(files["issued/2026/0003.json"])
    twice.update(number="2026/0004", seq=4, draft="acme-2026-11", issue_date="2026-11-30")
    files = {**register_files(recs), "issued/2026/0004.json": json.dumps(twice)}
    _, diags = register_from_files(files)
    assert codes(diags) == ["issued-date-order", "issued-draft-twice"]
    files = {"issued/elsewhere.json": recs[0].to_json(), lock_path(recs[0].draft): recs[0].number + "\n"}
    assert codes(register_from_files(files)[1]) == ["issued-record-misplaced"]
    assert codes(register_from_files({recs[0].ref.path: recs[0].to_json()})[1]) == ["issued-draft-lock"]


def test_frozen_entry_changed_and_removed():
    bk = book(NOV)
    reg, (r,) = issue(Register(), bk, [invoice("acme", 11, NOV)])
    assert verify_issued(reg, [invoice("acme", 11, NOV)], bk) == []
    edited = entry("2026-11-04 2h acme remote @mario VPN", line=2)
    # the engine recomputes the issued invoice without the edited entry (it is late now)
    diags = verify_issued(reg, [invoice("acme", 11, NOV[:1])], book([NOV[0], edited]))
    (d,) = diags
    assert d.code == "issued-entry-changed" and str(d.ref) == "ledger/2026/11.txt:2:1"
    assert "2026/0001" in d.message and "1h acme remote @mario VPN" in d.message
    assert "credit-note" in d.hint
    diags = verify_issued(reg, [invoice("acme", 11, NOV[:1])], book(NOV[:1]))
    assert codes(diags) == ["issued-entry-removed"] and diags[0].ref.line == 2


def test_frozen_rate_change_names_lines():
    bk = book(NOV)
    reg, _ = issue(Register(), bk, [invoice("acme", 11, NOV)])
    (d,) = verify_issued(reg, [invoice("acme", 11, NOV, rate="60.00")], bk)
    assert d.code == "issued-invoice-changed"
    assert "122.00 -> 146.40" in d.message and "time/0: 50.00 -> 60.00" in d.message


def test_moved_lines_do_not_unfreeze():
    bk = book(NOV)
    reg, _ = issue(Register(), bk, [invoice("acme", 11, NOV)])
    moved = [entry(e.text, line=e.ref.line + 5) for e in NOV]
    assert verify_issued(reg, [invoice("acme", 11, moved)], book(moved)) == []


def test_filtered_out_invoice_is_not_an_error():
    bk = book(NOV)
    reg, _ = issue(Register(), bk, [invoice("acme", 11, NOV)])
    assert verify_issued(reg, [], bk) == []


def test_credit_notes_full_and_partial():
    bk = book(NOV)
    reg, (r,) = issue(Register(), bk, [invoice("acme", 11, NOV)])
    original = numbered(invoice("acme", 11, NOV), r)
    rec, diags = plan_credit_note(bk, reg, original, ("time/0=20.00",), "discount", date(2026, 12, 5))
    assert diags == []
    assert (rec.number, rec.series, rec.references) == ("NC-2026/0001", "credit-note", ("2026/0001",))
    cn = invoice_from_dict(rec.invoice)
    assert (cn.kind, cn.subtotal, cn.tax_total, cn.total) == ("credit-note", Decimal("20.00"),
                                                             Decimal("4.40"), Decimal("24.40"))
    assert "discount" in cn.notes[0]
    assert parse_record(rec.to_json(), rec.ref.path) == rec
    reg = Register([*reg.records.values(), rec])
    assert [i.kind for i in reg.apply([original])] == ["invoice", "credit-note"]
    rec2, diags = plan_credit_note(bk, reg, original, ("time/0=30.01",), "more", date(2026, 12, 5))
    assert codes(diags) == ["credit-note-amount"]
    rec2, diags = plan_credit_note(bk, reg, original, (), "cancel", date(2026, 12, 6))
    assert rec2.number == "NC-2026/0002" and dict(rec2.totals)["subtotal"] == "80.00"
    _, diags = plan_credit_note(bk, reg, original, ("nope",), "x", date(2026, 11, 1))
    assert codes(diags) == ["credit-note-date", "credit-note-line", "issue-date-order"]


def test_draft_locks_and_over_crediting():
    from dataclasses import replace as dc_replace

    from plainbill.register.records import lock_path

    bk = book(NOV)
    reg, (r,) = issue(Register(), bk, [invoice("acme", 11, NOV)])
    files = {r.ref.path: r.to_json(), lock_path(r.draft): "2026/0001\n"}
    assert register_from_files(files)[1] == []
    files[lock_path(r.draft)] = "2026/0007\n"
    files[lock_path("beta-2026-11")] = "2026/0002\n"
    assert codes(register_from_files(files)[1]) == ["issued-draft-lock", "issued-draft-lock"]
    original = numbered(invoice("acme", 11, NOV), r)
    full, _ = plan_credit_note(bk, reg, original, (), "cancel", date(2026, 12, 5))
    twin = dc_replace(full, number="NC-2027/0001", year=2027, seq=1, issue_date=date(2027, 1, 2))
    files = {**register_files([r, full, twin])}
    assert codes(register_from_files(files)[1]) == ["credit-note-exceeds"]


def test_a_write_that_fails_half_way_leaves_the_old_register(tmp_path, monkeypatch):
    """Disk full after two files: what was written is rolled back, the journal removed."""
    from plainbill.register import journal

    bk = book(NOV, clients=("acme", "beta"))
    _, recs = issue(Register(), bk, [invoice("acme", 11, NOV), invoice("beta", 11, [])])
    files = sorted(register_files(recs).items())
    real, calls = journal._create, []

    def create(target, data):
        calls.append(target)
        if len(calls) == 4:   # the journal, then three of the four files
            raise OSError(28, "No space left on device")
        real(target, data)

    monkeypatch.setattr(journal, "_create", create)
    with pytest.raises(OSError):
        commit(tmp_path, files, "issue")
    assert [p for p in (tmp_path / "issued").rglob("*") if p.is_file()] == []
    monkeypatch.setattr(journal, "_create", real)
    commit(tmp_path, files, "issue")
    loaded, diags = load_register(tmp_path)
    assert diags == [] and sorted(loaded.records) == ["2026/0001", "2026/0002"]


def test_rollback_deletes_only_what_the_journal_wrote(tmp_path):
    from plainbill.register.journal import JOURNAL, rollback

    (tmp_path / "issued/2026").mkdir(parents=True)
    (tmp_path / "issued/2026/0001.json").write_text("mine\n")
    (tmp_path / "issued/2026/0002.json").write_text("changed since\n")
    (tmp_path / "issued/2026/.0003.json.77.tmp").write_text("half")
    digest = hashlib.sha256
    (tmp_path / JOURNAL).write_text(json.dumps({"plainbill_journal": 1, "command": "issue", "files": [
        {"path": "issued/2026/0001.json", "sha256": digest(b"mine\n").hexdigest()},
        {"path": "issued/2026/0002.json", "sha256": digest(b"what was written\n").hexdigest()}]}))
    assert rollback(tmp_path) == ["issued/2026/0001.json", "issued/2026/.0003.json.77.tmp"]
    assert sorted(p.name for p in (tmp_path / "issued").rglob("*")) == ["0002.json", "2026"]

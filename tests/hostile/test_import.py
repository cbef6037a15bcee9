"""Hostile exports and mapping files for `plainbill import`.

Each case: a located `file:line:col` message where the problem has a place, exit 1 for a
problem of an export or of the book, 2 for usage and I/O (no book, no file, not UTF-8),
no traceback, and nothing written: no source file of the book changes.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hostile_kit import copy_book, hostile

DATA = Path(__file__).resolve().parents[1] / "importers" / "data"
TOGGL_HEAD = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags\n"
TOGGL_ROW = "Zoë Müller,zoe@example.it,Ñoño S.r.l.,Sito web,Sviluppo,Layout,Yes,2026-11-03,09:00:00,2026-11-03,10:30:00,01:30:00,\n"


@pytest.fixture
def book(tmp_path) -> Path:
    return copy_book(tmp_path, DATA / "book")


def export(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_a_csv_without_the_tools_columns(book, tmp_path):
    f = export(tmp_path, "wrong.csv", "Data,Ore,Note\n2026-11-03,1.5,x\n")
    out = hostile(book, "import", "toggl", f, "--book", book, code=1, located=str(f)).output
    assert "[import-file]" in out and "not a Toggl Track export" in out and "`Start date`" in out


def test_a_harvest_file_given_as_kimai(book):
    f = DATA / "harvest-2026-11.csv"
    out = hostile(book, "import", "kimai", f, "--book", book, code=1, located=str(f)).output
    assert "not a Kimai export" in out


def test_an_impossible_date_is_located_at_its_cell(book, tmp_path):
    f = export(tmp_path, "t.csv", TOGGL_HEAD + TOGGL_ROW.replace("2026-11-03,09", "2026-02-30,09"))
    out = hostile(book, "import", "toggl", f, "--book", book, code=1).output
    col = TOGGL_ROW.index("2026-11-03") + 1
    assert f"{f}:2:{col}: error: `2026-02-30` is not a real date [import-value]" in out


def test_a_bad_duration_and_a_bad_time_are_both_reported(book, tmp_path):
    rows = TOGGL_ROW.replace("01:30:00", "1h30") + TOGGL_ROW.replace("09:00:00", "9h")
    f = export(tmp_path, "t.csv", TOGGL_HEAD + rows)
    out = hostile(book, "import", "toggl", f, "--book", book, code=1).output
    assert f"{f}:2:" in out and "`1h30` is not a duration" in out
    assert f"{f}:3:" in out and "`9h` is not a time of day" in out


def test_a_billable_flag_that_is_not_yes_or_no(book, tmp_path):
    f = export(tmp_path, "t.csv", TOGGL_HEAD + TOGGL_ROW.replace(",Yes,", ",Maybe,"))
    out = hostile(book, "import", "toggl", f, "--book", book, code=1, located=str(f)).output
    assert "`Maybe` is not a yes/no billable flag" in out


def test_an_unclosed_quote(book, tmp_path):
    f = export(tmp_path, "t.csv", TOGGL_HEAD + TOGGL_ROW.replace("Layout", '"Layout'))
    hostile(book, "import", "toggl", f, "--book", book, code=1, located=str(f))


def test_an_empty_export(book, tmp_path):
    f = export(tmp_path, "t.csv", "")
    out = hostile(book, "import", "clockify", f, "--book", book, code=1, located=str(f)).output
    assert "the export is empty" in out


def test_json_that_is_not_json(book, tmp_path):
    f = export(tmp_path, "t.json", '[\n{"id": 1, "start": "20261103T083000Z",\n')
    out = hostile(book, "import", "timewarrior", f, "--book", book, code=1).output
    assert f"{f}:3:1: error: not JSON" in out


def test_json_that_is_not_a_list(book, tmp_path):
    f = export(tmp_path, "t.json", '{"frames": []}')
    out = hostile(book, "import", "watson", f, "--book", book, code=1, located=str(f)).output
    assert "a Watson export is a JSON list" in out


def test_a_running_timewarrior_interval(book, tmp_path):
    f = export(tmp_path, "t.json", '[\n{"id":2,"start":"20261103T083000Z","end":"20261103T100000Z","tags":["acme"]},\n'
                                   '{"id":1,"start":"20261103T120000Z","tags":["acme"]}\n]\n')
    out = hostile(book, "import", "timewarrior", f, "--book", book, code=1).output
    assert f"{f}:3:1: error: the interval is still running" in out and "timew stop" in out


def test_a_watson_frame_without_an_offset_or_with_a_bad_time(book, tmp_path):
    f = export(tmp_path, "t.json", '[{"id":"a1","project":"acme","start":"2026-11-03T09:00:00",'
                                   '"stop":"2026-11-03T10:00:00+01:00","tags":[]},\n'
                                   '{"id":"a2","project":"acme","start":"yesterday","stop":"x","tags":[]}]')
    out = hostile(book, "import", "watson", f, "--book", book, code=1).output
    assert f"{f}:1:1:" in out and "has no offset from UTC" in out
    assert f"{f}:2:1:" in out and "`yesterday` is not a time" in out


def test_an_entry_over_24_hours(book, tmp_path):
    f = export(tmp_path, "t.csv", TOGGL_HEAD + TOGGL_ROW.replace("01:30:00,", "30:00:00,"))
    out = hostile(book, "import", "toggl", f, "--book", book, code=1, located=str(f)).output
    assert "more than 24 hours" in out


def test_an_entry_that_ends_before_it_starts(book, tmp_path):
    row = TOGGL_ROW.replace("2026-11-03,10:30:00,01:30:00", "2026-11-02,10:30:00,")
    f = export(tmp_path, "t.csv", TOGGL_HEAD + row)
    out = hostile(book, "import", "toggl", f, "--book", book, code=1, located=str(f)).output
    assert "ends before it starts" in out


def test_unmapped_names_write_nothing(book, tmp_path):
    f = export(tmp_path, "t.csv", TOGGL_HEAD + TOGGL_ROW.replace("Zoë Müller,zoe@", "Zoe Muller,zm@"))
    out = hostile(book, "import", "toggl", f, "--book", book, code=1, located=str(f)).output
    assert "user `Zoe Muller` is not mapped" in out and "maps `Zoë Müller`" in out   # a typo?


def test_a_broken_mapping_file_is_located(book, tmp_path):
    (book / "imports" / "toggl.yaml").write_text("people:\n  Zoë Müller: [zoe\n", encoding="utf-8")
    f = export(tmp_path, "t.csv", TOGGL_HEAD + TOGGL_ROW)
    out = hostile(book, "import", "toggl", f, "--book", book, code=1, located="imports/toggl.yaml").output
    assert "[yaml-syntax]" in out


def test_a_mapping_to_an_unknown_person(book, tmp_path):
    (book / "imports" / "toggl.yaml").write_text("people:\n  Zoë Müller: zoey\n", encoding="utf-8")
    f = export(tmp_path, "t.csv", TOGGL_HEAD + TOGGL_ROW)
    out = hostile(book, "import", "toggl", f, "--book", book, code=1).output
    assert "imports/toggl.yaml:2:15: error: unknown person `zoey` [unknown-person]" in out
    assert "did you mean `zoe`?" in out


def test_a_mapping_file_that_links_out_of_the_book(book, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("people: {hunter2: zoe}\n", encoding="utf-8")
    (book / "imports" / "toggl.yaml").unlink()
    os.symlink(secret, book / "imports" / "toggl.yaml")
    f = export(tmp_path, "t.csv", TOGGL_HEAD + TOGGL_ROW)
    out = hostile(book, "import", "toggl", f, "--book", book, code=1).output
    assert "hunter2" not in out


def test_an_export_that_is_not_utf8_is_a_usage_error(book, tmp_path):
    f = export(tmp_path, "t.csv", (TOGGL_HEAD + TOGGL_ROW).encode("utf-8").replace("Ñoño".encode(), b"\xd1o\xf1o"))
    out = hostile(book, "import", "toggl", f, "--book", book, code=2).output
    assert "not UTF-8" in out and "iconv" in out


def test_no_such_export_and_a_folder(book, tmp_path):
    hostile(book, "import", "toggl", tmp_path / "missing.csv", "--book", book, code=2)
    hostile(book, "import", "toggl", tmp_path, "--book", book, code=2)


def test_unknown_format_and_no_book(book, tmp_path):
    f = export(tmp_path, "t.csv", TOGGL_HEAD + TOGGL_ROW)
    out = hostile(book, "import", "togl", f, "--book", book, code=2).output
    assert "toggl" in out
    hostile(book, "import", "toggl", f, "--book", tmp_path / "nobook", code=2)


def test_a_ledger_folder_that_cannot_be_written(book, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    (book / "ledger").chmod(0o555)
    try:
        f = export(tmp_path, "t.csv", TOGGL_HEAD + TOGGL_ROW)
        hostile(book, "import", "toggl", f, "--book", book, code=2)
    finally:
        (book / "ledger").chmod(0o755)


def test_formula_and_control_characters_in_a_description(book, tmp_path):
    row = TOGGL_ROW.replace("Layout", '"=HYPERLINK(""x"") \x1b[31m a=b // #1"')
    f = export(tmp_path, "t.csv", TOGGL_HEAD + row)
    result = hostile(book, "import", "toggl", f, "--book", book, "--dry-run", code=0)
    line = result.stdout.splitlines()[1]
    assert "\x1b" not in line and " #1" not in line and " a=b" not in line and " // " not in line


def test_a_second_import_at_the_same_time_exits_at_once(book, tmp_path):
    from plainbill.importers.ledgerout import import_lock

    f = export(tmp_path, "t.csv", TOGGL_HEAD + TOGGL_ROW)
    with import_lock(book):
        out = hostile(book, "import", "toggl", f, "--book", book, code=2).output
    assert "another `plainbill import`" in out
    assert not (book / "ledger" / ".import.lock").exists()
    hostile(book, "import", "toggl", f, "--book", book, "--dry-run", code=0)

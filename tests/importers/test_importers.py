"""plainbill import, tool by tool, on export files written from each tool's documented
columns (tests/importers/data/), into a small book with non-ASCII names
(tests/importers/data/book/): the lines it writes, that they check and bill, that the
imported hours equal the export's own totals, and that importing again adds nothing."""
from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from plainbill.cli import main

DATA = Path(__file__).parent / "data"


@pytest.fixture
def book(tmp_path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(DATA / "book", root)
    return root


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], env={"GITHUB_ACTIONS": ""})
    assert "Traceback" not in result.output, result.output
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def imported(book: Path, tool: str, *files: str, code: int = 0):
    args = [a if a.startswith("--") else DATA / a for a in files]
    result = run("import", tool, *args, "--book", book)
    assert result.exit_code == code, result.output
    return result


def ledger(book: Path) -> dict[str, str]:
    folder = book / "ledger" / "import"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))} if folder.exists() else {}


def entries(book: Path):
    from plainbill.load import load_book
    return [e for e in load_book(book).book.entries if e.get("import")]


def check_passes(book: Path):
    result = run("check", "--book", book)
    assert result.exit_code == 0, result.output
    assert ": error:" not in result.output and "warning" not in result.output, result.output


# ---------------------------------------------------------------- the export's own totals


def csv_total_minutes(name: str, column: str, delimiter: str = ",") -> Decimal:
    """The export's total, summed the way a spreadsheet would: H:MM[:SS] or decimal hours."""
    total = Decimal(0)
    with open(DATA / name, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter=delimiter):
            text = row[column]
            if ":" in text:
                parts = [int(p) for p in text.split(":")] + [0]
                total += parts[0] * 60 + parts[1] + Decimal(parts[2]) / 60
            else:
                total += Decimal(text.replace(",", ".")) * 60
    return total


def json_total_minutes(name: str, start: str, end: str, parse) -> Decimal:
    total = Decimal(0)
    for item in json.loads((DATA / name).read_text(encoding="utf-8")):
        total += Decimal(int((parse(item[end]) - parse(item[start])).total_seconds())) / 60
    return total


def timew_time(text):
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ")


CASES = {   # tool: (files, the export's total in minutes, imported minutes: entries under half a minute are skipped)
    "toggl": (("toggl-2026-11.csv",), lambda: csv_total_minutes("toggl-2026-11.csv", "Duration")),
    "clockify": (("clockify-2026-11.csv",), lambda: csv_total_minutes("clockify-2026-11.csv", "Duration (decimal)", ";")),
    "harvest": (("harvest-2026-11.csv",), lambda: csv_total_minutes("harvest-2026-11.csv", "Hours")),
    "kimai": (("kimai-2026-11.csv",), lambda: csv_total_minutes("kimai-2026-11.csv", "Duration")),
    "timewarrior": (("timewarrior-2026.json",),
                    lambda: json_total_minutes("timewarrior-2026.json", "start", "end", timew_time)),
    "watson": (("watson-2026-11.json",),
               lambda: json_total_minutes("watson-2026-11.json", "start", "stop", datetime.fromisoformat)),
}


@pytest.mark.parametrize("tool", sorted(CASES))
def test_round_trip_hours_equal_the_export_and_reimport_adds_nothing(book, tool):
    files, total = CASES[tool]
    imported(book, tool, *files)
    check_passes(book)
    got = sum(e.minutes for e in entries(book))
    expected = total()
    assert abs(got - expected) < 1, (got, expected)   # whole minutes; the export's sub-minute rest < 1
    before = ledger(book)
    again = imported(book, tool, *files)
    assert "0 entries imported" in again.output and "already in the ledger" in again.output, again.output
    assert ledger(book) == before


@pytest.mark.parametrize("tool", sorted(CASES))
def test_dry_run_prints_the_lines_and_writes_nothing(book, tool):
    files, _ = CASES[tool]
    result = imported(book, tool, *files, "--dry-run")
    assert not (book / "ledger" / "import").exists()
    printed = [l for l in result.stdout.splitlines() if not l.startswith("#")]
    assert printed and all(" import=" + tool + ":" in l for l in printed)
    imported(book, tool, *files)
    written = [l for text in ledger(book).values() for l in text.splitlines() if not l.startswith("#")]
    assert sorted(printed) == sorted(written)


def test_toggl_lines(book):
    imported(book, "toggl", "toggl-2026-11.csv")
    text = ledger(book)["toggl-2026-11.txt"]
    assert text.startswith("# Imported with `plainbill import toggl`")
    lines = text.splitlines()[1:]
    assert lines[0].startswith("2026-11-03 09:00-10:30 nono/sito dev @zoe Homepage: layout responsive import=toggl:")
    # a `#12` of a description stays a word, not a tag; a tag mapped to ~ is dropped
    assert "Form contatti, validazione \uff0312 import=" in lines[1]
    # matched by e-mail; a tag kept; an empty task takes the mapping's default activity
    assert lines[3].startswith("2026-11-05 23:00-01:30+1 acme remote @mario Ripristino dopo blackout #T-1042 ")
    assert "#nobill" in lines[4]   # Billable: No


def test_toggl_bills_correctly(book):
    from plainbill.pipeline import compute_book

    imported(book, "toggl", "toggl-2026-11.csv")
    computed = compute_book(book, period="2026-11", client="nono")
    [invoice] = computed.invoices
    # 1 h 30 m + 2 h 15 m of dev at 70.00
    assert invoice.subtotal == Decimal("262.50"), invoice.subtotal


def test_clockify_day_first_dates_12_hour_times_and_decimal_commas(book):
    imported(book, "clockify", "clockify-2026-11.csv")
    lines = ledger(book)["clockify-2026-11.txt"].splitlines()[1:]
    assert lines[1].startswith("2026-11-17 14:00-16:45 nono/sito dev @zoe Test su Safari ")   # 17/11, 2,75 h
    assert lines[3].startswith("2026-11-19 17:30-18:00 acme remote @mario Riunione interna #nobill ")


def test_clockify_ambiguous_dates_need_a_date_format(book, tmp_path):
    export = tmp_path / "clockify.csv"
    rows = (DATA / "clockify-2026-11.csv").read_text(encoding="utf-8").splitlines()
    export.write_text("\n".join(rows[:2]) + "\n", encoding="utf-8")   # 03/11/2026 only: 3 Nov or 11 Mar?
    result = run("import", "clockify", export, "--book", book)
    assert result.exit_code == 1 and "[import-value]" in result.output and "date_format" in result.output
    assert f"{export}:2:" in result.output
    mapping = book / "imports" / "clockify.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + "date_format: MM/DD/YYYY\n", encoding="utf-8")
    result = run("import", "clockify", export, "--book", book, "--dry-run")
    assert result.exit_code == 0 and result.stdout.splitlines()[1].startswith("2026-03-11 "), result.output


def test_harvest_durations_alone_and_multi_line_notes(book):
    imported(book, "harvest", "harvest-2026-11.csv")
    lines = ledger(book)["harvest-2026-11.txt"].splitlines()[1:]
    assert lines[0].startswith("2026-11-09 3h30m nono/sito dev @zoe Pagina prodotti: griglia e filtri ")
    # two alike rows of one day are two entries, each with its own id
    assert [l.split()[1] for l in lines[1:3]] == ["1h15m", "45m"]
    assert len({l.rsplit("import=", 1)[1] for l in lines}) == 4
    assert lines[3].startswith("2026-11-11 2h acme internal @mario Corso sicurezza #nobill")


def test_kimai_past_midnight_and_german_headers(book, tmp_path):
    imported(book, "kimai", "kimai-2026-11.csv")
    lines = ledger(book)["kimai-2026-11.txt"].splitlines()[1:]
    assert lines[1].startswith("2026-11-12 22:00-01:15+1 acme remote @mario Migrazione notturna posta #afterhours ")
    german = tmp_path / "kimai-de.csv"
    german.write_text("Datum;Von;Bis;Dauer;Benutzer;Kunde;Projekt;Tätigkeit;Beschreibung;Abrechenbar\n"
                      "14.11.2026;10:00;11:30;1:30;zoe;Ñoño S.r.l.;Sito web;Sviluppo;Übersetzung;Ja\n",
                      encoding="utf-8")
    result = run("import", "kimai", german, "--book", book, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2026-11-14 10:00-11:30 nono/sito dev @zoe Übersetzung import=kimai:" in result.stdout


def test_timewarrior_utc_to_the_books_time_zone(book):
    result = imported(book, "timewarrior", "timewarrior-2026.json")
    files = ledger(book)
    october = files["timewarrior-2026-10.txt"].splitlines()[1:]
    november = files["timewarrior-2026-11.txt"].splitlines()[1:]
    assert october[0].startswith("2026-10-20 09:00-10:30 nono/sito dev @zoe ")   # UTC+2 in October
    assert november[0].startswith("2026-11-03 09:30-11:00 nono/sito dev @zoe Carrello: calcolo spedizioni #T-7 ")
    assert november[1].startswith("2026-11-05 23:30-01:00+1 acme remote @zoe ")   # UTC+1, past midnight
    assert november[2].startswith("2026-11-06 14:00-14:15 acme remote @zoe acme support interno #nobill ")
    assert "import-skipped" in result.output   # the 10-second interval


def test_timewarrior_time_zone_of_the_mapping_file(book):
    mapping = book / "imports" / "timewarrior.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + "timezone: America/New_York\n", encoding="utf-8")
    result = imported(book, "timewarrior", "timewarrior-2026.json", "--dry-run")
    assert "2026-11-03 03:30-05:00 nono/sito dev @zoe " in result.stdout


def test_watson_offsets(book):
    imported(book, "watson", "watson-2026-11.json")
    lines = ledger(book)["watson-2026-11.txt"].splitlines()[1:]
    assert lines[0].startswith("2026-11-16 09:30-11:00 acme remote @mario ")
    assert lines[1].startswith("2026-11-17 13:00-14:45 nono/sito dev @mario nono-sito #T-9 ")   # +02:00 -> Rome
    assert lines[2].startswith("2026-11-18 23:45-01:15+1 acme remote @mario Backup fallito, riavvio NAS #afterhours ")


# ---------------------------------------------------------------- overlaps and changes


def test_overlapping_exports_add_each_entry_once(book, tmp_path):
    rows = (DATA / "toggl-2026-11.csv").read_text(encoding="utf-8").splitlines()
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("\n".join(rows[:4]) + "\n", encoding="utf-8")           # entries 1-3
    second.write_text("\n".join([rows[0]] + rows[2:]) + "\n", encoding="utf-8")   # entries 2-5
    assert "3 entries imported" in run("import", "toggl", first, "--book", book).output
    result = run("import", "toggl", second, "--book", book)
    assert "2 entries imported, 2 already in the ledger" in result.output, result.output
    assert len(entries(book)) == 5
    # both at once: the overlap is counted once
    again = run("import", "toggl", first, second, "--book", book)
    assert "0 entries imported" in again.output


def test_a_changed_entry_is_reported_not_duplicated(book, tmp_path):
    imported(book, "toggl", "toggl-2026-11.csv")
    before = ledger(book)
    edited = tmp_path / "toggl.csv"
    edited.write_text((DATA / "toggl-2026-11.csv").read_text(encoding="utf-8")
                      .replace("Homepage: layout responsive", "Homepage: layout responsive e dark mode"),
                      encoding="utf-8")
    result = run("import", "toggl", edited, "--book", book)
    assert result.exit_code == 0, result.output
    assert "[import-changed]" in result.output and "dark mode" in result.output
    assert "ledger/import/toggl-2026-11.txt:2:1" in result.output   # where the old line is
    assert ledger(book) == before


def test_appends_to_an_existing_month_file_keeping_what_is_there(book, tmp_path):
    rows = (DATA / "toggl-2026-11.csv").read_text(encoding="utf-8").splitlines()
    part = tmp_path / "a.csv"
    part.write_text("\n".join(rows[:2]) + "\n", encoding="utf-8")
    run("import", "toggl", part, "--book", book)
    path = book / "ledger" / "import" / "toggl-2026-11.txt"
    path.write_text(path.read_text(encoding="utf-8") + "# checked with Zoë\n", encoding="utf-8")
    imported(book, "toggl", "toggl-2026-11.csv")
    text = path.read_text(encoding="utf-8")
    assert "# checked with Zoë\n" in text and len(entries(book)) == 5
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]   # no temporary file left


# ---------------------------------------------------------------- unmapped names


def test_unmapped_names_are_reported_with_suggestions_and_nothing_is_written(book):
    mapping = book / "imports" / "toggl.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("  Zoë Müller: zoe\n", "")
                       .replace("  Sito web: nono/sito\n", ""), encoding="utf-8")
    result = imported(book, "toggl", "toggl-2026-11.csv", code=1)
    out = result.output
    assert "[unmapped-name]" in out
    assert "user `Zoë Müller` is not mapped (2 entries)" in out
    assert "`Zoë Müller: zoe`" in out          # the guess, from the team's names
    assert "project `Sito web` is not mapped" in out and "nono/sito" in out
    assert "toggl-2026-11.csv:2:1" in out      # the User cell of the first row
    assert "nothing imported" in out
    assert not (book / "ledger" / "import").exists()


def test_no_mapping_file_prints_one_to_start_from(book):
    (book / "imports" / "watson.yaml").unlink()
    result = imported(book, "watson", "watson-2026-11.json", code=1)
    assert "add to imports/watson.yaml" in result.output
    assert "projects:\n  acme: acme\n  nono-sito: nono/sito" in result.output


def test_lines_that_would_not_check_are_refused(book, tmp_path):
    (book / "clients" / "nono.yaml").write_text(
        "name: Ñoño S.r.l.\nprojects:\n  sito: {name: Sito web}\n", encoding="utf-8")   # no rate for dev
    result = imported(book, "toggl", "toggl-2026-11.csv", code=1)
    assert "toggl-2026-11.csv:2:1: error: no rate for activity `dev`" in result.output
    assert "[rate-missing]" in result.output and "nothing imported" in result.output
    assert not (book / "ledger" / "import").exists()


def test_mapping_files_are_checked_by_check(book):
    mapping = book / "imports" / "toggl.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("Zoë Müller: zoe", "Zoë Müller: zoë")
                       .replace("Sito web: nono/sito", "Sito web: nono/site")
                       .replace("activity: remote", "activty: remote"), encoding="utf-8")
    result = run("check", book)
    assert result.exit_code == 1
    out = result.output
    assert "imports/toggl.yaml:3:15: error:" in out and "[invalid-slug]" in out
    assert "[unknown-project]" in out and "did you mean `sito`?" in out
    assert "unknown key `activty`" in out
    (book / "imports" / "notes.md").write_text("x", encoding="utf-8")
    assert "[ignored-file]" in run("check", book).output


# ---------------------------------------------------------------- no input makes it crash


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CELLS = st.sampled_from(["", "Zoë Müller", "Ñoño S.r.l.", "Sito web", "Sviluppo", "2026-11-03", "03/11/2026",
                         "13/11/2026", "09:00:00", "25:00", "01:30:00", "1,5", "-1", "Yes", "No", '"', "a,b",
                         "#12", "x=y", "//", "\x00", "2026-11-03T09:00:00+01:00", "10:30 PM", "99999999999"])


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(tool=st.sampled_from(["toggl", "clockify", "harvest", "kimai"]),
       rows=st.lists(st.lists(CELLS, min_size=0, max_size=16), max_size=4))
def test_any_csv_gives_lines_or_located_problems(tool, rows):
    from plainbill.importers import FORMATS, import_files

    header = ",".join(h for names in FORMATS[tool].COLUMNS.values() for h in names[:1])
    text = header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"
    result = import_files(DATA / "book", tool, {"x.csv": text})
    assert all(d.ref.path in ("x.csv", f"imports/{tool}.yaml") or d.ref.path.startswith("ledger/")
               for d in result.diagnostics)


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.sampled_from(
    ["20261103T083000Z", "2026-11-03T09:00:00+01:00", "acme", "dev", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "start", "end", "stop", "project", "tags", "annotation", "note"]), inner, max_size=6),
    max_leaves=12)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(tool=st.sampled_from(["timewarrior", "watson"]), value=JSONISH)
def test_any_json_gives_lines_or_located_problems(tool, value):
    from plainbill.importers import import_files

    result = import_files(DATA / "book", tool, {"x.json": json.dumps(value)})
    assert result.ok or result.diagnostics


def test_the_timezone_setting_is_checked(book):
    settings = book / "plainbill.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("timezone: Europe/Rome", "timezone: Mars/Olympus"),
                        encoding="utf-8")
    result = run("check", book)
    assert result.exit_code == 1
    assert "plainbill.yaml:8:11: error: timezone `Mars/Olympus` is not a time zone plainbill knows" in result.output


def test_a_night_when_the_clocks_change_keeps_the_length(book, tmp_path):
    f = tmp_path / "dst.json"   # 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00 UTC
    f.write_text('[{"id":1,"start":"20261025T003000Z","end":"20261025T023000Z","tags":["acme","support"]}]',
                 encoding="utf-8")
    result = run("import", "timewarrior", f, "--book", book, "--dry-run")
    assert "2026-10-25 02:30-04:30 acme remote @zoe " in result.stdout, result.output

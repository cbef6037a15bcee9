"""The loader: located YAML without YAML 1.1 surprises, the ledger line format, discovery, caching."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from plainbill.diagnostics import SourceRef
from plainbill.load import load_book, load_files
from plainbill.load.source import discover

SETTINGS = """\
issuer: {name: Rete Sicura, address: {postal_code: 0123, country: IT}}
reference_date: 2026-11-30
taxes: {default: vat22, codes: {vat22: {rate: 22%}}}
team:
  mario: {name: Mario Rossi, role: technician, cost_rate: 28.50}
activities:
  remote: {names: {it: Remota}}
  onsite: {names: {it: On-site}, visit: true}
working_hours: {days: [mon, tue], start: 08:30, end: 12:30}
"""
CLIENT = """\
name: Acme
projects: {migration: {name: Migrazione}}
rates:
  - {activity: remote, rate: 85.50}
  - {rate: 60, from: 2026-10-01}
"""


def load(ledger: str = "", client: str = CLIENT, settings: str = SETTINGS, **extra):
    files = {"plainbill.yaml": settings, "clients/acme.yaml": client, **extra}
    if ledger:
        files["ledger/2026/11.txt"] = ledger
    return load_files(files)


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


# ---------------------------------------------------------------- YAML values


def test_yaml_values_mean_what_was_typed():
    r = load()
    s = r.book.settings
    assert r.diagnostics == []
    assert s.working_hours.start == 8 * 60 + 30 and s.working_hours.end == 12 * 60 + 30   # not 750
    assert s.working_hours.days == (0, 1)
    assert s.issuer.address.postal_code == "0123"                # not 83
    assert s.team[0].cost_rate == Decimal("28.50")               # exact, not a float
    assert str(r.book.clients[0].rates[0].rate) == "85.50"
    assert s.tax("vat22").rate == Decimal("0.22")
    assert s.reference_date == date(2026, 11, 30)


def test_yes_no_are_not_booleans():
    r = load(client=CLIENT + "split_payment: no\n")
    d = r.diagnostics[0]
    assert d.code == "invalid-value" and d.ref == SourceRef("clients/acme.yaml", 6, 16)
    assert "true or false" in d.message and "yes/no" in d.hint


def test_duplicate_key_points_at_the_second_and_the_first():
    r = load(client="name: Acme\nname: Acme again\n")
    d = r.diagnostics[0]
    assert d.code == "duplicate-key" and d.ref.line == 2
    assert d.related == (SourceRef("clients/acme.yaml", 1, 1),)
    assert r.book.clients[0].party.name == "Acme"   # the first wins, never silently the last


def test_unknown_key_suggests_the_closest():
    r = load(client=CLIENT + "payment_term: 30\n")
    assert codes(r) == ["unknown-key"]
    assert r.diagnostics[0].hint == "did you mean `payment_terms`?"


def test_contract_key_of_another_kind_names_its_kind():
    client = CLIENT + "contracts:\n  - {id: a, kind: hourly, from: 2026-01-01, fee: 10.00}\n"
    d = load(client=client).diagnostics[0]
    assert d.code == "unknown-key" and "`retainer` contracts" in d.hint


def test_wrong_types_and_missing_keys_are_located():
    r = load(client="name: [Acme]\nrates: {rate: 1}\ncontracts:\n  - {kind: hourly}\n")
    found = {(d.code, d.ref.line) for d in r.diagnostics}
    assert ("wrong-type", 1) in found and ("wrong-type", 2) in found
    assert ("missing-key", 4) in found   # id and from


def test_anchors_aliases_and_merge_keys():
    client = "name: Acme\nrates:\n  - &r {activity: remote, rate: 70.00}\n  - {<<: *r, activity: onsite}\n"
    r = load(client=client)
    assert r.diagnostics == []
    assert [(x.activity, x.rate) for x in r.book.clients[0].rates] == [("remote", Decimal("70.00")),
                                                                        ("onsite", Decimal("70.00"))]


def test_contract_kinds_load():
    client = CLIENT + """\
contracts:
  - id: pack
    kind: block
    from: 2026-01-01
    purchases: [{date: 2026-01-10, hours: 20, price: 1000.00, expires: 2026-12-31}]
    factors: {onsite: 1.5}
    overage: refuse
  - {id: ret, kind: retainer, from: 2026-01-01, to: 2026-06-30, fee: 450.00, included: 6h,
     rollover: {mode: roll, cap: 4h}, projects: [migration]}
"""
    r = load(client=client)
    assert r.diagnostics == []
    block, ret = r.book.clients[0].contracts
    assert block.terms.purchases[0].minutes == 20 * 60 and block.terms.overage == "refuse"
    assert block.terms.factors == (("onsite", Decimal("1.5")),)
    assert ret.terms.included_minutes == 360 and ret.terms.rollover_cap_minutes == 240
    assert ret.valid_to == date(2026, 6, 30)


# ---------------------------------------------------------------- ledger lines


def test_ledger_line_forms():
    ledger = (
        "# comment\n; another\n\n"
        "2026-11-03 09:00-10:30 acme remote @mario Printer  offline #T-1042\n"
        "2026-11-07 22:00-01:30+1 acme remote @mario Restore after ransomware\n"
        "2026-11-03 2h15m acme/migration onsite @mario Cabling rate=70.00 ticket=T-7\n"
        "2026-11-04 1.5h acme remote @mario A\n2026-11-04 1:30 acme remote @mario B #nobill\n"
        "2026-11-06 expense acme @mario 95.00 UPS battery markup=20%\n"
        "2026-11-06 expense acme @mario 120.00 USD Flight change\n"
    )
    r = load(ledger)
    assert r.diagnostics == []
    e = r.book.entries
    assert e[0].minutes == 90 and e[0].start == datetime(2026, 11, 3, 9) and e[0].tags == ("T-1042",)
    assert e[0].description == "Printer offline"
    assert e[0].text == "2026-11-03 09:00-10:30 acme remote @mario Printer offline #T-1042"
    assert e[0].ref == SourceRef("ledger/2026/11.txt", 4, 1)
    assert e[1].minutes == 210 and e[1].end == datetime(2026, 11, 8, 1, 30)   # past midnight
    assert e[1].text == "2026-11-07 22:00-01:30 acme remote @mario Restore after ransomware"   # +1 is no content
    assert e[2].project == "migration" and e[2].get("rate") == "70.00" and e[2].ticket == "T-7"
    assert (e[3].minutes, e[4].minutes, e[4].billable) == (90, 90, False)
    assert e[5].kind == "expense" and e[5].amount == Decimal("95.00") and e[5].description == "UPS battery"
    assert e[6].currency == "USD" and e[6].description == "Flight change"


@pytest.mark.parametrize("line, code, col", [
    ("2026-13-01 1h acme remote @mario x", "invalid-date", 1),
    ("2026-11-01 24:00-25:00 acme remote @mario x", "invalid-time", 12),
    ("2026-11-01 0m acme remote @mario x", "non-positive-duration", 12),
    ("2026-11-01 -30m acme remote @mario x", "non-positive-duration", 12),
    ("2026-11-01 25h acme remote @mario x", "duration-too-long", 12),
    ("2026-11-01 1h acme remote", "ledger-syntax", 26),
    ("2026-11-01 1h acme @mario x", "ledger-syntax", 20),
    ("2026-11-01 1h acme remote @mario rate=abc", "invalid-amount", 34),
    ("2026-11-01 expense acme @mario -5.00 refund", "invalid-amount", 32),
    ("11/01/2026 1h acme remote @mario x", "ledger-syntax", 1),
])
def test_ledger_errors_are_located(line, code, col):
    r = load(line + "\n2026-11-02 1h acme remote @mario fine\n")
    assert [(d.code, d.ref.line, d.ref.col) for d in r.diagnostics] == [(code, 1, col)]
    assert len(r.book.entries) == 1   # the bad line is skipped, the rest is loaded


def test_yaml_ledger_is_the_same_entry_as_its_line():
    line = "2026-11-03 09:00-10:30 acme/migration remote @mario Printer offline #T-1042 contract=x\n"
    yaml_ledger = """\
- date: 2026-11-03
  start: "09:00"
  end: "10:30"
  client: acme
  project: migration
  activity: remote
  person: mario
  description: Printer offline
  tags: [T-1042]
  meta: {contract: x}
"""
    a = load(line).book.entries[0]
    b = load(**{"ledger/2026/11.yaml": yaml_ledger}).book.entries[0]
    assert a.text == b.text and a.fingerprint == b.fingerprint
    assert (a.start, a.end, a.minutes, a.meta) == (b.start, b.end, b.minutes, b.meta)
    assert b.ref == SourceRef("ledger/2026/11.yaml", 1, 3)


def test_yaml_ledger_dated_end_before_start():
    y = "entries:\n  - {date: 2026-11-03, start: 2026-11-03 18:00, end: 2026-11-03 09:00, client: acme,"\
        " activity: remote, person: mario}\n"
    r = load(**{"ledger/a.yaml": y})
    assert codes(r) == ["end-before-start"] and r.book.entries == ()


# ---------------------------------------------------------------- files


def test_bom_crlf_and_encoding():
    r = load_files({"plainbill.yaml": "\ufeff" + SETTINGS, "clients/acme.yaml": CLIENT.replace("\n", "\r\n"),
                    "ledger/a.txt": b"2026-11-03 1h acme remote @mario caf\xe9\n"})
    assert codes(r) == ["crlf-line-ends", "encoding"]
    enc = r.diagnostics[1]
    assert enc.ref == SourceRef("ledger/a.txt", 1, 37)
    assert r.book.settings.issuer.name == "Rete Sicura" and r.book.clients[0].rates


def test_missing_settings_still_gives_a_book():
    r = load_files({"ledger/a.txt": "2026-11-03 1h acme remote @mario x\n"})
    assert codes(r) == ["missing-file"] and len(r.book.entries) == 1


def test_discovery_is_sorted_and_skips_outputs(tmp_path):
    (tmp_path / "plainbill.yaml").write_text(SETTINGS)
    (tmp_path / "clients").mkdir()
    (tmp_path / "clients" / "acme.yaml").write_text(CLIENT)
    for rel in ("ledger/b.txt", "ledger/a/z.txt", "ledger/.hidden/x.txt", "ledger/build/x.txt",
                "build/ledger/x.txt", "ledger/.x.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(f"2026-11-03 1h acme remote @mario {rel}\n")
    r = load_book(tmp_path)
    assert r.diagnostics == []
    assert [e.ref.path for e in r.book.entries] == ["ledger/a/z.txt", "ledger/b.txt"]


def test_loading_writes_nothing_and_reads_nothing_back(tmp_path):
    """No parse cache (issue 16): a load is the same every time, and leaves no file behind."""
    (tmp_path / "plainbill.yaml").write_text(SETTINGS)
    (tmp_path / "ledger").mkdir()
    (tmp_path / "ledger" / "a.txt").write_text("2026-11-03 1h acme remote @mario x\n2026-11-03 1x a b @c\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    cold = load_book(tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    warm = load_book(tmp_path)
    assert warm.book.entries == cold.book.entries and warm.diagnostics == cold.diagnostics


def test_unprintable_names_in_memory_are_file_name_errors():
    """A git revision's names come as surrogate-escaped text: the same error as on disk."""
    from plainbill.diagnostics import format_github, format_json, format_text

    r = load_files({"plainbill.yaml": SETTINGS, "clients/acme.yaml": CLIENT,
                    "ledger/caff\udce8.txt": "2026-11-03 1h acme remote @mario x\n",
                    "ledger/a\x1bb.txt": "2026-11-03 1h acme remote @mario x\n",
                    "ledger/ok.txt": "2026-11-03 1h acme remote @mario x\n"})
    assert [(d.code, d.ref.path) for d in r.diagnostics] == [
        ("file-name", "ledger/caff\\xe8.txt"), ("file-name", "ledger/a\\x1bb.txt")]
    assert [e.ref.path for e in r.book.entries] == ["ledger/ok.txt"]
    (format_text(r.diagnostics) + format_json(r.diagnostics) + format_github(r.diagnostics)).encode("utf-8")


def test_discover_lists_every_part_and_narrows_to_some(tmp_path):
    for rel in ("plainbill.yaml", "clients/a.yaml", "ledger/2026/11.txt", "templates/invoice.html",
                "issued/2026/x.json", "README.md", "build/x.txt", "ledger/.x.txt", "ledger/build/y.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    assert discover(tmp_path) == (["clients/a.yaml", "issued/2026/x.json", "ledger/2026/11.txt",
                                   "plainbill.yaml", "templates/invoice.html"], [])
    assert discover(tmp_path, ("issued",)) == (["issued/2026/x.json"], [])


def test_a_file_that_vanishes_after_listing_is_an_io_error(tmp_path, monkeypatch):
    from plainbill.load import source

    (tmp_path / "plainbill.yaml").write_text(SETTINGS)
    (tmp_path / "ledger").mkdir()
    (tmp_path / "ledger" / "a.txt").write_text("2026-11-03 1h acme remote @mario x\n")
    listed = source.discover(tmp_path, source.INPUT_PARTS)
    (tmp_path / "ledger" / "a.txt").unlink()
    monkeypatch.setattr("plainbill.load.discover", lambda root, parts: listed)
    r = load_book(tmp_path)
    assert [(d.code, str(d.ref)) for d in r.diagnostics if d.code == "io-error"] == [("io-error", "ledger/a.txt:1:1")]


def test_every_format_prints_a_path_that_is_not_utf8():
    """A diagnostic made anywhere with a raw file name (a lone surrogate) still prints."""
    from plainbill.diagnostics import error, format_github, format_json, format_text

    d = [error("io-error", SourceRef("ledger/caff\udce8.txt", 1, 1), "caff\udce8 \x1b[2J", "hint \udce8",
               related=(SourceRef("ledger/\udce8.txt", 2, 1),))]
    for out in (format_text(d), format_json(d), format_github(d)):
        out.encode("utf-8")
        assert "caff\\xe8" in out.replace("\\\\", "\\") and "\x1b" not in out


def test_quoted_lines_are_short_and_escaped():
    from plainbill.diagnostics import QUOTE_WIDTH, quoted

    assert quoted("2026-11-03 1h acme x", 15) == ("2026-11-03 1h acme x", 14)
    shown, caret = quoted("a" * 2_000_000 + "!" + "b" * 10, 2_000_001)
    assert len(shown) <= QUOTE_WIDTH + 6 and shown.startswith("...") and shown[caret] == "!"
    shown, caret = quoted("x\ty \x1b[2J z", 5)
    assert shown == "x y \\x1b[2J z" and shown[caret] == "\\"

"""One check driver, and the loader's fast path gives exactly what the plain one gives.

- the checks of a loaded book (a LoadedBook, entries built from its ledger files) ==
  the checks of a plain Book with the same fields (there is one driver: run_checks over
  entries; a second one over cached per-file summaries, checks_files.py, is gone);
- the lean line loop (load/columns.py) == parse_ledger, row for row;
- a LoadedBook (entries built on first access) is a Book in every respect.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plainbill.checks import run_checks
from plainbill.load import load_files
from plainbill.load.columns import parse_columns, to_rows
from plainbill.load.ledger import _State, parse_ledger
from plainbill.model import Book

from test_properties_load import VALID

PROPS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LINES = [
    "2026-11-03 09:00-10:30 acme remote @mario Printer offline #T-1042",
    "2026-11-03 10:00-11:00 acme remote @mario overlaps the first",
    "2026-11-03 10:30-11:30 beta onsite @mario touches the first",
    "2026-11-03 23:00-01:00 acme remote @lucia past midnight",
    "2026-11-03 23:00-01:00+1 acme remote @lucia past midnight, said so",
    "2026-11-03 14:30-11:00 acme remote @mario a typo, read as past midnight",
    "2026-11-03 22:00-22:00+1 acme remote @mario a whole day", "2026-11-03 09:00-10:00+1 acme remote @mario",
    "2026-11-03 12h acme remote @mario a long day", "2026-11-03 1h acme remote @mario #only-a-tag",
    "2026-11-06 expense acme @mario 9 parts qty=0", "2026-11-06 expense acme @mario 9 parts markup=-5%",
    "2026-11-06 expense acme @mario 1234567890123 parts", "2026-11-05 1h acme remote @mario rate=1234567890123",
    "2026-11-05 1h acme remote @mario " + "long " * 250,
    "2026-11-04 00:30-02:00 acme remote @lucia overlaps the night",
    "2026-11-04 2h15m acme/migration onsite @mario cabling",
    "2026-11-04 2h15m acme/migration  onsite @mario cabling",
    "2026-11-04 2h15m acme/nowhere onsite @mario unknown project",
    "2026-11-05 1h acne remote @mario unknown client",
    "2026-11-05 1h acme remote @mariox unknown person",
    "2026-11-05 1h acme remotely @mario unknown activity",
    "2026-11-05 1h acme remote @mario contract=nope",
    "2026-11-05 1h acme remote @mario tax=vat99",
    "2026-11-05 1h acme remote @mario rate=80.123456",
    "2026-11-05 1h acme remote @mario rate=80.12 bill=no",
    "2026-11-05 1h beta internal @lucia #billable",
    "2026-11-05 1h beta onsite @lucia #nobill",
    "2026-11-05 1h beta internal @lucia", "2026-11-05 1h beta internal @lucia #x y",
    "2026-11-05 1h beta remote @lucia a#nobill", "2026-11-05 1h beta remote @lucia #nobillx #y",
    "2026-11-05 2h beta remote @lucia #t #nobill", "2026-11-05 1h beta/nowhere remote @lucia",
    "2026-11-06 expense acme @mario 95.001 parts",
    "2026-11-06 expense acme @mario 95 JPY parts",
    "2026-11-06 expense acme @mario 95.00 parts price=3.333",
    "2026-11-06 expense beta @lucia 12.5 parts currency=JPY",
    "2026-12-24 1h acme remote @mario in the future",
    "2025-03-01 1h beta remote @lucia before every contract",
    "9999-12-31 23:00-01:00 acme remote @mario",
    "2026-11-07 0m acme remote @mario",
    "# a comment", "",
]
YAML_LINES = [
    "- {date: 2026-11-03, start: '09:30', end: '10:00', client: acme, activity: remote, person: mario}",
    "- {date: 2026-11-05, duration: 1h, client: acme, activity: remote, person: mario, description: unknown client}",
    "- {date: 2026-11-06, expense: 95.001, client: acme, person: mario}",
    "- {date: 2026-11-03, start: '22:00', end: '01:00', client: acme, activity: remote, person: lucia, description: n}",
    "- {date: 2026-11-03, start: '09:00', end: '10:00', duration: 2h, client: acme, activity: remote, person: lucia}",
]


def both(files: dict):
    """(loaded, plain): checks of the loaded book, and of a plain Book with the same fields."""
    loaded = load_files(files)
    fast = run_checks(loaded.book)
    b = loaded.book
    plain = run_checks(Book(b.root, b.settings, b.clients, tuple(b.entries)))
    return fast, plain


@PROPS
@given(st.lists(st.tuples(st.sampled_from(LINES), st.integers(0, 2)), max_size=25),
       st.lists(st.sampled_from(YAML_LINES), max_size=3))
def test_checks_of_a_loaded_book_are_those_of_a_plain_book(lines, yaml_lines):
    files = {k: v for k, v in VALID.items() if not k.startswith("ledger/")}
    for i in range(3):
        text = "\n".join(line for line, f in lines if f == i)
        if text:
            files[f"ledger/{i}.txt"] = text + "\n"
    if yaml_lines:
        files["ledger/y.yaml"] = "\n".join(yaml_lines) + "\n"
    fast, plain = both(files)
    assert fast == plain


def test_base_and_valid_books_agree():
    fast, plain = both(VALID)
    assert fast == plain


@PROPS
@given(st.lists(st.sampled_from(LINES + ["2026-11-03 1h acme remote @mario\tx  y ", "  2026-11-03 1h acme remote @mario",
                                         "2026-11-03\u00a01h acme remote @mario x", "2026-11-03 1.5h acme remote @mario",
                                         "2026-11-03 25:00-26:00 acme remote @mario", "2026-11-03 1h acme remote @mario #",
                                         "2026-11-03 1h acme remote @mario a#b #c d", "2026-11-03 \x01 x",
                                         "2026-11-06 expense acme @mario 95.00", "2026-11-06 expense acme @mario 95.00 EUR",
                                         "2026-11-06 expense acme/migration @mario 9 USD x #t qty=2",
                                         "2026-11-06 expense acme @mario 9.x", "2026-11-06 expense acme @mario -5",
                                         "2026-11-06 expense acme @mario 9 EURO", "2026-11-06 expense acme @mario 9 ABC d",
                                         "2026-11-06 expense acme @mario 9 x qty=2 qty=3", "2026-11-03 1h acme remote @mario ",
                                         "2026-11-03 1h acme remote @mario  x", "2026-11-03 1h acme remote @mario x ",
                                         "2026-11-03 1h acme remote @mario x  #y", "2026-11-06 expense acme @mario 9  x",
                                         "2026-11-03 1h acme remote @mario x\u2003y", "2026-11-03 1h acme remote @mario x=1 "]),
                max_size=15))
def test_lean_loop_gives_the_rows_of_parse_ledger(lines):
    text = "\n".join(lines)
    expected = parse_ledger(text, _State())
    warmed = _State()
    parse_columns("\n".join(reversed(lines)), warmed)
    for state in (_State(), warmed):
        p = parse_columns(text, state)
        assert (to_rows(p), p.problems) == expected


def test_loaded_book_is_a_book():
    loaded = load_files(VALID).book
    plain = Book(loaded.root, loaded.settings, loaded.clients, tuple(loaded.entries))
    assert loaded == plain and plain == loaded and hash(loaded) == hash(plain)
    assert repr(loaded) == repr(plain)
    assert pickle.loads(pickle.dumps(loaded)) == plain
    other = dataclasses.replace(loaded, entries=())
    assert other.entries == () and other != plain and run_checks(other) == run_checks(dataclasses.replace(plain, entries=()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.entries = ()


def test_entries_are_built_once():
    loaded = load_files(VALID).book
    with pytest.raises(AttributeError):
        Book.__dict__["entries"].__get__(loaded)   # loading did not build them
    run_checks(loaded)
    built = Book.__dict__["entries"].__get__(loaded)   # checking did, once
    assert loaded.entries is built and len(built) == 7


def test_one_driver():
    """The registry runs each check once, over entries: no second driver, no per-file facts."""
    import plainbill.checks.registry as registry
    assert not hasattr(registry, "FAST")
    assert importlib.util.find_spec("plainbill.checks_files") is None


def test_entries_of_some_clients_builds_only_those():
    from plainbill.load import entries_of
    files = dict(VALID)
    files["ledger/other.txt"] = "2026-11-05 1h beta remote @lucia x\n"
    loaded = load_files(files).book
    some = entries_of(loaded, {"beta"})
    with pytest.raises(AttributeError):
        Book.__dict__["entries"].__get__(loaded)
    assert some == tuple(e for e in loaded.entries if e.client == "beta") and some
    assert entries_of(loaded, {"beta"}) == some and entries_of(loaded, ()) == ()


def test_a_second_load_gives_the_same_facts(tmp_path):
    from plainbill.load import load_book
    for path, data in VALID.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    cold = load_book(tmp_path)
    expected = (cold.diagnostics + run_checks(cold.book), cold.book.entries)
    warm = load_book(tmp_path)
    assert (warm.diagnostics + run_checks(warm.book), warm.book.entries) == expected

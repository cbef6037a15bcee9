"""No input makes loading or checking crash, and every diagnostic points at a real line.

Arbitrary bytes as a ledger, a client file or plainbill.yaml; random mutations of a
valid book; and a handful of hostile inputs (YAML bombs, deep nesting, huge numbers,
NUL bytes, lone surrogates, tabs).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plainbill.checks import run_checks
from plainbill.diagnostics import Severity
from plainbill.load import load_files

BASE = Path(__file__).parent / "errors" / "_base"
VALID = {str(p.relative_to(BASE)): p.read_bytes() for p in BASE.rglob("*") if p.is_file() and p.suffix != ".md"}
VALID["ledger/2026/11.txt"] = (
    b"2026-11-03 09:00-10:30 acme remote @mario Printer offline #T-1042\n"
    b"2026-11-03 2h15m acme/migration onsite @mario Server room cabling rate=70.00\n"
    b"2026-11-07 22:00-01:30+1 acme remote @lucia Restore #nobill\n"
    b"2026-11-06 expense acme @mario 95.00 USD UPS battery markup=20% qty=2\n")
VALID["ledger/2026/11.yaml"] = (
    b"- {date: 2026-11-04, start: '09:00', end: '10:00', client: acme, activity: remote, person: lucia, description: Backup check}\n"
    b"- {date: 2026-11-04, duration: 1h30m, client: acme, activity: onsite, person: mario, description: Switch, tags: [x]}\n")
VALID["clients/beta.yaml"] = (
    b"name: Beta\ncurrency: EUR\nrates:\n  - {activity: remote, rate: 60.00, from: 2026-01-01}\n"
    b"rules:\n  rounding: {increment: 15m, mode: up, scope: entry}\n  minimum: {time: 1h, per: visit}\n"
    b"contracts:\n  - id: pack\n    kind: block\n    from: 2026-01-01\n"
    b"    purchases: [{date: 2026-01-10, hours: 20, price: 1000.00}]\n"
    b"  - {id: ret, kind: retainer, from: 2026-01-01, activities: [remote], fee: 450.00, included: 6h, rollover: lapse}\n")


def line_count(data: bytes | str) -> int:
    """Lines as diagnostics quote them (diagnostics.SourceLines)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    text = data.decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n")
    return len(text.split("\n"))


def assert_sound(files: dict):
    """Load and check: only diagnostics, each on a line that exists in its file."""
    loaded = load_files(files)
    diags = loaded.diagnostics + run_checks(loaded.book)
    for d in diags:
        assert d.code and d.message and d.severity in Severity
        if d.ref.line:
            assert d.ref.path in files, d
            assert 1 <= d.ref.line <= line_count(files[d.ref.path]), (d, files[d.ref.path])
            assert d.ref.col >= 1
    return diags


PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(st.binary(max_size=400), st.sampled_from(["ledger/x.txt", "clients/acme.yaml", "plainbill.yaml",
                                                 "ledger/x.yaml"]))
def test_arbitrary_bytes(data, path):
    assert_sound({**VALID, path: data})


@PROPS
@given(st.text(alphabet=st.characters(blacklist_categories=()), max_size=300),
       st.sampled_from(["ledger/x.txt", "clients/acme.yaml", "plainbill.yaml", "ledger/x.yaml"]))
def test_arbitrary_text(text, path):
    assert_sound({**VALID, path: text})


@st.composite
def mutated(draw):
    path = draw(st.sampled_from(sorted(VALID)))
    data = bytearray(VALID[path])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "replace", "dup-line", "swap"]))
        at = draw(st.integers(0, len(data)))
        if op == "delete":
            del data[at:at + draw(st.integers(1, 12))]
        elif op == "insert":
            data[at:at] = draw(st.sampled_from([b":", b"-", b" ", b"\t", b"\n", b"#", b"@", b"=", b"{", b"[", b"'",
                                                b"\"", b"&a", b"*a", b"<<: ", b"\x00", b"\xff", b"\r\n", b"9", b"24:00",
                                                b"0m", b"9999-12-31", b"-1h", b"expense", b"  - "]))
        elif op == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "dup-line":
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            data = bytearray(b"\n".join(lines[:i + 1] + lines[i:]))
        elif op == "swap":
            lines = bytes(data).split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
    return path, bytes(data)


@PROPS
@given(mutated())
def test_mutations_of_a_valid_book(change):
    path, data = change
    assert_sound({**VALID, path: data})


def test_the_valid_book_is_valid():
    assert [d for d in assert_sound(VALID) if d.severity is Severity.ERROR] == []


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
HOSTILE = {
    "bomb-settings": ("plainbill.yaml", BOMB + "issuer: {name: X}\nteam: *i\n"),
    "bomb-client": ("clients/acme.yaml", BOMB + "name: Acme\nrates: *i\ncontracts: *i\nprojects: *i\n"),
    "bomb-ledger": ("ledger/x.yaml", BOMB + "entries: *i\n"),
    "deep-list": ("clients/acme.yaml", "name: A\nrates: " + "[" * 5000 + "]" * 5000 + "\n"),
    "deep-map": ("plainbill.yaml", "issuer: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n"),
    "deep-block": ("clients/acme.yaml", "".join(" " * i + "a:\n" for i in range(3000))),
    "huge-numbers": ("clients/acme.yaml", "name: A\nrates: [{rate: " + "9" * 5000 + "}]\npayment_terms: "
                     + "9" * 400 + "\ncontracts:\n  - {id: a, kind: block, from: 2026-01-01, purchases: "
                     "[{date: 2026-01-01, hours: 1e9999, price: 1e400}]}\n"),
    "huge-duration": ("ledger/x.txt", "2026-11-03 " + "9" * 500 + "h acme remote @mario x\n"
                      "9999-12-31 23:00-01:00 acme remote @mario x\n0001-01-01 1h acme remote @mario x\n"),
    "nul-bytes": ("ledger/x.txt", "2026-11-03 1h acme remote @mario x\x00y\n\x00\x00\n"),
    "nul-yaml": ("clients/acme.yaml", "name: A\x00B\n"),
    "lone-surrogate": ("ledger/x.txt", "2026-11-03 1h acme remote @mario \ud800\n"),
    "lone-surrogate-yaml": ("clients/acme.yaml", "name: \udfff\n"),
    "tabs-yaml": ("clients/acme.yaml", "name: A\nrates:\n\t- {rate: 1.00}\n"),
    "tabs-ledger": ("ledger/x.txt", "2026-11-03\t1h\tacme\tremote\t@mario\tx\t#t\n"),
    "python-tag": ("clients/acme.yaml", "name: !!python/object/apply:os.system ['echo hi']\n"),
    "odd-breaks": ("clients/acme.yaml", "name: A\u2028B\rC\x85\n"),
    "only-bom": ("plainbill.yaml", "\ufeff"),
    "list-root": ("plainbill.yaml", "- a\n- b\n"),
    "long-line": ("ledger/x.txt", "2026-11-03 1h acme remote @mario " + "x" * 200000 + "\n"),
    "many-tags": ("ledger/x.txt", "2026-11-03 1h acme remote @mario " + "#t=1 " * 20000 + "\n"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_inputs(name):
    path, text = HOSTILE[name]
    diags = assert_sound({**VALID, path: text})
    if name not in ("tabs-ledger", "python-tag", "long-line", "many-tags", "bomb-ledger"):
        assert any(d.severity is Severity.ERROR for d in diags), name


@PROPS
@given(st.lists(st.sampled_from([
    "2026-11-03 1h acme remote @mario x", "2026-11-03\u00a01h acme remote @mario x", "2026-11-03 1h acme remote @mario",
    "2026-11-03 25:00-26:00 acme remote @mario", "2026-11-03 09:00-10:00 acme/migration onsite @lucia a #t b=c",
    "2026-02-30 1h acme remote @mario", "2026-11-03 1h acme remote @mario rate=x", "  2026-11-03 1h acme remote @mario",
    "2026-11-03 0m acme remote @mario", "9999-12-31 23:00-01:00 acme remote @mario", "# comment", "",
    "2026-11-03 expense acme @mario 5.00 USD z qty=2", "2026-11-03 1h acme remote @mario\tx  y"]), max_size=12))
def test_parse_does_not_depend_on_what_was_seen_before(lines):
    """The fast path (tokens remembered from earlier lines or files) gives exactly what the
    careful path gives, so results never depend on parse order or on the cache."""
    from plainbill.load.ledger import _State, parse_ledger
    text = "\n".join(lines) + "\n"
    warmed = _State()
    parse_ledger(text, warmed)
    parse_ledger("\n".join(reversed(lines)), warmed)
    assert parse_ledger(text, warmed) == parse_ledger(text, _State())


# ---- discovery on disk: every entry is listed, skipped by rule, or reported ----------------

NAMES = st.sampled_from([b"a.txt", b"b.yaml", b"c.md", b"d", b".hidden", b"build", b"caff\xe8.txt",
                         b"x\ny.txt", b"n\xc3\xa9.txt", b"\xe2\x80\xae.txt", b"x.txt"])
KINDS = st.sampled_from(["file", "dir", "link-in", "link-out", "link-dir", "dangling", "loop", "fifo"])


@st.composite
def trees(draw):
    """A list of (folder index, name, kind): each new folder can hold later entries."""
    return draw(st.lists(st.tuples(st.integers(0, 5), NAMES, KINDS), max_size=14))


def make_tree(root: Path, plan) -> None:
    import os

    (root / "plainbill.yaml").write_bytes(b"issuer: {name: X}\n")
    (root / "outside.txt").write_bytes(b"secret\n")
    folders = [os.fsencode(root / "ledger"), os.fsencode(root / "clients")]
    for d in folders:
        os.mkdir(d)
    for index, name, kind in plan:
        parent = folders[index % len(folders)]
        path = os.path.join(parent, name)
        if os.path.lexists(path):
            continue
        if kind == "file":
            open(path, "wb").close()
        elif kind == "dir":
            os.mkdir(path)
            folders.append(path)
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            target = {"link-in": os.fsencode(root / "plainbill.yaml"), "link-out": os.fsencode(root / "outside.txt"),
                      "link-dir": folders[0], "dangling": b"nowhere", "loop": name}[kind]
            if kind == "link-out":   # outside the book: the book is root/book
                target = os.fsencode(root.parent / "outside.txt")
            os.symlink(target, path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_discovery_lists_or_reports_every_entry(plan):
    import json
    import os
    import stat
    import tempfile

    from plainbill.confine import printable_name, read_inside
    from plainbill.diagnostics import SourceLines, format_github, format_json, format_text
    from plainbill.load.source import IGNORED_DIRS, discover, is_source_path

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "outside.txt").write_bytes(b"secret\n")
        root = Path(tmp) / "book"
        root.mkdir()
        make_tree(root, plan)
        files, diags = discover(root)
        for rel in files:   # listed: a regular file inside the book, with a printable name
            assert is_source_path(rel) and printable_name(rel) == rel
            read_inside(root, rel)
        reported = {d.ref.path for d in diags}
        assert all(d.severity is Severity.ERROR and d.ref.line == 1 for d in diags)
        for dirpath, dirnames, filenames in os.walk(os.fsencode(root)):
            for name in dirnames + filenames:
                rel = os.path.relpath(os.path.join(dirpath, name), os.fsencode(root)).decode("utf-8", "surrogateescape")
                parts = rel.split("/")
                if len(parts) == 1 or any(p.startswith(".") for p in parts) or IGNORED_DIRS.intersection(parts[1:]):
                    continue
                shown = "/".join(printable_name(p) for p in parts)
                lst = os.lstat(os.path.join(dirpath, name)).st_mode
                listed = rel in files or (stat.S_ISDIR(lst) and not stat.S_ISLNK(lst))
                on_the_way = any("/".join(map(printable_name, parts[:i])) in reported for i in range(1, len(parts)))
                assert listed or shown in reported or on_the_way, (rel, files, reported)
        out = format_text(diags, SourceLines(root)) + format_json(diags) + format_github(diags)
        out.encode("utf-8")   # no surrogate reaches the output
        assert "secret" not in out and "\x1b" not in out and "\u202e" not in out
        json.loads(format_json(diags))

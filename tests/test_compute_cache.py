"""The per-client compute cache (billing/cache.py): same results, only changed clients recomputed."""
from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import pytest

from plainbill import billing
from plainbill.billing import cache, compute_invoices
from plainbill.load import load_book
from plainbill.pipeline import run_build

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "benchmarks"))
from generate import generate  # noqa: E402


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("tpl") / "book"
    generate(root, 1500)
    return root


@pytest.fixture
def root(template, tmp_path, monkeypatch):
    monkeypatch.delenv("PLAINBILL_CACHE", raising=False)
    out = tmp_path / "book"
    shutil.copytree(template, out)
    return out


@pytest.fixture
def runs(monkeypatch):
    """The slugs of the clients actually computed (not loaded from the cache)."""
    seen: list[str] = []

    class Counting(billing.ClientRun):
        def __init__(self, ctx, client, entries):
            seen.append(client.slug)
            super().__init__(ctx, client, entries)

    monkeypatch.setattr(billing, "ClientRun", Counting)
    return seen


def compute(root: Path, folder: Path | None, **kw):
    book = load_book(root).book
    return compute_invoices(book, jobs=1, cache_dir=folder, **kw)


def change_one_line(root: Path) -> str:
    """Append a word to one time entry's description; the client's slug."""
    path = sorted((root / "ledger").rglob("*.txt"))[2]
    lines = path.read_text("utf-8").splitlines()
    i = next(i for i, ln in enumerate(lines) if ln[:1].isdigit() and " expense " not in ln)
    lines[i] += " (checked)"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return lines[i].split()[2].split("/")[0]


def jsons(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "build" / "invoices").glob("*.json"))}


def test_warm_result_equals_cold_and_computes_nothing(root, tmp_path, runs):
    cold = compute(root, None)
    first = compute(root, tmp_path / "c")
    assert first == cold
    runs.clear()
    warm = compute(root, tmp_path / "c")
    assert runs == []
    assert warm == cold     # same invoices in the same order, same diagnostics


def test_cached_build_writes_byte_identical_json(root, tmp_path, monkeypatch):
    assert run_build(root, render=False) in (0, 1)
    cold = jsons(root)
    shutil.rmtree(root / "build" / "invoices")
    (root / "build" / "manifest.json").unlink()
    assert run_build(root, render=False) in (0, 1)      # every client from the cache
    assert jsons(root) == cold and cold
    assert list((root / "build" / ".cache" / "compute").glob("*.pkl"))


def test_one_changed_line_recomputes_only_its_client(root, runs):
    run_build(root, render=False)
    before = jsons(root)
    slug = change_one_line(root)
    runs.clear()
    run_build(root, render=False)
    assert runs == [slug]
    after = jsons(root)
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed and all(name.startswith(slug + "-") for name in changed)
    # and the result is that of a cold computation
    shutil.rmtree(root / "build")
    run_build(root, render=False)
    assert jsons(root) == after


def test_settings_client_and_engine_changes_invalidate(root, tmp_path, runs, monkeypatch):
    folder = tmp_path / "c"
    # a copy made by replace has no loaded ledger files: keyed by its entries throughout
    book = dataclasses.replace(load_book(root).book)
    compute_invoices(book, jobs=1, cache_dir=folder)
    n = len(runs)
    runs.clear()
    other = dataclasses.replace(book.settings, issuer=dataclasses.replace(book.settings.issuer, name="Other"))
    compute_invoices(dataclasses.replace(book, settings=other), jobs=1, cache_dir=folder)
    assert len(runs) == n

    runs.clear()
    first = book.clients[0]
    renamed = dataclasses.replace(first, party=dataclasses.replace(first.party, name="Renamed"))
    clients = (renamed,) + book.clients[1:]
    compute_invoices(dataclasses.replace(book, clients=clients), jobs=1, cache_dir=folder)
    assert runs == [first.slug]

    runs.clear()
    monkeypatch.setattr(cache, "engine_hash", lambda: "another engine")
    compute_invoices(book, jobs=1, cache_dir=folder)
    assert len(runs) == n


def test_settings_file_edit_invalidates_every_client(root, runs):
    run_build(root, render=False)
    runs.clear()
    run_build(root, render=False)
    assert runs == []
    yaml = root / "plainbill.yaml"
    text = yaml.read_text("utf-8")
    assert "payment_terms_days: 30\n" in text
    yaml.write_text(text.replace("payment_terms_days: 30\n", "payment_terms_days: 45\n"), "utf-8")
    run_build(root, render=False)
    assert len(runs) == len(list((root / "clients").glob("*.yaml")))


def test_corrupt_or_truncated_cache_files_are_recomputed(root, tmp_path, runs, capsys):
    folder = tmp_path / "c"
    cold = compute(root, folder)
    files = sorted(folder.glob("*.pkl"))
    files[0].write_bytes(b"garbage")
    files[1].write_bytes(files[1].read_bytes()[:-100])
    data = bytearray(files[2].read_bytes())
    data[-50] ^= 0xFF
    files[2].write_bytes(bytes(data))
    runs.clear()
    again = compute(root, folder)
    assert again == cold and len(runs) == 3
    assert "Traceback" not in capsys.readouterr().err


def test_unwritable_cache_folder_is_ignored(root, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert compute(root, blocker / "c") == compute(root, None)


def test_issuing_an_invoice_invalidates_only_that_client(root, tmp_path, runs):
    folder = tmp_path / "c"
    invoices, _ = compute(root, folder)
    target = next(inv for inv in invoices if inv.entries)
    issued = {target.id: frozenset(d.fingerprint for d in target.entries)}
    runs.clear()
    got = compute(root, folder, issued=issued)
    assert runs == [target.client]
    assert got == compute(root, None, issued=issued)


def test_period_and_client_filters_share_the_cache(root, tmp_path, runs):
    folder = tmp_path / "c"
    compute(root, folder)
    runs.clear()
    some = compute(root, folder, period="2026-03")
    one = compute(root, folder, client="client07")
    assert runs == []
    assert some == compute(root, None, period="2026-03") and some[0]
    assert one == compute(root, None, client="client07") and one[0]


def test_fast_path_needs_no_pickling_for_cached_invoices(root, monkeypatch):
    from plainbill import output

    run_build(root, render=False)
    calls = []
    real = output._pickled
    monkeypatch.setattr(output, "_pickled", lambda inv: calls.append(inv.id) or real(inv))
    run_build(root, render=False)
    assert calls == []


BOOKS = sorted(p for p in [*(HERE.parent / "examples").iterdir(), *(HERE / "golden").iterdir()]
               if (p / "plainbill.yaml").is_file())


@pytest.mark.parametrize("book", BOOKS, ids=[f"{p.parent.name}/{p.name}" for p in BOOKS])
def test_example_and_golden_books_cached_equal_cold(book, tmp_path, runs):
    """Blocks, retainers, fixed fees, split entries: every kind of row and line survives the cache."""
    root = tmp_path / book.name
    shutil.copytree(book, root, ignore=shutil.ignore_patterns("build"))
    cold = compute(root, None)
    assert compute(root, tmp_path / "c") == cold
    runs.clear()
    assert compute(root, tmp_path / "c") == cold and runs == []


def test_rows_and_sources_not_of_an_entry_round_trip_too(root, tmp_path):
    from plainbill.invoice import EntryDetail

    invoices, diags = compute(root, None)
    inv = next(i for i in invoices if i.entries and i.lines)
    odd = EntryDetail("f" * 16, inv.entries[0].ref, inv.entries[0].date, "someone", "remote", "made up",
                      1, 1, inv.entries[0].rate, inv.entries[0].multiplier, inv.entries[0].amount, "x")
    line = dataclasses.replace(inv.lines[0], sources=inv.lines[0].sources + (odd.ref.__class__("x.txt", 3, 1),))
    changed = dataclasses.replace(inv, entries=(odd,) + inv.entries, lines=(line,) + inv.lines[1:])
    cache.store(tmp_path, inv.client, "k" * 64, [changed], diags)
    got, got_diags = cache.load(tmp_path, inv.client, "k" * 64)
    assert got == [changed] and got_diags == diags


def test_issuing_through_the_register_recomputes_that_client_and_keeps_the_fast_path(root, runs, monkeypatch):
    from click.testing import CliRunner

    from plainbill import output
    from plainbill.cli import main

    run_build(root, render=False)
    draft = sorted(p.stem for p in (root / "build" / "invoices").glob("client03-*.json"))[0]
    result = CliRunner().invoke(main, ["issue", str(root), draft, "--date", "2027-01-15"])
    assert result.exit_code == 0, result.output
    runs.clear()
    calls = []
    real = output._pickled
    monkeypatch.setattr(output, "_pickled", lambda inv: calls.append(inv.id) or real(inv))
    run_build(root, render=False)
    assert runs == ["client03"]
    issued = (root / "build" / "invoices" / f"{draft}.json").read_text("utf-8")
    assert '"number": ""' not in issued
    runs.clear()
    run_build(root, render=False)
    assert runs == [] and calls == []     # the issued invoice too: no pickling to know it unchanged


def test_a_warm_build_builds_no_entries_and_unpacks_rows_only_when_read(root, tmp_path, runs):
    from plainbill.load.book import _is_built

    folder = tmp_path / "c"
    cold, _ = compute(root, folder)
    book = load_book(root).book
    runs.clear()
    warm, _ = compute_invoices(book, jobs=1, cache_dir=folder)
    assert runs == [] and not _is_built(book)    # keyed by the ledger facts' row digests
    assert all(isinstance(inv, cache.CachedInvoice) for inv in warm)
    assert warm[3].total == cold[3].total and not _is_built(book)
    assert warm == cold                        # every row unpacked, on each client's own entries
    assert not _is_built(book)


def test_a_cached_invoice_is_an_invoice_in_every_respect(root, tmp_path):
    import pickle

    from plainbill.invoice import Invoice

    folder = tmp_path / "c"
    cold, _ = compute(root, folder)
    warm, _ = compute(root, folder)
    inv, plain = warm[5], cold[5]
    numbered = inv.with_header(number="2026/7")
    assert numbered.number == "2026/7" and numbered.id == inv.id and cache._same_content(numbered, inv)
    back = pickle.loads(pickle.dumps(numbered))
    assert type(back) is Invoice and back == dataclasses.replace(plain, number="2026/7")
    assert inv == plain and plain == inv and hash(inv) == hash(plain)
    assert dataclasses.replace(inv, number="X").lines == plain.lines
    assert inv.to_json() == plain.to_json()


def test_a_body_damaged_after_its_head_was_read_is_computed_again(root, tmp_path, runs):
    folder = tmp_path / "c"
    cold, _ = compute(root, folder)
    warm, _ = compute(root, folder)
    for path in folder.glob("*.pkl"):
        path.write_bytes(path.read_bytes()[:-10])
    runs.clear()
    assert warm == cold
    assert sorted(set(runs)) == sorted({inv.client for inv in cold})


def test_row_digests_do_not_depend_on_what_the_parser_saw_before(root):
    from plainbill.load.columns import parse_columns
    from plainbill.load.facts import client_digests
    from plainbill.load.ledger import _State

    files = sorted((root / "ledger").rglob("*.txt"))
    text = files[3].read_text("utf-8")
    warmed = _State()
    for other in files[:3]:
        parse_columns(other.read_text("utf-8"), warmed)
    fresh, seasoned = parse_columns(text), parse_columns(text, warmed)
    assert len(fresh.full) != len(seasoned.full)     # the memo changes which rows are fast...
    assert client_digests(fresh) == client_digests(seasoned)   # ...not the digests

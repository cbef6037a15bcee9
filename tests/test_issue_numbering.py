"""Property: numbers stay gap-free and unique, and no draft is issued twice, under
random sequences of issue, credit note, refused issue and git merges of two branches.

A branch is the {path: text} of its `issued/` files; a merge is git's rule for
files added on both sides: the same path with different content conflicts (the
merge is abandoned and the other branch redone from this one), else the union.
"""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings, strategies as st

from plainbill.model import Numbering, Party, Settings
from plainbill.register import register_from_files
from plainbill.register.credit import plan_credit_note
from plainbill.register.issue import numbered, plan_issue, select_drafts
from plainbill.register.records import lock_path
from plainbill.register.store import Register
from registerkit import book, entry, invoice

CLIENTS = ("acme", "beta", "gamma")
BOOK = book([entry(f"2026-{m:02d}-03 1h {c} remote @mario Work {c} {m}", line=i)
             for i, (c, m) in enumerate((c, m) for c in CLIENTS for m in (10, 11, 12))], clients=CLIENTS)
DRAFTS = {(c, m): invoice(c, m, [e for e in BOOK.entries if e.client == c and e.date.month == m])
          for c in CLIENTS for m in (10, 11, 12)}
# a book with an error (its numbering has no {seq}): issuing must consume nothing
BROKEN = book(BOOK.entries, clients=CLIENTS,
              settings=Settings(issuer=Party("x"), numbering=Numbering(invoice="FT-{year}")))
START = date(2026, 12, 20)   # sequences cross into 2027: numbers restart, drafts must not repeat

op = st.one_of(
    st.tuples(st.just("issue"), st.integers(0, 1), st.sampled_from(sorted(DRAFTS)), st.integers(0, 80)),
    st.tuples(st.just("credit"), st.integers(0, 1), st.integers(0, 8), st.integers(0, 80)),
    st.tuples(st.just("merge"), st.integers(0, 1)),
    st.tuples(st.just("refused"), st.integers(0, 1), st.sampled_from(sorted(DRAFTS)), st.integers(0, 80)),
    st.tuples(st.just("backdated"), st.integers(0, 1), st.sampled_from(sorted(DRAFTS)), st.integers(1, 80)),
    st.tuples(st.just("merge"), st.integers(0, 1)),
)


def register_of(files: dict[str, str]) -> Register:
    """The branch's register; over-crediting across branches is the one problem a merge
    may create, and check reports it (credit-note-exceeds): numbering problems never."""
    reg, diags = register_from_files(files)
    assert [d.code for d in diags if d.code != "credit-note-exceeds"] == [], [d.message for d in diags]
    return reg


def issue(files: dict[str, str], key, day: date, bk=BOOK) -> None:
    reg = register_of(files)
    chosen, _ = select_drafts([DRAFTS[key]] if key[0] + f"-2026-{key[1]:02d}" not in reg.by_draft else [], day,
                              (f"{key[0]}-2026-{key[1]:02d}",))
    records, diags = plan_issue(bk, reg, chosen, day)
    if diags:
        assert records == []
        return
    for r in records:
        assert r.ref.path not in files and lock_path(r.draft) not in files
        files[r.ref.path] = r.to_json()
        files[lock_path(r.draft)] = r.number + "\n"


def credit(files: dict[str, str], nth: int, day: date) -> None:
    reg = register_of(files)
    issued = sorted(reg.by_draft.values(), key=lambda r: r.number)
    if not issued:
        return
    rec = issued[nth % len(issued)]
    key = (rec.client, rec.period_start.month)
    original = numbered(DRAFTS[key], rec)
    specs = () if nth % 2 else (f"{original.lines[0].key}=1.00",)   # whole invoice, or 1.00 of a line
    note, diags = plan_credit_note(BOOK, reg, original, specs, "test", day)
    if note is not None:
        files[note.ref.path] = note.to_json()


def merge(into: dict[str, str], other: dict[str, str]) -> bool:
    if any(into.get(p, text) != text for p, text in other.items()):
        return False
    into.update(other)
    return True


def check_invariants(files: dict[str, str]) -> None:
    reg = register_of(files)
    series: dict[tuple[str, int], list[int]] = {}
    for r in reg.records.values():
        series.setdefault((r.series, r.year), []).append(r.seq)
    for seqs in series.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
    drafts = [r.draft for r in reg.records.values() if r.series == "invoice"]
    assert len(drafts) == len(set(drafts))
    dates = {}
    for r in sorted(reg.records.values(), key=lambda r: (r.series, r.year, r.seq)):
        assert r.issue_date >= dates.get((r.series, r.year), r.issue_date)
        dates[(r.series, r.year)] = r.issue_date


@settings(max_examples=60, deadline=None)
@given(st.lists(op, max_size=14))
def test_numbering_gap_free_and_unique(ops):
    branches = [{}, {}]
    clock = [START, START]
    for o in ops:
        kind, b = o[0], o[1]
        files = branches[b]
        if kind == "merge":
            merge(branches[0], branches[1])     # on a conflict the merge is abandoned...
            branches[1] = dict(branches[0])     # ...and the other branch is redone from main
            clock[1] = clock[0] = max(clock)
        elif kind == "refused":
            before = dict(files)
            issue(files, o[2], clock[b], bk=BROKEN)
            assert files == before
        elif kind == "backdated":   # refused when a later number has a later date
            issue(files, o[2], clock[b] - timedelta(days=o[3]))
        else:
            day = clock[b] + timedelta(days=o[3] % 5)
            (issue if kind == "issue" else credit)(files, o[2], day)
            clock[b] = day
        for f in branches:
            check_invariants(f)


def test_same_number_on_two_branches_conflicts_other_series_merge():
    main, feature = {}, {}
    issue(main, ("acme", 10), date(2026, 11, 2))
    feature.update(main)
    issue(main, ("beta", 10), date(2026, 11, 3))
    issue(feature, ("gamma", 10), date(2026, 11, 3))
    assert {"issued/2026/0001.json", "issued/2026/0002.json"} <= set(main) & set(feature)
    assert not merge(dict(main), feature)            # both made 2026/0002: git conflicts
    feature = dict(main)
    credit(feature, 0, date(2026, 11, 4))            # a credit note: its own series
    issue(main, ("gamma", 10), date(2026, 11, 4))
    assert merge(main, feature)
    check_invariants(main)
    assert sorted(p for p in main if p.endswith(".json")) == ["issued/2026/0001.json", "issued/2026/0002.json", "issued/2026/0003.json",
                            "issued/NC-2026/0001.json"]


def test_one_draft_issued_in_two_years_on_two_branches_conflicts():
    main = {}
    issue(main, ("acme", 10), date(2026, 11, 2))
    feature = dict(main)
    issue(main, ("beta", 11), date(2026, 12, 31))      # 2026/0002
    issue(feature, ("beta", 11), date(2027, 1, 4))     # 2027/0001: another path...
    assert not merge(dict(main), feature)              # ...but the same draft lock

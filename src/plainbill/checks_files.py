"""The entry checks over the facts of a LoadedBook's ledger files (load/facts.py).

Same diagnostics, in the same order, as the checks of checks_entries.py run over
`book.entries`, without building a million Entry records: each check asks the facts
which files (and which rows) could give a diagnostic, builds Entry records for those
only, and runs the very same code (`*_of`) over them. Per check:

  references   a file whose names are all defined needs only its rows with
               `contract=`/`tax=`; any other file is checked whole
  future       only a file whose last date is after the reference date
  overlaps     each file's own sweep is in its facts; files in which one person's
               clock ranges may interleave are swept again together
  duplicates   the same, for files that share a date (an entry's text starts with it)
  decimals     rows with an amount or a rate that is not plainly within its limit
  billing      keys of the rows of clients whose entries could lack a rate, if any;
               entries only for rows whose key has a problem

Tallies are per file (`Tally` keys hold the path) and files are taken in book
order, so doing the work file by file gives what one pass over the book gives.
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import compress, repeat
from operator import contains, itemgetter, not_, or_
from typing import Callable, Iterable, Iterator

from .checks import Context
from .checks_entries import (billing_epochs, billing_key, billing_of, billing_problem, decimals_of,
                             decimals_of_book, duplicate_diagnostic, future_of, overlap_diagnostic,
                             references_of, unbillable_activities)
from .diagnostics import Diagnostic
from .load.entries import build_entries
from .load.columns import FAST as FAST_ROW, described, merged
from .load.facts import spans
from .money import minor_digits

ROWS, NAMES, DATES, NAMED, AMOUNTS, OVERLAPS, DUPLICATES = range(7)


def _entries(path: str, rows: list[tuple]) -> list:
    out: list = []
    build_entries(path, rows, out)
    return out


def _all_entries(f) -> list:
    out: list = []
    f.entries(out, keep=True)
    return out


def references(ctx: Context, files) -> Iterator[Diagnostic]:
    for f in files:
        if _names_known(ctx, f.facts[NAMES]):
            entries = _entries(f.path, f.facts[NAMED])
        else:
            entries = _all_entries(f)
        yield from references_of(ctx, entries)


def _names_known(ctx: Context, names) -> bool:
    """Whether every name of the file is defined: check_references' _all_known, on the facts."""
    clients, pairs, acts, persons = names
    if not all(c in ctx.clients for c in clients):
        return False
    for client, project in pairs:
        c = ctx.clients[client]
        if c.ref.line != 0 and all(p.slug != project for p in c.projects):
            return False
    if ctx.settings_broken:
        return True
    return all(a in ctx.activities for a in acts) and all(p in ctx.people for p in persons)


def future(ctx: Context, files) -> Iterator[Diagnostic]:
    today = ctx.settings.reference_date
    if today is None:
        return
    last = today.isoformat()
    for f in files:
        dates = f.facts[DATES]
        if dates is None or (dates and dates[-1] > last):
            yield from future_of(ctx, _all_entries(f))


def overlaps(ctx: Context, files) -> Iterator[Diagnostic]:
    events = []   # (start, file index, row index, row, file index of the earlier row, earlier row)
    for group in _groups(files, _meet_in_time):
        if len(group) == 1:
            i = group[0]
            events += [(s, i, r, row, i, last) for s, r, row, last in files[i].facts[OVERLAPS][0]]
        else:
            events += _sweep(files, group)
    events.sort(key=itemgetter(0, 1, 2))   # the order of the book's sweep: start, then book order
    for _, i, _, row, j, last in events:
        yield overlap_diagnostic(_entries(files[i].path, [row])[0], _entries(files[j].path, [last])[0])


def _sweep(files, group: list[int]) -> list[tuple]:
    """check_overlaps' sweep over the files of `group` together."""
    ranged = [(s[0], i, s[1], s[2], s[3], s[4]) for i in group for s in spans(files[i].parsed())]
    ranged.sort(key=itemgetter(0, 1, 2))
    latest: dict[str, tuple] = {}
    out = []
    for s in ranged:
        last = latest.get(s[4])
        if last is not None and s[0] < last[3]:
            out.append((s[0], s[1], s[2], _full(s[5]), last[1], _full(last[5])))
        if last is None or s[3] > last[3]:
            latest[s[4]] = s
    return out


def _meet_in_time(files) -> Iterator[tuple[int, int]]:
    """Pairs of files in which one person has clock ranges whose spans overlap."""
    by_person: dict[str, list] = {}
    for i, f in enumerate(files):
        for person, (first, end) in f.facts[OVERLAPS][1].items():
            by_person.setdefault(person, []).append((first, end, i))
    for spans_ in by_person.values():
        spans_.sort()
        reach, owner = None, None
        for first, end, i in spans_:
            if reach is not None and first < reach:
                yield owner, i
            if reach is None or end > reach:
                reach, owner = end, i


def duplicates(ctx: Context, files) -> Iterator[Diagnostic]:
    found = []   # (file index, row index, row, file index of the first, first row)
    for group in _groups(files, _share_a_date):
        if len(group) == 1:
            i = group[0]
            found += [(i, r, row, i, first) for r, row, first in files[i].facts[DUPLICATES]]
        else:
            found += _repeats(files, group)
    found.sort(key=itemgetter(0, 1))
    for i, _, row, j, first in found:
        yield duplicate_diagnostic(_entries(files[i].path, [row])[0], _entries(files[j].path, [first])[0])


def _repeats(files, group: list[int]) -> list[tuple]:
    seen: dict[str, tuple] = {}
    out = []
    for i in group:
        parsed = files[i].parsed()
        for r, row in enumerate(merged(parsed)):
            text = row[6] if len(row) == FAST_ROW else row[15]
            first = seen.setdefault(text, (i, row))
            if first[1] is not row:   # order as in facts.duplicates
                out.append((i, row[0] if parsed.fast else r, _full(row), first[0], _full(first[1])))
    return out


def _share_a_date(files) -> Iterator[tuple[int, int]]:
    owner: dict[str, int] = {}
    for i, f in enumerate(files):
        dates = f.facts[DATES]
        if dates is None:   # not plain ISO dates: compare with every file
            yield from ((i, j) for j in range(len(files)) if j != i)
            continue
        for d in dates:
            j = owner.setdefault(d, i)
            if j != i:
                yield j, i


def _groups(files, pairs: Callable) -> list[list[int]]:
    """Files joined by `pairs` (union-find), each group in book order, groups by first file."""
    parent = list(range(len(files)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for a, b in pairs(files):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(len(files)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def decimals(ctx: Context, files) -> Iterator[Diagnostic]:
    digits: dict[str, int] = {}
    for f in files:
        groups, rows = f.facts[AMOUNTS]
        if any(n > _digits(ctx, key, digits) for key, n in groups.items()):
            # an expense with too many decimals: every row with an amount or key=value, in order
            rows = [r for r in f.rows() if len(r) != FAST_ROW and (r[12] or r[13])]
        yield from decimals_of(ctx, _entries(f.path, rows))
    yield from decimals_of_book(ctx)


def _digits(ctx: Context, key: tuple[str, str], digits: dict) -> int:
    """Decimals allowed in an expense of `client` written in `currency` (check_decimals' rule)."""
    client, currency = ctx.clients.get(key[0]), key[1]
    currency = currency or (client.currency if client else ctx.settings.currency)
    if currency not in digits:
        digits[currency] = minor_digits(currency)
    return digits[currency]


def billing(ctx: Context, files) -> Iterator[Diagnostic]:
    """The answer of each key (billing_key) from its first entry in the book, then
    check_billing over the entries whose key has a problem: the first entry check_billing
    sees with a key is then the first of the book, so every answer and count is the same."""
    epochs = billing_epochs(ctx)
    if not epochs:
        return
    unbillable = unbillable_activities(ctx)
    iso = {client: [d.isoformat() for d in bounds] for client, bounds in epochs.items()}
    plans = [_BillingPlan(f, epochs, iso, unbillable) for f in files]
    answers: dict[tuple, tuple | None] = {}
    for plan in plans:
        for row, key in plan.firsts(answers):
            if key not in answers:
                answers[key] = billing_problem(ctx, _entries(plan.path, [row])[0])
    bad = {key for key, answer in answers.items() if answer is not None}
    entries: list = []
    for plan in plans:
        build_entries(plan.path, plan.rows_with(bad), entries)
    yield from billing_of(ctx, entries)


class _BillingPlan:
    """The rows of one file that check_billing looks at, with their keys. Most fast rows
    (no #nobill, a billable activity) are keyed by a signature (target, activity, person,
    date) made in C: one billing_key per distinct signature."""

    def __init__(self, f, epochs: dict, iso: dict, unbillable: set):
        self.path, self.keyed, self.sigs, self.plain, self.key_of = f.path, [], [], [], {}
        self.by_line = f.path.endswith(".txt")   # file order: lines, or (YAML) the rows' order
        if not any(c in epochs for c in f.facts[NAMES][0]):
            return
        parsed = f.parsed()
        full = [r for r in parsed.full if r[4] in epochs]
        fast = parsed.fast
        if f.facts[DATES] is None or not fast:   # dates not plain ISO, or YAML: entries for all
            full, fast = [r for r in merged(parsed) if (r[3][0] if len(r) == FAST_ROW else r[4]) in epochs], []
        if not all(c in epochs for c in f.facts[NAMES][0]):
            fast = [r for r in fast if r[3][0] in epochs]
        odd = list(map(or_, map(contains, map(itemgetter(6), fast), repeat("#nobill")),
                       map(unbillable.__contains__, map(itemgetter(4), fast))))
        self.keyed = [(r, e, billing_key(e, epochs[e.client], unbillable))
                      for r, e in zip(full, _entries(f.path, full))]
        self.keyed += [(r, None, _fast_key(r, iso, unbillable)) for r in compress(fast, odd)]
        self.plain = list(compress(fast, map(not_, odd)))
        self.sigs, self.key_of = self._signatures(f.facts[DATES], iso)

    def _signatures(self, dates: list[str], iso: dict) -> tuple[list, dict]:
        """Signatures of the plain rows and their keys. A client none of whose epochs starts
        within the file's dates has one epoch for all its rows: the date can be left out."""
        plain, first, last = self.plain, dates[0], dates[-1]
        split = {c for c in iso if bisect_right(iso[c], first) != bisect_right(iso[c], last)}
        columns = [map(itemgetter(3), plain), map(itemgetter(4), plain), map(itemgetter(5), plain)]
        if split:
            columns.append(map(itemgetter(1), plain))
        sigs = list(zip(*columns))
        key_of = {}
        for sig in dict.fromkeys(sigs):
            (client, project), activity, person = sig[0], sig[1], sig[2]
            at = sig[3] if split else first
            key_of[sig] = (client, activity, project, person, bisect_right(iso[client], at))
        return sigs, key_of

    def firsts(self, known: dict) -> list[tuple[tuple, tuple]]:
        """(row, key) of the first row of each signature and of every other keyed row, in
        file order (only these can be the first row of a key), but for keys `known`."""
        new = {sig for sig, key in self.key_of.items() if key not in known}
        first = dict(zip(reversed(self.sigs), reversed(self.plain))) if new else {}   # reversed: the first wins
        out = [(r[0], r, self.key_of[sig]) for sig, r in first.items() if sig in new]
        out += [(r[0] if self.by_line else i, r, key) for i, (r, _, key) in enumerate(self.keyed)
                if key is not None and key not in known]
        out.sort(key=itemgetter(0))
        return [(r, key) for _, r, key in out]

    def rows_with(self, bad: set) -> list[tuple]:
        """The rows whose key has a problem, in file order."""
        if not bad:
            return []
        sigs = {sig for sig, key in self.key_of.items() if key in bad}
        out = [(r[0], r) for r, sig in zip(self.plain, self.sigs) if sig in sigs] if sigs else []
        out += [(r[0] if self.by_line else i, r) for i, (r, _, key) in enumerate(self.keyed) if key in bad]
        out.sort(key=itemgetter(0))
        return [r for _, r in out]


def _fast_key(r: tuple, iso: dict, unbillable: set) -> tuple | None:
    """billing_key of the Entry of a fast row (a time entry without key=value): its tags are
    only worked out when they matter, and dates compare as ISO text."""
    _, ds, _, (client, project), activity, person, text, cut = r
    if activity in unbillable and "#" not in text:   # no tags at all
        return None
    if activity in unbillable or "#nobill" in text:
        tags = described(text[cut:])[1] if cut else ()
        if tags and ("nobill" in tags or (activity in unbillable and "billable" not in tags)):
            return None
        if activity in unbillable and not tags:
            return None
    return (client, activity, project, person, bisect_right(iso[client], ds))


def _full(row: tuple) -> tuple:
    from .load.columns import full_row
    return full_row(row)


FAST: dict[str, Callable[[Context, tuple], Iterable[Diagnostic]]] = {
    "references": references, "future entries": future, "overlapping clock ranges": overlaps,
    "duplicate entries": duplicates, "decimals": decimals, "contracts and rates": billing,
}

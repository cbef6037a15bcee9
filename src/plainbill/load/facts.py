"""What the checks need to know about one parsed ledger file, whatever the rest of the book.

Facts depend only on the file's bytes; they are computed where the file is
parsed (load/parsing.py). See checks_files.py for how the checks use them.

    (rows, names, dates, named, amounts, overlaps, duplicates)

  rows        number of rows
  names       (sorted clients, sorted (client, project) pairs, sorted activities, sorted persons)
  dates       sorted distinct dates ("YYYY-MM-DD"), or None when one is not plain ASCII
  named       the full rows with `contract=` or `tax=` (what `references` checks of them)
  amounts     (groups, odd) for `decimals`: groups {(client, currency written or ""): most
              decimals} of plain expense amounts, odd the full rows whose amount, `rate=`
              or `price=` needs a closer look (not plain, a price, a rate past 4 decimals)
  overlaps    (events, spans): the file's own overlapping clock ranges as
              (start, order, row, earlier row), start in minutes since year 1, and
              {person: (first start, last end)} to tell whether files may interact
  duplicates  [(order, row, first row)]: the file's own duplicate entries (order: see spans)
  clients     {client: (digest of its rows in this file, their number)}: the number is how
              billing/__init__.py balances clients over processes (`jobs`)
"""
from __future__ import annotations

import hashlib
from array import array
from datetime import date
from operator import itemgetter

from .columns import FAST, Parsed, full_row, merged

_ORDINALS: dict[str, int] = {}


def file_facts(p: Parsed) -> tuple:
    targets = set(map(itemgetter(3), p.fast)) | set(zip(map(itemgetter(4), p.full), map(itemgetter(5), p.full)))
    acts = set(map(itemgetter(4), p.fast)) | set(map(itemgetter(6), p.full))
    persons = set(map(itemgetter(5), p.fast)) | set(map(itemgetter(7), p.full))
    dates = set(map(itemgetter(1), p.fast)) | set(map(itemgetter(3), p.full))
    names = (sorted({c for c, _ in targets}), sorted(t for t in targets if t[1]), sorted(acts - {""}), sorted(persons))
    named = [r for r in p.full if r[12] and any(k in ("contract", "tax") for k, _ in r[12])]
    plain_dates = sorted(dates) if all(d.isascii() for d in dates) else None
    day = {d: minute_of(d) for d in dates}
    return (len(p.fast) + len(p.full), names, plain_dates, named, amounts(p.full), overlaps(p, day), duplicates(p),
            client_digests(p))


def client_digests(p: Parsed) -> dict[str, tuple[str, int]]:
    """{client: SHA-256 of its rows' places and normalised texts}: what its Entry records are
    built from (an Entry is its text read at its path:line:col), so equal digests, equal entries.
    Which rows are fast depends on what the parser had seen before (columns.py): the digest
    does not, rows of both kinds are hashed alike, in line order."""
    rows: dict[str, list] = {}
    for r in p.fast:
        try:
            rows[r[3][0]].append((r[0], 1, r[6]))   # a fast row's column is always 1
        except KeyError:
            rows[r[3][0]] = [(r[0], 1, r[6])]
    for r in p.full:
        try:
            rows[r[4]].append((r[0], r[1], r[15]))
        except KeyError:
            rows[r[4]] = [(r[0], r[1], r[15])]
    out = {}
    for client in sorted(rows):
        found = rows[client]
        found.sort()
        h = hashlib.sha256(array("q", [n for r in found for n in r[:2]]).tobytes())
        h.update("\n".join(map(_TEXT, found)).encode("utf-8", "surrogatepass"))
        out[client] = (h.hexdigest()[:32], len(found))
    return out


_TEXT = itemgetter(2)
RATE_LIMIT = 4   # decimals of a rate (checks_entries.RATE_LIMIT)


def amounts(full: list[tuple]) -> tuple[dict, list]:
    groups: dict[tuple[str, str], int] = {}
    odd = []
    for r in full:
        if not (r[12] or r[13]):
            continue
        meta: dict[str, str] = {}
        for k, v in r[12]:
            meta.setdefault(k, v)   # Entry.get gives the first
        if "price" in meta or ("rate" in meta and places(meta["rate"]) > RATE_LIMIT):
            odd.append(r)
        elif r[2] == "expense":
            n = places(r[13])
            if n > RATE_LIMIT:
                odd.append(r)
            else:
                key = (r[4], r[14] or meta.get("currency", ""))
                groups[key] = max(groups.get(key, 0), n)
    return groups, odd


def places(text: str) -> int:
    """Decimals of a plain amount ("12", "12.50"); a large number for anything else."""
    whole, dot, part = text.partition(".")
    if text.isascii() and whole.isdigit() and (part.isdigit() or not dot):
        return len(part)
    return 99


def minute_of(ds: str) -> int:
    """Minutes from 0001-01-01 to the start of day `ds`: clock ranges compared as integers."""
    found = _ORDINALS.get(ds)
    if found is None:
        found = _ORDINALS[ds] = date.fromisoformat(ds).toordinal() * 1440
    return found


def spans(p: Parsed, day: dict[str, int] | None = None) -> list[tuple]:
    """(start, order, end, person, row) of every clock range, in minutes since year 1, sorted
    as check_overlaps' stable sort sorts them: by start, then by place in the file (`order`
    is the line, or the row's index in a file of full rows only: YAML records may share a line)."""
    if day is None:
        day = {d: minute_of(d) for d in set(map(itemgetter(1), p.fast)) | set(map(itemgetter(3), p.full))}
    if p.fast:
        out = [(day[r[1]] + w[0], r[0], day[r[1]] + w[0] + w[1], r[5], r) for r in p.fast if (w := r[2])[0] >= 0]
        out += [(day[r[3]] + r[9], r[0], day[r[3]] + r[9] + r[8], r[7], r) for r in p.full if r[9] >= 0]
    else:
        out = [(day[r[3]] + r[9], i, day[r[3]] + r[9] + r[8], r[7], r) for i, r in enumerate(p.full) if r[9] >= 0]
    out.sort(key=itemgetter(0, 1))
    return out


def overlaps(p: Parsed, day: dict[str, int]) -> tuple[list, dict]:
    """The events and spans of `overlaps` above: check_overlaps' sweep, on integers."""
    latest: dict[str, tuple] = {}
    events = []
    first: dict[str, int] = {}
    for s in spans(p, day):
        person = s[3]
        last = latest.get(person)
        if last is None:
            latest[person] = s
            first[person] = s[0]
            continue
        if s[0] < last[2]:
            events.append((s[0], s[1], full_row(s[4]), full_row(last[4])))
        if s[2] > last[2]:
            latest[person] = s
    return events, {p: (first[p], s[2]) for p, s in latest.items()}


def duplicates(p: Parsed) -> list[tuple]:
    """[(order, row, first row with the same text)]: check_duplicates within the file (order
    as in `spans`)."""
    texts = set(map(itemgetter(6), p.fast))
    texts.update(map(itemgetter(15), p.full))
    if len(texts) == len(p.fast) + len(p.full):
        return []
    seen: dict[str, tuple] = {}
    out = []
    for i, r in enumerate(merged(p)):
        text = r[6] if len(r) == FAST else r[15]
        first = seen.setdefault(text, r)
        if first is not r:
            out.append((r[0] if p.fast else i, full_row(r), full_row(first)))
    return out

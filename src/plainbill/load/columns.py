"""The ledger line format -> compact rows, in one lean loop (the hot path of a big book).

`ledger.parse_ledger` makes a full row per line (description, tags, normalised text:
~4 us a line). Most lines of a big book are single-spaced time lines without `=`
whose five leading tokens were all seen valid before; for those this loop keeps a
*fast row* of what the checks need, with shared values from the memos:

    (line, date, (start, minutes), (client, project), activity, person, text, cut)

The line itself is the normalised text; description and tags are read back from it,
from column `cut` on (0: nothing after @person), only when an Entry is built
(`described`). Every other line (comments, key=value, irregular spacing, first
sightings, anything wrong) goes through the careful path of ledger.py and keeps its
full row, with the same diagnostics; so do expenses, whose known tokens are looked
up the same way before `_State.expense` makes their row.
"""
from __future__ import annotations

import re
from operator import itemgetter
from typing import NamedTuple

from .ledger import MAX_DESCRIPTION, _State, parse_ledger

# whitespace other than " " and "\n" (control characters aside: see _has_control)
_ODD_SPACES = ("\t", "\x85", "\xa0", "\u1680", *map(chr, range(0x2000, 0x200b)), "\u2028", "\u2029",
               "\u202f", "\u205f", "\u3000")
_CTRL_BYTES = bytes(range(0, 9)) + bytes(range(11, 32)) + b"\x7f"
FAST = 8   # items in a fast row (a full row has 16)
_AMOUNT = re.compile(r"\d+(?:\.\d+)?$")   # an expense amount, as ledger._EXPENSE reads it


class Parsed(NamedTuple):
    """One ledger file: fast rows (see above), full rows (as ledger.py), diagnostic tuples, and
    its payment rows (ledger.py: payments are not entries)."""
    fast: list
    full: list
    problems: list
    payments: tuple = ()


def parse_columns(text: str, state: _State | None = None) -> Parsed:
    """Rows and diagnostics of one ledger file's text: the rows of parse_ledger, compact."""
    state = state or _State()
    if _has_control(text):   # control characters are reported line by line there
        rows, diags = parse_ledger(text, state)
        return Parsed([], rows, diags, tuple(state.payments))
    diags: list[tuple] = []
    state.diags = diags
    state.payments = []
    fast: list[tuple] = []
    full: list[tuple] = []
    odd = _odd_spaces(text)
    dates, whens, targets = state.dates_ok, state.whens, state.targets
    acts, persons, careful, rest_of = state.acts, state.persons, state.careful, state._rest
    keep, slow = fast.append, full.append
    learn_when = state.learn_when

    def expense(lineno: int, line: str, t: list[str]) -> None:
        """An expense line: its tokens looked up like a time line's, then state.expense."""
        ds, target, person = dates.get(t[0]), targets.get(t[2]), persons.get(t[3])
        if ds is None or target is None or person is None or not _AMOUNT.match(t[4]) or len(t[4]) > 12:
            careful(lineno, line, slow)
            return
        raw = t[5] if len(t) == 6 else None
        row = state.expense(lineno, ds, target[0], target[1], person, t[4], raw,
                            len(line) - len(raw) + 1 if raw else 0, line)
        if row is not None:
            slow(row)

    for lineno, line in enumerate(text.split("\n"), 1):
        t = line.split(" ", 5)
        n = len(t)
        # the line must be its own normal form (single spaces, no other whitespace): the five
        # tokens looked up below never hold whitespace, so only the rest needs a look here
        if n < 5 or len(line) > MAX_DESCRIPTION or (odd and line != " ".join(line.split())) or \
                (n == 6 and (not t[5] or t[5][0] == " " or t[5][-1] == " " or "  " in t[5])):
            careful(lineno, line, slow)
            continue
        if t[1] == "expense":
            expense(lineno, line, t)
            continue
        ds = dates.get(t[0])
        when = whens.get(t[1]) or learn_when(t[1])
        target = targets.get(t[2])
        activity = acts.get(t[3])
        person = persons.get(t[4])
        if ds is None or when is None or target is None or activity is None or person is None:
            careful(lineno, line, slow)
        elif n == 5:
            keep((lineno, ds, when, target, activity, person, line, 0))
        elif "=" in t[5]:   # key=value: checked token by token, as parse_ledger does
            desc, tags, meta = rest_of(lineno, t[5], line.find(t[5]) + 1)
            if meta is not None:
                slow((lineno, 1, "time", ds, target[0], target[1], activity, person, when[1], when[0],
                      desc, tags, meta, "", "", line))
        else:
            keep((lineno, ds, when, target, activity, person, line, len(line) - len(t[5])))
    return Parsed(fast, full, diags, tuple(state.payments))


def _has_control(text: str) -> bool:
    """Whether the text has a control character (bytes.translate: C speed, unlike a regex)."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data.translate(None, _CTRL_BYTES)) != len(data)


def _odd_spaces(text: str) -> bool:
    """Whether the text has whitespace other than spaces and line ends (one-character
    searches: C speed, unlike "  " which is everywhere a space is)."""
    return "\t" in text or (not text.isascii() and any(c in text for c in _ODD_SPACES))


def described(rest: str) -> tuple[str, tuple]:
    """(description, tags) of the words after `@person` of a fast row: the words that are not
    tags, and the tags without `#` (as ledger._State._rest makes them)."""
    h = rest.find("#")
    if h < 0:
        return rest, ()
    if h > 0 and rest[h - 1] == " " and len(rest) > h + 1 and rest.find(" ", h) < 0 and rest.find("#", h + 1) < 0:
        return rest[:h - 1], (rest[h + 1:],)   # the usual "words #one-tag"
    words = rest.split(" ")
    return (" ".join([w for w in words if w[0] != "#" or len(w) == 1]),
            tuple([w[1:] for w in words if w[0] == "#" and len(w) > 1]))


def full_row(r: tuple) -> tuple:
    """A fast row as the full row ledger.py makes (full rows are returned as they are)."""
    if len(r) != FAST:
        return r
    line, ds, (start, minutes), (client, project), activity, person, text, cut = r
    desc, tags = described(text[cut:]) if cut else ("", ())
    return (line, 1, "time", ds, client, project, activity, person, minutes, start, desc, tags, (),
            "", "", text)


def merged(p: Parsed) -> list[tuple]:
    """Fast and full rows in line order (both lists are; timsort merges two runs in C)."""
    if not p.full:
        return p.fast
    if not p.fast:
        return p.full
    rows = p.fast + p.full
    rows.sort(key=itemgetter(0))
    return rows


def to_rows(p: Parsed) -> list[tuple]:
    return [full_row(r) for r in merged(p)]

"""The ledger line format (docs/format.md "The ledger line format") -> compact rows.

This is the hot path: a big book has a million lines. A line is matched by one
compiled regex; repeated values (dates, durations, clock ranges, slugs) are
converted once and memoised; lines with neither `#` nor `=` skip tokenising.
Only a line the regex rejects goes through `diagnose`, which walks the tokens
to say precisely what is wrong and where.

`parse_ledger` is a pure function of the text and returns plain tuples (rows
and diagnostics) so its result can be cached by content hash with `marshal`
and computed in another process; `entries.py` turns rows into Entry records.

Row: (line, col, kind, date, client, project, activity, person, minutes, start,
      description, tags, meta, amount, currency, text)
  kind "time" | "expense"; date "YYYY-MM-DD"; start minutes from midnight or -1;
  amount the expense amount as typed ("" for time); text the line normalised (runs of
  whitespace made one space, the past-midnight marker `+1` of a clock range left out: it
  says how to read the range, it does not change the entry or its fingerprint).
Diagnostic tuple: (code, severity "error" | "warning", line, col, message, hint).
Payment lines (`DATE payment NUMBER AMOUNT METHOD [note]`) are not entries: their rows go to
the state's `payments` list, (line, col, date, invoice number, amount as typed, method, note).
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..money import parse_decimal, parse_percent, size_problem
from .yamlnodes import DATE_RE, SLUG_RE, parse_date, parse_duration

SLUG = r"[a-z0-9][a-z0-9_-]*"
_TIME = re.compile(
    rf"\s*(\d{{4}}-\d\d-\d\d)\s+(?:(\d\d?:\d\d-\d\d?:\d\d(?:\+1)?)|(\d+h(?:\d+m)?|\d+m|\d+\.\d+h|\d+:\d\d))\s+"
    rf"({SLUG})(?:/({SLUG}))?\s+({SLUG})\s+@({SLUG})(?:\s+(.*))?$")
_EXPENSE = re.compile(
    rf"\s*(\d{{4}}-\d\d-\d\d)\s+expense\s+({SLUG})(?:/({SLUG}))?\s+@({SLUG})\s+(\d+(?:\.\d+)?)"
    rf"(?:\s+(.*))?$")
_PAYMENT = re.compile(
    rf"\s*(\d{{4}}-\d\d-\d\d)\s+payment\s+(\S+)\s+(\d+(?:\.\d+)?)\s+({SLUG})(?:\s+(.*))?$")
_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TOKEN = re.compile(r"\S+")
_KEY = re.compile(r"[a-z][a-z0-9_]*$")
_RANGE = re.compile(r"(\d\d?):(\d\d)-(\d\d?):(\d\d)(\+1)?$")
MAX_MINUTES = 24 * 60
MAX_DESCRIPTION = 1000   # characters: a line of an invoice, not a document (and textwrap stays cheap)
MAX_LINE = 4000          # characters of a ledger line: a description, tags and key=value with room to spare


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    """ISO 4217 codes known to Babel: a capitalised word that is not one starts the description."""
    from babel.numbers import list_currencies
    return frozenset(list_currencies())


def parse_ledger(text: str, state: "_State | None" = None) -> tuple[list[tuple], list[tuple]]:
    """Rows and diagnostics of one ledger file's text (see the module docstring).

    Two paths: a token already seen valid in this file (a date, a duration, a
    client/project, an activity, a person) is looked up in a memo, so a typical
    time line costs one `split` and five dict look-ups (its normalised text is the
    tokens joined by single spaces); anything else goes
    through the regex (`_careful`), which validates it and fills the memos.
    """
    rows: list[tuple] = []
    diags: list[tuple] = []
    state = state or _State()
    state.diags = diags
    state.payments = []
    has_ctrl = _CTRL.search(text) is not None
    dates, whens, targets = state.dates_ok, state.whens, state.targets
    acts, persons, rest_of, append = state.acts, state.persons, state._rest, rows.append
    for lineno, line in enumerate(text.split("\n"), 1):
        if has_ctrl and _CTRL.search(line):
            col = _CTRL.search(line).start() + 1
            _fail(diags, lineno, col, "invalid-character", col,
                  f"control character U+{ord(line[col - 1]):04X} in a ledger line", "remove it")
            continue
        toks = line.split()
        if len(toks) < 5 or len(line) > MAX_DESCRIPTION:
            state.careful(lineno, line, append)
            continue
        ds = dates.get(toks[0])
        when = whens.get(toks[1])
        target = targets.get(toks[2])
        activity = acts.get(toks[3])
        person = persons.get(toks[4])
        if ds is None or when is None or target is None or activity is None or person is None:
            state.careful(lineno, line, append)
            continue
        if len(toks) == 5:
            desc, tags, meta = "", (), ()
        elif "=" in line:   # key=value: checked token by token, with columns for errors
            rest = line.split(None, 5)[5].rstrip()
            desc, tags, meta = rest_of(lineno, rest, line.find(rest) + 1)
            if meta is None:
                continue
        elif "#" in line:   # usually trailing tags: peel them off without comprehensions
            i = len(toks)
            while i > 5 and toks[i - 1][0] == "#" and len(toks[i - 1]) > 1:
                i -= 1
            desc = " ".join(toks[5:i])
            if "#" in desc:   # a tag among the words: sort them one by one
                words = toks[5:]
                desc = " ".join([t for t in words if t[0] != "#" or len(t) == 1])
                tags = tuple([t[1:] for t in words if t[0] == "#" and len(t) > 1])
            elif len(toks) - i == 1:
                tags = (toks[i][1:],)
            else:
                tags = tuple([t[1:] for t in toks[i:]])
            meta = ()
        else:
            desc, tags, meta = " ".join(toks[5:]), (), ()
        append((lineno, 1, "time", ds, target[0], target[1], activity, person, when[1], when[0],
                desc, tags, meta, "", "", " ".join(toks)))
    return rows, diags


def _fail(diags, lineno, col, code, where, message, hint, severity="error"):
    diags.append((code, severity, lineno, max(col, where), message, hint))


class _State:
    """Memo tables: each distinct date, range, duration and slug is checked once (per process)."""

    def __init__(self):
        self.diags: list[tuple] = []
        self.payments: list[tuple] = []     # payment rows of the file being parsed
        self.dates: dict[str, bool] = {}
        self.ranges: dict[str, tuple | None] = {}
        self.durations: dict[str, int | None] = {}
        self.strings: dict[str, str] = {}
        # memos of the fast path: token -> its value, filled only with tokens seen valid
        self.dates_ok: dict[str, str] = {}
        self.whens: dict[str, tuple[int, int]] = {}
        self.targets: dict[str, tuple[str, str]] = {}
        self.acts: dict[str, str] = {}
        self.persons: dict[str, str] = {}

    def careful(self, lineno: int, line: str, append) -> None:
        """The regex path: comments, expenses, first sightings of tokens, and every error."""
        stripped = line.lstrip()
        if not stripped or stripped[0] in "#;":
            return
        if len(line) > MAX_LINE:   # before any tokenising: what follows stays linear in the line
            _fail(self.diags, lineno, 1, "line-too-long", 1, f"this line has {len(line):,} characters, more than "
                  f"{MAX_LINE:,}", "a ledger line is one entry: its description says what was done in a sentence or two")
            return
        if not stripped[0].isdigit():
            _fail(self.diags, lineno, 1, *diagnose(line))
            return
        if stripped.split(None, 2)[1:2] == ["payment"]:
            m = _PAYMENT.match(line)
            if m is None:
                _fail(self.diags, lineno, 0, *diagnose(line))
            else:
                self.payment_row(lineno, line, m)
            return
        m = _TIME.match(line)
        if m is not None:
            row = self.time_row(lineno, line, m)
            if row is not None:
                self._remember(m, row)
        else:
            m = _EXPENSE.match(line)
            row = self.expense_row(lineno, line, m) if m is not None else None
            if m is None:
                _fail(self.diags, lineno, 0, *diagnose(line))
        if row is not None:
            append(row)

    def _remember(self, m, row: tuple) -> None:
        ds, rng, dur = m.group(1, 2, 3)
        if ds != "9999-12-31":   # a range past midnight there leaves the calendar: always check
            self.dates_ok[ds] = row[3]
        if not (rng and (rng.endswith("+1") or _crosses_midnight(rng))):   # warned, or +1 cut from the text: line by line
            self.whens[rng or dur] = (row[9], row[8])
        self.targets[m.group(4) + ("/" + m.group(5) if m.group(5) else "")] = (row[4], row[5])
        self.acts[row[6]] = row[6]
        self.persons["@" + row[7]] = row[7]

    def learn_when(self, token: str) -> tuple[int, int] | None:
        """(start or -1, minutes) of a valid clock range or duration never seen before, as the
        careful path would remember it; None (and nothing remembered) for anything else."""
        if not _TIME_WHEN.match(token):
            return None
        if "-" in token:
            found = None if "+" in token else _clock_range(token)   # +1: the careful path drops it from the text
            if found is None or _crosses_midnight(token):
                return None
            start, minutes = found[:2]
        else:
            start, minutes = -1, parse_duration(token)
        if not minutes or minutes > MAX_MINUTES:
            return None
        found = self.whens[token] = (start, minutes)
        return found

    def _date_ok(self, lineno: int, ds: str, col: int) -> bool:
        ok = self.dates.get(ds)
        if ok is None:
            ok = self.dates[ds] = parse_date(ds) is not None
        if not ok:
            _fail(self.diags, lineno, 1, "invalid-date", col, f"`{ds}` is not a valid date",
                  "write dates as YYYY-MM-DD, e.g. 2026-11-03")
        return ok

    def time_row(self, lineno: int, line: str, m):
        ds, rng, dur, client, project, activity, person, rest = m.groups()
        if not self._date_ok(lineno, ds, m.start(1) + 1):
            return None
        if rng is not None:
            start_minutes = self._range(lineno, rng, m.start(2) + 1)
            if start_minutes is None:
                return None
            start, minutes = start_minutes
            if rng.endswith("+1"):
                line = line.replace(rng, rng[:-2], 1)   # the text of the entry, see the module docstring
            if start + minutes > MAX_MINUTES and ds == "9999-12-31":
                _fail(self.diags, lineno, 1, "invalid-date", 1, "a range past midnight leaves the calendar", "")
                return None
        else:
            minutes = self._duration(lineno, dur, m.start(3) + 1)
            if minutes is None:
                return None
            start = -1
        if rest and rest[-1].isspace():
            rest = rest.rstrip()
        desc, tags, meta = self._rest(lineno, rest, m.start(8) + 1) if rest else ("", (), ())
        if meta is None or self._too_long(lineno, desc, m.start(8) + 1):
            return None
        intern = self.strings.setdefault
        return (lineno, 1, "time", intern(ds, ds), intern(client, client), intern(project or "", project or ""),
                intern(activity, activity), intern(person, person), minutes, start, desc, tags, meta, "", "",
                _normal(line))

    def expense_row(self, lineno: int, line: str, m):
        ds, client, project, person, amount, rest = m.groups()
        if not self._date_ok(lineno, ds, m.start(1) + 1):
            return None
        if size_problem(amount):
            col = m.start(5) + 1
            _fail(self.diags, lineno, col, "invalid-amount", col, f"expense amount `{_cut(amount)}` "
                  + size_problem(amount), "no expense needs that many digits: check the amount")
            return None
        intern = self.strings.setdefault
        return self.expense(lineno, intern(ds, ds), intern(client, client), intern(project or "", project or ""),
                            intern(person, person), amount, rest, m.start(6) + 1, _normal(line))

    def payment_row(self, lineno: int, line: str, m) -> None:
        ds, number, amount, method, note = m.groups()
        if not self._date_ok(lineno, ds, m.start(1) + 1):
            return
        col = m.start(3) + 1
        if size_problem(amount):
            _fail(self.diags, lineno, col, "invalid-amount", col, f"payment amount `{_cut(amount)}` "
                  + size_problem(amount), "no payment needs that many digits: check the amount")
            return
        if not parse_decimal(amount):
            _fail(self.diags, lineno, col, "invalid-amount", col, "a payment of zero",
                  "write the amount received, or remove the line")
            return
        note = (note or "").strip()
        if self._too_long(lineno, note, m.start(5) + 1 if note else 1):
            return
        self.payments.append((lineno, m.start(1) + 1, ds, number, amount, method, note, _normal(line)))

    def expense(self, lineno: int, ds: str, client: str, project: str, person: str, amount: str,
                raw: str | None, start: int, text: str):
        """The row of a valid expense line; `raw` is what follows the amount, from column `start`."""
        rest, currency, offset = raw, "", start if raw else 0
        if rest and rest[-1].isspace():
            rest = rest.rstrip()
        if rest and rest[:3].isupper() and rest[:3].isalpha() and (rest[3:4] == "" or rest[3:4].isspace()) \
                and rest[:3] in currencies():
            currency, rest = rest[:3], rest[3:].lstrip()
            offset = start + len(raw) - len(rest)
        desc, tags, meta = self._rest(lineno, rest, offset) if rest else ("", (), ())
        if meta is None or self._too_long(lineno, desc, offset):
            return None
        return (lineno, 1, "expense", ds, client, project, "", person, 0, -1, desc, tags, meta, amount, currency, text)

    def _too_long(self, lineno: int, desc: str, col: int) -> bool:
        if len(desc) <= MAX_DESCRIPTION:
            return False
        _fail(self.diags, lineno, col, "description-too-long", col,
              f"the description has {len(desc):,} characters, more than {MAX_DESCRIPTION:,}",
              "an invoice line says what was done in a sentence or two: keep the details elsewhere")
        return True

    def _range(self, lineno: int, rng: str, col: int):
        if rng not in self.ranges:
            self.ranges[rng] = _clock_range(rng)
        found = self.ranges[rng]
        if found is None:
            _fail(self.diags, lineno, col, "invalid-time", col, f"`{rng}` is not a valid clock range",
                  "write HH:MM-HH:MM on a 24-hour clock, e.g. 09:00-10:30 (22:00-01:30+1 runs past midnight)")
            return None
        if found[2]:
            _fail(self.diags, lineno, col, "duration-too-long", col, f"clock range `{rng}` lasts more than 24 hours",
                  "the marker +1 is for a range that ends the next day before it started: split longer work by day")
            return None
        if found[1] and _crosses_midnight(rng):
            _fail(self.diags, lineno, col, "past-midnight", col,
                  f"`{rng}` ends before it starts: read as running past midnight, {hours_minutes(found[1])}",
                  f"if the work ran past midnight, say so: `{rng}+1`; else fix the times", "warning")
        found = found[:2]
        if found[1] == 0:
            whole_day = rng.startswith("00:00") and rng.endswith("24:00")
            _fail(self.diags, lineno, col, "non-positive-duration", col, f"clock range `{rng}` is empty",
                  "for a whole day write the duration 24h" if whole_day else
                  "start and end are the same; fix the end time or remove the line")
            return None
        return found

    def _duration(self, lineno: int, dur: str, col: int):
        minutes = self.durations.get(dur, -1)
        if minutes == -1:
            minutes = self.durations[dur] = parse_duration(dur)
        if minutes is None:
            _fail(self.diags, lineno, col, "invalid-duration", col, f"`{dur}` is not a whole number of minutes",
                  "write e.g. 1h15m or 1.25h")
        elif minutes == 0:
            _fail(self.diags, lineno, col, "non-positive-duration", col, f"duration `{dur}` is zero",
                  "remove the line, or write the time actually worked")
            return None
        elif minutes > MAX_MINUTES:
            _fail(self.diags, lineno, col, "duration-too-long", col, f"duration `{dur}` is more than 24 hours",
                  "split the work into one line per day")
            return None
        return minutes

    def _rest(self, lineno: int, rest: str, offset: int):
        """(description, tags, meta) of the free part of a line; meta None after a diagnostic."""
        if "=" not in rest:   # the common case: description and tags, in comprehensions
            toks = rest.split()
            return (" ".join([t for t in toks if t[0] != "#" or len(t) == 1]),
                    tuple([t[1:] for t in toks if t[0] == "#" and len(t) > 1]), ())
        words, tags, meta, keys = [], [], [], set()
        problems = len(self.diags)
        for tok in rest.split():
            if tok[0] == "#" and len(tok) > 1:
                tags.append(tok[1:])
                continue
            key, eq, value = tok.partition("=")
            if eq and value and _KEY.match(key):
                self._meta(lineno, rest, offset, tok, key, value, meta, keys)
            else:
                words.append(tok)
        return " ".join(words), tuple(tags), (tuple(meta) if len(self.diags) == problems else None)

    def _meta(self, lineno: int, rest: str, offset: int, tok: str, key: str, value: str, meta: list,
              keys: set) -> None:
        if key in keys:
            col = offset + rest.find(tok)   # only needed when something is wrong
            _fail(self.diags, lineno, col, "duplicate-key", col, f"`{key}=` appears twice on this line",
                  "keep one of them")
            return
        keys.add(key)
        problem = _bad_meta(key, value) if key in _CHECKED_KEYS else None
        if problem:
            col = offset + rest.find(tok)
            _fail(self.diags, lineno, col, problem[0], col, *problem[1:])
        meta.append((key, value))


def _clock_range(rng: str) -> tuple[int, int, bool] | None:
    """(start minute, minutes, longer than a day) of a clock range, None when impossible. An end
    before the start is the next day (with or without the marker +1, which says so); an end
    equal to the start is an empty range (0 minutes), or a whole day with +1."""
    h1, m1, h2, m2, marker = _RANGE.match(rng).groups()
    h1, m1, h2, m2 = int(h1), int(m1), int(h2), int(m2)
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and (m2 or marker)):
        return None
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if marker:
        minutes = end + MAX_MINUTES - start
        return start, minutes, minutes > MAX_MINUTES
    return start, (end - start) % MAX_MINUTES, False


def hours_minutes(minutes: int) -> str:
    """'20 h 30 m', '2 h', '45 m': a length of time in a message."""
    h, m = divmod(minutes, 60)
    return " ".join(filter(None, [f"{h} h" if h else "", f"{m} m" if m or not h else ""]))


def _crosses_midnight(rng: str) -> bool:
    """Whether a range without the marker ends before it starts (an end at 00:00 is midnight:
    plainly the end of the day, never a typo)."""
    if rng.endswith("+1"):
        return False
    h1, m1, h2, m2, _ = _RANGE.match(rng).groups()
    end = int(h2) * 60 + int(m2)
    return 0 < end < int(h1) * 60 + int(m1)


_CHECKED_KEYS = frozenset({"rate", "price", "qty", "markup", "bill", "currency"})   # what _bad_meta looks at


def _bad_meta(key: str, value: str) -> tuple | None:
    """(code, message, hint) when a key with a meaning has a value it cannot take."""
    if key in ("rate", "price"):
        amount = parse_decimal(value)
        if amount is None:
            if size_problem(value):
                return "invalid-amount", f"`{key}={_cut(value)}` {size_problem(value)}", \
                    "no rate or price needs that many digits: check the amount"
            return "invalid-amount", f"`{key}={_cut(value)}`: not an amount", "write e.g. 70.00"
        if amount < 0:
            return "invalid-amount", f"`{key}={value}` is negative", \
                "write the amount without a sign; a refund or discount is a credit note or an adjustment"
    if key == "qty":
        qty = parse_decimal(value)
        if qty is None:
            return "invalid-value", f"`qty={_cut(value)}`: " + (size_problem(value) or "not a number"), "write e.g. qty=2"
        if qty < 0:
            return "invalid-value", f"`qty={value}` is negative", \
                "write the quantity without a sign; goods returned are a credit note"
        if qty == 0:
            return "zero-quantity", f"`qty={value}`: zero items, yet the line would bill the whole amount (0 x price = price)", \
                "write the quantity bought (qty=1 is the default: leave qty= out), or remove the line"
    if key == "markup":
        markup = parse_percent(value)
        if markup is None:
            return "invalid-value", f"`markup={_cut(value)}`: " + (size_problem(value) or "not a percentage"), \
                "write e.g. markup=20%"
        if markup < 0:
            return "negative-markup", f"`markup={value}` is negative: the expense would be billed below its cost", \
                "write markup=0% to re-bill at cost, or bill=no not to re-bill it; a discount is an adjustment"
    if key == "bill" and value not in ("yes", "no", "true", "false"):
        return "invalid-value", f"`bill={value}`: expected yes or no", "write bill=no (or the tag #nobill)"
    if key == "currency" and value not in currencies():
        return "invalid-value", f"`currency={value}` is not an ISO 4217 code", "write e.g. currency=USD"
    return None


def _normal(line: str) -> str:
    """The line with runs of whitespace collapsed: the text behind an entry's fingerprint."""
    return " ".join(line.split())


def diagnose(line: str) -> tuple[str, int, str, str]:
    """(code, col, message, hint) for a line the fast regex rejected."""
    toks = [(t.start() + 1, t.group()) for t in _TOKEN.finditer(line)]
    col, tok = toks[0]
    if not DATE_RE.match(tok):
        return "ledger-syntax", col, f"a ledger line starts with a date, not `{_cut(tok)}`", \
            "write YYYY-MM-DD first, or start the line with # to make it a comment"
    if parse_date(tok) is None:
        return "invalid-date", col, f"`{tok}` is not a valid date", "check the month and the day"
    kind = toks[1][1] if len(toks) > 1 and toks[1][1] in ("expense", "payment") else "time"
    steps = _STEPS[kind]
    for i, (what, check) in enumerate(steps, 1):
        if i >= len(toks):
            end = len(line.rstrip()) + 1
            return "ledger-syntax", end, f"the line ends before the {what}", _FORMS[kind]
        problem = check(toks[i][1])
        if problem:
            return problem[0], toks[i][0], problem[1], problem[2]
    return "ledger-syntax", 1, "this line does not follow the ledger format", _FORMS[kind]


def _cut(text: str) -> str:
    return text if len(text) <= 30 else text[:29] + "…"


def _when(tok: str):
    rng = _RANGE.match(tok)
    if rng:
        return "invalid-time", f"`{tok}` is not a valid clock range", "write HH:MM-HH:MM on a 24-hour clock"
    if tok.startswith("-"):
        return "non-positive-duration", f"duration `{tok}` is negative", "durations are positive: write e.g. 30m"
    if ":" in tok and "-" in tok:
        return "invalid-time", f"`{_cut(tok)}` is not a valid clock range", "write e.g. 09:00-10:30"
    return "invalid-duration", f"`{_cut(tok)}` is not a duration or a clock range", \
        "write e.g. 90m, 1h30m, 1.5h, 1:30 or 09:00-10:30"


def _target(tok: str):
    client, _, project = tok.partition("/")
    if SLUG_RE.match(client) and (not _ or SLUG_RE.match(project)):
        return None
    return "invalid-slug", f"`{_cut(tok)}` is not a client or client/project", \
        "slugs are lower-case letters, digits, '-' and '_', e.g. acme/migration"


def _slug(what):
    def check(tok: str):
        if tok.startswith("@"):
            return "ledger-syntax", f"expected the {what} before `{_cut(tok)}`", "the order is: client activity @person"
        if SLUG_RE.match(tok):
            return None
        return "invalid-slug", f"`{_cut(tok)}` is not a valid {what}", "use lower-case letters, digits, '-' and '_'"
    return check


def _person(tok: str):
    if tok.startswith("@") and SLUG_RE.match(tok[1:]):
        return None
    if not tok.startswith("@"):
        return "ledger-syntax", f"expected @person, found `{_cut(tok)}`", "write the person as @slug, e.g. @mario"
    return "invalid-slug", f"`{_cut(tok)}` is not a valid person", "write the person as @slug, e.g. @mario"


def _amount(tok: str):
    if tok.startswith("-"):
        return "invalid-amount", f"expense amount `{_cut(tok)}` is negative", \
            "record refunds as a negative adjustment in the client file, not as an expense"
    return "invalid-amount", f"`{_cut(tok)}` is not an amount", "write e.g. 95.00 (a point, no thousands separator)"


_TIME_STEPS = [("duration or clock range", lambda t: None if _TIME_WHEN.match(t) else _when(t)),
               ("client", _target), ("activity", _slug("activity")), ("@person", _person)]
_EXPENSE_STEPS = [("word expense", lambda t: None), ("client", _target), ("@person", _person),
                  ("amount", lambda t: None if re.match(r"\d+(\.\d+)?$", t) else _amount(t))]
_TIME_WHEN = re.compile(r"(\d\d?:\d\d-\d\d?:\d\d(?:\+1)?|\d+h(?:\d+m)?|\d+m|\d+\.\d+h|\d+:\d\d)$")
_PAYMENT_STEPS = [("word payment", lambda t: None), ("invoice number", lambda t: None),
                  ("amount", lambda t: None if re.match(r"\d+(\.\d+)?$", t) else _paid(t)),
                  ("method", _slug("payment method"))]
_STEPS = {"time": _TIME_STEPS, "expense": _EXPENSE_STEPS, "payment": _PAYMENT_STEPS}
_FORMS = {"time": "the form is: DATE DURATION|HH:MM-HH:MM CLIENT[/PROJECT] ACTIVITY @PERSON description #tags key=value",
          "expense": "the form is: DATE expense CLIENT[/PROJECT] @PERSON AMOUNT [CURRENCY] description key=value",
          "payment": "the form is: DATE payment INVOICE-NUMBER AMOUNT METHOD [note], e.g. "
                     "2026-11-20 payment 2026/0007 1220.00 bank-transfer"}


def _paid(tok: str):
    if tok.startswith("-"):
        return "invalid-amount", f"payment amount `{_cut(tok)}` is negative", \
            "write the amount received; money paid back is a credit note"
    return "invalid-amount", f"`{_cut(tok)}` is not an amount", "write e.g. 1220.00 (a point, no thousands separator)"

"""YAML ledgers (ledger/**/*.yaml) -> the same compact rows as the line format.

A YAML record becomes exactly the row its equivalent ledger line would give,
and its `text` (behind the fingerprint) is that equivalent line, so moving an
entry between the two formats does not change its identity.

`start` and `end` are times (`"09:00"`; an end before the start is the next day,
as in a line, and says so with the marker `+1`: `end: "02:00+1"`, else a
`past-midnight` warning) or date-times (`2026-11-03 22:00`; then end must be
after start, else `end-before-start`). A record with both a `duration` and
`start`/`end` is billed by its duration; when they disagree, `duration-mismatch`.
"""
from __future__ import annotations

import re
from datetime import datetime

from yaml.nodes import MappingNode

from ..diagnostics import Diagnostic, Severity
from .ledger import MAX_DESCRIPTION, MAX_MINUTES, _bad_meta, currencies, hours_minutes
from .source import SourceFile
from .yamlnodes import Reader, compose, parse_date, parse_time

FIELDS = ("date", "start", "end", "duration", "expense", "currency", "client", "project", "activity",
          "person", "description", "tags", "meta")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2})$")


def parse_yaml_ledger(src: SourceFile) -> tuple[list[tuple], list[tuple]]:
    """Rows and diagnostic tuples of a YAML ledger (see ledger.py for their shape)."""
    diags: list[Diagnostic] = []
    r = Reader(src, diags)
    root = compose(src, diags)
    if isinstance(root, MappingNode):
        root = r.mapping(root, ("entries",), "YAML ledger").get("entries")
    rows = []
    for item in r.sequence(root, "YAML ledger"):
        before = len(diags)
        row = _record(r, item)
        if row is not None and not any(d.severity is Severity.ERROR for d in diags[before:]):
            rows.append(row)
    return rows, [(d.code, d.severity.value, d.ref.line, d.ref.col, d.message, d.hint) for d in diags]


def _record(r: Reader, item):
    m = r.mapping(item, FIELDS, "ledger record", ("client", "person"))
    ref = r.ref(item)
    day = r.date(m.get("date"), "date")
    client, project = r.slug(m.get("client"), "client"), r.slug(m.get("project"), "project") or ""
    person = r.slug(m.get("person"), "person")
    description = " ".join(r.text(m.get("description"), "description").split())
    if len(description) > MAX_DESCRIPTION:
        r.fail("description-too-long", m["description"],
               f"the description has {len(description):,} characters, more than {MAX_DESCRIPTION:,}",
               "an invoice line says what was done in a sentence or two: keep the details elsewhere")
        return None
    tags = tuple(t.lstrip("#") for t in (r.text(n, "tag") for n in r.sequence(m.get("tags"), "tags")) if t)
    meta = _meta(r, m.get("meta"))
    if "expense" in m:
        amount = r.amount(m["expense"], "expense")
        if amount is not None and amount < 0:
            r.fail("invalid-amount", m["expense"], f"expense amount `{amount}` is negative",
                   "record refunds as a negative adjustment in the client file, not as an expense")
            return None
        currency = r.text(m.get("currency"), "currency")
        if currency and currency not in currencies():
            r.fail("invalid-value", m["currency"], f"`{currency}` is not an ISO 4217 code", "write e.g. USD")
        if day is None or amount is None or not client or not person:
            return _missing_date(r, m, item)
        line = _line(day, "expense", client, project, "", person, m["expense"].value, currency, description, tags, meta)
        return (ref.line, ref.col, "expense", day.isoformat(), client, project, "", person, 0, -1,
                description, tags, meta, m["expense"].value.strip(), currency, line)
    activity = r.slug(m.get("activity"), "activity")
    if "activity" not in m:
        r.fail("missing-key", item, "ledger record has no `activity`", "add `activity:` (or `expense:`)")
    day, when = _when(r, m, item, day)
    if day is None or when is None or not (client and person and activity):
        return _missing_date(r, m, item)
    start, minutes, written = when
    line = _line(day, written, client, project, activity, person, "", "", description, tags, meta)
    return (ref.line, ref.col, "time", day.isoformat(), client, project, activity, person, minutes, start,
            description, tags, meta, "", "", line)


def _missing_date(r: Reader, m: dict, item):
    if "date" not in m and "start" not in m:
        r.fail("missing-key", item, "ledger record has no `date`", "add `date: YYYY-MM-DD`")
    return None


def _when(r: Reader, m: dict, item, day):
    """(day, (start minute or -1, minutes, as written in a line)) from start/end or duration."""
    if "duration" in m:
        minutes = r.duration(m["duration"], "duration")
        if minutes is None:
            return day, None
        if not _positive(r, m["duration"], minutes):
            return day, None
        if "start" in m and "end" in m:
            _agree(r, m, day, minutes)
        return day, (-1, minutes, m["duration"].value.strip())
    if "start" not in m or "end" not in m:
        r.fail("missing-key", item, "ledger record needs `start` and `end`, or `duration`",
               "add e.g. start: \"09:00\" and end: \"10:30\", or duration: 1h30m")
        return day, None
    start, end = _moment(r, m["start"], "start"), _moment(r, m["end"], "end")
    if start is None or end is None:
        return day, None
    if isinstance(start, tuple) or isinstance(end, tuple):
        return _dated(r, m, day, start, end)
    minutes = (end - start) % MAX_MINUTES or (MAX_MINUTES if _next_day(m["end"]) else 0)
    if not _positive(r, m["end"], minutes):
        return day, None
    if 0 < end < start and not _next_day(m["end"]):
        hm = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
        r.warn("past-midnight", m["end"], f"ends at {hm[6:]}, before it starts ({hm[:5]}): read as running "
               f"past midnight, {hours_minutes(minutes)}",
               f"if the work ran past midnight, say so: end: \"{hm[6:]}+1\" (or a date and time); else fix the times")
    elif end > start and _next_day(m["end"]):
        r.fail("duration-too-long", m["end"], "the record lasts more than 24 hours",
               "the marker +1 is for an end the next day before the start: split longer work by day")
        return day, None
    return day, (start, minutes, f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}")


def _next_day(node) -> bool:
    """Whether a time-only `end` carries the past-midnight marker (`"02:00+1"`)."""
    return isinstance(node.value, str) and node.value.strip().endswith("+1")


def _agree(r: Reader, m: dict, day, minutes: int) -> None:
    """A `duration-mismatch` warning when `start`/`end` of a record with a duration span
    another length (the duration is what is billed: the clock times are left out)."""
    before = len(r.diags)
    start, end = _moment(r, m["start"], "start"), _moment(r, m["end"], "end")
    if start is None or end is None or len(r.diags) != before:
        return
    if isinstance(start, tuple) or isinstance(end, tuple):
        day = start[0] if isinstance(start, tuple) else day
        if day is None:
            return
        s = (start[0] - day).days * MAX_MINUTES + start[1] if isinstance(start, tuple) else start
        e = (end[0] - day).days * MAX_MINUTES + end[1] if isinstance(end, tuple) else end
        spanned = e - s
    else:
        spanned = (end - start) % MAX_MINUTES or (MAX_MINUTES if _next_day(m["end"]) else 0)
    if spanned != minutes:
        r.warn("duration-mismatch", m["duration"],
               f"duration {m['duration'].value.strip()} disagrees with start and end, which span "
               f"{hours_minutes(spanned)}: the duration is billed",
               "keep either the duration or start and end, or make them agree")


def _dated(r: Reader, m: dict, day, start, end):
    """start/end with explicit dates: end must come after start, on the same or the next day."""
    def moment(v):
        return datetime.combine(v[0] if isinstance(v, tuple) else day, datetime.min.time()).replace(
            hour=(v[1] if isinstance(v, tuple) else v) // 60, minute=(v[1] if isinstance(v, tuple) else v) % 60)
    if day is None:
        day = start[0] if isinstance(start, tuple) else None
    if day is None:
        return None, None
    s, e = moment(start), moment(end)
    if e <= s:
        r.fail("end-before-start" if e < s else "non-positive-duration", m["end"],
               f"ends at {e:%Y-%m-%d %H:%M}, {'before' if e < s else 'when'} it starts ({s:%Y-%m-%d %H:%M})",
               "check the dates and times of `start` and `end`")
        return day, None
    minutes = int((e - s).total_seconds() // 60)
    if s.date() != day or minutes > MAX_MINUTES:
        r.fail("duration-too-long", m["end"], "a record spans more than 24 hours or starts on another day",
               "split the work into one record per day, dated the day it starts")
        return day, None
    sm, em = s.hour * 60 + s.minute, e.hour * 60 + e.minute
    return day, (sm, minutes, f"{sm // 60:02d}:{sm % 60:02d}-{em // 60:02d}:{em % 60:02d}")


def _moment(r: Reader, node, what: str):
    """Minutes from midnight for "HH:MM", (date, minutes) for "YYYY-MM-DD HH:MM"."""
    text = (r.scalar(node, what) or "").strip()
    if what == "end" and text.endswith("+1") and _DATETIME.match(text[:-2]) is None:
        text = text[:-2]   # the past-midnight marker of a time: see _next_day
        minutes = parse_time(text)
        if minutes is None:
            r.fail("invalid-time", node, f"end: `{text}+1` is not a valid time", "write e.g. \"02:00+1\"")
        return minutes
    dm = _DATETIME.match(text)
    if dm:
        d, t = parse_date(dm[1]), parse_time(dm[2])
        if d is not None and t is not None:
            return d, t
        r.fail("invalid-time", node, f"{what}: `{text}` is not a valid date and time", "write e.g. 2026-11-03 22:00")
        return None
    return r.time(node, what)


def _positive(r: Reader, node, minutes: int) -> bool:
    if minutes == 0:
        r.fail("non-positive-duration", node, "the record lasts zero minutes", "write the time actually worked")
        return False
    if minutes > MAX_MINUTES:
        r.fail("duration-too-long", node, "the record lasts more than 24 hours", "split it into one record per day")
        return False
    return True


def _meta(r: Reader, node) -> tuple:
    out = []
    for key, value in r.mapping(node, (), "meta").items():
        text = r.text(value, key).strip()
        problem = _bad_meta(key, text)
        if problem:
            r.fail(problem[0], value, problem[1], problem[2])
        out.append((key, text))
    return tuple(out)


def _line(day, when, client, project, activity, person, amount, currency, description, tags, meta) -> str:
    """The equivalent ledger line, normalised: the text behind the entry's fingerprint."""
    target = f"{client}/{project}" if project else client
    head = [day.isoformat(), when, target] + ([activity, f"@{person}"] if activity else [f"@{person}", amount.strip()])
    parts = head + ([currency] if currency else []) + [description] + [f"#{t}" for t in tags]
    parts += [f"{k}={v}" for k, v in meta]
    return " ".join(" ".join(p for p in parts if p).split())

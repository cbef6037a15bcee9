"""The four CSV exports (Toggl Track, Clockify, Harvest, Kimai) read by one reader.

Each tool module gives its column names (`COLUMNS`: field -> header names, first
the tool's own English one) and how it identifies an entry; `read_csv` does the
rest: locate every cell, read dates, times, durations and flags, and yield one
Record per row, or a located `import-value` error per cell it cannot read.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ..diagnostics import Diagnostic, SourceRef, error
from .common import (Columns, Malformed, Record, Row, at, date_order, parse_clock, parse_day, parse_duration,
                     parse_flag, parse_tags, read_table, stable_id)

FIELDS = ("user", "email", "client", "project", "task", "description", "tags")


def read_csv(path: str, text: str, tool: str, title: str, columns: dict, required: tuple,
             date_format: str | None, range_first: bool = False) -> tuple[list[Record], list[Diagnostic]]:
    """Records of a CSV export. The duration column is what the tool counted; with
    `range_first` (Kimai) the From-To range counts and the duration only stands in for it."""
    try:
        header, rows = read_table(path, text)
        cols = Columns(path, header, columns, required, title)
    except Malformed as exc:
        line, col = exc.where or (1, 1)
        return [], [error("import-file", SourceRef(path, line, col), exc.message, exc.hint)]
    order = date_format or date_order(cols.get(r, f) for r in rows for f in ("date", "end_date"))
    records, diags, seen = [], [], {}
    for row in rows:
        try:
            records.append(_record(path, row, cols, tool, order, seen, range_first))
        except _CellError as exc:
            diags.append(error("import-value", exc.ref, exc.message, exc.hint))
    return records, diags


class _CellError(Exception):
    def __init__(self, ref: SourceRef, exc: Malformed):
        super().__init__(exc.message)
        self.ref, self.message, self.hint = ref, exc.message, exc.hint


def _cell(path, row, cols, name, parse, *args):
    try:
        return parse(cols.get(row, name), *args)
    except Malformed as exc:
        raise _CellError(cols.ref(path, row, name), exc) from None


def _record(path: str, row: Row, cols: Columns, tool: str, order, seen: dict, range_first: bool) -> Record:
    day = _cell(path, row, cols, "date", parse_day, order)
    names = {f: cols.get(row, f) for f in FIELDS}
    if cols.has("first_name"):
        names["user"] = " ".join(filter(None, (cols.get(row, "first_name"), cols.get(row, "last_name"))))
    billable = _cell(path, row, cols, "billable", parse_flag) if cols.get(row, "billable") else None
    start = end = None
    ranged = bool(cols.get(row, "start") and cols.get(row, "end"))
    seconds = None
    if cols.get(row, "duration") and not (range_first and ranged):
        seconds = _cell(path, row, cols, "duration", parse_duration)
    if cols.get(row, "start"):
        start = _moment(path, row, cols, day, "start", order)
        if cols.get(row, "end"):
            end_day = _cell(path, row, cols, "end_date", parse_day, order) if cols.get(row, "end_date") else day
            end = _moment(path, row, cols, end_day, "end", order)
            if (start.tzinfo is None) != (end.tzinfo is None):
                raise _CellError(cols.ref(path, row, "end"), Malformed(
                    "the start and the end of the row are not both given with an offset from UTC",
                    "export both times the same way"))
            if not cols.get(row, "end_date") and end < start and " " not in cols.get(row, "end"):
                end += timedelta(days=1)   # a range past midnight, without an end date
            if end < start:
                raise _CellError(cols.ref(path, row, "end"), Malformed(
                    "the entry ends before it starts", "check the end date and time of this row"))
        if seconds is None:
            if end is None:
                raise _CellError(cols.ref(path, row, "start"), Malformed(
                    "the row has a start but neither an end nor a duration", "export the report with durations"))
            seconds = int((end - start).total_seconds())
    elif seconds is None:
        raise _CellError(cols.ref(path, row, "duration"), Malformed(
            "the row has no duration", "export the report with its duration (hours) column"))
    who = names["email"] or names["user"]
    if cols.get(row, "id"):
        source_id = f"{tool}:{cols.get(row, 'id')}"
    elif start is not None:
        source_id = stable_id(tool, who, start.isoformat())
    else:   # a duration alone: who, when and what; the n-th of identical rows
        key = (who, day.isoformat(), names["client"], names["project"], names["task"], names["description"])
        seen[key] = seen.get(key, 0) + 1
        source_id = stable_id(tool, *key, str(seen[key]))
    return Record(source_id=source_id, ref=SourceRef(path, row.line, 1), billable=billable,
                  tags=parse_tags(names.pop("tags")), start=start, end=None if start is None else
                  start + timedelta(seconds=seconds), day=day, seconds=seconds,
                  refs=cols.refs(path, row, "user", "email", "client", "project", "task", "tags",
                                 "description", "duration") + _name_ref(path, row, cols), **names)


def _name_ref(path, row, cols) -> tuple:
    return (("user", cols.ref(path, row, "first_name")),) if cols.has("first_name") else ()


def _moment(path, row, cols, day, name, order):
    """A start: a time of day on the row's date, or a whole date and time in one cell."""
    text = cols.get(row, name)
    if "T" in text and ":" in text:   # an ISO date and time, perhaps with its offset
        try:
            return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise _CellError(cols.ref(path, row, name), Malformed(
                f"`{text}` is not a date and time", "write e.g. 2026-11-03T09:30:00+01:00")) from None
    if " " in text.strip() and not text.strip().upper().endswith(("AM", "PM")):
        d, _, t = text.strip().partition(" ")
        try:
            return at(parse_day(d, order), parse_clock(t))
        except Malformed as exc:
            raise _CellError(cols.ref(path, row, name), exc) from None
    return at(day, _cell(path, row, cols, name, parse_clock))

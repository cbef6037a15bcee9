"""What every importer shares: the Record it yields, located CSV and JSON reading,
and the readers of dates, times, durations, numbers and yes/no flags as the tools
write them (docs/import.md).

A Record is one time entry as the tool exported it, with the tool's own names
(user, client, project, task, tags) and where it was read (`ref`, and `refs` per
field, so an unmapped client is reported at its own cell). Nothing here knows the
book: mapping.py turns names into slugs, ledgerout.py writes lines.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from ..diagnostics import SourceRef


class Malformed(Exception):
    """A value of an export that cannot be read: (message, hint); the caller locates it."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint
        self.where: tuple[int, int] | None = None   # (line, col) when the reader knows it


@dataclass(frozen=True)
class Record:
    """One time entry of an export. Either `start` and `end` (naive local wall-clock
    times, or aware ones converted later), or `day` and `seconds` (a duration only)."""

    source_id: str
    ref: SourceRef
    user: str = ""
    email: str = ""
    client: str = ""
    project: str = ""
    task: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    billable: bool | None = None
    start: datetime | None = None
    end: datetime | None = None
    day: date | None = None
    seconds: int = 0
    refs: tuple[tuple[str, SourceRef], ...] = ()

    def ref_of(self, what: str) -> SourceRef:
        return dict(self.refs).get(what, self.ref)


def stable_id(tool: str, *parts: str) -> str:
    """A source id for tools whose exports carry none: a short hash of what identifies the
    entry (who, when), so the same row exported again gets the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return f"{tool}:{digest}"


# ---------------------------------------------------------------- CSV, located


@dataclass
class Row:
    line: int
    cells: list[str]
    cols: list[int]          # 1-based column of each cell in its line
    lines: list[int] = field(default_factory=list)   # the line of each cell (quoted newlines)


def read_table(path: str, text: str) -> tuple[list[str], list[Row]]:
    """Header and rows of a CSV text (`,`, `;` or tab, as its header line uses), each cell
    with its line and column. Raises Malformed for a file that is not a table."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if not text.strip():
        raise Malformed("the export is empty", "export the report again; it should have a header line")
    lines = text.split("\n")
    delimiter = max((",", ";", "\t"), key=lambda d: re.sub(r'"[^"]*"', "", lines[0]).count(d))
    reader = csv.reader([line + "\n" for line in lines], delimiter=delimiter, strict=True)
    rows, done = [], 0
    try:
        for cells in reader:
            start, done = done + 1, reader.line_num
            if cells:
                cols, at_lines = _positions(lines, start, len(cells), delimiter)
                rows.append(Row(start, cells, cols, at_lines))
    except csv.Error as exc:
        err = Malformed(f"not a CSV file the importer can read: {exc}",
                        "export the report again as CSV (comma or semicolon separated)")
        err.where = (done + 1, 1)
        raise err from None
    header = [h.strip() for h in rows[0].cells] if rows else []
    return header, [r for r in rows[1:] if any(c.strip() for c in r.cells)]


def _positions(lines: list[str], line: int, n: int, delimiter: str) -> tuple[list[int], list[int]]:
    """Column and line of each of the `n` cells of the record starting at `line`."""
    cols: list[int] = []
    at_lines: list[int] = []
    ln, quoted, start = line, False, True
    while ln <= len(lines) and len(cols) < n:
        raw = lines[ln - 1]
        for i in range(len(raw) + 1):
            if start:
                cols.append(i + 1)
                at_lines.append(ln)
                start = False
            if i < len(raw):
                if raw[i] == '"':
                    quoted = not quoted
                elif raw[i] == delimiter and not quoted:
                    start = True
        if not quoted:
            break
        ln += 1
    while len(cols) < n:
        cols.append(1)
        at_lines.append(line)
    return cols[:n], at_lines[:n]


class Columns:
    """Which cell holds which field, found by the header's names (any case; aliases per tool,
    e.g. `User` or `Member`, `End date` or `Stop date`, and Kimai's German and Italian)."""

    def __init__(self, path: str, header: list[str], aliases: dict[str, tuple[str, ...]],
                 required: tuple[str, ...], tool: str):
        norm = {_norm(h): i for i, h in reversed(list(enumerate(header)))}
        self.index: dict[str, int] = {}
        for name, names in aliases.items():
            for alias in names:
                i = norm.get(_norm(alias))
                if i is None and alias.endswith("*"):   # `Amount (EUR)`: a prefix
                    i = next((j for h, j in norm.items() if h.startswith(_norm(alias[:-1]))), None)
                if i is not None:
                    self.index[name] = i
                    break
        missing = [aliases[r][0] for r in required if r not in self.index]
        if missing:
            found = ", ".join(f"`{h}`" for h in header[:12]) or "nothing"
            raise Malformed(f"this is not a {tool} export: no column {', '.join(f'`{m}`' for m in missing)} "
                            f"(the header has {found})",
                            f"export the detailed report from {tool} as CSV, with its header line, "
                            "or name the right format: `plainbill import FORMAT FILE`")

    def has(self, name: str) -> bool:
        return name in self.index

    def get(self, row: Row, name: str) -> str:
        i = self.index.get(name)
        if i is None or i >= len(row.cells):
            return ""
        return row.cells[i].strip()

    def ref(self, path: str, row: Row, name: str) -> SourceRef:
        i = self.index.get(name)
        if i is None or i >= len(row.cols):
            return SourceRef(path, row.line, 1)
        return SourceRef(path, row.lines[i], row.cols[i])

    def refs(self, path: str, row: Row, *names: str) -> tuple[tuple[str, SourceRef], ...]:
        return tuple((n, self.ref(path, row, n)) for n in names if n in self.index)


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").split())


# ---------------------------------------------------------------- JSON, located


def read_json(path: str, text: str, tool: str, command: str) -> tuple[list, list[int]]:
    """The list of objects of a JSON export, and the line of each object. Raises Malformed
    (with a line and column in `.where`) for text that is not a JSON list."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        err = Malformed(f"not JSON: {exc.msg}", f"save the output of `{command}` as it is")
        err.where = (exc.lineno, exc.colno)
        raise err from None
    except RecursionError:
        raise Malformed("the JSON nests too deeply to be an export", f"save the output of `{command}`") from None
    if not isinstance(value, list):
        raise Malformed(f"a {tool} export is a JSON list (`[...]`), not {type(value).__name__}",
                        f"save the output of `{command}` as it is")
    return value, _object_lines(text, len(value))


def read_json_records(path: str, text: str, tool: str, command: str, make) -> tuple[list, list]:
    """The records of a JSON export, `make(item, ref)` for each object of its list: an
    `import-file` error for text that is no such list, an `import-value` error for each object
    `make` refuses (raising Malformed)."""
    from ..diagnostics import error

    try:
        items, lines = read_json(path, text, tool, command)
    except Malformed as exc:
        line, col = exc.where or (1, 1)
        return [], [error("import-file", SourceRef(path, line, col), exc.message, exc.hint)]
    records, diags = [], []
    for item, line in zip(items, lines):
        ref = SourceRef(path, line, 1)
        try:
            records.append(make(item, ref))
        except Malformed as exc:
            diags.append(error("import-value", ref, exc.message, exc.hint))
    return records, diags


def _object_lines(text: str, n: int) -> list[int]:
    """The line where each top-level object of a JSON list starts."""
    out, depth, line, in_str, esc = [], 0, 1, False, False
    for ch in text:
        if ch == "\n":
            line += 1
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
            continue
        if ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth == 2:
                out.append(line)
        elif ch in "]}":
            depth -= 1
    return (out + [1] * n)[:n]


# ---------------------------------------------------------------- values


DATE_FORMATS = ("YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_day(text: str, order: str | None) -> date:
    """`2026-11-03`, `03/11/2026` (DD/MM/YYYY), `11/03/2026` (MM/DD/YYYY), `03.11.2026`.
    `order` is the mapping's `date_format` or the one the file shows (see date_order)."""
    m = _ISO.match(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _SLASH.match(text)
        if m:
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            if "." in text and order is None:
                order = "DD/MM/YYYY"
            if order is None:
                raise Malformed(f"`{text}` could be read as two different dates",
                                "say how the export writes dates: `date_format: DD/MM/YYYY` "
                                "(or MM/DD/YYYY) in the mapping file")
            return date(y, b, a) if order.startswith("DD") else date(y, a, b)
    except ValueError:
        raise Malformed(f"`{text}` is not a real date", "check the export's dates") from None
    raise Malformed(f"`{text}` is not a date", "dates are read as YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY or DD.MM.YYYY")


def date_order(texts) -> str | None:
    """DD/MM/YYYY or MM/DD/YYYY when the file's slashed dates show which (a day above 12)."""
    dmy = mdy = False
    for t in texts:
        m = _SLASH.match(t)
        if m and "." not in t:
            dmy |= int(m[1]) > 12
            mdy |= int(m[2]) > 12
    if dmy != mdy:
        return "DD/MM/YYYY" if dmy else "MM/DD/YYYY"
    return None


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")


def parse_clock(text: str) -> int:
    """`13:26:00`, `08:30`, `01:26:00 PM` -> seconds from midnight."""
    m = _CLOCK.match(text.strip())
    if not m:
        raise Malformed(f"`{text}` is not a time of day", "times are read as HH:MM, HH:MM:SS or 01:30 PM")
    h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
    if m[4]:
        if not 1 <= h <= 12:
            raise Malformed(f"`{text}` is not a time of day", "a 12-hour time has hours 1 to 12")
        h = h % 12 + (12 if m[4].lower() == "pm" else 0)
    if h > 24 or mi > 59 or s > 59 or (h == 24 and (mi or s)):
        raise Malformed(f"`{text}` is not a time of day", "hours 0-23, minutes and seconds 0-59")
    return h * 3600 + mi * 60 + s


def at(day: date, seconds: int) -> datetime:
    return datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)


_HMS = re.compile(r"^(\d+):(\d{2})(?::(\d{2}))?$")


def parse_duration(text: str) -> int:
    """`1:30:00`, `1:30`, `1.5`, `1,5` (decimal hours, a decimal comma too) -> seconds."""
    t = text.strip()
    m = _HMS.match(t)
    if m:
        if int(m[2]) > 59 or int(m[3] or 0) > 59:
            raise Malformed(f"`{text}` is not a duration", "write H:MM:SS with minutes and seconds below 60")
        return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)
    hours = parse_number(t)
    if hours is None or hours < 0:
        raise Malformed(f"`{text}` is not a duration",
                        "durations are read as 1:30:00, 1:30 or decimal hours (1.5 or 1,5)")
    return int((hours * 3600).to_integral_value())


def parse_number(text: str) -> Decimal | None:
    """`1.5`, `1,5`, `1.234,50`, `1,234.50` -> Decimal; None when it is not a number."""
    t = text.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    if not re.fullmatch(r"-?\d[\d.,]*", t) or len(t) > 20:
        return None
    if "," in t and "." in t:
        dec = "," if t.rfind(",") > t.rfind(".") else "."
        t = t.replace("." if dec == "," else ",", "").replace(",", ".")
    elif "," in t:
        t = t.replace(",", ".") if t.count(",") == 1 else t.replace(",", "")
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


YES = frozenset({"yes", "y", "true", "1", "si", "sì", "ja", "x", "billable", "fatturabile"})
NO = frozenset({"no", "n", "false", "0", "nein", "non-billable", "not billable", ""})


def parse_flag(text: str) -> bool:
    t = text.strip().lower()
    if t in YES:
        return True
    if t in NO:
        return False
    raise Malformed(f"`{text}` is not a yes/no billable flag", "the billable column holds Yes or No")


def parse_tags(text: str) -> tuple[str, ...]:
    """`urgent, on site` -> ('urgent', 'on site'): the tools join tags with commas."""
    return tuple(t.strip() for t in text.split(",") if t.strip())

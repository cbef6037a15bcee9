"""Located YAML: compose nodes (never construct), then convert each value by its own type.

`yaml.safe_load` would turn `12:30` into 750, `no` into False, `0123` into 83
and `85.50` into a float, and would keep the last of two duplicate keys. Here a
value is always the raw text the user typed, converted by the schema of the
field it sits in (docs/format.md "Value types"), and every problem becomes a
Diagnostic at the node's line and column.
"""
from __future__ import annotations

import calendar
import difflib
import re
from datetime import date
from decimal import Decimal
from typing import Callable, Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..diagnostics import Diagnostic, SourceRef, error, warning
from ..money import parse_decimal, parse_percent, size_problem
from .source import ODD_BREAKS, SourceFile

Loader = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
DURATION_RE = re.compile(r"^(?:(\d+)h(?:(\d+)m)?|(\d+)m|(\d+\.\d+)h|(\d+):(\d{2}))$")
MERGE_TAG = "tag:yaml.org,2002:merge"


def parse_duration(text: str) -> int | None:
    """'2h15m' '45m' '1.5h' '2:15' -> minutes; None when malformed or not whole minutes."""
    m = DURATION_RE.match(text)
    if not m:
        return None
    h, hm, mins, dec, ch, cm = m.groups()
    if h is not None:
        return int(h) * 60 + int(hm or 0)
    if mins is not None:
        return int(mins)
    if dec is not None:
        value = Decimal(dec) * 60
        return int(value) if value == value.to_integral_value() else None
    return int(ch) * 60 + int(cm)


def parse_date(text: str) -> date | None:
    m = DATE_RE.match(text)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def date_hint(text: str) -> str:
    """What is wrong with a date that does not parse, said plainly: `2026-11-31` -> November 2026
    has 30 days; the format only when the format is what is wrong."""
    m = DATE_RE.match(text)
    if not m:
        return "write dates as YYYY-MM-DD, e.g. 2026-11-03"
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12:
        return f"there is no month {m[2]}: months run from 01 to 12"
    if year < 1:
        return "years start at 0001"
    days = calendar.monthrange(year, month)[1]
    if day < 1:
        return f"days start at 01: the first of that month is {year:04d}-{month:02d}-01"
    return (f"{calendar.month_name[month]} {year:04d} has {days} days: the last one is "
            f"{year:04d}-{month:02d}-{days:02d}")


def parse_time(text: str) -> int | None:
    """'09:30' -> minutes from midnight; None when malformed or impossible."""
    m = TIME_RE.match(text)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        return None
    return int(m[1]) * 60 + int(m[2])


def compose(src: SourceFile, diags: list[Diagnostic]) -> Node | None:
    """The root node of a YAML file, or None (with a `yaml-syntax` diagnostic)."""
    text = src.text
    for ch in ODD_BREAKS:
        pos = text.find(ch)
        if pos >= 0:
            line = text.count("\n", 0, pos) + 1
            col = pos - (text.rfind("\n", 0, pos) + 1) + 1
            diags.append(error("invalid-character", src.ref(line, col),
                               f"line break character U+{ord(ch):04X} is not allowed here",
                               "use plain \\n line ends"))
            text = text.replace(ch, " ")
    try:
        return yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(filter(None, [exc.context, exc.problem]))
        diags.append(error("yaml-syntax", src.ref(line, col), f"YAML syntax error: {what}",
                           "check indentation, colons and quotes around this point"))
    except yaml.reader.ReaderError as exc:   # a character YAML does not allow (NUL, C0 controls)
        pos = max(0, min(exc.position, len(text)))
        line, col = text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1
        diags.append(error("yaml-syntax", src.ref(line, col),
                           f"YAML does not allow the character U+{ord(exc.character) if isinstance(exc.character, str) else exc.character:04X}",
                           "remove it (control characters cannot appear in YAML files)"))
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        diags.append(error("yaml-syntax", src.ref(1, 1), f"YAML cannot be read: {type(exc).__name__}",
                           "simplify the file: deep nesting and special characters are not needed"))
    return None


class Reader:
    """Converts nodes of one file into values, appending Diagnostics for every problem."""

    def __init__(self, src: SourceFile, diags: list[Diagnostic]):
        self.src = src
        self.diags = diags
        self.key_of: dict[int, Node] = {}   # id(value node) -> its key node, for carets on keys

    # ------------------------------------------------------------ locations

    def ref(self, node: Node) -> SourceRef:
        mark = node.start_mark
        return self.src.ref(mark.line + 1, mark.column + 1)

    def fail(self, code: str, node: Node, message: str, hint: str = "") -> None:
        self.diags.append(error(code, self.ref(node), message, hint))

    # ------------------------------------------------------------ structure

    def mapping(self, node: Node | None, known: Iterable[str], what: str,
                required: Iterable[str] = ()) -> dict[str, Node]:
        """key -> value node of a mapping: duplicate, unknown and missing keys are diagnostics."""
        if node is None or self.is_null(node):
            out: dict[str, Node] = {}
        elif not isinstance(node, MappingNode):
            self.fail("wrong-type", node, f"{what} must be a mapping (key: value), not {kind_of(node)}")
            return {}
        else:
            out = self._pairs(node, tuple(known), what)
        for key in required:
            if key not in out:
                where = node if node is not None else None
                ref = self.ref(where) if where is not None else self.src.ref(1, 1)
                self.diags.append(error("missing-key", ref, f"{what} has no `{key}`",
                                        f"add `{key}:`; it is required"))
        return out

    def _pairs(self, node: MappingNode, known: tuple, what: str) -> dict[str, Node]:
        out: dict[str, Node] = {}
        first: dict[str, Node] = {}
        for knode, vnode in self._flatten(node):
            if not isinstance(knode, ScalarNode):
                self.fail("wrong-type", knode, f"a key in {what} must be plain text, not {kind_of(knode)}")
                continue
            key = knode.value
            if key in first:
                self.diags.append(error("duplicate-key", self.ref(knode),
                                        f"key `{key}` appears twice in {what}",
                                        "remove one of them: YAML would silently keep only the last",
                                        related=(self.ref(first[key]),)))
                continue
            first[key] = knode
            if known and key not in known:
                self.fail("unknown-key", knode, f"unknown key `{key}` in {what}", suggest(key, known))
                continue
            out[key] = vnode
            self.key_of[id(vnode)] = knode
        return out

    def _flatten(self, node: MappingNode) -> list[tuple[Node, Node]]:
        """Pairs of a mapping with YAML merge keys (`<<: *base`) expanded; own keys win."""
        own = [(k, v) for k, v in node.value if k.tag != MERGE_TAG]
        merged: list[tuple[Node, Node]] = []
        names = {k.value for k, _ in own if isinstance(k, ScalarNode)}
        for k, v in node.value:
            if k.tag != MERGE_TAG:
                continue
            sources = v.value if isinstance(v, SequenceNode) else [v]
            for src in sources:
                if not isinstance(src, MappingNode):
                    self.fail("wrong-type", src, "a merge key (<<) must name a mapping")
                    continue
                for mk, mv in src.value:   # one level only: merges never recurse (no bombs)
                    if isinstance(mk, ScalarNode) and mk.value not in names and mk.tag != MERGE_TAG:
                        names.add(mk.value)
                        merged.append((mk, mv))
        return own + merged

    def sequence(self, node: Node | None, what: str) -> list[Node]:
        if node is None or self.is_null(node):
            return []
        if isinstance(node, SequenceNode):
            return list(node.value)
        self.fail("wrong-type", node, f"{what} must be a list, not {kind_of(node)}",
                  "write it as [a, b] or as lines starting with '- '")
        return []

    def is_null(self, node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.style is None and node.value in NULLS

    # ------------------------------------------------------------ scalars

    def scalar(self, node: Node | None, what: str) -> str | None:
        """The raw text of a scalar; None (after a diagnostic when it is not a scalar) otherwise."""
        if node is None or self.is_null(node):
            return None
        if not isinstance(node, ScalarNode):
            self.fail("wrong-type", node, f"{what} must be a single value, not {kind_of(node)}")
            return None
        return node.value

    def convert(self, node, what, parse: Callable[[str], object], code: str, expected: str, hint=""):
        text = self.scalar(node, what)
        if text is None:
            return None
        value = parse(text.strip())
        if value is None:
            too_big = size_problem(text)
            self.fail(code, node, f"{what}: `{short(text)}` " + (too_big or f"is not {expected}"),
                      "no amount, rate or quantity of a book needs that many digits" if too_big else hint)
        return value

    def warn(self, code: str, node: Node, message: str, hint: str = "") -> None:
        self.diags.append(warning(code, self.ref(node), message, hint))

    def text(self, node, what="value", default: str = "") -> str:
        value = self.scalar(node, what)
        return default if value is None else value

    def date(self, node, what="date") -> date | None:
        text = node.value.strip() if isinstance(node, ScalarNode) else ""
        return self.convert(node, what, parse_date, "invalid-date", "a valid date", date_hint(text))

    def time(self, node, what="time") -> int | None:
        return self.convert(node, what, parse_time, "invalid-time", "a valid time",
                            "write times as HH:MM on a 24-hour clock, e.g. 18:30")

    def duration(self, node, what="duration") -> int | None:
        return self.convert(node, what, parse_duration, "invalid-duration", "a duration",
                            "write e.g. 90m, 1h30m, 1.5h or 1:30 (whole minutes)")

    def hours(self, node, what="hours") -> int | None:
        """A duration, or a bare number meaning hours (`40` = 40h)."""
        def parse(text):
            number = parse_decimal(text)
            if number is not None and number >= 0:
                minutes = number * 60
                return int(minutes) if minutes == minutes.to_integral_value() else None
            return parse_duration(text)
        return self.convert(node, what, parse, "invalid-duration", "a number of hours or a duration",
                            "write e.g. 40, 40h or 7h30m (whole minutes)")

    def amount(self, node, what="amount") -> Decimal | None:
        return self.convert(node, what, parse_decimal, "invalid-amount", "an amount",
                            "write amounts with a decimal point and no thousands separator, e.g. 1200.50")

    def percent(self, node, what="percent") -> Decimal | None:
        return self.convert(node, what, parse_percent, "invalid-value", "a percentage", "write e.g. 22% or 12.5%")

    def factor(self, node, what="factor") -> Decimal | None:
        return self.convert(node, what, parse_decimal, "invalid-value", "a number", "write e.g. 1.5")

    def integer(self, node, what="number") -> int | None:
        return self.convert(node, what, lambda t: int(t) if t.isdigit() and len(t) < 10 else None,
                            "invalid-value", "a whole number", "write e.g. 30")

    def boolean(self, node, what="value") -> bool | None:
        return self.convert(node, what, {"true": True, "false": False}.get, "invalid-value",
                            "true or false", "write true or false (yes/no/on/off are not accepted)")

    def slug(self, node, what="slug") -> str | None:
        return self.convert(node, what, lambda t: t if SLUG_RE.match(t) else None, "invalid-slug",
                            "a valid slug", "use lower-case letters, digits, '-' and '_', e.g. remote-support")

    def choice(self, node, options: tuple[str, ...], what="value") -> str | None:
        return self.convert(node, what, lambda t: t if t in options else None, "invalid-value",
                            f"one of {', '.join(options)}", suggest(self.scalar(node, what) or "", options))

    def slugs(self, node, what: str) -> tuple[str, ...]:
        return tuple(s for s in (self.slug(n, what) for n in self.sequence(node, what)) if s)

    def labels(self, node, what: str, language: str) -> dict:
        """Text (taken as `language`) or {language: text}: names, notes, descriptions."""
        if node is not None and isinstance(node, MappingNode):
            return {k: self.text(v, what) for k, v in self.mapping(node, (), what).items()}
        value = self.scalar(node, what)
        return {} if value is None else {language: value}


def kind_of(node: Node) -> str:
    return {MappingNode: "a mapping", SequenceNode: "a list"}.get(type(node), "a single value")


def short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def suggest(word: str, known: Iterable[str]) -> str:
    """'did you mean `x`?' for the closest known word, else the list of known ones."""
    known = sorted(known)
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    if known and len(known) <= 12:
        return "expected one of: " + ", ".join(known)
    return ""

"""A Report as text: an aligned table, CSV, JSON or Markdown. Deterministic bytes, no locale.

Table and Markdown are for people: hours as H:MM, money with thousands separators,
percents with one decimal, "-" where a figure is not defined. CSV and JSON are for
tools and keep values exact: minutes as whole numbers, money as plain decimals
("1234.50"), percents as fractions ("0.2500"), dates ISO, empty or null when undefined.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

from .errors import unknown
from .table import Column, Report

FORMATS = ("table", "csv", "json", "markdown")


def format_report(report: Report, fmt: str) -> str:
    if fmt not in FORMATS:
        raise unknown("format", fmt, FORMATS)
    return {"table": format_table, "csv": format_csv, "json": format_json, "markdown": format_markdown}[fmt](report)


# ---------------------------------------------------------------- values


def human(value: Any, column: Column) -> str:
    """A value as a person reads it in a table."""
    if value is None:
        return "-" if column.type in ("percent", "money", "minutes", "number") else ""
    if column.type == "minutes":
        return hours(value)
    if column.type == "money":
        return f"{value:,}"
    if column.type == "percent":
        return f"{(value * 100).quantize(Decimal('0.1'))}%"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def hours(minutes: int) -> str:
    """125 -> '2:05', -30 -> '-0:30'."""
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(int(minutes)), 60)
    return f"{sign}{h}:{m:02d}"


def exact(value: Any, column: Column) -> Any:
    """A value as JSON holds it: ints stay ints, Decimals become strings, dates ISO."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- formats


def _header(report: Report) -> list[str]:
    return [report.title, f"{report.range.label}; by {report.by}; amounts in {report.currency}", ""]


def _body(report: Report) -> list[list[str]]:
    rows = [[human(v, c) for v, c in zip(row, report.columns)] for row in report.rows]
    if report.totals is not None:
        rows.append([human(v, c) for v, c in zip(report.totals, report.columns)])
    return rows


def format_table(report: Report) -> str:
    head = [c.title for c in report.columns]
    body = _body(report)
    widths = [max([len(head[i])] + [len(r[i]) for r in body]) for i in range(len(head))]
    right = [c.type != "text" for c in report.columns]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)).rstrip()

    out = _header(report) + [line(head), line(["-" * w for w in widths])]
    rows = [line(r) for r in body]
    if report.totals is not None and rows:
        rows.insert(len(rows) - 1, line(["-" * w for w in widths]))
    if not report.rows:
        rows = ["(nothing in this range)"]
    out += rows
    out += [""] + [f"Note: {n}" for n in report.notes] if report.notes else []
    return "\n".join(out) + "\n"


def format_markdown(report: Report) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    out = [f"## {report.title}", "", f"{report.range.label}; by {report.by}; amounts in {report.currency}", ""]
    out.append("| " + " | ".join(cell(c.title) for c in report.columns) + " |")
    out.append("|" + "|".join("---:" if c.type != "text" else "---" for c in report.columns) + "|")
    body = _body(report)
    if report.totals is not None:
        body[-1] = [f"**{v}**" if v else v for v in body[-1]]
    out += ["| " + " | ".join(cell(v) for v in r) + " |" for r in body]
    if report.notes:
        out += [""] + [f"- {cell(n)}" for n in report.notes]
    return "\n".join(out) + "\n"


def format_csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([c.key for c in report.columns])
    for row in report.rows + ((report.totals,) if report.totals is not None else ()):
        w.writerow(["" if v is None else exact(v, c) for v, c in zip(row, report.columns)])
    return buf.getvalue()


def to_dict(report: Report) -> dict[str, Any]:
    def obj(row: tuple) -> dict[str, Any]:
        return {c.key: exact(v, c) for v, c in zip(row, report.columns)}

    return {
        "kind": report.kind, "title": report.title, "by": report.by, "currency": report.currency,
        "from": report.range.start.isoformat() if report.range.start else None,
        "to": report.range.end.isoformat() if report.range.end else None,
        "columns": [{"key": c.key, "title": c.title, "type": c.type} for c in report.columns],
        "rows": [obj(r) for r in report.rows],
        "totals": obj(report.totals) if report.totals is not None else None,
        "notes": list(report.notes),
    }


def format_json(report: Report) -> str:
    return json.dumps(to_dict(report), indent=1, ensure_ascii=False) + "\n"

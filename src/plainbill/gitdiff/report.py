"""Printing a diff: text for terminals, markdown for one pull-request comment, JSON for tools.

Markdown stays within GitHub's comment limit (65,536 characters): the summary
table and per-invoice details are added while they fit, the rest is counted.
User text (entry descriptions) is escaped so it cannot break the markdown.
"""
from __future__ import annotations

import html
import json
from decimal import Decimal

from .compare import DiffResult, InvoiceChange

COMMENT_LIMIT = 65_536
_MARK = {"added": "+", "removed": "-", "changed": "~"}


def money(v: Decimal | None) -> str:
    return "—" if v is None else f"{v:,.2f}" if v.as_tuple().exponent == -2 else f"{v:,}"


def signed(v: Decimal) -> str:
    return ("+" if v > 0 else "") + money(v)


def headline(result: DiffResult) -> str:
    counts = {s: sum(c.status == s for c in result.changes) for s in ("changed", "added", "removed")}
    parts = [f"{n} {s}" for s, n in counts.items() if n]
    text = (", ".join(parts) if parts else "no invoice changes") + (
        " invoice" + ("s" if len(result.changes) != 1 else "") if parts else "")
    totals = [f"{signed(b - a)} {cur} ({money(a)} -> {money(b)})" for cur, (a, b) in result.totals.items()]
    return text + (f"; total {', '.join(totals)}" if totals else "")


def _title(c: InvoiceChange) -> str:
    label = c.id + (f" [{c.number}]" if c.number and c.number != c.id else "")
    return label + (" (credit note)" if c.kind == "credit-note" else "")


def _line_text(l) -> str:
    qty = lambda q: "—" if q is None else f"{q.normalize():f} {l.unit}".strip()   # noqa: E731
    # the key is for tools (JSON); people read the description
    return (f"{l.description or l.key}: {qty(l.quantity_before)} {money(l.before)} -> "
            f"{qty(l.quantity_after)} {money(l.after)}")


def _entry_text(e) -> str:
    if e.status == "changed":
        return f"{e.ref}  was: {e.before}  now: {e.text}"
    return f"{e.ref}  {e.text}"


# ---------------------------------------------------------------- text


def format_text(result: DiffResult) -> str:
    out = [f"plainbill diff {result.base.label} .. {result.head.label}", headline(result)]
    out += _problems(result, "  ")
    for c in result.changes:
        out.append(f"{_MARK[c.status]} {_title(c)}  {c.period}  {money(c.before)} -> {money(c.after)} "
                   f"{c.currency} ({signed(c.delta)})")
        out += [f"    line {_line_text(l)}" for l in c.lines]
        out += [f"    {_MARK[e.status]} {_entry_text(e)}" for e in c.entries]
        if c.status == "changed" and not c.entries:
            causes = settings_of(result.settings_changed, c.client)
            out.append(f"    no entry changed; settings changed: {', '.join(causes)}" if causes else
                       "    no entry or setting of this client changed (plainbill's own rules or words did)")
    return "\n".join(out) + "\n"


def settings_of(changed: list[str], client: str) -> list[str]:
    """The changed settings files that can move this client's invoices: the book's
    plainbill.yaml and the client's own file, never another client's."""
    own = (f"clients/{client}.yaml", f"clients/{client}.yml")
    return [p for p in changed if p == "plainbill.yaml" or p in own]


def _problems(result: DiffResult, indent: str) -> list[str]:
    out = []
    for snap in (result.base, result.head):
        if snap.error_count:
            out.append(f"{snap.label} has {snap.error_count} error(s):")
            out += [indent + e for e in snap.errors]
    return out


# ---------------------------------------------------------------- markdown


def _md(text: str) -> str:
    """Escape HTML (as entities, which work everywhere) and markdown in user text."""
    text = html.escape(text, quote=False)
    for ch in "\\`*_{}[]()#+!|~":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", " ")


def _code(text: str) -> str:
    """A code span: backslashes are literal there, so only backticks and line ends must go."""
    return "`" + text.replace("`", "'").replace("\n", " ") + "`"


def format_markdown(result: DiffResult, limit: int = COMMENT_LIMIT) -> str:
    head = [f"### plainbill: {_md(headline(result))}", "",
            f"{_code(result.base.label)} → {_code(result.head.label)}", ""]
    for snap in (result.base, result.head):
        if snap.error_count:
            head.append(f"> **{_md(snap.label)} has {snap.error_count} error(s)**")
            head += [f"> - {_md(e)}" for e in snap.errors[:10]]
            head.append("")
    if result.settings_changed:
        head += ["Settings and client files changed: " + ", ".join(_code(p) for p in result.settings_changed), ""]
    if not result.changes:
        return "\n".join(head) + "\n"
    budget = limit - 400   # room for the closing summary line
    text = "\n".join(head)
    table = ["| | invoice | period | before | after | change |", "|---|---|---|---:|---:|---:|"]
    shown = 0
    for c in result.changes:
        row = (f"| {_MARK[c.status]} | {_md(_title(c))} | {_md(c.period)} | {money(c.before)} | "
               f"{money(c.after)} | {signed(c.delta)} {c.currency} |")
        if len(text) + sum(len(r) + 1 for r in table) + len(row) > budget // 2:
            break
        table.append(row)
        shown += 1
    text += "\n" + "\n".join(table) + "\n"
    if shown < len(result.changes):
        text += f"\n…and {len(result.changes) - shown} more invoices (run `plainbill diff` for all).\n"
    detailed = 0
    for c in result.changes[:shown]:
        block = _details(c)
        if len(text) + len(block) > budget:
            break
        text += block
        detailed += 1
    if detailed < shown:
        text += f"\nDetails of {shown - detailed} more invoices left out to fit one comment.\n"
    return text


def _details(c: InvoiceChange) -> str:
    out = ["", f"<details><summary>{_MARK[c.status]} <b>{html.escape(_title(c))}</b>: {money(c.before)} → "
               f"{money(c.after)} {c.currency} ({signed(c.delta)})</summary>", ""]
    out += [f"- line {_md(_line_text(l))}" for l in c.lines]
    for e in c.entries:   # words, not +/-: "- - x" would be a nested list
        if e.status == "changed":
            out.append(f"- changed {_code(e.ref)} was: {_md(e.before)}<br>now: {_md(e.text)}")
        else:
            out.append(f"- {e.status} {_code(e.ref)} {_md(e.text)}")
    out += ["", "</details>", ""]
    return "\n".join(out)


# ---------------------------------------------------------------- json


def format_json(result: DiffResult) -> str:
    def dec(v):
        return None if v is None else str(v)

    doc = {
        "base": result.base.label, "head": result.head.label,
        "errors": {"base": result.base.error_count, "head": result.head.error_count},
        "settings_changed": result.settings_changed,
        "totals": {c: {"before": str(a), "after": str(b)} for c, (a, b) in result.totals.items()},
        "invoices": [{
            "status": c.status, "id": c.id, "number": c.number, "kind": c.kind, "client": c.client,
            "period": c.period, "currency": c.currency, "before": dec(c.before), "after": dec(c.after),
            "delta": str(c.delta),
            "lines": [{"key": l.key, "description": l.description, "unit": l.unit,
                       "quantity_before": dec(l.quantity_before), "quantity_after": dec(l.quantity_after),
                       "before": dec(l.before), "after": dec(l.after)} for l in c.lines],
            "entries": [{"status": e.status, "ref": e.ref, "text": e.text, "before": e.before}
                        for e in c.entries],
        } for c in result.changes],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

"""`plainbill explain <id>`: how each line of an invoice was computed, entry by entry.

Loads and checks the book, computes its invoices, finds the one asked for (by
draft id such as `acme-2026-11`, or by issued number such as `2026/0007`) and
prints its lines with their explanations and source lines, the entries behind
each line (date, person, raw and billed time, rate, multiplier, amount,
path:line, note, and the entry's key=value metadata as typed), the statements,
the taxes and the totals. Text from the book is printed as plain text, never as
rich markup. It is the firm's view: everything is shown (handles, notes, rates,
line keys for `credit-note --lines`), in the invoice's language, and a line is
never cut to the terminal's width when the output goes to a file or a pipe.
"""
from __future__ import annotations

import difflib
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .diagnostics import has_errors
from .invoice import Invoice
from .render.labels import explain_words

WIDE = 100_000    # a pipe or a file has no width: lines are never cut

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def run_explain(root: Path, invoice_id: str, console: Console | None = None) -> int:
    """Print the explanation of `invoice_id`; 2 for an unknown id or book, 1 when the book has errors."""
    from .pipeline import book_problem, check_book, compute
    from .terminal import report, usage_error

    console = console or Console(highlight=False, width=None if sys.stdout.isatty() else WIDE)
    problem = book_problem(Path(root))
    if problem:
        return usage_error(problem)
    checked = check_book(Path(root))
    if has_errors(checked.diagnostics):
        report(Path(root), checked.diagnostics, "text")
        return EXIT_PROBLEMS
    invoices = compute(checked, einvoices=False)
    inv = find_invoice(invoices, invoice_id)
    if inv is None:
        return usage_error(unknown_message(invoices, invoice_id))
    # the details hold no metadata: it is looked up by fingerprint in the book's entries
    meta = {e.fingerprint: e.meta for e in checked.book.entries if e.meta}
    print_invoice(console, inv, meta)
    return EXIT_OK


def find_invoice(invoices: list[Invoice], wanted: str) -> Invoice | None:
    for inv in invoices:
        if inv.id == wanted or (inv.number and inv.number == wanted):
            return inv
    return None


def unknown_message(invoices: list[Invoice], wanted: str) -> str:
    names = [inv.id for inv in invoices] + [inv.number for inv in invoices if inv.number]
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    if not close and names:
        hint = f"; invoices are named like {names[0]}"
    return f"no invoice {wanted!r} in this book{hint}"


def _money(value) -> str:
    return f"{value}"


def print_invoice(console: Console, inv: Invoice, meta: dict | None = None) -> None:
    """Print `inv`; `meta`: fingerprint -> the entry's (key, value) metadata, shown by its details."""
    w = explain_words(inv.language)
    title = f"{inv.id}" + (f" ({w['number']} {inv.number})" if inv.number else "")
    console.print(Text(f"{title}: {inv.client}, {inv.period_start} – {inv.period_end}, {inv.currency}",
                       style="bold"), overflow="ignore", crop=False)
    by_line: dict[str, list] = {}
    for e in inv.entries:
        by_line.setdefault(e.line_key, []).append(e)
    for n, ln in enumerate(inv.lines, 1):
        _print_line(console, w, n, ln, by_line.get(ln.key, []), meta or {})
    for st in inv.statements:
        _say(console, Text(f"\n{st.title}", style="bold"))
        for label, value in st.rows:
            _say(console, Text(f"  {label:<30} {value}"))
    _print_totals(console, w, inv)


def _say(console: Console, text: Text) -> None:
    console.print(text, overflow="ignore", crop=False, soft_wrap=True)


def _print_line(console: Console, w: dict, n: int, ln, entries: list, meta: dict) -> None:
    console.print()
    head = Text(f"{n}. {ln.description}", style="bold")
    head.append(f"   [{ln.kind}{', ' + ln.contract if ln.contract else ''}]", style="dim")
    _say(console, head)
    _say(console, Text(f"   {w['key']}: {ln.key}", style="dim"))
    _say(console, Text(f"   {ln.quantity} {ln.unit} x {ln.unit_price} = {ln.amount}"
                       + (f"   {w['tax']} {ln.tax_code} {ln.tax_rate * 100:.2f}%" if ln.tax_code else "")))
    _say(console, Text(f"   {ln.explanation}", style="italic"))
    if ln.rounding:   # the rule in force, also when it is "no rounding" (docs/billing.md)
        _say(console, Text(f"   {ln.rounding}", style="dim"))
    if ln.raw_minutes != ln.minutes:
        _say(console, Text(f"   {w['raw']} {_hm(ln.raw_minutes)}, {w['billed']} {_hm(ln.minutes)}"))
    if entries:
        table = Table(show_edge=False, box=None, padding=(0, 1), pad_edge=False)
        for col in ("date", "person", "raw", "billed", "rate", "x", "amount", "source", "note"):
            table.add_column(w[col], justify="right" if col in ("raw", "billed", "rate", "x", "amount") else "left",
                             no_wrap=True, overflow="ignore")
        for e in entries:
            note = Text(e.description + (f" ({e.note})" if e.note else ""))
            kv = meta.get(e.fingerprint)
            if kv:
                note.append("  " + " ".join(f"{k}={v}" for k, v in kv), style="dim")
            table.add_row(str(e.date), "@" + e.person, _hm(e.raw_minutes), _hm(e.billed_minutes), str(e.rate),
                          str(e.multiplier), str(e.amount), e.ref.short, note)
        console.print(table, crop=False)
    elif ln.sources:
        _say(console, Text(f"   {w['from']} " + ", ".join(s.short for s in ln.sources), style="dim"))


def _hm(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _print_totals(console: Console, w: dict, inv: Invoice) -> None:
    _say(console, Text(f"\n{w['taxes']}", style="bold"))
    for t in inv.taxes:
        _say(console, Text(f"  {t.tax_code:<12} {t.rate * 100:.2f}% {w['of']} {t.base} = {t.tax}"
                           + (f"  ({t.nature})" if t.nature else "")))
    rows = [(w["subtotal"], inv.subtotal), (w["tax_total"], inv.tax_total), (w["total"], inv.total)]
    if inv.withholding:
        label = w["withholding"]
        if inv.withholding_rate:
            label += f" {(inv.withholding_rate * 100).normalize():f}% {w['of']} {inv.withholding_base}"
        rows.append((label, -inv.withholding))
    if inv.split_payment:
        rows.append((w["split_payment"], -inv.split_payment))
    rows.append((w["amount_due"], inv.amount_due))
    for label, value in rows:
        _say(console, Text(f"  {label:<34} {value:>14}"))
    for note in inv.notes:
        _say(console, Text(f"  {w['note']}: {note}"))
    for warning in inv.warnings:
        _say(console, Text(f"  {w['warning']}: {warning}", style="yellow"))

"""Ledger-in-docstring helpers for billing tests.

A small book is written as text, one file after a `--- path` header:

    --- clients/acme.yaml
    name: Acme
    rates: [{rate: 60.00}]
    --- ledger/2026/11.txt
    2026-11-03 09:00-10:30 acme remote @mario Printer offline

`plainbill.yaml` defaults to SETTINGS below unless the text has one (or a
`--- plainbill.yaml+` section, appended to the default). `compute(text)` loads
the book with `plainbill.load.load_files` and returns (invoices by id, diagnostics);
`@billed` does the same from the test's docstring and hands them to the test.
"""
from __future__ import annotations

import textwrap

from plainbill.billing import compute_invoices
from plainbill.diagnostics import Severity
from plainbill.load import load_files

SETTINGS = """\
issuer: {name: Rete Sicura S.r.l., vat_number: IT01234567890}
currency: EUR
language: en
locale: en_US
calendar: {country: IT}
working_hours: {days: [mon, tue, wed, thu, fri], start: "09:00", end: "18:00"}
taxes:
  default: vat22
  codes:
    vat22: {rate: 22%}
    vat10: {rate: 10%}
    rc-eu:
      rate: 0%
      nature: N2.1
      reverse_charge: true
    forfettario:
      rate: 0%
      nature: N2.2
      stamp_duty: true
      note: {it: "Operazione in franchigia da IVA, art. 1 c. 54-89 L. 190/2014.", en: "VAT-exempt flat-rate scheme."}
team:
  mario: {name: Mario Rossi, role: technician, cost_rate: 28.00, default_rate: 55.00}
  lucia: {name: Lucia Bianchi, role: senior, cost_rate: 35.00}
activities:
  remote: {names: {it: Assistenza remota, en: Remote support}}
  onsite: {names: {it: Intervento on-site, en: On-site intervention}, visit: true}
  dev: {names: {it: Sviluppo, en: Development}}
  internal: {names: {it: Attività interna, en: Internal}, billable: false}
"""


def split_book(text: str) -> dict[str, str]:
    """`--- path` sections of text -> {path: content}; default settings added when missing."""
    files: dict[str, str] = {}
    path = None
    for line in textwrap.dedent(text).splitlines():
        if line.startswith("--- "):
            path = line[4:].strip()
            files[path] = ""
        elif path is not None:
            files[path] += line + "\n"
    extra = files.pop("plainbill.yaml+", "")
    if "plainbill.yaml" not in files:
        files["plainbill.yaml"] = SETTINGS + extra
    return files


def compute(text: str, *, issued=None, period=None, client=None, strict_load: bool = True):
    """Load the book in `text` and compute its invoices: ({id: Invoice}, [Diagnostic])."""
    result = load_files(split_book(text))
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    if strict_load and errors:
        raise AssertionError("the test book does not load:\n" + "\n".join(
            f"{d.ref}: {d.message} [{d.code}]" for d in errors))
    invoices, diags = compute_invoices(result.book, period=period, client=client, issued=issued)
    return {inv.id: inv for inv in invoices}, diags


def billed(fn=None, **options):
    """Decorator: the test's docstring is a book; the test gets (invoices, diagnostics)."""
    def wrap(f):
        def run():
            invoices, diags = compute(f.__doc__, **options)
            return f(invoices, diags)
        # not functools.wraps: pytest would read the wrapped signature and look for fixtures
        run.__name__, run.__qualname__, run.__doc__ = f.__name__, f.__qualname__, f.__doc__
        run.__module__ = f.__module__
        return run
    return wrap(fn) if fn is not None else wrap


def lines_of(invoice, kind: str | None = None):
    return [ln for ln in invoice.lines if kind is None or ln.kind == kind]


def codes(diags) -> list[str]:
    return sorted(d.code for d in diags)

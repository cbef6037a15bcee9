"""Cross-record checks of a loaded book: a registry (registry.py) and one module per family.

    entries.py     the ledger entries: names, dates, clock ranges, duplicates, decimals, rates
    plausible.py   what parses but is probably a mistake: descriptions, long days
    book.py        plainbill.yaml and the client files: names, ambiguous contracts
    einvoice/rules.py  what the SdI would reject in an Italian issuer's e-invoices

Each family module imports only the registry and registers its checks with `@check`;
importing them here, in this order, fills the registry (the order of the report and of
docs/diagnostics.md). `python -m plainbill.checks docs/diagnostics.md` regenerates the
reference part of that page.
"""
from __future__ import annotations

from . import entries, plausible, book  # noqa: F401  (registers the checks, in this order)
from ..einvoice import rules as _einvoice_rules  # noqa: F401,E402  (the e-invoice's, plainbill.einvoice.rules)
from .registry import BEGIN, CHECKS, END, Check, Context, check, reference, run_checks, write_reference

__all__ = ["BEGIN", "CHECKS", "END", "Check", "Context", "check", "reference", "run_checks", "write_reference"]

"""A report read from an up-to-date build: the invoices `build` wrote, instead of billing again.

When `BOOK/build/manifest.json` records a complete build whose input key is the book's
now (every source file, `issued/`, `templates/`, plainbill's own files and the libraries'
versions: manifest.input_key, the key `build` itself checks) and every file it recorded is
on disk with its hash (manifest.recorded_build), its `invoices/<id>.json` are the invoices
the engine would compute: the report reads those it needs (by the periods the manifest
lists) and loads the book only for its entries, payments and settings. Anything else (no
build, another input, a damaged or edited file) and the caller bills the book as usual.
Nothing from build/ is run or unpickled: plain JSON, read after its hash was checked.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ..manifest import input_key, load_manifest, recorded_build
from .range import Range

# the option sets of `build` a report can reuse (all invoices, no --period or --client),
# the default first
_OPTIONS = [{"period": None, "client": None, "strict": strict, "render": render, "pdf": pdf}
            for strict in (False, True) for render, pdf in ((True, True), (False, True), (True, False), (False, False))]
# kinds whose figures need invoices from before the range (balances carry statements,
# receivables every issued invoice)
WHOLE = frozenset({"balances", "receivables"})


def built_report_inputs(root: Path, kind: str, span: Range):
    """(book, invoices, the build's diagnostics) of an up-to-date build, the invoices limited to
    those `kind` needs for `span`; None when there is no such build."""
    out = Path(root) / "build"
    if not (out / "manifest.json").is_file() or (out.is_symlink()):
        return None
    for options in _OPTIONS:
        key = input_key(root, options)
        if key is None:
            return None
        found = recorded_build(out, key)
        if found is not None:
            break
    else:
        return None
    _, diags = found
    if any(d.severity.value == "error" for d in diags):
        return None
    invoices = _invoices(out.resolve(), load_manifest(out), None if kind in WHOLE else span.start)
    if invoices is None:
        return None
    from ..load import load_book

    return load_book(Path(root)).book, invoices, diags


def _invoices(out: Path, manifest: dict, since: date | None):
    """The invoices whose period ends on or after `since` (all: None), from their JSON."""
    from ..register.records import invoice_from_dict

    found = []
    for inv_id, entry in sorted(manifest["invoices"].items()):
        row = entry.get("row") or {}
        try:
            end = date.fromisoformat(row["period_end"])
            issued = date.fromisoformat(row["issue_date"]) if row.get("issue_date") else None
        except (KeyError, TypeError, ValueError):
            return None
        if since is not None and end < since and not (row.get("kind") == "credit-note" and issued and issued >= since):
            continue
        names = [f for f in entry["files"] if f.endswith(".json")]
        if len(names) != 1:
            return None
        try:
            found.append(invoice_from_dict(json.loads((out / names[0]).read_bytes())))
        except (OSError, ValueError, KeyError, TypeError):
            return None
    return found

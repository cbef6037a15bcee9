"""The variables of build/index.html: every invoice of the build, for the firm (warnings included).

Rows come from the manifest, so a partial build (--period, --client) still
lists every invoice built so far. Totals per currency are summed here, in
Python, because templates never compute.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .. import __version__
from ..model import Book
from .labels import labels
from .logo import logo_uri

MONEY_FIELDS = ("subtotal", "tax_total", "total", "amount_due")


def index_view(book: Book, entries: dict[str, dict[str, Any]], reports: str = "") -> dict[str, Any]:
    """`reports`: the reports site's first page (build/reports/index.html), "" when the build has none."""
    s = book.settings
    names = {c.slug: c.party.name for c in book.clients}
    rows = [_row(entry["row"], entry.get("files", {}), names) for _, entry in sorted(entries.items())
            if "row" in entry]
    totals: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        bucket = totals.setdefault(row["currency"], {f: Decimal(0) for f in MONEY_FIELDS})
        for f in MONEY_FIELDS:
            bucket[f] += row[f]
    return {
        "t": labels(s.language), "locale": s.locale, "currency": s.currency, "lang": s.language,
        "issuer": s.issuer.name, "logo": logo_uri(book), "rows": rows, "totals": sorted(totals.items()),
        "warnings_count": sum(len(r["warnings"]) for r in rows),
        "generator": f"plainbill {__version__}", "assets": "assets", "reports": reports,
    }


def _row(row: dict[str, Any], files: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    out = dict(row)
    for f in MONEY_FIELDS:
        out[f] = Decimal(row[f])
    out["period_start"] = date.fromisoformat(row["period_start"])
    out["period_end"] = date.fromisoformat(row["period_end"])
    out["client_name"] = names.get(row["client"], row["client"])
    out["html"] = f"invoices/{row['id']}.html" if f"invoices/{row['id']}.html" in files else ""
    out["pdf"] = f"invoices/{row['id']}.pdf" if f"invoices/{row['id']}.pdf" in files else ""
    out["json"] = f"invoices/{row['id']}.json"
    return out

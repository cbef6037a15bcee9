"""The sales VAT register of a period as CSV (registro IVA vendite): one row per document
and tax code.

Columns: number, date, type (TD01/TD04), client, client_name, tax_id, currency,
vat_rate (percent), nature, taxable, vat, cassa (the social-security surcharges in
that taxable), then the document's split_payment, withholding, stamp_duty, total and
amount_due, written on its first row only, so that every column adds up to the
period's figure. Credit notes are negative. Amounts have a dot and no thousands
separator, in the document's currency; UTF-8, comma-separated, a header row, LF ends.
A text that a spreadsheet would read as a formula starts with a quote.
"""
from __future__ import annotations

import csv
import io

from .sales import Sale

HEADER = ("number", "date", "type", "client", "client_name", "tax_id", "currency", "vat_rate", "nature",
          "taxable", "vat", "cassa", "split_payment", "withholding", "stamp_duty", "total", "amount_due")


def vat_register(sales: list[Sale]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for s in sales:
        for i, row in enumerate(s.rows or (None,)):
            head = [text(s.number), s.date.isoformat(), s.document_type, s.client, text(s.client_name),
                    text(s.tax_id), s.currency]
            taxed = ["", "", "0", "0", "0"] if row is None else \
                [f"{row.rate * 100:.2f}", text(row.nature), row.taxable, row.vat, row.cassa]
            whole = [s.split_payment, s.withholding, s.stamp_duty, s.total, s.amount_due] if i == 0 else [""] * 5
            w.writerow(head + [str(v) for v in taxed] + [str(v) for v in whole])
    return out.getvalue().encode("utf-8")


def text(value: str) -> str:
    """A text cell a spreadsheet will not run: one that starts like a formula gets a quote first
    (a client named `=HYPERLINK(...)` is text in the register, not a link)."""
    value = " ".join(value.split())
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value

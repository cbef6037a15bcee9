"""A period's sales: each issued document as the figures an accountant records.

`Sale` is what the VAT register and the journals are written from, so they cannot
disagree: one per issued invoice or credit note, its figures signed (a credit note
is negative, as it reduces the sales of the period), split by tax code (`SaleRow`)
and by what they are (fees, stamp duty, rivalsa INPS, a fund's contributo
integrativo, VAT, withholding, split payment). Every figure comes from the
invoice's own totals, lines and tax summary: nothing is recomputed, so each file
reconciles with the invoices to the cent by construction, and the tests prove it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..invoice import Invoice
from ..model import INPS, Book
from ..money import round_money

ZERO = Decimal(0)
STAMP = "stamp-duty"


@dataclass(frozen=True)
class SaleRow:
    """One tax code of a document: its base, VAT and the surcharges inside the base."""

    tax_code: str
    rate: Decimal          # fraction
    nature: str
    taxable: Decimal
    vat: Decimal
    cassa: Decimal         # social-security surcharges (rivalsa INPS included) at this tax code


@dataclass(frozen=True)
class Sale:
    invoice: Invoice
    number: str
    date: date
    document_type: str     # TD01 invoice, TD04 credit note (FatturaPA's names)
    client: str            # slug
    client_name: str
    tax_id: str            # the client's VAT number, else its codice fiscale
    currency: str
    rows: tuple[SaleRow, ...]
    fees: Decimal          # the lines but the bollo and the surcharges
    stamp_duty: Decimal
    rivalsa: Decimal       # TC22
    cassa: Decimal         # TC01..TC21
    vat: Decimal
    total: Decimal
    withholding: Decimal
    split_payment: Decimal
    amount_due: Decimal


def sales_of(book: Book, invoices: list[Invoice], seq_of) -> list[Sale]:
    """The issued documents among `invoices` as Sales, in register order (date, series, sequence).
    `seq_of(number)`: the document's sequence in its series."""
    issued = [inv for inv in invoices if inv.number and inv.issue_date is not None]
    issued.sort(key=lambda inv: (inv.issue_date, inv.kind != "invoice", seq_of(inv.number), inv.number))
    return [sale_of(book, inv) for inv in issued]


def sale_of(book: Book, inv: Invoice) -> Sale:
    minus = inv.kind == "credit-note"

    def sign(value: Decimal) -> Decimal:
        """Signed, in the currency's minor unit, never -0.00."""
        return round_money(-value if minus else value, inv.currency) + 0

    client = book.client(inv.client)
    party = client.party if client is not None else None
    stamp = sum((ln.amount for ln in inv.lines if ln.kind == STAMP), ZERO)
    rivalsa = sum((s.amount for s in inv.surcharges if s.kind == INPS), ZERO)
    cassa = sum((s.amount for s in inv.surcharges if s.kind != INPS), ZERO)
    rows = tuple(SaleRow(t.tax_code, t.rate, t.nature, sign(t.base), sign(t.tax),
                         sign(sum((s.amount for s in inv.surcharges if s.tax_code == t.tax_code), ZERO)))
                 for t in inv.taxes)
    return Sale(inv, inv.number, inv.issue_date, "TD04" if minus else "TD01", inv.client,
                party.name if party else inv.client, (party.vat_number or party.tax_code) if party else "",
                inv.currency, rows, sign(inv.subtotal - stamp - rivalsa - cassa), sign(stamp), sign(rivalsa),
                sign(cassa), sign(inv.tax_total), sign(inv.total), sign(inv.withholding),
                sign(inv.split_payment), sign(inv.amount_due))

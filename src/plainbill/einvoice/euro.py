"""Euro values of an invoice in another currency (docs/einvoice.md, "Foreign currency").

The rule: an Italian issuer's e-invoice states every amount in euro (art. 21 c. 2 l)
DPR 633/72 asks the taxable amount and the tax "al centesimo di euro"; the Agenzia
delle Entrate has said that for issuers established in Italy `Divisa` is EUR). Each
line is converted at the rate in force on the document's date (art. 13 c. 4 DPR
633/72: the day of the operation, or the nearest earlier rate), rounded half-up to the
cent; the taxable amount per rate is the sum of its lines in euro and the tax is that
sum times the rate, rounded once, as in the document's own currency. The amounts in
the client's currency are kept beside each line (AltriDatiGestionali `VALUTA`), and the
rate and its source go in `Causale`. The page prints the same figures.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..money import round_money

ZERO = Decimal(0)


@dataclass(frozen=True)
class Conversion:
    currency: str
    rate: Decimal           # euro per unit
    since: date             # the rate holds from this date (date.min: from always)
    source: str

    def euro(self, amount: Decimal) -> Decimal:
        return round_money(amount * self.rate, "EUR")


def conversion(rates, currency: str, on: date) -> Conversion | None:
    """The conversion of `currency` on `on` from an ExchangeRates, or None (EUR, or no rate)."""
    if currency == "EUR":
        return None
    found = rates.rate(currency, on)
    if found is None:
        return None
    return Conversion(currency, found[0], found[1], rates.source)


@dataclass(frozen=True)
class EuroSummary:
    """The invoice's figures in euro: per (rate, nature) group, then the totals."""

    groups: tuple[tuple[Decimal, str, Decimal, Decimal], ...]    # (rate, nature, taxable, tax)
    taxable: Decimal
    tax: Decimal
    total: Decimal
    withholding: Decimal
    split_payment: Decimal
    amount_due: Decimal


def summarise(invoice, lines, conv: Conversion | None, tax_nature) -> EuroSummary:
    """Group `lines` by (rate, nature) with amounts in euro (converted by `conv`, or as they are).

    `tax_nature(line)` gives the line's nature code. With no conversion the groups' tax is
    the invoice's own tax per code, summed, so the XML repeats the invoice's figures."""
    to_eur = conv.euro if conv else (lambda a: a)
    bases: dict[tuple[Decimal, str], Decimal] = {}
    for ln in lines:
        key = (ln.tax_rate, tax_nature(ln))
        bases[key] = bases.get(key, ZERO) + to_eur(ln.amount)
    own_tax: dict[tuple[Decimal, str], Decimal] = {}
    for t in invoice.taxes:
        own_tax[(t.rate, t.nature)] = own_tax.get((t.rate, t.nature), ZERO) + t.tax
    groups = []
    for (rate, nature), base in sorted(bases.items(), key=lambda kv: (-kv[0][0], kv[0][1])):
        tax = own_tax.get((rate, nature), ZERO) if conv is None else round_money(base * rate, "EUR")
        groups.append((rate, nature, base, tax))
    taxable = sum((g[2] for g in groups), ZERO)
    tax = sum((g[3] for g in groups), ZERO)
    total = taxable + tax
    withholding = to_eur(invoice.withholding)
    split = tax if invoice.split_payment else ZERO
    return EuroSummary(tuple(groups), taxable, tax, total, withholding, split, total - withholding - split)

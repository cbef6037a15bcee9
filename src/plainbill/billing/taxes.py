"""Taxes and totals: VAT per rate, legal notes, stamp duty, split payment, withholding.

The bollo line has its own tax code, `stamp-duty`: it is in the summary as a
base of nature N1 (excluded from VAT, art. 15 DPR 633/72) with no tax, so the
summary's bases add up to the subtotal, and it is outside the withholding base.

Social-security surcharges (`surcharges.py`) come first: their lines carry the
tax code of the fees they follow, so VAT and the bollo's threshold see them; the
withholding base leaves out those that are not subject to it.

Rounding happens at named points only: each line amount (already rounded
when it gets here), each surcharge (base x rate, half-up once per fund and tax
code) and the tax of each tax code (base x rate, half-up once).
So total = sum of line amounts + sum of tax per code, and amount due = total -
withholding - split payment, always to the cent.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import i18n
from . import legal
from ..diagnostics import Diagnostic, error
from ..invoice import Line, TaxLine
from ..model import Client, Settings
from ..money import round_money
from .surcharges import not_withheld, without
from .surcharges import surcharges as social_security

ZERO = Decimal(0)


@dataclass
class Totals:
    lines: list
    taxes: tuple
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    withholding: Decimal
    withholding_rate: Decimal
    withholding_base: Decimal
    split_payment: Decimal
    amount_due: Decimal
    notes: tuple
    surcharges: tuple = ()


STAMP = "stamp-duty"      # the tax code of the bollo line: excluded from VAT, art. 15 DPR 633/72 (nature N1)


def exchange_rate_missing(settings: Settings, client: Client) -> bool:
    """True when the client's own tax codes (client, contracts, the book's default) bear the bollo,
    its currency is not the euro and `stamp_duty.exchange_rates` has no rate for it: found by
    `check` from the files alone (an entry's `tax=` is found when its invoice is computed)."""
    if settings.stamp_duty.euro_rate(client.currency) is not None:
        return False
    codes = {client.tax or settings.default_tax} | {c.tax for c in client.contracts if c.tax}
    return any(t.bears_stamp_duty for t in settings.taxes if t.code in codes)


def exchange_rate_error(client: Client, currency_total: str = "") -> Diagnostic:
    currency = client.currency
    what = f"lines subject to stamp duty total {currency_total} {currency}" if currency_total else \
        f"its tax code bears stamp duty and its invoices are in {currency}"
    return error("stamp-duty-exchange-rate", client.ref,
                 f"{client.slug}: {what}, and the 77.47 EUR threshold cannot be compared without an "
                 f"exchange rate for {currency}",
                 f"add `stamp_duty: {{exchange_rates: {{{currency}: 0.92}}}}` (euro per {currency}) to plainbill.yaml")


def stamp_duty_line(settings: Settings, client: Client, lines: list[Line],
                    problems: list | None = None) -> tuple[Line | None, str]:
    """The bollo line (when charged to the client) and its note, when the lines subject to it exceed the threshold.

    The threshold and the duty are in euro: on an invoice in another currency the base is
    converted at `stamp_duty.exchange_rates` and the duty charged is 2.00 EUR in that currency."""
    sd, language, currency = settings.stamp_duty, client.language, client.currency
    due = {t.code for t in settings.taxes if t.bears_stamp_duty}
    base = sum((ln.amount for ln in lines if ln.tax_code in due), ZERO)
    if not due or base <= 0:
        return None, ""
    rate = sd.euro_rate(currency)
    if rate is None:
        if problems is not None:
            problems.append(exchange_rate_error(client, str(base)))
        return None, ""
    if base * rate <= sd.threshold:
        return None, ""
    note = legal.stamp_note(language, sd.amount)
    if not sd.charge_client:
        return None, note
    amount = round_money(sd.amount / rate, currency)
    expl = i18n.t(language, "expl_stamp", base=i18n.number(language, base),
                  threshold=i18n.number(language, sd.threshold))
    if currency != "EUR":
        expl += i18n.t(language, "expl_stamp_fx", amount=i18n.number(language, sd.amount),
                       currency=currency, rate=str(rate))
    return Line(STAMP, STAMP, i18n.t(language, "stamp"), Decimal(1), "pcs", amount, amount,
                STAMP, ZERO, expl), note


def totals(settings: Settings, client: Client, lines: list[Line], problems: list | None = None) -> Totals:
    """Tax lines, notes and totals of an invoice whose lines are final but for the bollo."""
    language, currency = client.language, client.currency
    extra, surcharges = social_security(settings, client, lines)
    lines = lines + extra
    stamp, stamp_note = stamp_duty_line(settings, client, lines, problems)
    if stamp is not None:
        lines = lines + [stamp]
    bases: dict[str, Decimal] = {}
    for ln in lines:
        if ln.tax_code:
            bases[ln.tax_code] = bases.get(ln.tax_code, ZERO) + ln.amount
    tax_lines, notes = [], []
    for code in sorted(bases):
        if code == STAMP:    # in the summary as what it is: outside VAT, nature N1
            tax_lines.append(TaxLine(STAMP, ZERO, bases[code], round_money(ZERO, currency), "N1",
                                     legal.stamp_excluded(language)))
            continue
        tc = settings.tax(code)
        rate = tc.rate if tc else ZERO
        note = legal.tax_note(tc, language) if tc else ""
        tax_lines.append(TaxLine(code, rate, bases[code], round_money(bases[code] * rate, currency),
                                 tc.nature if tc else "", note))
        if note and note not in notes:
            notes.append(note)
    subtotal = sum((ln.amount for ln in lines), ZERO)
    tax_total = sum((t.tax for t in tax_lines), ZERO)
    total = subtotal + tax_total
    # a fund's contributo integrativo is not withheld on
    w = withholding(settings, client, without(lines, not_withheld(surcharges)))
    split = tax_total if client.split_payment else ZERO
    if client.split_payment:
        notes.append(i18n.t(language, "split_note"))
    if stamp_note:
        notes.append(stamp_note)
    q = round_money(ZERO, currency)
    return Totals(lines, tuple(tax_lines), subtotal + q, tax_total + q, total + q, w.amount + q,
                  w.rate, w.base + q, split + q, total - w.amount - split + q, tuple(notes), surcharges)


@dataclass(frozen=True)
class Withheld:
    """The ritenuta d'acconto of an invoice: `amount` = `rate` x `base`, half-up to the cent."""

    rate: Decimal = ZERO
    base: Decimal = ZERO
    amount: Decimal = ZERO


def in_withholding_base(settings: Settings, tax_code: str) -> bool:
    """Whether a line of `tax_code` counts in the withholding base: the bollo line never does
    (art. 15), a tax code says so with `withholding:` and by default N1 lines (sums advanced
    for the client, art. 15 c. 1 n. 3 DPR 633/72) stay out (`TaxCode.in_withholding_base`)."""
    if not tax_code or tax_code == STAMP:
        return False
    tc = settings.tax(tax_code)
    return tc.in_withholding_base if tc else True


def withholding(settings: Settings, client: Client, lines) -> Withheld:
    """The withholding on `lines`: the client's rate on its `base` share (100 %, 50 % for agents...)
    of the lines in the withholding base. The base is rounded to the cent first, so the invoice's
    "20% su 540,00" and its amount always agree. A credit note uses `withholding_on` with the
    rate and share of the invoice it credits."""
    if client.withholding is None:
        return Withheld()
    return withholding_on(settings, lines, client.withholding.rate, client.withholding.base, client.currency)


def withholding_on(settings: Settings, lines, rate: Decimal, share: Decimal, currency: str) -> Withheld:
    in_base = sum((ln.amount for ln in lines if in_withholding_base(settings, ln.tax_code)), ZERO)
    base = round_money(in_base * share, currency)
    return Withheld(rate, base, round_money(rate * base, currency))

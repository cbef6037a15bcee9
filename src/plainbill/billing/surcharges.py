"""Social-security surcharges: the rivalsa INPS and a professional fund's contributo integrativo.

A professional adds them to the fees (docs/billing.md, Social security): the
rivalsa INPS 4 % of the gestione separata (TipoCassa TC22, art. 1 c. 212 L.
662/1996) and a fund's contributo integrativo (TC01..TC21: 4 % for CNPADC,
Inarcassa, Cassa Forense...). Each is computed on the fees, never on the stamp
duty, on another surcharge, or on costs advanced in the client's name, once per
tax code of those fees: it follows their VAT (rate or nature), as DatiCassaPrevidenziale
carries one AliquotaIVA. Amount = base x rate, rounded half-up once per fund and
tax code. Each becomes a `Surcharge` record (the invoice's DatiCassaPrevidenziale)
and a line of kind "surcharge" with the same amount and tax code, so VAT, stamp
duty and every sum see it like any line; the withholding base takes it only when the
surcharge says so (`withholding`: TC22 by default, never a fund's contributo integrativo).
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from .. import i18n
from ..invoice import Line, Surcharge
from ..model import FUNDS, INPS, Client, Settings
from ..money import round_money

KIND = "surcharge"          # the kind of a surcharge's line
OUTSIDE = ("stamp-duty", KIND)   # line kinds a surcharge is never computed on


def funds(settings: Settings, client: Client):
    """The surcharges that apply to `client`: its own list when it has one, else the issuer's."""
    return settings.social_security if client.social_security is None else client.social_security


def base_lines(settings: Settings, lines: list[Line]) -> list[Line]:
    """The fees a surcharge is computed on: lines with a tax code, not the bollo nor a surcharge,
    nor sums advanced in the client's name (nature N1, excluded from VAT by art. 15 DPR 633/72)."""
    advanced = {t.code for t in settings.taxes if t.nature.upper() == "N1"}
    return [ln for ln in lines if ln.tax_code and ln.kind not in OUTSIDE and ln.tax_code not in advanced]


def surcharges(settings: Settings, client: Client, lines: list[Line]) -> tuple[list[Line], tuple[Surcharge, ...]]:
    """The surcharge lines and records of an invoice whose `lines` are final (but for the bollo)."""
    applied = funds(settings, client)
    if not applied:
        return [], ()
    bases: dict[str, Decimal] = {}
    rates: dict[str, Decimal] = {}
    for ln in base_lines(settings, lines):
        bases[ln.tax_code] = bases.get(ln.tax_code, Decimal(0)) + ln.amount
        rates.setdefault(ln.tax_code, ln.tax_rate)
    language, currency = client.language, client.currency
    out_lines, records = [], []
    for fund in applied:
        for code in sorted(bases):
            base = bases[code]
            if base <= 0:
                continue
            amount = round_money(base * fund.rate, currency)
            tc = settings.tax(code)
            key = f"{KIND}/{fund.kind}/{code}"
            words = describe(language, fund.kind, fund.rate)
            expl = i18n.t(language, "expl_surcharge", pct=percent(language, fund.rate),
                          base=i18n.number(language, base))
            records.append(Surcharge(key, fund.kind, fund.rate, base, amount, code, rates[code],
                                     tc.nature if tc and not rates[code] else "", fund.withholding, words))
            out_lines.append(Line(key, KIND, words, Decimal(1), "pcs", amount, amount, code, rates[code], expl))
    return out_lines, tuple(records)


def describe(language: str, kind: str, rate: Decimal) -> str:
    """'Rivalsa INPS 4%', 'Contributo integrativo Inarcassa 4%' (or the English words)."""
    key = "surcharge_inps" if kind == INPS else "surcharge_fund"
    return i18n.t(language, key, fund=FUNDS.get(kind, kind), pct=percent(language, rate))


def percent(language: str, rate: Decimal) -> str:
    return i18n.factor(language, rate * 100) + "%"


def not_withheld(surcharges_: tuple[Surcharge, ...]) -> frozenset[str]:
    """Keys of the surcharge lines outside the withholding base (a fund's contributo integrativo)."""
    return frozenset(s.key for s in surcharges_ if not s.withholding)


def without(lines: list[Line], keys: frozenset[str]) -> list[Line]:
    """`lines` but those whose key is in `keys`: what the withholding base is taken from."""
    return [ln for ln in lines if ln.key not in keys] if keys else lines


def credited(original: tuple[Surcharge, ...], lines, currency: str) -> tuple[Surcharge, ...]:
    """The surcharges of a credit note crediting `lines` of an invoice: those whose line is credited,
    for the amount credited (part of one: its base is the amount over the rate, so the two agree)."""
    by_key = {ln.key: ln for ln in lines}
    out = []
    for s in original:
        ln = by_key.get(s.key)
        if ln is None:
            continue
        if ln.amount != s.amount:
            s = replace(s, amount=ln.amount, base=round_money(ln.amount / s.rate, currency))
        out.append(s)
    return tuple(out)

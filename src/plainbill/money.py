"""Money: Decimal amounts made from text, rounded half-up at named points only.

Nothing here accepts a float. Amounts are plain Decimals; the currency they are
in travels with the invoice (one currency per invoice, every line of it in that
currency), so no amount of two currencies ever meets and a Money type would only
wrap every Decimal of the engine (one was written, never used, and removed).
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

ZERO = Decimal(0)
HUNDRED = Decimal(100)

_AMOUNT_RE = re.compile(r"^[+-]?(\d+)(\.(\d+))?$")
_PERCENT_RE = re.compile(r"^[+-]?\d+(\.\d+)?%$")


class MoneyError(ValueError):
    """A bug-level misuse: mixing currencies, or feeding a float."""


@lru_cache(maxsize=None)
def minor_digits(currency: str) -> int:
    """Decimal places of the currency's minor unit (EUR 2, JPY 0), from Babel's CLDR data."""
    try:
        from babel.numbers import get_currency_precision

        return get_currency_precision(currency)
    except Exception:  # unknown currency code: validated elsewhere, assume cents
        return 2


@lru_cache(maxsize=None)
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_digits(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Half-up to the currency's minor unit. Call only at the named rounding points."""
    if not isinstance(amount, Decimal):
        raise MoneyError(f"money must be Decimal, got {type(amount).__name__}")
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


# digits of a number typed in a book, before and after the point: 999,999,999,999.99 is
# more than any invoice needs, and every product and sum of the engine stays well within
# Decimal's 28 digits (a 25-digit rate made `quantize` raise InvalidOperation in build)
MAX_DIGITS = MAX_PLACES = 12


def size_problem(text: str) -> str:
    """Why a number as typed is too big to bill with ('' when it is not, or not a number)."""
    m = _AMOUNT_RE.match(text.strip().replace("_", "").removesuffix("%"))
    if m is None:
        return ""
    if len(m.group(1).lstrip("0")) > MAX_DIGITS:
        return f"has more than {MAX_DIGITS} digits before the point"
    if m.group(3) and len(m.group(3)) > MAX_PLACES:
        return f"has more than {MAX_PLACES} digits after the point"
    return ""


def parse_decimal(text: str) -> Decimal | None:
    """A plain decimal number as typed ('85.50', '-3', '1200'); None when it is not one, or
    when it has more digits than MAX_DIGITS / MAX_PLACES (see size_problem)."""
    text = text.strip().replace("_", "")
    if not _AMOUNT_RE.match(text) or size_problem(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already guards
        return None


def parse_percent(text: str) -> Decimal | None:
    """'22%' or '22' -> Decimal('0.22'); '12.5%' -> Decimal('0.125')."""
    text = text.strip()
    if _PERCENT_RE.match(text):
        return None if size_problem(text) else Decimal(text[:-1]) / HUNDRED
    value = parse_decimal(text)
    return None if value is None else value / HUNDRED


def decimals_of(text: str) -> int:
    """Number of digits after the point as typed: '85.50' -> 2, '3' -> 0."""
    m = _AMOUNT_RE.match(text.strip().replace("_", ""))
    return len(m.group(3)) if m and m.group(3) else 0


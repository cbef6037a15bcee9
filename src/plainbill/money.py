"""Money: Decimal amounts made from text, rounded half-up at named points only.

Nothing here accepts a float. Amounts are plain Decimals; the currency they are
in travels with the invoice (one currency per invoice), and `Money` exists for
the places where two amounts meet and must not mix currencies.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
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


def round_quantity(value: Decimal, increment: Decimal, mode: str) -> Decimal:
    """Round a quantity (minutes, hours) to a multiple of increment: up, down or nearest (half-up)."""
    if increment <= 0:
        return value
    steps = value / increment
    rounding = {"up": ROUND_UP, "down": ROUND_DOWN, "nearest": ROUND_HALF_UP}[mode]
    return steps.quantize(Decimal(1), rounding=rounding) * increment


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        if not isinstance(self.amount, Decimal):
            raise MoneyError(f"money must be Decimal, got {type(self.amount).__name__}")

    def _same(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def rounded(self) -> "Money":
        return Money(round_money(self.amount, self.currency), self.currency)

    def __str__(self) -> str:
        return f"{self.amount:.{minor_digits(self.currency)}f} {self.currency}"

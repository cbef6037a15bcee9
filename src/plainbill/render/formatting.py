"""Formatting filters: numbers, money, dates and durations in the invoice's locale, with Babel.

The engine has already rounded every amount (half-up, at named points), so
these filters never round: Babel is always called with
`decimal_quantization=False`, because it would round half-even (Kimai's bug).
A filter reads the locale and currency from the template context, so templates
write `{{ line.amount|amount }}` and nothing else.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, format_decimal, format_percent
from jinja2 import pass_context

from ..money import minor_digits


@lru_cache(maxsize=None)
def _locale(locale: str) -> Locale:
    """Parsed once: Babel parses a locale string again on every call otherwise."""
    return Locale.parse(locale)


@lru_cache(maxsize=None)
def _amount_pattern(currency: str) -> str:
    """'#,##0.00' for EUR: at least the minor digits, more kept when the value has them."""
    digits = minor_digits(currency)
    return "#,##0" + ("." + "0" * digits if digits else "")


@lru_cache(maxsize=None)
def _short_date_pattern(locale: str) -> str:
    """The locale's short date with a four-digit year (03/11/2026, not 03/11/26)."""
    pattern = Locale.parse(locale).date_formats["short"].pattern
    if "yyyy" not in pattern:
        pattern = pattern.replace("yy", "yyyy")
    return pattern


# Babel takes ~0.1 ms a call; an appendix repeats the same rates, amounts and days, so
# results are cached. The key is the Decimal's text: Decimal("1.5") == Decimal("1.50")
# but they print differently.


def money(value: Decimal, currency: str, locale: str) -> str:
    """1.234,50 € (it_IT) or €1,234.50 (en_GB); never rounds."""
    return _money(str(_dec(value)), currency, locale)


@lru_cache(maxsize=8192)
def _money(text: str, currency: str, locale: str) -> str:
    return format_currency(Decimal(text), currency, locale=_locale(locale), decimal_quantization=False)


def amount(value: Decimal, currency: str, locale: str) -> str:
    """An amount without the currency sign, with at least the currency's minor digits."""
    return _amount(str(_dec(value)), currency, locale)


@lru_cache(maxsize=8192)
def _amount(text: str, currency: str, locale: str) -> str:
    return format_decimal(Decimal(text), format=_amount_pattern(currency), locale=_locale(locale),
                          decimal_quantization=False)


def number(value: Decimal | int, locale: str) -> str:
    """A quantity as the engine computed it: 1,5 (it) or 1.5 (en); never rounds."""
    return _number(str(_dec(value)), locale)


@lru_cache(maxsize=4096)
def _number(text: str, locale: str) -> str:
    return format_decimal(Decimal(text), locale=_locale(locale), decimal_quantization=False)


def percent(value: Decimal, locale: str) -> str:
    """A fraction as a percentage: Decimal('0.22') -> 22%."""
    return _percent(str(_dec(value)), locale)


@lru_cache(maxsize=256)
def _percent(text: str, locale: str) -> str:
    return format_percent(Decimal(text), locale=_locale(locale), decimal_quantization=False)


@lru_cache(maxsize=4096)
def long_date(value: date | None, locale: str) -> str:
    return format_date(value, "medium", locale=_locale(locale)) if value else ""


@lru_cache(maxsize=4096)
def short_date(value: date | None, locale: str) -> str:
    return format_date(value, _short_date_pattern(locale), locale=_locale(locale)) if value else ""


@lru_cache(maxsize=4096)
def day_month(value: date, locale: str) -> str:
    """03/11 (it), 11/3 (en_US): the appendix's date column, the period gives the year."""
    return format_skeleton("ddMM", value, locale=_locale(locale))


def duration(minutes: int) -> str:
    """Whole minutes in words-free units: 90 -> '1 h 30 m', 45 -> '45 m', 120 -> '2 h'."""
    sign, minutes = ("-" if minutes < 0 else ""), abs(int(minutes))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{sign}{rest} m"
    return f"{sign}{hours} h" + (f" {rest:02d} m" if rest else "")


def clock(minutes: int) -> str:
    """Whole minutes as h:mm, for aligned table columns: 90 -> '1:30'."""
    sign, minutes = ("-" if minutes < 0 else ""), abs(int(minutes))
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def _dec(value) -> Decimal:
    if isinstance(value, float):  # a float here is a bug upstream: refuse it loudly
        raise TypeError("formatting filters take Decimal or int, never float")
    return value if isinstance(value, Decimal) else Decimal(value)


# -- the same, as Jinja filters that read `locale` and `currency` from the context


@pass_context
def _money_filter(ctx, value, currency: str | None = None) -> str:
    return money(value, currency or ctx["currency"], ctx["locale"])


@pass_context
def _amount_filter(ctx, value, currency: str | None = None) -> str:
    return amount(value, currency or ctx["currency"], ctx["locale"])


@pass_context
def _number_filter(ctx, value) -> str:
    return number(value, ctx["locale"])


def quantity(line, locale: str) -> str:
    """A line's quantity: hours that are not a whole number of hundredths (1,5833 h) read
    better as the time behind them (1 h 35 m); everything else as the number it is."""
    if shows_time(line):
        return duration(line.minutes)
    return number(_dec(line.quantity), locale)


def shows_time(line) -> bool:
    """Whether `quantity` prints the line's hours as a time (then no unit follows it)."""
    q = _dec(line.quantity)
    return line.unit == "h" and bool(line.minutes) and q != q.quantize(Decimal("0.01"))


@pass_context
def _quantity_filter(ctx, line) -> str:
    return quantity(line, ctx["locale"])


@pass_context
def _percent_filter(ctx, value) -> str:
    return percent(value, ctx["locale"])


@pass_context
def _long_date_filter(ctx, value) -> str:
    return long_date(value, ctx["locale"])


@pass_context
def _short_date_filter(ctx, value) -> str:
    return short_date(value, ctx["locale"])


FILTERS = {
    "money": _money_filter,
    "amount": _amount_filter,
    "number": _number_filter,
    "quantity": _quantity_filter,
    "percent": _percent_filter,
    "date": _long_date_filter,
    "short_date": _short_date_filter,
    "duration": duration,
    "clock": clock,
}

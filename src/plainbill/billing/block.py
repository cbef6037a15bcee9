"""Prepaid hour blocks ("pacchetto ore da scalare"): purchases, draw-down, expiry, statement.

Hours are drawn from the oldest purchase first (by purchase date, then expiry)
among purchases dated on or before the entry and not yet expired. Hours left on
a purchase lapse at the end of its `expires` day: an entry on that very day
still uses them. A block hour is a worked hour times the activity's factor.

Block minutes are whole (an entry needs worked x factor of them, rounded half-up).
When a block runs out in the middle of an entry, the worked minutes it covers are
the block minutes left divided by the factor, exactly: 50 block minutes at factor
1.5 cover 33 1/3 worked minutes, and the other 26 2/3 are overage. Such a part's
billed minutes are a Decimal; money is computed from them and rounded only on the line.

Each invoice shows one statement per block contract covering the time since
the previous invoice's statement: opening + purchased - used - expired = closing,
so over the contract's life purchased = used + expired + remaining. When time
was billed beyond the block in the window, the statement adds an `overage` row:
the worked minutes billed as overage (to the nearest minute), outside the balance.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ..model import BlockTerms, Contract, Purchase

ONE = Decimal(1)


class BlockState:
    """Balance of one block contract, carried across the client's invoices in date order."""

    def __init__(self, contract: Contract):
        terms = contract.terms if isinstance(contract.terms, BlockTerms) else BlockTerms()
        self.contract, self.terms = contract, terms
        self.purchases: list[Purchase] = sorted(terms.purchases,
                                                key=lambda p: (p.date, p.expires or date.max))
        self.left = [p.minutes for p in self.purchases]
        self.factors = dict(terms.factors)
        first = min([contract.valid_from] + [p.date for p in self.purchases])
        self.window_start = first
        self._open(first)

    def _open(self, start: date) -> None:
        self.window_start = start
        self.opening = sum(m for p, m in zip(self.purchases, self.left) if p.date < start)
        self.used = 0
        self.expired = 0
        self.overage = 0      # worked minutes billed beyond the block in the window (a Decimal when split exactly)

    def factor(self, activity: str) -> Decimal:
        return self.factors.get(activity, ONE)

    def _expire_before(self, day: date) -> None:
        for i, p in enumerate(self.purchases):
            if p.expires is not None and p.expires < day and self.left[i]:
                self.expired += self.left[i]
                self.left[i] = 0

    def available(self, day: date) -> int:
        self._expire_before(day)
        return sum(m for p, m in zip(self.purchases, self.left) if p.date <= day)

    def draw(self, day: date, worked: int, factor: Decimal) -> tuple[int | Decimal, int, list[tuple[Purchase, int]]]:
        """Draw `worked` minutes x factor; returns (worked minutes covered, block minutes used, sources).

        The worked minutes covered are exact: when the block runs short they are the block minutes
        left / factor, a Decimal with a fraction (never cut to whole minutes, which would charge
        the client overage for time the block paid for)."""
        need = worked if factor == ONE else int((worked * factor).quantize(ONE, ROUND_HALF_UP))
        avail = self.available(day)
        if need <= avail:
            covered, take = worked, need
        else:
            covered = avail if factor == ONE else Decimal(avail) / factor
            take = avail
        drawn = []
        rest = take
        for i, p in enumerate(self.purchases):
            if rest <= 0:
                break
            if p.date <= day and self.left[i]:
                got = min(self.left[i], rest)
                self.left[i] -= got
                rest -= got
                drawn.append((p, got))
        self.used += take
        return covered, take, drawn

    def balance(self, day: date) -> int:
        return sum(m for p, m in zip(self.purchases, self.left) if p.date <= day)

    def close(self, end: date) -> dict:
        """Close the statement window at `end` (expiring what lapses by then); open the next."""
        self._expire_before(end + timedelta(days=1))
        purchased = sum(p.minutes for p in self.purchases if self.window_start <= p.date <= end)
        figures = {"opening": self.opening, "purchased": purchased, "used": self.used,
                   "expired": self.expired, "closing": self.balance(end),
                   "overage": int(Decimal(self.overage).quantize(ONE, ROUND_HALF_UP))}
        self._open(end + timedelta(days=1))
        return figures

    def purchases_between(self, start: date, end: date) -> list[Purchase]:
        return [p for p in self.purchases if start <= p.date <= end]

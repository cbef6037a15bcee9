"""Accumulating parts into invoice lines, and entry details into the appendix.

Parts with the same kind, contract, activity, project, unit price, multiplier
reason and tax code share a line. A line's amount is its total billed minutes x
unit price / 60, rounded half-up once (the named rounding point), so it equals
the rounded sum of the exact contributions of its entries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from ..invoice import EntryDetail, Line, new_detail, new_line
from ..money import round_money

ZERO = Decimal(0)
_Q4 = Decimal("0.0001")

# order of sections on the invoice
SECTION = {"retainer-fee": 0, "recurring": 1, "milestone": 2, "block-purchase": 3, "time": 4,
           "retainer-use": 4, "retainer-extra": 4, "block-use": 4, "overage": 4, "no-charge": 6,
           "expense": 7, "callout": 8, "adjustment": 9, "stamp-duty": 10}


_Q2 = Decimal("0.01")


def price(value: Decimal) -> Decimal:
    """A unit price or exact amount shown with 2 decimals when it has no more (90.000 -> 90.00)."""
    q = value.quantize(_Q2) if value.as_tuple().exponent < -2 else value
    return q if q == value else value


def detail_amount(value: Decimal) -> Decimal:
    """An entry's exact contribution, to 4 decimals at most (2 when that is exact), without
    trailing zeros beyond the cents: 114.00, 103.385, 229.5833; never 114.000 or 103.3850."""
    q = value.quantize(_Q4, ROUND_HALF_UP)
    q2 = q.quantize(_Q2)
    return q2 if q2 == q else q.normalize()


def whole_minutes(minutes) -> int:
    """Billed minutes as shown on records (lines, details): whole minutes.

    Billed minutes are fractional only where a block covers part of an entry (block.py); money
    is computed from the exact figure. Half-even, so the two pieces of a split minute
    (33 1/2 + 26 1/2) still show the entry's whole 60."""
    if isinstance(minutes, int):
        return minutes
    return int(minutes.to_integral_value(ROUND_HALF_EVEN))


def hours(minutes: int) -> Decimal:
    """Minutes as hours, exact when possible, else to 4 decimals."""
    q = Decimal(minutes) / 60
    return q if q == q.quantize(_Q4) else q.quantize(_Q4, ROUND_HALF_UP)


@dataclass
class Group:
    """A line being built from many parts."""

    key: str
    kind: str
    description: str
    unit_price: Decimal
    tax_code: str
    contract: str
    order: tuple
    minutes: int = 0                              # a Decimal once a fractional block part joins
    raw: int = 0
    count: int = 0
    sources: list = field(default_factory=list)
    entries: list = field(default_factory=list)
    info: dict = field(default_factory=dict)      # figures for the explanation
    explain: object = None                        # callable(group) -> str
    amounts: dict = field(default_factory=dict)   # billed minutes -> (exact amount, detail amount)
    rounding: str = ""                            # the rounding rule of its parts, in words


class LineBook:
    """The lines and entry details of one invoice, in the making."""

    def __init__(self, currency: str):
        self.currency = currency
        self.groups: dict[str, Group] = {}
        self.fixed: list[tuple[tuple, Line]] = []     # lines with a set amount (fees, expenses...)
        self.details: list[EntryDetail] = []
        self.tax_rates: dict[str, Decimal] = {}
        self.reasons: dict[str, str] = {}          # multiplier reason -> words, client's language
        # id(unit price) -> (unit price, its Group.amounts): lines at the same price (object) share
        # their amounts, also across invoices when the client's run passes its own dict
        self.amounts: dict[int, tuple] = {}
        self.rounding_words = lambda rules: ""     # Rules -> the rounding in force, in words

    def group(self, key: str, kind: str, description: str, unit_price: Decimal, tax_code: str,
              contract: str, order: tuple, explain) -> Group:
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = Group(key, kind, description, unit_price, tax_code, contract,
                                         order, explain=explain)
            shared = self.amounts.get(id(unit_price))
            if shared is None or shared[0] is not unit_price:
                shared = self.amounts[id(unit_price)] = (unit_price, g.amounts)
            g.amounts = shared[1]
        return g

    def add_part(self, g: Group, part, rate: Decimal, multiplier: Decimal, amount_exact: Decimal,
                 note: str = "") -> None:
        self._attach(g, part, part.billed, rate, multiplier,
                     detail_amount(amount_exact) if amount_exact else ZERO, note)

    def add_charged(self, g: Group, part, rate: Decimal, multiplier: Decimal, note: str) -> Decimal:
        """add_part for billed time at the line's unit price; returns the exact amount (billed x price / 60)."""
        billed = part.billed
        found = g.amounts.get(billed)
        if found is None:      # a line's parts have few distinct durations: compute each once
            exact = billed * g.unit_price / 60
            found = g.amounts[billed] = (exact, detail_amount(exact) if exact else ZERO)
        self._attach(g, part, billed, rate, multiplier, found[1], note)
        return found[0]

    def _attach(self, g: Group, part, billed, rate: Decimal, multiplier: Decimal, amount: Decimal,
                note: str) -> None:
        """Count a part on its line and give it its row in the detail appendix."""
        e = part.entry
        if not g.rounding:
            g.rounding = self.rounding_words(part.rules)
        g.minutes += billed
        g.raw += part.raw
        entries = g.entries
        if not entries or entries[-1] != part.fp:   # count: len(entries), set by lines()
            g.sources.append(e.ref)
            entries.append(part.fp)
        if part.raised:
            g.info.setdefault("raised", set()).add(part.fp)
            g.info["minimum"] = part.rules.minimum
        if part.reason and part.seg is not None:
            when = f"{self.reasons.get(part.reason, part.reason)} {part.seg.clock()}".strip()
            notes = "; ".join(filter(None, [note, when, *part.notes]))
        elif part.notes:
            found = part.notes
            notes = found[0] if not note and len(found) == 1 else "; ".join(filter(None, [note, *found]))
        else:
            notes = note
        self.details.append(new_detail(
            part.fp, e.ref, e.date, e.person, e.activity, e.description, part.raw,
            billed if billed.__class__ is int else whole_minutes(billed), rate, multiplier, amount, g.key, notes,
            e.kind))

    def add_line(self, line: Line, order: tuple) -> None:
        self.fixed.append((order, line))

    def add_detail(self, detail: EntryDetail) -> None:
        self.details.append(detail)

    def lines(self) -> list[Line]:
        out = list(self.fixed)
        for g in self.groups.values():
            amount = round_money(g.minutes * g.unit_price / 60, self.currency) if g.unit_price else \
                round_money(ZERO, self.currency)
            g.count = len(g.entries)
            entries = tuple(dict.fromkeys(g.entries))
            # an entry's refs repeat only where its fingerprint does (parts of one entry
            # split around another line's); SourceRef hashes in Python, a str in C
            sources = tuple(g.sources) if len(entries) == len(g.entries) else tuple(_unique(g.sources))
            line = new_line(g.key, g.kind, g.description, hours(g.minutes), "h", g.unit_price, amount,
                            g.tax_code, self.tax_rates.get(g.tax_code, ZERO), g.explain(g),
                            sources, entries, g.contract, whole_minutes(g.minutes), g.raw, g.rounding)
            out.append((g.order, line))
        out.sort(key=lambda t: (SECTION.get(t[1].kind, 5), t[0], t[1].key))
        return [line for _, line in out]


def _unique(items: list) -> list:
    return list(dict.fromkeys(items))

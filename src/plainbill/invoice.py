"""Frozen output records: Invoice, Line, EntryDetail, TaxLine, Statement.

The engine (`plainbill.billing`) builds them; renderers, `explain`, `issue` and
`diff` read them. `Invoice.to_json()` is the canonical form written to
`build/invoices/<id>.json`: sorted keys, money as strings with the currency's
minor digits, so the same book always gives the same bytes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .diagnostics import SourceRef


@dataclass(frozen=True, slots=True)
class Line:
    key: str                        # stable within the invoice, e.g. "hourly/remote/mario/1"
    kind: str                       # time | no-charge | block-purchase | block-use | overage | retainer-fee
                                    # | retainer-extra | milestone | recurring | expense | callout | stamp-duty | adjustment
    description: str
    quantity: Decimal
    unit: str                       # h | pcs | month | visit | ...
    unit_price: Decimal
    amount: Decimal                 # rounded half-up to the minor unit: the printed amount
    tax_code: str
    tax_rate: Decimal               # fraction
    explanation: str                # plain words, in the client's language
    sources: tuple[SourceRef, ...] = ()
    entries: tuple[str, ...] = ()   # fingerprints of the entries behind it
    contract: str = ""
    minutes: int = 0                # billed minutes behind a time line (0 otherwise)
    raw_minutes: int = 0
    # the rounding rule in force on a time line, in words, for explain: not part of the invoice's
    # JSON, hash or equality (issued records stay as they were)
    rounding: str = field(default="", compare=False, metadata={"json": False})

    def __reduce__(self):
        # the generated __getstate__ of a frozen slots dataclass calls fields() for every
        # object: pickling a big book's lines and rows (build's change detection) was slow
        return (Line, (self.key, self.kind, self.description, self.quantity, self.unit, self.unit_price,
                       self.amount, self.tax_code, self.tax_rate, self.explanation, self.sources,
                       self.entries, self.contract, self.minutes, self.raw_minutes, self.rounding))


@dataclass(frozen=True, slots=True)
class EntryDetail:
    """One row of the detail appendix: an entry (or part of a split entry) as billed."""

    fingerprint: str
    ref: SourceRef
    date: date
    person: str
    activity: str
    description: str
    raw_minutes: int
    billed_minutes: int
    rate: Decimal
    multiplier: Decimal
    amount: Decimal                 # unrounded contributions are kept exact; rounded at the line
    line_key: str
    note: str = ""                  # "after hours 18:00-19:00", "no charge", "from block P1" ...
    kind: str = "time"

    def __reduce__(self):
        return (EntryDetail, (self.fingerprint, self.ref, self.date, self.person, self.activity,
                              self.description, self.raw_minutes, self.billed_minutes, self.rate,
                              self.multiplier, self.amount, self.line_key, self.note, self.kind))


@dataclass(frozen=True, slots=True)
class TaxLine:
    tax_code: str
    rate: Decimal
    base: Decimal
    tax: Decimal                    # base x rate, rounded half-up once per rate
    nature: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Surcharge:
    """A social-security surcharge on the invoice: FatturaPA's DatiCassaPrevidenziale.

    One per fund (`kind`) and tax code of the fees it is computed on. Its amount is
    also the amount of the invoice line whose key is `key` (kind "surcharge"), so
    lines still add up to the subtotal and tax bases to the lines; renderers show
    that line in the totals, not among the lines (docs/billing.md, Social security).
    """

    key: str                        # the key of its line: surcharge/<kind>/<tax code>
    kind: str                       # TipoCassa: TC01..TC22 (TC22 rivalsa INPS)
    rate: Decimal                   # AlCassa, as a fraction: 0.04
    base: Decimal                   # ImponibileCassa: the fees it is computed on
    amount: Decimal                 # ImportoContributoCassa: base x rate, rounded half-up once
    tax_code: str                   # the VAT treatment of the fees it follows
    tax_rate: Decimal               # AliquotaIVA, as a fraction
    nature: str                     # Natura when tax_rate is 0
    withholding: bool               # Ritenuta SI: part of the withholding base
    description: str                # "Rivalsa INPS 4%", in the client's language


@dataclass(frozen=True, slots=True)
class Statement:
    """A balance statement: block hours (opening, purchased, used, expired, closing) or retainer usage."""

    kind: str                       # block | retainer
    contract: str
    title: str
    rows: tuple[tuple[str, str], ...]   # (label, formatted value) in order, already in the client's language
    minutes: tuple[tuple[str, int], ...] = ()  # the same figures as numbers, for tests and JSON


@dataclass(frozen=True, slots=True)
class Invoice:
    id: str                         # draft id: <client>-<YYYY-MM> or <client>-<YYYY>-Q<n>
    client: str
    period_start: date
    period_end: date
    currency: str
    language: str
    locale: str
    lines: tuple[Line, ...]
    taxes: tuple[TaxLine, ...]
    subtotal: Decimal               # sum of line amounts
    tax_total: Decimal              # sum of TaxLine.tax
    total: Decimal                  # subtotal + tax_total
    withholding: Decimal = Decimal(0)     # ritenuta d'acconto, deducted
    withholding_rate: Decimal = Decimal(0)  # its rate (fraction) ...
    withholding_base: Decimal = Decimal(0)  # ... and the base it applies to (billing/taxes.withholding)
    split_payment: Decimal = Decimal(0)   # VAT paid by the public administration, deducted
    amount_due: Decimal = Decimal(0)      # total - withholding - split_payment
    entries: tuple[EntryDetail, ...] = ()
    statements: tuple[Statement, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()     # legal notes: reverse charge, split payment, exemption, stamp duty
    kind: str = "invoice"           # invoice | credit-note
    number: str = ""                # set once issued
    issue_date: date | None = None
    due_date: date | None = None
    references: tuple[str, ...] = ()  # credit note: the number it credits
    # social security (rivalsa INPS, cassa), each also a line; left out of the JSON when there is none,
    # so the invoices of a book without them keep their bytes and hashes
    surcharges: tuple[Surcharge, ...] = field(default=(), metadata={"omit_empty": True})

    def __reduce__(self):
        # pickled whole by the build's change detection, render workers and diff: rows and
        # sources as flat tuples (one comprehension) instead of a __reduce__ call per row
        # and a dataclass __getstate__ per SourceRef, about 2.5 times faster
        values = tuple(None if name in _BULK else getattr(self, name) for name in _INVOICE_FIELDS)
        lines = [(ln.key, ln.kind, ln.description, ln.quantity, ln.unit, ln.unit_price, ln.amount, ln.tax_code,
                  ln.tax_rate, ln.explanation, [(r.path, r.line, r.col) for r in ln.sources], ln.entries,
                  ln.contract, ln.minutes, ln.raw_minutes, ln.rounding) for ln in self.lines]
        rows = [(e.fingerprint, e.ref.path, e.ref.line, e.ref.col, e.date, e.person, e.activity, e.description,
                 e.raw_minutes, e.billed_minutes, e.rate, e.multiplier, e.amount, e.line_key, e.note, e.kind)
                for e in self.entries]
        return (_unpickle_invoice, (values, lines, rows))

    def to_dict(self) -> dict[str, Any]:
        from .invoice_json import detail_dict

        d = {name: _plain(getattr(self, name)) for name in self.__dataclass_fields__
             if name != "entries" and (name != "surcharges" or self.surcharges)}
        d["entries"] = [detail_dict(e) for e in self.entries]
        return d

    def to_json(self) -> str:
        """The canonical form: json.dumps(to_dict(), sort_keys=True, indent=1, ensure_ascii=False) + newline."""
        from .invoice_json import write

        return write(self) + "\n"

    @property
    def hash(self) -> str:
        """Hash of the canonical JSON without number/date, to detect any change of content."""
        from .invoice_json import write

        blob = write(self, indent=False, skip=("number", "issue_date", "due_date")).encode()
        return hashlib.sha256(blob).hexdigest()


def _plain(value: Any) -> Any:
    """Dataclasses, tuples, Decimals and dates to JSON-ready values, deterministically."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name, f in value.__dataclass_fields__.items()
                if f.metadata.get("json", True) and not (f.metadata.get("omit_empty") and not getattr(value, name))}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, SourceRef):  # pragma: no cover - dataclass branch handles it
        return str(value)
    return value


def _fast_constructor(cls):
    """A positional constructor (every field, in order) for the frozen slots dataclass `cls`.

    The generated __init__ of a frozen dataclass sets each field through
    object.__setattr__, several times slower than plain assignment; the engine
    makes one EntryDetail per billed entry. This builds an instance of a twin
    class with the same slots and plain assignments, then makes it a `cls`: the
    result is an ordinary, equal, hashable, frozen `cls` instance.
    """
    names = cls.__slots__
    twin = type(f"_{cls.__name__}Builder", (), {"__slots__": names})
    code = (f"def __init__(self, {', '.join(names)}):\n"
            + "".join(f"    self.{n} = {n}\n" for n in names)
            + "    self.__class__ = cls\n")
    scope: dict[str, Any] = {}
    exec(code, {"cls": cls}, scope)   # noqa: S102 - generated from the field names only
    twin.__init__ = scope["__init__"]
    return twin


new_detail = _fast_constructor(EntryDetail)
new_line = _fast_constructor(Line)

new_ref = _fast_constructor(SourceRef)
_INVOICE_FIELDS = tuple(Invoice.__dataclass_fields__)
_BULK = frozenset({"lines", "entries"})


def _unpickle_invoice(values: tuple, lines: list, rows: list) -> Invoice:
    fields = dict(zip(_INVOICE_FIELDS, values))
    fields["lines"] = tuple(new_line(*ln[:10], tuple(new_ref(*r) for r in ln[10]), *ln[11:]) for ln in lines)
    fields["entries"] = tuple(new_detail(r[0], new_ref(r[1], r[2], r[3]), *r[4:]) for r in rows)
    return Invoice(**fields)

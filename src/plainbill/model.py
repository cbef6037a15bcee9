"""Frozen input records of a book: settings, team, clients, contracts, entries.

Every record carries `ref`, the SourceRef of the text it was read from. Records
hold tuples, not lists, and are built only by the loader (`plainbill.load`).
Durations are whole minutes (int); money and rates are Decimal; a percentage
is stored as a fraction (22% -> Decimal("0.22")).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from .diagnostics import SourceRef

NOWHERE = SourceRef("<none>")


# ---------------------------------------------------------------- issuer, book


@dataclass(frozen=True, slots=True)
class Address:
    street: str = ""
    city: str = ""
    postal_code: str = ""
    province: str = ""          # Italian two-letter province code, or region
    country: str = ""           # ISO 3166-1 alpha-2, upper case
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Bank:
    name: str = ""
    iban: str = ""
    bic: str = ""
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Party:
    """Legal identity of the issuer or of a client, as an e-invoice needs it."""

    name: str
    vat_number: str = ""        # with country prefix, e.g. IT01234567890, DE811907980
    tax_code: str = ""          # Italian codice fiscale
    address: Address = Address()
    email: str = ""
    pec: str = ""               # certified e-mail (SdI fallback)
    sdi_code: str = ""          # codice destinatario, 7 chars (6 for public administration)
    eaddress: str = ""          # electronic address for EU e-invoicing, e.g. "0088:5798000000001"
    phone: str = ""
    fiscal_regime: str = ""     # RF01 ordinary, RF19 flat-rate ...
    rea: str = ""               # company register entry, e.g. "MI-2098765"
    public_administration: bool = False
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class TaxCode:
    """A VAT treatment. rate 0 needs `nature` (N1..N7 sub-codes) and a legal `note`."""

    code: str
    rate: Decimal               # fraction: 0.22
    nature: str = ""            # Italian natura, e.g. N2.1, N3.2, N6.9
    note: dict = field(default_factory=dict)   # language -> legal note printed on the invoice
    reverse_charge: bool = False
    stamp_duty: bool | None = None   # lines subject to stamp duty (bollo); None: the law's default for `nature`
    ref: SourceRef = NOWHERE

    def __hash__(self):
        return hash(self.code)

    @property
    def stamp_duty_default(self) -> bool:
        """Whether the law makes the bollo due on these lines, from the rate and nature code.

        DPR 642/1972, Tariffa all. A art. 13 and Tabella B art. 6: invoices that charge
        VAT are exempt; invoices without VAT above 77.47 EUR bear 2.00 EUR, except exports
        and intra-EU supplies of goods (Tabella B art. 15; art. 66 c. 2 DL 331/1993).
        See docs/billing.md, Stamp duty."""
        if self.rate > 0:
            return False                        # VAT charged
        n = self.nature.upper()
        if n in ("N3.1", "N3.2"):
            return False                        # exports, intra-EU supplies of goods
        return n in ("N1", "N4") or n.startswith("N2") or n.startswith("N3")

    @property
    def bears_stamp_duty(self) -> bool:
        return self.stamp_duty_default if self.stamp_duty is None else self.stamp_duty


@dataclass(frozen=True, slots=True)
class CostRate:
    """What an hour of a person costs the firm from `valid_from` on (None: from the start)."""

    rate: Decimal
    valid_from: date | None = None
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Person:
    slug: str
    name: str
    role: str = ""
    cost_rate: Decimal | None = None      # internal cost per hour (the latest of cost_rates), for reports
    default_rate: Decimal | None = None   # last-resort billing rate per hour
    ref: SourceRef = NOWHERE
    cost_rates: tuple[CostRate, ...] = ()  # effective-dated, sorted by valid_from (undated first)

    def cost_on(self, day: date) -> Decimal | None:
        """The cost rate in force on `day`: the latest one starting on or before it."""
        found = None
        for c in self.cost_rates:
            if c.valid_from is None or c.valid_from <= day:
                found = c.rate
        return found if self.cost_rates else self.cost_rate


@dataclass(frozen=True, slots=True)
class Activity:
    slug: str
    names: dict = field(default_factory=dict)  # language -> label ("it": "Assistenza remota")
    billable: bool = True
    visit: bool = False         # on-site work: same person, client and day form one visit
    ref: SourceRef = NOWHERE

    def __hash__(self):
        return hash(self.slug)

    def label(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.slug


@dataclass(frozen=True, slots=True)
class WorkingHours:
    days: tuple[int, ...] = (0, 1, 2, 3, 4)   # Monday = 0
    start: int = 9 * 60                       # minutes from midnight
    end: int = 18 * 60
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Numbering:
    invoice: str = "{year}/{seq:04d}"
    credit_note: str = "NC-{year}/{seq:04d}"
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class StampDuty:
    amount: Decimal = Decimal("2.00")
    threshold: Decimal = Decimal("77.47")
    charge_client: bool = True    # added to the invoice as a line-outside-VAT
    exchange_rates: tuple[tuple[str, Decimal], ...] = ()   # (currency, euro per unit) for foreign-currency invoices
    ref: SourceRef = NOWHERE

    def euro_rate(self, currency: str) -> Decimal | None:
        if currency == "EUR":
            return Decimal(1)
        return next((r for c, r in self.exchange_rates if c == currency), None)


@dataclass(frozen=True, slots=True)
class Settings:
    """plainbill.yaml."""

    issuer: Party
    currency: str = "EUR"
    locale: str = "it_IT"
    language: str = "it"
    country: str = "IT"                        # holiday calendar
    subdivision: str = ""                      # holiday subdivision, e.g. "MI" is not one; regions per `holidays`
    extra_holidays: tuple[tuple[date, str], ...] = ()   # (date, name): patron saints etc.
    working_hours: WorkingHours = WorkingHours()
    taxes: tuple[TaxCode, ...] = ()
    default_tax: str = ""
    stamp_duty: StampDuty = StampDuty()
    team: tuple[Person, ...] = ()
    activities: tuple[Activity, ...] = ()
    numbering: Numbering = Numbering()
    bank: Bank = Bank()
    reference_date: date | None = None         # "today" for the future-entry check; None: no check
    repository_url: str = ""                   # e.g. https://github.com/acme/books/blob/main
    no_charge: Literal["show", "hide"] = "show"
    late_entries: Literal["next-period", "error"] = "next-period"
    payment_terms_days: int = 30
    max_day_minutes: int = 14 * 60             # a person's day above it is a `long-day` warning
    ref: SourceRef = NOWHERE

    def tax(self, code: str) -> TaxCode | None:
        return next((t for t in self.taxes if t.code == code), None)

    def person(self, slug: str) -> Person | None:
        return next((p for p in self.team if p.slug == slug), None)

    def activity(self, slug: str) -> Activity | None:
        return next((a for a in self.activities if a.slug == slug), None)


# ---------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Rate:
    """An hourly rate; the more fields it names, the more specific it is.

    Precedence (docs/billing.md): entry override > contract rate > activity+person
    (or role) > activity > project > client default > person default.
    """

    rate: Decimal
    activity: str = ""
    person: str = ""
    role: str = ""
    project: str = ""
    valid_from: date | None = None
    valid_to: date | None = None     # inclusive
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Rounding:
    increment: int = 15                                  # minutes
    mode: Literal["up", "nearest", "down"] = "up"
    scope: Literal["entry", "ticket-day", "day"] = "entry"
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Minimum:
    minutes: int = 60
    per: Literal["entry", "visit"] = "entry"
    activities: tuple[str, ...] = ()     # the activities it raises (empty: all)
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Callout:
    """Call-out / travel fee charged once per visit (same person, client, day, visit activity)."""

    amount: Decimal
    activities: tuple[str, ...] = ()     # empty: every activity with visit=true
    description: dict = field(default_factory=dict)
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Multipliers:
    after_hours: Decimal = Decimal(1)
    weekend: Decimal = Decimal(1)
    holiday: Decimal = Decimal(1)
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Cap:
    """Not-to-exceed per billing period, in money or hours."""

    amount: Decimal | None = None
    minutes: int | None = None
    action: Literal["warn", "cap"] = "warn"
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Budget:
    """Total budget (project or contract lifetime) with alert thresholds as fractions."""

    amount: Decimal | None = None
    minutes: int | None = None
    alerts: tuple[Decimal, ...] = (Decimal("0.8"), Decimal("1"))
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Rules:
    """Declarative billing rules; a contract's Rules override its client's field by field."""

    rounding: Rounding | None = None
    minimum: Minimum | None = None
    callout: Callout | None = None
    multipliers: Multipliers | None = None
    cap: Cap | None = None
    budget: Budget | None = None
    ref: SourceRef = NOWHERE

    def over(self, base: "Rules") -> "Rules":
        """These rules, falling back to `base` for every field left unset."""
        return Rules(
            rounding=self.rounding or base.rounding,
            minimum=self.minimum or base.minimum,
            callout=self.callout or base.callout,
            multipliers=self.multipliers or base.multipliers,
            cap=self.cap or base.cap,
            budget=self.budget or base.budget,
            ref=self.ref,
        )


# ---------------------------------------------------------------- contracts


@dataclass(frozen=True, slots=True)
class Purchase:
    date: date
    minutes: int
    price: Decimal
    expires: date | None = None      # last day the hours can be used (inclusive)
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class BlockTerms:
    purchases: tuple[Purchase, ...] = ()
    factors: tuple[tuple[str, Decimal], ...] = ()   # activity -> block hours per hour worked
    overage_rate: Decimal | None = None             # None: use the client's rates
    overage: Literal["bill", "refuse"] = "bill"
    low_balance_minutes: int = 120                  # warn when the closing balance falls below


@dataclass(frozen=True, slots=True)
class RetainerTerms:
    fee: Decimal                                    # per month
    included_minutes: int                           # per month, of covered activities
    extra_rate: Decimal | None = None               # None: the client's rates
    rollover: Literal["lapse", "roll"] = "lapse"
    rollover_cap_minutes: int | None = None         # cap on hours carried into the next month


@dataclass(frozen=True, slots=True)
class Milestone:
    date: date
    amount: Decimal
    description: str
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class FixedTerms:
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True, slots=True)
class QuantityChange:
    date: date
    quantity: Decimal
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class RecurringItem:
    description: str
    unit_price: Decimal                              # per unit per month
    unit: str = "pcs"
    quantities: tuple[QuantityChange, ...] = ()      # sorted by date; first one starts the service
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class RecurringTerms:
    items: tuple[RecurringItem, ...] = ()
    proration: Literal["daily", "none"] = "daily"


@dataclass(frozen=True, slots=True)
class ExpenseTerms:
    markup: Decimal = Decimal(0)                     # fraction added to cost
    rebill: bool = True                              # False: expenses tracked, not billed


ContractKind = Literal["hourly", "block", "retainer", "fixed", "recurring", "expenses"]


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    kind: ContractKind
    valid_from: date
    valid_to: date | None = None                     # inclusive; None: open-ended
    description: str = ""
    activities: tuple[str, ...] = ()                 # entries it takes; empty: all
    projects: tuple[str, ...] = ()                   # empty: any project (or none)
    tax: str = ""                                    # tax code override for its lines
    rates: tuple[Rate, ...] = ()
    rules: Rules = Rules()
    terms: object = None  # BlockTerms | RetainerTerms | FixedTerms | RecurringTerms | ExpenseTerms | None
    ref: SourceRef = NOWHERE

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


# ---------------------------------------------------------------- clients


@dataclass(frozen=True, slots=True)
class Project:
    slug: str
    name: str
    rates: tuple[Rate, ...] = ()
    budget: Budget | None = None
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Withholding:
    """Ritenuta d'acconto: `rate` of `base` (fraction of the taxable amount) deducted from the amount due."""

    rate: Decimal = Decimal("0.20")
    base: Decimal = Decimal("1")
    ref: SourceRef = NOWHERE


@dataclass(frozen=True, slots=True)
class Documents:
    """What the client's own documents (invoice HTML and PDF) show beyond what the law asks.

    The firm's documents (index.html, explain, the JSON) always show everything."""

    appendix: Literal["full", "compact", "off"] = "full"
    people: Literal["name", "role", "off"] = "name"    # who did the work, as the client reads it
    no_charge: Literal["show", "hide", ""] = ""        # "" : the book's billing.no_charge
    internal: Literal["hide", "show"] = "hide"         # show: firm notes, non-billable work and links too


@dataclass(frozen=True, slots=True)
class Client:
    slug: str
    party: Party
    language: str = "it"
    locale: str = "it_IT"
    currency: str = "EUR"
    payment_terms_days: int = 30
    end_of_month: bool = False
    billing_cycle: Literal["monthly", "quarterly"] = "monthly"
    tax: str = ""                                    # default tax code of its lines
    split_payment: bool = False
    withholding: Withholding | None = None
    projects: tuple[Project, ...] = ()
    rates: tuple[Rate, ...] = ()                     # the fallback: used when no contract matches
    rules: Rules = Rules()
    contracts: tuple[Contract, ...] = ()
    documents: Documents = Documents()
    ref: SourceRef = NOWHERE

    def project(self, slug: str) -> Project | None:
        return next((p for p in self.projects if p.slug == slug), None)


# ---------------------------------------------------------------- ledger


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger record: time worked or an expense."""

    ref: SourceRef
    date: date
    kind: Literal["time", "expense"]
    client: str
    person: str
    description: str = ""
    project: str = ""
    activity: str = ""
    minutes: int = 0                       # raw duration, never rewritten
    start: datetime | None = None          # clock range, local time; end may be the next day
    end: datetime | None = None
    tags: tuple[str, ...] = ()             # without '#'
    meta: tuple[tuple[str, str], ...] = () # key=value as typed, in order
    amount: Decimal | None = None          # expense: total cost
    currency: str = ""                     # expense: as typed, or "" for the client's
    text: str = ""                         # the normalised source text, for fingerprints

    def get(self, key: str, default: str = "") -> str:
        for k, v in self.meta:
            if k == key:
                return v
        return default

    @property
    def billable(self) -> bool:
        """False when tagged #nobill (or bill=no); the activity may also be non-billable."""
        return "nobill" not in self.tags and self.get("bill", "yes") not in ("no", "false")

    @property
    def ticket(self) -> str:
        """ticket=... or the first tag that looks like a ticket id (T-1042, GH-7)."""
        t = self.get("ticket")
        if t:
            return t
        for tag in self.tags:
            if "-" in tag and tag.split("-")[-1].isdigit():
                return tag
        return ""

    @property
    def fingerprint(self) -> str:
        """Stable id of the entry's content (not its position): 16 hex chars."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received against an issued invoice: `DATE payment NUMBER AMOUNT METHOD [note]` in a
    ledger. The amount is in the invoice's currency; checked against the register (payments.py)."""

    ref: SourceRef
    date: date
    invoice: str                           # the issued invoice's number, as typed
    amount: Decimal
    method: str                            # a slug: bank-transfer, card, cash, riba, ...
    note: str = ""
    text: str = ""                         # the normalised source text


@dataclass(frozen=True, slots=True)
class Book:
    """A loaded book: everything the engine needs, plus the diagnostics of loading."""

    root: str
    settings: Settings
    clients: tuple[Client, ...]
    entries: tuple[Entry, ...]
    payments: tuple[Payment, ...] = ()     # never billed: read by the payment checks and reports

    def client(self, slug: str) -> Client | None:
        return next((c for c in self.clients if c.slug == slug), None)

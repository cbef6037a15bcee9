"""Facts: the book's work and the computed invoices' money as flat rows every report sums.

Made once per computed book (`facts_of`, kept on the Computed object), read by every kind:

    work      one per time entry of the ledger: where it belongs (date, client, project,
              contract, person, activity), its minutes, its class (billable, non-billable:
              the activity is not billable; no-charge: a billable activity marked #nobill or
              bill=no), its exact cost (minutes x the person's cost rate that day) and
              whether an issued invoice holds it; `Facts.standard(i)` gives each one's exact
              standard value (minutes x the list rate the engine resolves for it), made the
              first time a report asks
    money     one per piece of an invoice line: each line's amount (already rounded by the
              engine, converted to the book's currency) split over the entries behind it in
              proportion to their own contributions, to the cent, largest remainder first;
              a line with no entry (a fee, a block purchase, a milestone, stamp duty) is one
              piece of its own, and so is each line of a credit note, negative, on its issue date; a piece of a time line also
              carries the worked minutes behind it and their exact cost (a split entry's
              parts, on a retainer's included and extra lines, each carry their own)
    expense   one per expense entry: its cost, converted to the book's currency
    statements  the block and retainer statements of the invoices, as the engine made them:
              (date, client, contract, kind, {figure: minutes}); a retainer's month on its first
              day, a block's window on the invoice's last day

Nothing here decides what is billed: the engine did (pipeline.compute), and these rows only
say where its amounts came from. Amounts in another currency are converted at the book's
exchange rates (`stamp_duty.exchange_rates`, euro per unit), rounded half-up: an invoice's net
total once, split over its lines in proportion (so its lines add up to it to the cent).
"""
from __future__ import annotations

import gc
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..invoice import Invoice
from ..matching import match_contract, resolve_rate
from ..model import Book, Client, Entry
from ..money import quantum

ZERO = Decimal(0)
SIXTY = Decimal(60)

# the fields of a row, by position (tuples: a million of them stay cheap)
DATE, CLIENT, PROJECT, CONTRACT, PERSON, ACTIVITY = range(6)
# work:    (..., minutes, class, cost, on an issued invoice); standard values: Facts.standard()
# Costs and standard values are kept as minutes x rate (exact, and cheap to add: a division by 60
# per entry would make 28-digit decimals); a report divides a sum by 60 once, when it rounds it.
MINUTES, CLASS, COST, ON_ISSUED = 6, 7, 8, 9
# money:   (..., line kind, amount, billed minutes, issued, invoice id, worked minutes, their cost)
LINE_KIND, AMOUNT, BILLED, ISSUED, INVOICE, RAW, RAW_COST = 6, 7, 8, 9, 10, 11, 12
# expense: (..., cost)
EXPENSE_COST = 6

BILLABLE, NON_BILLABLE, NO_CHARGE = "billable", "non-billable", "no-charge"
UNCHARGED_LINES = frozenset({"no-charge"})


@dataclass
class Facts:
    book: Book
    currency: str
    work: list[tuple] = field(default_factory=list)
    money: list[tuple] = field(default_factory=list)
    expense: list[tuple] = field(default_factory=list)
    statements: list[tuple] = field(default_factory=list)    # (date, client, contract, kind, {figure: minutes})
    invoices: list[Invoice] = field(default_factory=list)
    contracts: dict = field(default_factory=dict)      # (client, contract id) -> Contract
    notes: list[str] = field(default_factory=list)            # about costs
    timed: list = field(default_factory=list)                 # the time entries, in the order of `work`
    span: object = None                                       # a Range: only its entries (None: all)
    _standard: list | None = None
    _values: object = None
    money_notes: list[str] = field(default_factory=list)      # about currencies


    def standard(self, i: int) -> Decimal:
        """The standard value of work row i as minutes x list rate (x 60 the money), made the first
        time asked."""
        if self._standard is None:
            self._standard = [None] * len(self.work)
            self._values = Standard(self.book.settings, {c.slug: c for c in self.book.clients}).value
        found = self._standard[i]
        if found is None:
            found = self._standard[i] = self._values(self.timed[i], self.work[i][CONTRACT])
        return found


def facts_of(computed) -> Facts:
    """The facts of a pipeline.Computed (made once, then kept on it)."""
    found = vars(computed).get("_report_facts")
    if found is None:
        found = make_facts(computed.checked.book, computed.invoices or [])
        vars(computed)["_report_facts"] = found
    return found


def make_facts(book: Book, invoices: list[Invoice], span=None) -> Facts:
    """The facts of a book and its invoices; with `span` (a Range), the work and expense rows
    of its entries only (a report of that range asks for no other).

    A big book's facts are millions of tuples and no cycles: the cyclic GC is paused meanwhile
    (as the loader and the engine do), or each collection would walk them all again."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _make_facts(book, invoices, span)
    finally:
        if paused:
            gc.enable()


def _make_facts(book: Book, invoices: list[Invoice], span) -> Facts:
    s = book.settings
    facts = Facts(book, s.currency, invoices=list(invoices), span=span)
    clients = {c.slug: c for c in book.clients}
    facts.contracts = {(c.slug, k.id): k for c in book.clients for k in c.contracts}
    converter = Converter(book)
    # entries are joined to the invoices' detail rows by where they were written (path, line):
    # hashing a million entries' texts again for their fingerprints would cost more than the rest
    entries = Entries(book.entries)
    contract_of: dict[tuple, str] = {}
    on_issued: set[tuple] = set()
    costs = CostRates(book)
    for inv in invoices:
        _money(facts, inv, entries, contract_of, converter, costs, on_issued)
    _work(facts, book, clients, contract_of, converter, costs, on_issued)
    facts.money_notes += converter.notes()
    return facts


class Entries:
    """The book's entries by where they were written (path, line)."""

    def __init__(self, entries):
        self.at = {(e.ref.path, e.ref.line): e for e in entries}


# ---------------------------------------------------------------- money


def _money(facts: Facts, inv: Invoice, entries: dict, contract_of: dict, conv: "Converter",
           costs: "CostRates", on_issued: set) -> None:
    issued = bool(inv.number)
    q = quantum(facts.currency)
    amounts = conv.lines(inv)
    if inv.kind == "credit-note":
        # amounts on a credit note are positive: here they reduce the revenue, on its issue date, and
        # its entries are not worked again (the time stays where the invoice it credits billed it)
        for line, amount in zip(inv.lines, amounts):
            facts.money.append((line_day(line, inv, facts), inv.client, "", line.contract, "", "", line.kind,
                                -amount, 0, issued, inv.id, 0, ZERO))
        return
    _statements(facts, inv)
    details: dict[str, list] = {}
    for d in inv.entries:
        details.setdefault(d.line_key, []).append(d)
    for line, amount in zip(inv.lines, amounts):
        rows = details.get(line.key)
        if rows:
            _pieces(facts, inv, line, rows, amount, entries, costs, issued, q)
            for d in rows:
                where = (d.ref.path, d.ref.line)
                if where not in contract_of:
                    contract_of[where] = line.contract
                if issued:
                    on_issued.add(where)
            continue
        behind = [e for e in (entries.at.get((r.path, r.line)) for r in line.sources) if e is not None] \
            if line.entries else []
        if behind:
            for e, share in zip(behind, allocate(amount, [Decimal(1)] * len(behind), q)):
                facts.money.append((e.date, inv.client, e.project, line.contract, e.person, e.activity,
                                    line.kind, share, 0, issued, inv.id, 0, ZERO))
        else:
            facts.money.append((line_day(line, inv, facts), inv.client, "", line.contract, "", "", line.kind,
                                amount, 0, issued, inv.id, 0, ZERO))


def _statements(facts: Facts, inv: Invoice) -> None:
    months: dict[str, int] = {}
    for st in inv.statements:
        figures = dict(st.minutes)
        if st.kind == "retainer":
            n = months[st.contract] = months.get(st.contract, -1) + 1    # a quarterly invoice: one per month
            y, m = divmod(inv.period_start.month - 1 + n, 12)
            day = date(inv.period_start.year + y, m + 1, 1)
        else:
            day = inv.period_end
        facts.statements.append((day, inv.client, st.contract, st.kind, figures))


def _pieces(facts, inv, line, rows, amount, entries: Entries, costs, issued, q) -> None:
    """A line with entry details: its amount split over them, each with its worked minutes' cost."""
    if len(rows) == 1:
        shares = [amount]
    elif not amount:
        shares = [amount] * len(rows)
    else:
        weights = [d.amount for d in rows]
        if not any(weights):
            weights = [Decimal(d.billed_minutes) for d in rows]
        shares = allocate(amount, weights, q)
    billed = line.kind not in UNCHARGED_LINES
    at, rate_of, append = entries.at, costs.rate, facts.money.append
    client, contract, kind, inv_id = inv.client, line.contract, line.kind, inv.id
    for d, share in zip(rows, shares):
        e = at.get((d.ref.path, d.ref.line))
        if d.kind == "time":
            rate = rate_of(d.person, d.date)
            cost = d.raw_minutes * rate if rate is not None else ZERO
            append((d.date, client, e.project if e else "", contract, d.person, d.activity, kind, share,
                    d.billed_minutes if billed else 0, issued, inv_id, d.raw_minutes, cost))
        else:
            append((d.date, client, e.project if e else "", contract, d.person, d.activity, kind, share,
                    0, issued, inv_id, 0, ZERO))


_DAY = re.compile(r"^\d{4}-\d\d(-\d\d)?$")


def line_day(line, inv: Invoice, facts: Facts) -> date:
    """The day a line with no entry belongs to: a credit note's issue date; a milestone's date; the
    date (or month) in its key (block purchases, retainer fees, recurring items); else the last day
    of the invoice's period (stamp duty, a cap's adjustment: made when the period closes)."""
    if inv.kind == "credit-note" and inv.issue_date:
        return inv.issue_date
    parts = line.key.split("/")
    if line.kind == "milestone" and len(parts) == 3 and parts[2].isdigit():
        contract = facts.contracts.get((inv.client, parts[1]))
        stones = getattr(contract.terms, "milestones", ()) if contract is not None else ()
        if 0 < int(parts[2]) <= len(stones):
            return stones[int(parts[2]) - 1].date
    for p in parts:
        if _DAY.match(p):
            try:
                return date.fromisoformat(p if len(p) == 10 else p + "-01")
            except ValueError:
                break
    return inv.period_end


def allocate(amount: Decimal, weights: list[Decimal], q: Decimal) -> list[Decimal]:
    """`amount` split in proportion to `weights`, in multiples of q, summing to amount exactly:
    each share rounded down (toward zero), the cents left over one each to the largest remainders."""
    total = sum(weights, ZERO)
    if not total:
        return [amount] + [ZERO] * (len(weights) - 1)
    units = int(amount / q)
    exact = [Decimal(units) * w / total for w in weights]
    floors = [int(x) for x in exact]          # toward zero
    left = units - sum(floors)
    step = 1 if left >= 0 else -1
    order = sorted(range(len(weights)), key=lambda i: (-(abs(exact[i] - floors[i])), i))
    for i in order[:abs(left)]:
        floors[i] += step
    return [Decimal(u) * q for u in floors]


# ---------------------------------------------------------------- work and expenses


def _work(facts: Facts, book: Book, clients: dict, contract_of: dict, conv: "Converter", costs: "CostRates",
          on_issued: set) -> None:
    s = book.settings
    non_billable = {a.slug for a in s.activities if not a.billable}
    missing_cost: set[str] = set()
    rate_of, append, expense, timed = costs.rate, facts.work.append, facts.expense.append, facts.timed.append
    span = facts.span
    for e in book.entries:
        if span is not None and e.date not in span:
            continue
        where = (e.ref.path, e.ref.line)
        contract = contract_of.get(where)
        if contract is None:
            contract = _matched(clients.get(e.client), e)
        if e.kind == "expense":
            client = clients.get(e.client)
            cost = conv.amount(e.amount or ZERO, e.currency or (client.currency if client else facts.currency), e.date)
            expense((e.date, e.client, e.project, contract, e.person, e.activity, cost))
            continue
        if e.activity in non_billable:
            cls = NON_BILLABLE
        elif (e.tags or e.meta) and not e.billable:
            cls = NO_CHARGE
        else:
            cls = BILLABLE
        rate = rate_of(e.person, e.date)
        if rate is None:
            missing_cost.add(e.person)
            rate = ZERO
        append((e.date, e.client, e.project, contract, e.person, e.activity, e.minutes, cls,
                e.minutes * rate, where in on_issued))
        timed(e)
    if missing_cost:
        facts.notes.append("no cost rate for " + ", ".join(sorted(missing_cost)) + ": their time costs 0")


def _matched(client: Client | None, e: Entry) -> str:
    if client is None:
        return ""
    found, _ = match_contract(client, e)
    return found.id if found is not None else ""


class Standard:
    """Minutes x the list rate the engine resolves for an entry (matching.resolve_rate: its own
    tables, cached per client; 0 when it finds none); for a client none of whose rates has dates,
    looked up once per contract, activity, project and person."""

    def __init__(self, settings, clients: dict):
        self.settings, self.clients = settings, clients
        self.contracts = {(slug, k.id): k for slug, c in clients.items() for k in c.contracts}
        self._rates: dict[tuple, Decimal] = {}
        self.dated = {slug for slug, c in clients.items() if any(
            r.valid_from or r.valid_to for r in (*c.rates, *(r for p in c.projects for r in p.rates),
                                                 *(r for k in c.contracts for r in k.rates)))}

    def value(self, e: Entry, contract_id: str) -> Decimal:
        if e.meta or e.client in self.dated:           # rate= on the line, or rates by date
            rate = self._rate(e, contract_id)
        else:
            key = (e.client, contract_id, e.activity, e.project, e.person)
            rate = self._rates.get(key)
            if rate is None:
                rate = self._rates[key] = self._rate(e, contract_id)
        return e.minutes * rate if rate else ZERO

    def _rate(self, e: Entry, contract_id: str) -> Decimal:
        client = self.clients.get(e.client)
        if client is None:
            return ZERO
        found, _ = resolve_rate(self.settings, client, self.contracts.get((e.client, contract_id)), e)
        return found.rate if found is not None else ZERO


class CostRates:
    """Each person's cost rate on a day (Person.cost_on), looked up once per person and day."""

    def __init__(self, book: Book):
        self.people = {p.slug: p for p in book.settings.team}
        self._cache: dict[tuple[str, date], Decimal | None] = {}

    def rate(self, person: str, day: date) -> Decimal | None:
        key = (person, day)
        found = self._cache.get(key, False)
        if found is False:
            found = self._cache[key] = self._find(person, day)
        return found

    def _find(self, person: str, day: date) -> Decimal | None:
        p = self.people.get(person)
        return None if p is None else p.cost_on(day)


class Converter:
    """Amounts in the book's currency: other currencies at the book's exchange rates (euro per
    unit, `stamp_duty.exchange_rates`), each amount rounded half-up once."""

    def __init__(self, book: Book):
        s = book.settings
        self.currency = s.currency
        self.stamp = s.stamp_duty
        self.q = quantum(s.currency)
        self.used: set[str] = set()
        self.missing: set[str] = set()

    def amount(self, value: Decimal, currency: str, day: date) -> Decimal:
        if currency == self.currency or not currency:
            return value
        rate = self._rate(currency)
        if rate is None:
            self.missing.add(currency)
            return ZERO
        self.used.add(currency)
        return (value * rate).quantize(self.q, ROUND_HALF_UP)

    def lines(self, inv: Invoice) -> list[Decimal]:
        """The invoice's line amounts in the book's currency: as they are, or (another currency) its
        net total converted once and split over the lines in proportion, so they add up to it."""
        amounts = [line.amount for line in inv.lines]
        if inv.currency == self.currency or not amounts:
            return amounts
        net = self.amount(inv.subtotal, inv.currency, inv.period_start)
        if not sum(amounts, ZERO):
            return [self.amount(a, inv.currency, inv.period_start) for a in amounts]
        return allocate(net, amounts, self.q)

    def _rate(self, currency: str) -> Decimal | None:
        to_euro = self.stamp.euro_rate(currency)
        if self.currency == "EUR" or to_euro is None:
            return to_euro
        base = self.stamp.euro_rate(self.currency)
        return None if not base else to_euro / base

    def notes(self) -> list[str]:
        out = []
        for c in sorted(self.used):
            out.append(f"amounts in {c} converted to {self.currency} at the book's exchange rate "
                       f"({self._rate(c)} {self.currency} per {c}, stamp_duty.exchange_rates)")
        if self.missing:
            out.append("no exchange rate for " + ", ".join(sorted(self.missing)) + ": those amounts count as 0; "
                       "add them to stamp_duty.exchange_rates")
        return out

"""One client's invoices: which periods exist, which entries go where, and each invoice.

Periods that exist (each gives one invoice): those with entries (billable or
not), block purchases, milestones, and the months of retainers and recurring
contracts from their start up to the book's reference date (or, without one, the
month of the book's last entry), never past the contract's end.

An entry goes to the invoice of its date's period, unless an issued invoice
holds its fingerprint (it stays there) or its period is issued without it (a
late entry: billed in the client's next period not yet issued, or an error when
`billing.late_entries: error`). Periods are computed in date order because
blocks, retainers and budgets carry state from one invoice to the next.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from .. import i18n
from ..diagnostics import error
from ..invoice import Invoice, Statement
from ..matching import match_contract
from ..model import BlockTerms, Client, Entry, RecurringTerms, RetainerTerms
from . import explanations as ex
from . import fixedlines
from .alerts import Budgets, apply_caps
from .block import BlockState
from .lines import ZERO, LineBook
from .periods import Period, month_range, period_of
from .retainer import RetainerState
from .taxes import STAMP, exchange_rate_missing, totals
from .timelines import TimeBiller
from .work import Preparer


def _order(e: Entry):
    s = e.start
    return (e.date, s.hour * 60 + s.minute if s is not None else -1, e.text, e.ref.path, e.ref.line)


def _sort(entries: list[Entry]) -> None:
    """entries.sort(key=_order), with the keys made in one comprehension instead of a call each."""
    keys = [(e.date, -1 if e.start is None else e.start.hour * 60 + e.start.minute, e.text, e.ref.path, e.ref.line)
            for e in entries]
    entries[:] = [entries[i] for i in sorted(range(len(entries)), key=keys.__getitem__)]


class ClientRun:
    """Computes every invoice of one client, in period order."""

    def __init__(self, ctx, client: Client, entries: list[Entry]):
        self.ctx, self.client = ctx, client
        self.entries = entries
        self.quarterly = client.billing_cycle == "quarterly"
        self.prep = Preparer(ctx, client, ctx.calendar)
        self.blocks: dict[str, BlockState] = {}
        self.retainers: dict[str, RetainerState] = {}
        self.retainer_months_used: set = set()
        self.budgets = Budgets(self)
        self.stamp_reported = exchange_rate_missing(ctx.settings, client)    # then `check` reports it
        self._rounding_words: dict = {}
        self.projects = {p.slug: p for p in client.projects}
        self.time_lines: dict[tuple, tuple] = {}     # TimeBiller: line key, price, description per kind of part
        self.amounts: dict[int, tuple] = {}          # LineBook.amounts, shared by the client's invoices
        lang = client.language
        self.explain_time = lambda g: ex.time_line(lang, g)
        self.explain_no_charge = lambda g: ex.no_charge(lang, g)
        self.explain_block_use = lambda g: ex.block_use(lang, g)
        self.explain_overage = lambda g: ex.overage(lang, g)
        self.explain_retainer_use = lambda g: ex.retainer_use(lang, g)
        self.explain_retainer_extra = lambda g: ex.retainer_extra(lang, g)

    # ------------------------------------------------------------ shared helpers

    def rounding_words(self, rules) -> str:
        """The rounding in force under `rules`, in the client's language: on each time line, for explain."""
        if rules is None:       # parts not charged (no-charge, fixed contracts) carry no rules
            return ""
        found = self._rounding_words.get(id(rules))
        if found is None or found[0] is not rules:
            found = self._rounding_words[id(rules)] = (rules, rounding_words(self.client.language, rules.rounding))
        return found[1]

    def tax_of(self, contract) -> str:
        return (contract.tax if contract is not None and contract.tax else "") or self.client.tax \
            or self.ctx.settings.default_tax

    def tax_rate(self, code: str) -> Decimal:
        return self.ctx.tax_rates.get(code, ZERO)

    def block_state(self, c) -> BlockState:
        s = self.blocks.get(c.id)
        if s is None:
            s = self.blocks[c.id] = BlockState(c)
        return s

    def retainer_state(self, c) -> RetainerState:
        s = self.retainers.get(c.id)
        if s is None:
            s = self.retainers[c.id] = RetainerState(c)
        return s

    # ------------------------------------------------------------ periods

    def assign(self, issued: dict, fp_issued: dict) -> tuple[dict, set]:
        """Entries per period (date-time ordered) and the fingerprints of late entries."""
        late: set[str] = set()
        if issued:
            buckets = self._assign_issued(issued, fp_issued, late)
        else:   # by day first: a date hashes in C, a Period in Python
            by_day: dict[date, list[Entry]] = {}
            for e in self.entries:
                found = by_day.get(e.date)
                if found is None:
                    by_day[e.date] = [e]
                else:
                    found.append(e)
            buckets: dict[Period, list[Entry]] = {}
            for day, entries in by_day.items():
                p = period_of(day, self.quarterly)
                found = buckets.get(p)
                if found is None:
                    buckets[p] = entries
                else:
                    found.extend(entries)
        for bucket in buckets.values():
            _sort(bucket)
        return buckets, late

    def _assign_issued(self, issued: dict, fp_issued: dict, late: set) -> dict:
        buckets: dict[Period, list[Entry]] = {}
        slug, q = self.client.slug, self.quarterly
        for e in self.entries:
            p = period_of(e.date, q)
            fp = e.fingerprint
            held = fp_issued.get(fp)
            if held is not None and held.startswith(slug + "-"):
                p = self._parse(held) or p
            elif p.invoice_id(slug) in issued:
                if self.ctx.settings.late_entries == "error":
                    self.ctx.diags.append(error(
                        "late-entry", e.ref,
                        f"entry dated {e.date} belongs to invoice {p.invoice_id(slug)}, already issued",
                        "date it in an open period, or bill it later with billing: {late_entries: next-period}"))
                    continue
                while p.invoice_id(slug) in issued:
                    p = p.next()
                late.add(fp)
            buckets.setdefault(p, []).append(e)
        return buckets

    def _parse(self, invoice_id: str) -> Period | None:
        label = invoice_id[len(self.client.slug) + 1:]
        try:
            if self.quarterly and "-Q" in label:
                y, n = label.split("-Q")
                return Period(int(y), int(n), True)
            if not self.quarterly and len(label) == 7:
                return Period(int(label[:4]), int(label[5:]), False)
        except ValueError:
            return None
        return None

    def service_months(self, c) -> list[tuple[int, int]]:
        """The months a retainer's or recurring contract's fee is drafted for: from its start (or
        billing.start, when later: earlier months were billed elsewhere) to its end or the horizon."""
        first = max(c.valid_from, self.ctx.settings.billing_start or c.valid_from)
        last = c.valid_to or self.ctx.horizon or first
        if self.ctx.horizon and self.ctx.horizon < last:
            last = self.ctx.horizon
        return month_range(first, last) if last >= first else []

    def periods(self, buckets: dict) -> list[Period]:
        found = set(buckets)
        q = self.quarterly
        for c in self.client.contracts:
            if c.kind in ("retainer", "recurring"):
                found.update(period_of(date(y, m, 1), q) for y, m in self.service_months(c))
            elif c.kind == "block" and isinstance(c.terms, BlockTerms):
                found.update(period_of(p.date, q) for p in c.terms.purchases)
            elif c.kind == "fixed" and c.terms is not None:
                found.update(period_of(m.date, q) for m in c.terms.milestones)
        return sorted(found)

    # ------------------------------------------------------------ invoices

    def run(self, issued: dict, fp_issued: dict) -> list[Invoice]:
        buckets, late = self.assign(issued, fp_issued)
        invoices = [self.invoice(p, buckets.get(p, []), late) for p in self.periods(buckets)]
        return self._fee_only_before_work(invoices)

    def _fee_only_before_work(self, invoices: list[Invoice]) -> list[Invoice]:
        """Say so on the drafts with no entry, before the client's first work (a retainer written
        with the date its contract began reaches back to them; register/issue.py holds them back)."""
        first = next((inv.period_start for inv in invoices if inv.entries), None)
        if first is None:
            return invoices
        note = i18n.t(self.client.language, "warn_fee_only")
        return [replace(inv, warnings=(*inv.warnings, note)) if fee_only(inv) and inv.period_end < first
                else inv for inv in invoices]

    def invoice(self, period: Period, entries: list[Entry], late: set) -> Invoice:
        book = LineBook(self.client.currency)
        book.tax_rates = self.ctx.tax_rates
        book.amounts = self.amounts
        book.reasons = {r: i18n.t(self.client.language, r) for r in ("after_hours", "weekend", "holiday")}
        book.rounding_words = self.rounding_words
        biller = TimeBiller(self, book, period)
        self._scheduled(period, book)
        time_entries, others = [], []
        for e in entries:
            (time_entries if e.kind == "time" else others).append(e)
        prepared = self.prep.prepare(time_entries, late)
        biller.bill(prepared)
        self._expenses(period, others, late, book, biller)
        for line in fixedlines.callouts(self, prepared.visits):
            book.add_line(line, (period.start,))
        lines = book.lines()   # every line, no-charge ones too: hiding them is the page's business (render)
        lines = ex.rate_changes(self.client.language, lines, book.details)
        lines, warnings = apply_caps(self, lines)
        statements, more = self._statements(period)
        warnings += more
        warnings += self._late_warnings(entries, late)
        warnings += self.budgets.update(biller.budget_use, lines)
        problems: list = []
        t = totals(self.ctx.settings, self.client, lines, problems)
        if problems and not self.stamp_reported:    # once per client, not once per invoice
            self.stamp_reported = True
            self.ctx.diags.extend(problems)
        return Invoice(
            id=period.invoice_id(self.client.slug), client=self.client.slug,
            period_start=period.start, period_end=period.end, currency=self.client.currency,
            language=self.client.language, locale=self.client.locale, lines=tuple(t.lines),
            taxes=t.taxes, subtotal=t.subtotal, tax_total=t.tax_total, total=t.total,
            withholding=t.withholding, withholding_rate=t.withholding_rate, withholding_base=t.withholding_base,
            split_payment=t.split_payment, amount_due=t.amount_due,
            entries=tuple(book.details), statements=tuple(statements), warnings=tuple(warnings),
            notes=t.notes, surcharges=t.surcharges)

    def _scheduled(self, period: Period, book: LineBook) -> None:
        """Lines that come from contracts, not entries: fees, recurring items, milestones, purchases."""
        months = set(period.months())
        for c in self.client.contracts:
            if c.kind == "retainer" and isinstance(c.terms, RetainerTerms):
                state = self.retainer_state(c)
                for y, m in self.service_months(c):
                    if (y, m) in months:
                        state.open(y, m)     # the carry-over is fixed later, when the month is used
                        book.add_line(fixedlines.retainer_fee(self, c, y, m), (date(y, m, 1),))
            elif c.kind == "recurring" and isinstance(c.terms, RecurringTerms):
                for y, m in self.service_months(c):
                    if (y, m) in months:
                        for line in fixedlines.recurring(self, c, y, m):
                            book.add_line(line, (date(y, m, 1),))
            elif c.kind == "fixed":
                for line in fixedlines.milestones(self, c, period.start, period.end):
                    book.add_line(line, (period.start,))
            elif c.kind == "block" and isinstance(c.terms, BlockTerms):
                state = self.block_state(c)
                for line in fixedlines.block_purchases(self, c, state.purchases_between(period.start, period.end)):
                    book.add_line(line, (period.start,))

    def _expenses(self, period, entries, late, book, biller) -> None:
        lang, seen = self.client.language, {}
        for e in entries:
            fp = e.fingerprint
            contract, _ = match_contract(self.client, e)
            tax = self.prep.tax_code(e, contract)
            note = i18n.t(lang, "late", date=e.date.isoformat()) if fp in late else ""
            n = seen[fp] = seen.get(fp, 0) + 1     # identical expense lines get distinct keys
            line, detail = fixedlines.expense(self, e, fp, contract, tax, note, n)
            if line is None:
                continue
            book.add_line(line, (e.date,))
            book.add_detail(detail)
            biller.budget_use.append((e.project, line.contract, 0, line.key))

    def _statements(self, period: Period) -> tuple[list[Statement], list[str]]:
        lang, out, warnings = self.client.language, [], []
        for c in self.client.contracts:
            if c.kind == "block" and c.id in self.blocks or (c.kind == "block" and c.valid_from <= period.end
                                                             and isinstance(c.terms, BlockTerms)):
                state = self.block_state(c)
                f = state.close(period.end)
                if not any(f.values()):
                    continue
                keys = ("opening", "purchased", "used", "expired", "closing") + (("overage",) if f["overage"] else ())
                out.append(_statement(lang, "block", c.id, i18n.t(lang, "st_block", contract=c.id), f, keys))
                if f["closing"] < state.terms.low_balance_minutes and (f["used"] or f["expired"] or f["purchased"]):
                    firm = self.ctx.settings.language     # a warning is the firm's: the book's language
                    warnings.append(i18n.t(firm, "warn_low", contract=c.id, left=i18n.duration(firm, f["closing"])))
            elif c.kind == "retainer" and c.id in self.retainers:
                state = self.retainers[c.id]
                for y, m in period.months():
                    month = state.months.get((y, m))
                    if month is None:
                        continue
                    f = state.figures(month)
                    title = i18n.t(lang, "st_retainer", contract=c.id, month=i18n.month_name(lang, y, m))
                    # with roll, what the cap keeps from rolling over lapses: both are shown
                    keys = ("included", "carried", "used", "extra", "unused") + \
                        (("rolled", "lapsed") if state.terms.rollover == "roll" else ("lapsed",))
                    out.append(_statement(lang, "retainer", c.id, title, f, keys))
        return out, warnings

    def _late_warnings(self, entries, late) -> list[str]:
        if not late:
            return []
        lang = self.ctx.settings.language     # warnings are the firm's: the book's language
        return [i18n.t(lang, "warn_late", date=e.date.isoformat(), ref=e.ref.short)
                for e in entries if e.fingerprint in late]


FEE_KINDS = frozenset({"retainer-fee", "recurring", STAMP})


def fee_only(inv: Invoice) -> bool:
    """No entry behind it, only the fees of retainer or recurring contracts (a block purchase or
    a milestone is billed before the work on purpose)."""
    return not inv.entries and bool(inv.lines) and all(line.kind in FEE_KINDS for line in inv.lines)


def rounding_words(lang: str, r) -> str:
    if r is None or r.increment <= 0:
        return i18n.t(lang, "rounding_none")
    return i18n.t(lang, "rounding_rule", mode=i18n.mode_word(lang, r.mode), inc=i18n.duration(lang, r.increment),
                  scope=i18n.t(lang, "scope_" + r.scope))


_ROW_LABELS = {"overage": "st_overage"}     # "overage" names the overage line's description


def _statement(lang: str, kind: str, contract: str, title: str, figures: dict, keys) -> Statement:
    rows = tuple((i18n.t(lang, _ROW_LABELS.get(k, k)), i18n.duration(lang, figures[k])) for k in keys)
    return Statement(kind, contract, title, rows, tuple((k, figures[k]) for k in keys))

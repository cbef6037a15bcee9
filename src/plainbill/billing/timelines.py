"""Billing the time parts of one invoice by contract kind: hourly, block, retainer, no charge.

Every part ends as a line contribution plus one EntryDetail, so every entry
(or each piece of a split entry) is accounted for on the invoice.
"""
from __future__ import annotations

from bisect import bisect_right
from decimal import Decimal

from .. import i18n
from ..diagnostics import error
from ..matching import index_of
from ..model import BlockTerms, RetainerTerms
from .block import BlockState
from .clock import ONE
from .lines import ZERO, Group, LineBook, price
from .retainer import RetainerState

# rate levels that name the person: the line shows who worked
_PERSON_LEVELS = frozenset({"activity+person", "activity+role", "person-rate", "role-rate", "person", "entry"})
_WHY = {"nobill": "why_nobill", "activity": "why_activity", "fixed": "included_fixed"}


class TimeBiller:
    """Turns the prepared parts of one invoice into line contributions."""

    def __init__(self, run, book: LineBook, period):
        self.run, self.book, self.period = run, book, period
        self.ctx, self.client = run.ctx, run.client
        self.lang = run.client.language
        self._acts: dict[str, str] = {}
        self.words = {k: i18n.t(self.lang, k) for k in ("in_retainer", "beyond_retainer", "beyond_block")}
        self.budget_use: list[tuple] = []          # (project, contract, billed minutes, line key)
        self.budgeted = run.budgets.any()          # budget_use is only gathered for budgets
        self._rate = index_of(run.client).rate_of
        self._rate_tables = index_of(run.client).rate_tables
        self._specs: dict[tuple, str] = {}         # what a no-charge line key depends on -> key
        self._lines: dict[tuple, tuple] = {}       # rate answer, multiplier, reason, tax -> (line, ...)
        self._notes: dict[tuple, str] = {}         # purchase dates drawn from -> the block note

    # ------------------------------------------------------------ helpers

    def act(self, slug: str) -> str:
        label = self._acts.get(slug)
        if label is None:
            a = self.ctx.activities.get(slug)
            label = self._acts[slug] = a.label(self.lang) if a else slug
        return label

    def rate_of(self, part) -> tuple[Decimal | None, str]:
        rate, level = self._rate(self.ctx.settings, part.contract, part.entry)
        if rate is None:
            e = part.entry
            self.ctx.diags.append(error(
                "rate-missing", e.ref, f"no rate for {e.activity} by @{e.person} on {e.date} for {e.client}",
                "add a rate for the activity to the client (rates:) or a default_rate to the person"))
            return None, ""
        return rate.rate, level

    def fixed_or_fallback(self, fixed: Decimal | None, level: str, part) -> tuple[Decimal | None, str]:
        """A contract's own rate for time beyond it (overage, extra), else the client's rates."""
        return (fixed, level) if fixed is not None else self.rate_of(part)

    def _describe(self, template: str, part, level: str = "", plain: bool = False) -> str:
        e = part.entry
        desc = i18n.t(self.lang, template, activity=self.act(e.activity))
        if e.project:
            p = self.run.projects.get(e.project)
            desc += f" - {p.name if p else e.project}"
        if level in _PERSON_LEVELS:
            person = self.ctx.people.get(e.person)
            desc += f" ({person.name if person else e.person})"
        if part.reason and part.multiplier != ONE and not plain:
            desc += f" ({i18n.t(self.lang, part.reason)} x{i18n.factor(self.lang, part.multiplier)})"
        return desc

    def _key(self, kind: str, part, price, extra: str = "", plain: bool = False) -> str:
        """Parts with the same key share a line; `plain`: the multiplier does not matter (covered time)."""
        e = part.entry
        c = part.contract.id if part.contract else "-"
        reason = "normal" if plain else part.reason or "normal"
        return f"{kind}/{c}/{e.activity}/{e.project or '-'}/{extra or '-'}/{price}/{reason}/{part.tax}"

    def _group(self, kind: str, part, rate: Decimal, level: str, explain, extra_key: str,
               template: str, shared: tuple | None = None) -> Group:
        """The line a charged part goes to (made on first use), by its key.

        `shared`: (key, unit price, description) already worked out for this kind of part.
        """
        e = part.entry
        mult = part.multiplier
        if shared is None:
            shared = self._line_of(kind, part, rate, level, extra_key, template)
        g = self.book.groups.get(shared[0])
        if g is None:
            g = self.book.group(shared[0], kind, shared[2], shared[1], part.tax,
                                part.contract.id if part.contract else "", (e.date,), explain)
            g.info.update(rate=rate, level=level, mult=mult, reason=part.reason)
        return g

    def _line_of(self, kind: str, part, rate: Decimal, level: str, extra_key: str, template: str) -> tuple:
        """(key, unit price, description) of the line a charged part goes to."""
        person = part.entry.person if level in _PERSON_LEVELS else ""
        unit = price(rate * part.multiplier)
        return (self._key(kind, part, unit, extra_key or person), unit,
                self._describe(template, part, level))

    def _charge(self, kind: str, part, rate: Decimal, level: str, explain, extra_key: str = "",
                note: str = "", template: str = "line_time") -> Group:
        # what the line's key, price and description depend on; Decimals and the contract by
        # identity (1.0 and 1.00 are equal but write differently), the cached value holding
        # them so that no id is reused meanwhile
        e, c, mult = part.entry, part.contract, part.multiplier
        spec = (kind, id(c), e.activity, e.project, e.person if level in _PERSON_LEVELS else "", id(rate),
                level, id(mult), part.reason, part.tax, extra_key, template)
        shared = self.run.time_lines.get(spec)
        if shared is None:
            shared = self.run.time_lines[spec] = (
                *self._line_of(kind, part, rate, level, extra_key, template), rate, mult, c)
        g = self._group(kind, part, rate, level, explain, extra_key, template, shared)
        self._add(g, part, rate, note)
        return g

    def _use_line(self, kind: str, part, template: str, extra: str = "") -> tuple[str, str]:
        """(key, description) of the line showing covered time (block or retainer use), per client."""
        e, c = part.entry, part.contract
        spec = (kind, id(c), e.activity, e.project, part.tax, extra)
        found = self.run.time_lines.get(spec)
        if found is None:
            found = self.run.time_lines[spec] = (self._key(kind, part, 0, extra, plain=True),
                                                 self._describe(template, part, plain=True), c)
        return found

    def _add(self, g: Group, part, rate: Decimal, note: str) -> None:
        self.book.add_charged(g, part, rate, part.multiplier, self._late(part, note) if part.late else note)
        if self.budgeted:
            self.budget_use.append((part.entry.project, g.contract, part.billed, g.key))

    def _hourly(self, part) -> None:
        """A part billed at the client's (or an hourly contract's) rates: the common case, kept short."""
        e = part.entry
        c = part.contract
        if e.meta:
            answer = self._rate(self.ctx.settings, c, e)
        else:   # matching.rate_of, inlined
            key = (c.id if c is not None else None, e.activity, e.project, e.person)
            table = self._rate_tables.get(key)
            answer = self._rate(self.ctx.settings, c, e) if table is None else \
                table[1][bisect_right(table[0], e.date)]
        rate, level = answer
        if rate is None:
            self.rate_of(part)      # reports it
            return
        if level == "entry":        # a rate typed on the entry: nothing to share
            self._charge("time", part, rate.rate, level, self.run.explain_time)
            return
        # the rate table's answer (one object per contract, activity, project, person and
        # period of validity), the multiplier, reason and tax decide the line; the cached
        # value holds the objects whose ids are in the key, so no id is reused meanwhile
        mult = part.multiplier
        spec = (id(answer), id(mult), part.reason, part.tax)
        found = self._lines.get(spec)
        if found is None:
            shared = self.run.time_lines.get(spec)    # the same for every invoice of the client
            if shared is None:
                shared = self.run.time_lines[spec] = (
                    *self._line_of("time", part, rate.rate, level, "", "line_time"), answer, mult)
            g = self._group("time", part, rate.rate, level, self.run.explain_time, "", "line_time", shared)
            found = self._lines[spec] = (g, answer, mult)
        g = found[0]
        self.book.add_charged(g, part, rate.rate, mult, self._late(part, "") if part.late else "")
        if self.budgeted:
            self.budget_use.append((e.project, g.contract, part.billed, g.key))

    def _late(self, part, note: str) -> str:
        if part.late:
            late = i18n.t(self.lang, "late", date=part.entry.date.isoformat())
            return f"{note}; {late}" if note else late
        return note

    # ------------------------------------------------------------ dispatch

    def bill(self, prepared) -> None:
        hourly = self._hourly
        for part in prepared.billable:
            c = part.contract
            kind = c.kind if c is not None else "hourly"
            if kind == "block":
                self._block(part)
            elif kind == "retainer":
                self._retainer(part)
            else:   # hourly; kinds that take no time entries are never matched (matching.py)
                hourly(part)
        for part in prepared.no_charge:
            self._no_charge(part)

    def _no_charge(self, part) -> None:
        e = part.entry
        spec = ("no-charge", id(part.contract), e.activity, e.project, part.why, part.tax)
        key = self._specs.get(spec)
        if key is None:
            key = self._specs[spec] = self._key("no-charge", part, 0, part.why, plain=True)
        g = self.book.groups.get(key)
        if g is None:
            g = self.book.group(key, "no-charge", self._describe("line_time", part, plain=True), ZERO, part.tax,
                                part.contract.id if part.contract else "", (e.date,), self.run.explain_no_charge)
        why = _WHY[part.why]
        words = self.words.get(why)
        if words is None:
            words = self.words[why] = i18n.t(self.lang, why)
        g.info["why"] = words
        self.book.add_part(g, part, ZERO, ONE, ZERO, self._late(part, words) if part.late else words)

    # ------------------------------------------------------------ block

    def _block(self, part) -> None:
        state: BlockState = self.run.block_state(part.contract)
        e = part.entry
        factor = state.factor(e.activity)
        covered, used, drawn = state.draw(e.date, part.billed, factor)
        rest = part
        if covered or not part.billed:   # rounded down to nothing: shown on the block line, raw time kept
            front = part.split(covered) if covered < part.billed else part
            rest = part if front is not part else None
            key, desc, _ = self._use_line("block-use", front, "block_use")
            g = self.book.groups.get(key) or self.book.group(
                key, "block-use", desc, ZERO, front.tax, part.contract.id, (e.date,), self.run.explain_block_use)
            g.info["used"] = g.info.get("used", 0) + used
            g.info["factor"] = factor
            g.info["left"] = state.balance(e.date)
            days = tuple(p.date for p, _ in drawn)
            note = self._notes.get(days)
            if note is None:
                note = self._notes[days] = "; ".join(i18n.t(self.lang, "from_block", date=d.isoformat())
                                                     for d in days)
            self.book.add_part(g, front, ZERO, ONE, ZERO, self._late(front, note))
            self.budget_use.append((e.project, part.contract.id, front.billed, key))
        elif used:   # a few block minutes left, too few for a whole worked minute: drawn anyway
            pass
        if rest is None or rest.billed <= 0:
            return
        terms: BlockTerms = state.terms
        if terms.overage == "refuse":
            self.ctx.diags.append(error(
                "block-overage-refused", e.ref,
                f"prepaid hours of contract {part.contract.id} exhausted: {rest.billed} min of this entry "
                f"cannot be billed (overage: refuse)",
                "record a new purchase in the contract's purchases, or allow overage with overage: {rate: ...}"))
            return
        rate, level = self.fixed_or_fallback(terms.overage_rate, "overage", rest)
        if rate is None:
            return
        self._charge("overage", rest, rate, level, self.run.explain_overage,
                     note=self.words["beyond_block"], template="overage")
        state.overage += rest.billed

    # ------------------------------------------------------------ retainer

    def _retainer(self, part) -> None:
        state: RetainerState = self.run.retainer_state(part.contract)
        e = part.entry
        y, m = (e.date.year, e.date.month) if e.date >= self.period.start else self.period.months()[0]
        month = state.month(y, m, service=False)   # service months were opened with their fee
        self.run.retainer_months_used.add((part.contract.id, y, m))
        included, extra, before = state.use(month, part.billed)
        crossing = bool(included and extra)
        rest = part
        if included:
            front = part.split(included) if extra else part
            rest = part if extra else None
            key, desc, _ = self._use_line("retainer-use", front, "retainer_use", f"{y}-{m:02d}")
            g = self.book.groups.get(key) or self.book.group(
                key, "retainer-use", desc, ZERO, front.tax, part.contract.id, (e.date,),
                self.run.explain_retainer_use)
            g.info.setdefault("before", before)
            g.info["month"] = month
            g.info["state"] = state
            self.book.add_part(g, front, ZERO, ONE, ZERO, self._late(front, self.words["in_retainer"]))
            self.budget_use.append((e.project, part.contract.id, front.billed, key))
        if rest is None:
            return
        terms: RetainerTerms = state.terms
        rate, level = self.fixed_or_fallback(terms.extra_rate, "extra", rest)
        if rate is None:
            return
        g = self._charge("retainer-extra", rest, rate, level, self.run.explain_retainer_extra,
                         extra_key=f"{y}-{m:02d}", note=self.words["beyond_retainer"],
                         template="retainer_extra")
        g.info["month"] = month
        if crossing:
            g.info.setdefault("crossing", []).append((e.date, included, extra))

"""Billing the time parts of one invoice by contract kind: hourly, block, retainer, no charge.

Every part ends as a line contribution plus one EntryDetail, so every entry
(or each piece of a split entry) is accounted for on the invoice.
"""
from __future__ import annotations

from decimal import Decimal

from .. import i18n
from ..diagnostics import error
from ..matching import resolve_rate
from ..model import BlockTerms, RetainerTerms
from .block import BlockState
from .clock import ONE
from .lines import ZERO, Group, LineBook, price
from .retainer import RetainerState


class TimeBiller:
    """Turns the prepared parts of one invoice into line contributions."""

    def __init__(self, run, book: LineBook, period):
        self.run, self.book, self.period = run, book, period
        self.ctx, self.client = run.ctx, run.client
        self.lang = run.client.language
        self._acts: dict[str, str] = {}
        self.words = {k: i18n.t(self.lang, k) for k in ("in_retainer", "beyond_retainer", "beyond_block")}
        self.budget_use: list[tuple] = []          # (project, contract, minutes, amount)

    # ------------------------------------------------------------ helpers

    def act(self, slug: str) -> str:
        label = self._acts.get(slug)
        if label is None:
            a = self.ctx.activities.get(slug)
            label = self._acts[slug] = a.label(self.lang) if a else slug
        return label

    def rate_of(self, part) -> tuple[Decimal | None, str]:
        rate, level = resolve_rate(self.ctx.settings, self.client, part.contract, part.entry)
        if rate is None:
            e = part.entry
            self.ctx.diags.append(error(
                "rate-missing", e.ref, f"no rate for {e.activity} by @{e.person} on {e.date} for {e.client}",
                "add a rate for the activity to the client (rates:) or a default_rate to the person"))
            return None, ""
        return rate.rate, level

    def _describe(self, template: str, part, level: str = "", plain: bool = False) -> str:
        e = part.entry
        desc = i18n.t(self.lang, template, activity=self.act(e.activity))
        if e.project:
            p = self.run.projects.get(e.project)
            desc += f" - {p.name if p else e.project}"
        if level in ("activity+person", "activity+role", "person-rate", "role-rate", "person", "entry"):
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

    def _charge(self, kind: str, part, rate: Decimal, level: str, explain, extra_key: str = "",
                note: str = "", template: str = "line_time") -> Group:
        unit = price(rate * part.multiplier)
        person = part.entry.person if level in ("activity+person", "person-rate", "person", "entry",
                                                "activity+role", "role-rate") else ""
        key = self._key(kind, part, unit, extra_key or person)
        g = self.book.groups.get(key) or self.book.group(
            key, kind, self._describe(template, part, level), unit, part.tax,
            part.contract.id if part.contract else "", (part.entry.date,), explain)
        g.info.setdefault("rate", rate)
        g.info.setdefault("level", level)
        g.info.setdefault("mult", part.multiplier)
        g.info.setdefault("reason", part.reason)
        exact = part.billed * unit / 60
        self.book.add_part(g, part, rate, part.multiplier, exact, self._late(part, note))
        self.budget_use.append((part.entry.project, g.contract, part.billed, exact))
        return g

    def _late(self, part, note: str) -> str:
        if part.late:
            late = i18n.t(self.lang, "late", date=part.entry.date.isoformat())
            return f"{note}; {late}" if note else late
        return note

    # ------------------------------------------------------------ dispatch

    def bill(self, prepared) -> None:
        for part in prepared.billable:
            c = part.contract
            if c is None or c.kind == "hourly":
                rate, level = self.rate_of(part)
                if rate is not None:
                    self._charge("time", part, rate, level, self.run.explain_time)
            elif c.kind == "block":
                self._block(part)
            elif c.kind == "retainer":
                self._retainer(part)
            else:   # kinds that take no time entries are never matched (matching.py)
                rate, level = self.rate_of(part)
                if rate is not None:
                    self._charge("time", part, rate, level, self.run.explain_time)
        for part in prepared.no_charge:
            self._no_charge(part)

    def _no_charge(self, part) -> None:
        e = part.entry
        why = {"nobill": "why_nobill", "activity": "why_activity", "fixed": "included_fixed"}[part.why]
        key = self._key("no-charge", part, 0, part.why, plain=True)
        g = self.book.groups.get(key) or self.book.group(
            key, "no-charge", self._describe("line_time", part, plain=True), ZERO, part.tax,
            part.contract.id if part.contract else "", (e.date,), self.run.explain_no_charge)
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
        if covered:
            front = part.split(covered) if covered < part.billed else part
            rest = part if front is not part else None
            key = self._key("block-use", front, 0, plain=True)
            g = self.book.groups.get(key) or self.book.group(
                key, "block-use", self._describe("block_use", front, plain=True), ZERO, front.tax,
                part.contract.id, (e.date,), self.run.explain_block_use)
            g.info["used"] = g.info.get("used", 0) + used
            g.info["factor"] = factor
            g.info["left"] = state.balance(e.date)
            note = "; ".join(i18n.t(self.lang, "from_block", date=p.date.isoformat()) for p, _ in drawn)
            self.book.add_part(g, front, ZERO, ONE, ZERO, self._late(front, note))
            self.budget_use.append((e.project, part.contract.id, front.billed, ZERO))
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
        if terms.overage_rate is not None:
            rate, level = terms.overage_rate, "overage"
        else:
            rate, level = self.rate_of(rest)
            if rate is None:
                return
        self._charge("overage", rest, rate, level, self.run.explain_overage,
                     note=self.words["beyond_block"], template="overage")

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
            key = self._key("retainer-use", front, 0, f"{y}-{m:02d}", plain=True)
            g = self.book.groups.get(key) or self.book.group(
                key, "retainer-use", self._describe("retainer_use", front, plain=True), ZERO, front.tax,
                part.contract.id, (e.date,), self.run.explain_retainer_use)
            g.info.setdefault("before", before)
            g.info["month"] = month
            g.info["state"] = state
            self.book.add_part(g, front, ZERO, ONE, ZERO, self._late(front, self.words["in_retainer"]))
            self.budget_use.append((e.project, part.contract.id, front.billed, ZERO))
        if rest is None:
            return
        terms: RetainerTerms = state.terms
        if terms.extra_rate is not None:
            rate, level = terms.extra_rate, "extra"
        else:
            rate, level = self.rate_of(rest)
            if rate is None:
                return
        g = self._charge("retainer-extra", rest, rate, level, self.run.explain_retainer_extra,
                         extra_key=f"{y}-{m:02d}", note=self.words["beyond_retainer"],
                         template="retainer_extra")
        g.info["month"] = month
        if crossing:
            g.info.setdefault("crossing", []).append((e.date, included, extra))

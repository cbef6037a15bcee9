"""Time entries of one invoice made ready to bill: parts, rounding, minimums, visits.

Each time entry becomes one or more `Part`s (one per multiplier segment, see
`clock.py`) carrying the raw minutes and the billed minutes. Billed minutes are
then rounded (per entry, per ticket per day, or per person per day: a group's
rounding difference lands on its last entry in date-time order) and raised to
the minimum (per entry, or per visit: the difference lands on the visit's last
entry). Raw minutes are never changed. Non-billable entries, and time on fixed
contracts, become parts that are shown but not charged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from ..matching import match_contract
from ..model import Client, Contract, Entry, Rules
from .clock import ONE, Calendar

NO_CHARGE_KINDS = ("no-charge",)


class Part:
    """A piece of an entry on its way to an invoice line (mutable while being allocated)."""

    __slots__ = ("entry", "fp", "seg", "raw", "billed", "multiplier", "reason", "contract",
                 "rules", "kind", "notes", "why", "late", "tax")

    def __init__(self, entry, fp, seg, raw, billed, multiplier, reason, contract, rules, kind, why="",
                 late=False, tax=""):
        self.entry, self.fp, self.seg = entry, fp, seg
        self.raw, self.billed = raw, billed
        self.multiplier, self.reason = multiplier, reason
        self.contract, self.rules, self.kind = contract, rules, kind
        self.notes: list[str] = []
        self.why, self.late, self.tax = why, late, tax

    def split(self, billed: int) -> "Part":
        """Cut `billed` minutes (and as much raw time) off the front of this part; return the front."""
        raw = min(self.raw, billed)
        front = Part(self.entry, self.fp, self.seg, raw, billed, self.multiplier, self.reason,
                     self.contract, self.rules, self.kind, self.why, self.late, self.tax)
        front.notes = list(self.notes)
        self.raw -= raw
        self.billed -= billed
        return front


@dataclass
class Visit:
    """Same person, client and day on visit activities: one call-out, one minimum."""

    day: object
    person: str
    parts: list = field(default_factory=list)


@dataclass
class Prepared:
    billable: list                       # Parts in date-time order
    no_charge: list
    visits: list                         # Visit, in order


class Preparer:
    """Per-client helper: contract, rules and tax of each entry, then parts."""

    def __init__(self, ctx, client: Client, calendar: Calendar):
        self.ctx, self.client, self.cal = ctx, client, calendar
        self._rules: dict = {}

    def rules(self, contract: Contract | None) -> Rules:
        key = contract.id if contract else None
        found = self._rules.get(key)
        if found is None:
            base = self.client.rules
            found = self._rules[key] = contract.rules.over(base) if contract else base
        return found

    def tax_code(self, entry: Entry, contract: Contract | None) -> str:
        explicit = entry.get("tax") if entry.meta else ""
        return explicit or (contract.tax if contract and contract.tax else "") or self.client.tax \
            or self.ctx.settings.default_tax

    def prepare(self, entries: list[Entry], late: set) -> Prepared:
        billable, no_charge, groups = [], [], []
        activities = self.ctx.activities
        for e in entries:
            fp = e.fingerprint
            act = activities.get(e.activity)
            contract, _ = match_contract(self.client, e)
            is_late = fp in late
            tax = self.tax_code(e, contract)
            why = ""
            if not e.billable:
                why = "nobill"
            elif act is not None and not act.billable and "billable" not in e.tags:
                why = "activity"
            elif contract is not None and contract.kind == "fixed":
                why = "fixed"
            if why:
                no_charge.append(Part(e, fp, None, e.minutes, e.minutes, ONE, "", contract,
                                      None, "no-charge", why, is_late, tax))
                continue
            rules = self.rules(contract)
            parts = [Part(e, fp, s, s.minutes, s.minutes, s.multiplier, s.reason, contract, rules,
                          "time", "", is_late, tax)
                     for s in self.cal.segments(e, rules.multipliers)]
            groups.append(parts)
            billable.extend(parts)
        self._round(groups)
        visits = self._visits(groups)
        self._minimum(groups, visits)
        return Prepared(billable, no_charge, visits)

    # ------------------------------------------------------------ rounding

    def _round(self, groups: list[list[Part]]) -> None:
        pooled: dict[tuple, list[list[Part]]] = {}
        lang = self.client.language
        for parts in groups:
            r = parts[0].rules.rounding
            if r is None or r.increment <= 0:
                continue
            e = parts[0].entry
            key = None
            if r.scope == "ticket-day" and e.ticket:
                key = (_cid(parts[0].contract), e.date, "ticket", e.ticket)
            elif r.scope == "day":
                key = (_cid(parts[0].contract), e.date, "person", e.person)
            if key is None:
                raw = parts[0].raw if len(parts) == 1 else sum(p.raw for p in parts)
                _adjust([parts], _rounded(raw, r), r, lang)
            else:
                pooled.setdefault(key, []).append(parts)
        for members in pooled.values():
            r = members[0][0].rules.rounding
            raw = sum(p.raw for parts in members for p in parts)
            _adjust(members, _rounded(raw, r), r, lang)

    # ------------------------------------------------------------ visits and minimums

    def _visits(self, groups) -> list[Visit]:
        activities = self.ctx.activities
        visits: dict[tuple, Visit] = {}
        for parts in groups:
            e = parts[0].entry
            act = activities.get(e.activity)
            if act is not None and act.visit:
                v = visits.get((e.date, e.person))
                if v is None:
                    v = visits[(e.date, e.person)] = Visit(e.date, e.person)
                v.parts.append(parts)
        return list(visits.values())

    def _minimum(self, groups, visits) -> None:
        lang = self.client.language
        for parts in groups:
            m = parts[0].rules.minimum
            if m is not None and m.per == "entry":
                _raise_to([parts], m.minutes, m, lang)
        for v in visits:
            by_rule: dict[int, list] = {}
            for parts in v.parts:
                m = parts[0].rules.minimum
                if m is not None and m.per == "visit":
                    by_rule.setdefault(id(m), []).append(parts)
            for members in by_rule.values():
                _raise_to(members, members[0][0].rules.minimum.minutes, members[0][0].rules.minimum, lang)


def _cid(contract: Contract | None) -> str:
    return contract.id if contract is not None else ""


def _rounded(minutes: int, r) -> int:
    inc = r.increment
    if r.mode == "up":
        return -(-minutes // inc) * inc
    if r.mode == "down":
        return minutes // inc * inc
    return (2 * minutes + inc) // (2 * inc) * inc


@lru_cache(maxsize=256)
def _rounding_note(lang: str, mode: str, increment: int) -> str:
    from .. import i18n

    return i18n.t(lang, "rounded", mode=i18n.mode_word(lang, mode), inc=i18n.duration(lang, increment))


def _adjust(members: list[list[Part]], target: int, r, lang: str) -> None:
    """Make the members' billed minutes total `target`: the difference lands on the last parts."""
    if len(members) == 1 and len(members[0]) == 1:
        delta = target - members[0][0].billed
    else:
        delta = target - sum(p.billed for parts in members for p in parts)
    if not delta:
        return
    note = _rounding_note(lang, r.mode, r.increment)
    last = members[-1][-1]
    if delta > 0:
        last.billed += delta
        last.notes.append(note)
        return
    for parts in reversed(members):
        for p in reversed(parts):
            take = min(p.billed, -delta)
            if take:
                p.billed -= take
                delta += take
                p.notes.append(note)
            if not delta:
                return


def _raise_to(members: list[list[Part]], minimum: int, m, lang: str) -> None:
    from .. import i18n

    total = sum(p.billed for parts in members for p in parts)
    if total < minimum:
        last = members[-1][-1]
        last.billed += minimum - total
        per = i18n.t(lang, "per_visit" if m.per == "visit" else "per_entry")
        last.notes.append(i18n.t(lang, "minimum", min=i18n.duration(lang, minimum), per=per))


def exact_amount(minutes: int, unit_price: Decimal) -> Decimal:
    return minutes * unit_price / 60

"""Time entries of one invoice made ready to bill: parts, rounding, minimums, visits.

Each time entry becomes one or more `Part`s (one per multiplier segment, see
`clock.py`) carrying the raw minutes and the billed minutes. Billed minutes are
then rounded (per entry, per ticket per day, or per person per day: a group's
rounding difference lands on its last entry in date-time order) and raised to
the minimum (per entry, or per visit: the difference lands on the visit's last
entry), on the minimum's `activities` only when it names some. Raw minutes are never changed. Non-billable entries, and time on fixed
contracts, become parts that are shown but not charged.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import sha256

from ..matching import index_of
from ..model import Client, Contract, Entry, Rules
from .clock import ONE, Calendar
from .lines import whole_minutes



class Part:
    """A piece of an entry on its way to an invoice line (mutable while being allocated).

    Made once per billed entry, so it is kept small: `notes` starts as the shared
    empty tuple and grows by concatenation on the few parts that get a note.
    """

    __slots__ = ("entry", "fp", "seg", "raw", "billed", "multiplier", "reason", "contract",
                 "rules", "notes", "why", "late", "tax", "raised")

    def __init__(self, entry, fp, seg, minutes, multiplier, reason, contract, rules, why, late, tax):
        self.entry = entry
        self.fp = fp
        self.seg = seg
        self.raw = self.billed = minutes
        self.multiplier = multiplier
        self.reason = reason
        self.contract = contract
        self.rules = rules
        self.notes = ()
        self.why = why
        self.late = late
        self.tax = tax
        self.raised = 0         # minutes a minimum added (its explanation names the rule)

    def split(self, billed) -> "Part":
        """Cut `billed` minutes (and as much raw time) off the front of this part; return the front.

        `billed` may be a Decimal with a fraction (a block covering part of an entry): raw time
        stays in whole minutes (it is shown, never charged), cut at the nearest minute."""
        raw = min(self.raw, billed if isinstance(billed, int) else whole_minutes(billed))
        front = Part(self.entry, self.fp, self.seg, raw, self.multiplier, self.reason,
                     self.contract, self.rules, self.why, self.late, self.tax)
        front.billed = billed
        front.notes = self.notes
        front.raised = self.raised
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
        self.index = index_of(client)
        self._rules: dict = {}
        self._plans: dict = {}
        self._steps: dict = {}
        self._targets: dict = {}
        self._routes: dict = {}

    def targets(self, r) -> dict:
        """Raw minutes -> rounded by `r`, filled as met (kept per rounding rule: durations repeat)."""
        found = self._targets.get(id(r))
        if found is None or found[0] is not r:
            found = self._targets[id(r)] = (r, {})
        return found[1]

    def route(self, activity: str, project: str) -> tuple:
        """What time entries of `activity` on `project` share: (activity record or None, dates,
        steps), the step from dates[i - 1] on being steps[i] (see `step`), as in the client's
        contract table (matching.py)."""
        key = (activity, project)
        found = self._routes.get(key)
        if found is None:
            table = self.index.contract_table(("time", activity, project))
            found = self._routes[key] = (self.ctx.activities.get(activity), table[0],
                                         [self.step(answer[0]) for answer in table[1]])
        return found

    def step(self, contract: Contract | None) -> tuple:
        """(contract, its plan, the tax code of its entries unless one names its own, fixed?, its id or "")."""
        key = contract.id if contract is not None else None
        found = self._steps.get(key)
        if found is None:
            tax = (contract.tax if contract is not None and contract.tax else "") or self.client.tax \
                or self.ctx.settings.default_tax
            found = self._steps[key] = (contract, self.plan(contract), tax,
                                        contract is not None and contract.kind == "fixed", _cid(contract))
        return found

    def plan(self, contract: Contract | None) -> tuple:
        """What an entry's billing under `contract` needs from its rules, worked out once:
        (rules, multipliers or None when all are one, rounding or None when there is none,
        rounding scope, rounding note, minimum per entry?, raw minutes -> rounded, filled as met)."""
        key = contract.id if contract is not None else None
        found = self._plans.get(key)
        if found is None:
            rules = self.rules(contract)
            r = rules.rounding if rules.rounding is not None and rules.rounding.increment > 0 else None
            m = rules.minimum
            found = self._plans[key] = (
                rules, self.cal.plain(rules.multipliers), r, r.scope if r else "",
                _rounding_note(self.client.language, r.mode, r.increment) if r else "",
                m is not None and m.per == "entry", self.targets(r))
        return found

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
        # one pass per entry does what is per entry (contract, rules, parts, rounding of its
        # own time, visits); pooled rounding and minimums then run in the documented order
        billable, no_charge = [], []
        pooled: dict[tuple, list[list[Part]]] = {}
        minimums, visits = [], {}
        contract_of, routes = self.index.contract_of, self._routes
        split = self.cal.split
        lang = self.client.language
        for e in entries:
            fp = sha256(e.text.encode()).hexdigest()[:16]     # Entry.fingerprint, without the call
            act, days, steps = routes.get((e.activity, e.project)) or self.route(e.activity, e.project)
            meta = e.meta
            if meta and e.get("contract"):
                contract, plan, tax, fixed, cid = self.step(contract_of(e)[0])
            else:
                contract, plan, tax, fixed, cid = steps[bisect_right(days, e.date)] if days else steps[0]
            is_late = fp in late
            if meta:
                tax = e.get("tax") or tax
            tags = e.tags
            if "nobill" in tags or (meta and e.get("bill", "yes") in ("no", "false")):
                why = "nobill"
            elif act is not None and not act.billable and "billable" not in tags:
                why = "activity"
            elif fixed:
                why = "fixed"
            else:
                why = ""
            if why:
                no_charge.append(Part(e, fp, None, e.minutes, ONE, "", contract, None, why, is_late, tax))
                continue
            rules, mult, r, scope, note, minimum, targets = plan
            segs = None if mult is None else split(e, mult)
            if segs is None:    # one piece at normal hours
                p = Part(e, fp, None, e.minutes, ONE, "", contract, rules, "", is_late, tax)
                parts = [p]
                billable.append(p)
            else:
                parts = [Part(e, fp, s, s.minutes, s.multiplier, s.reason, contract, rules, "", is_late, tax)
                         for s in segs]
                billable.extend(parts)
            if r is not None:
                key = None
                if scope == "ticket-day":
                    ticket = e.ticket
                    if ticket:
                        key = (cid, e.date, "ticket", ticket)
                elif scope == "day":
                    key = (cid, e.date, "person", e.person)
                if key is not None:
                    found = pooled.get(key)
                    if found is None:
                        pooled[key] = [parts]
                    else:
                        found.append(parts)
                elif segs is None:
                    _round_one(p, r, note, lang, targets)
                else:
                    _adjust(parts, _rounded(sum(q.raw for q in parts), r), r, lang)
            if minimum and (not rules.minimum.activities or e.activity in rules.minimum.activities):
                minimums.append(parts)
            if act is not None and act.visit:
                v = visits.get((e.date, e.person))
                if v is None:
                    v = visits[(e.date, e.person)] = Visit(e.date, e.person)
                v.parts.append(parts)
        for members in pooled.values():
            first = members[0]
            r = first[0].rules.rounding
            if len(members) == 1 and len(first) == 1:     # alone on its ticket or day
                _round_one(first[0], r, _rounding_note(lang, r.mode, r.increment), lang, self.targets(r))
            else:
                _adjust([p for parts in members for p in parts],
                        _rounded(sum(p.raw for parts in members for p in parts), r), r, lang)
        visits = list(visits.values())
        self._minimum(minimums, visits)
        return Prepared(billable, no_charge, visits)

    # ------------------------------------------------------------ minimums

    def _minimum(self, per_entry, visits) -> None:
        lang = self.client.language
        for parts in per_entry:
            m = parts[0].rules.minimum
            _raise_to([parts], m.minutes, m, lang)
        for v in visits:
            by_rule: dict[int, list] = {}
            for parts in v.parts:
                m = parts[0].rules.minimum
                if m is not None and m.per == "visit" and (not m.activities or parts[0].entry.activity in m.activities):
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


def _round_one(p: Part, r, note: str, lang: str, targets: dict) -> None:
    """_adjust for a part alone in its rounding group, as it was made (billed = raw): the common case.
    `targets`: raw minutes -> rounded, for rounding `r` (durations repeat: each is rounded once)."""
    target = targets.get(p.raw)
    if target is None:
        target = targets[p.raw] = _rounded(p.raw, r)
    if target != p.billed:
        if target >= 0:
            p.billed = target
            p.notes += (note,)
        else:
            _adjust([p], target, r, lang)


def _adjust(parts: list[Part], target: int, r, lang: str) -> None:
    """Make the parts' billed minutes total `target` (parts in date-time order): the difference
    lands on the last parts."""
    delta = target - (parts[0].billed if len(parts) == 1 else sum(p.billed for p in parts))
    if not delta:
        return
    if delta > 0:
        last = parts[-1]
        last.billed += delta
        last.notes += (_adjust_note(parts, r, lang, delta),)
        return
    for p in reversed(parts):
        take = min(p.billed, -delta)
        if take:
            p.billed -= take
            delta += take
            p.notes += (_adjust_note(parts, r, lang, -take),)
        if not delta:
            return


def _adjust_note(parts: list[Part], r, lang: str, delta: int) -> str:
    """The note of a part that took a rounding's difference. Rounded alone, the part itself is
    a multiple of the increment; rounded with others (a day, a ticket, the pieces of one entry)
    it is not, so the note says the rule and what this row took: "+25 m su questa registrazione"
    (0:40 worked, 1:05 billed: the day's 2 h 35 m became 3 h)."""
    if len(parts) == 1:
        return _rounding_note(lang, r.mode, r.increment)
    from .. import i18n

    sign = "+" if delta > 0 else "-"
    return i18n.t(lang, "rounded_pooled", rule=_pooled_rule(lang, r.mode, r.increment, r.scope),
                  delta=sign + i18n.duration(lang, abs(delta)))


@lru_cache(maxsize=256)
def _pooled_rule(lang: str, mode: str, increment: int, scope: str) -> str:
    from .. import i18n

    return i18n.t(lang, "rounding_rule", mode=i18n.mode_word(lang, mode), inc=i18n.duration(lang, increment),
                  scope=i18n.t(lang, "scope_" + scope))


def _raise_to(members: list[list[Part]], minimum: int, m, lang: str) -> None:
    from .. import i18n

    total = sum(p.billed for parts in members for p in parts)
    if total < minimum:
        last = members[-1][-1]
        last.billed += minimum - total
        last.raised += minimum - total
        per = i18n.t(lang, "per_visit" if m.per == "visit" else "per_entry")
        last.notes += (i18n.t(lang, "minimum", min=i18n.duration(lang, minimum), per=per),)

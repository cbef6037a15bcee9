"""Rates and billing rules, shared by client files and their contracts (clients.py, contracts.py)."""
from __future__ import annotations

from ..model import Budget, Callout, Cap, Minimum, Multipliers, Rate, Rounding, Rules
from .yamlnodes import Reader

RATE_KEYS = ("rate", "activity", "person", "role", "project", "from", "to")
RULE_KEYS = ("rounding", "minimum", "callout", "multipliers", "cap", "budget")


def read_rates(r: Reader, node, what: str) -> tuple[Rate, ...]:
    out = []
    for item in r.sequence(node, what):
        m = r.mapping(item, RATE_KEYS, "rate", ("rate",))
        value = r.amount(m.get("rate"), "rate")
        if value is None:
            continue
        names = {k: r.slug(m.get(k), k) or "" for k in ("activity", "person", "project")}
        start, end = r.date(m.get("from"), "from"), r.date(m.get("to"), "to")
        if start and end and end < start:
            r.fail("end-before-start", m["to"], f"rate valid to {end} before it starts on {start}",
                   "swap `from` and `to`")
        out.append(Rate(rate=value, role=r.text(m.get("role"), "role"), valid_from=start, valid_to=end,
                        ref=r.ref(item), **names))
    return tuple(out)


def read_rules(r: Reader, node, language: str) -> Rules:
    m = r.mapping(node, RULE_KEYS, "rules")
    if not m:
        return Rules()
    return Rules(rounding=_rounding(r, m.get("rounding")), minimum=_minimum(r, m.get("minimum")),
                 callout=_callout(r, m.get("callout"), language), multipliers=_multipliers(r, m.get("multipliers")),
                 cap=_cap(r, m.get("cap")), budget=budget(r, m.get("budget")), ref=r.ref(node))


def _rounding(r: Reader, node) -> Rounding | None:
    if node is None:
        return None
    m = r.mapping(node, ("increment", "mode", "scope"), "rounding")
    inc = r.duration(m.get("increment"), "increment")
    if inc == 0:
        r.fail("non-positive-duration", m["increment"], "rounding increment is zero", "write e.g. 15m")
    return Rounding(increment=inc or 15, mode=r.choice(m.get("mode"), ("up", "nearest", "down"), "mode") or "up",
                    scope=r.choice(m.get("scope"), ("entry", "ticket-day", "day"), "scope") or "entry",
                    ref=r.ref(node))


def _minimum(r: Reader, node) -> Minimum | None:
    if node is None:
        return None
    m = r.mapping(node, ("time", "per", "activities"), "minimum", ("time",))
    minutes = r.duration(m.get("time"), "time")
    return Minimum(minutes=60 if minutes is None else minutes,
                   per=r.choice(m.get("per"), ("entry", "visit"), "per") or "entry",
                   activities=r.slugs(m.get("activities"), "activities"), ref=r.ref(node))


def _callout(r: Reader, node, language: str) -> Callout | None:
    if node is None:
        return None
    m = r.mapping(node, ("amount", "activities", "description"), "callout", ("amount",))
    amount = r.amount(m.get("amount"), "amount")
    if amount is None:
        return None
    return Callout(amount=amount, activities=r.slugs(m.get("activities"), "activities"),
                   description=r.labels(m.get("description"), "description", language), ref=r.ref(node))


def _multipliers(r: Reader, node) -> Multipliers | None:
    if node is None:
        return None
    m = r.mapping(node, ("after_hours", "weekend", "holiday"), "multipliers")
    kw = {k: v for k in ("after_hours", "weekend", "holiday") if (v := r.factor(m.get(k), k)) is not None}
    return Multipliers(**kw, ref=r.ref(node))


def _cap(r: Reader, node) -> Cap | None:
    if node is None:
        return None
    m = r.mapping(node, ("amount", "hours", "action"), "cap")
    return Cap(amount=r.amount(m.get("amount"), "amount"), minutes=r.hours(m.get("hours"), "hours"),
               action=r.choice(m.get("action"), ("warn", "cap"), "action") or "warn", ref=r.ref(node))


def budget(r: Reader, node) -> Budget | None:
    if node is None:
        return None
    m = r.mapping(node, ("amount", "hours", "alerts"), "budget")
    kw = {}
    if "alerts" in m:
        kw["alerts"] = tuple(a for a in (r.percent(n, "alert") for n in r.sequence(m["alerts"], "alerts"))
                             if a is not None)
    return Budget(amount=r.amount(m.get("amount"), "amount"), minutes=r.hours(m.get("hours"), "hours"),
                  ref=r.ref(node), **kw)

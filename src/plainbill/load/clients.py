"""clients/<slug>.yaml -> Client: legal data, tax treatment, projects, rates, rules, contracts."""
from __future__ import annotations

from yaml.nodes import ScalarNode

from ..diagnostics import Diagnostic, SourceRef, error
from ..model import (Budget, Callout, Cap, Client, Minimum, Multipliers, Party, Project, Rate, Rounding,
                     Rules, Withholding)
from .contracts import read_contracts
from .settings import PARTY_KEYS, _is_currency, read_language, read_locale, read_party
from .source import SourceFile
from .yamlnodes import SLUG_RE, Reader, compose

CLIENT_KEYS = PARTY_KEYS + ("language", "locale", "currency", "payment_terms", "billing_cycle", "tax",
                            "split_payment", "withholding", "projects", "rates", "rules", "contracts")
RATE_KEYS = ("rate", "activity", "person", "role", "project", "from", "to")
RULE_KEYS = ("rounding", "minimum", "callout", "multipliers", "cap", "budget")


def client_slug(path: str) -> str:
    """clients/acme.yaml -> acme."""
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]


def load_client(src: SourceFile, diags: list[Diagnostic], defaults) -> Client:
    """A Client from its file; a stub (name = slug, ref on line 0) when the YAML cannot be
    parsed, so its entries are not also reported as unknown-client or unknown-project."""
    slug = client_slug(src.path)
    if not SLUG_RE.match(slug):
        diags.append(_slug_error(src, slug))
    r = Reader(src, diags)
    before = len(diags)
    root = compose(src, diags)
    if root is None and any(d.code == "yaml-syntax" for d in diags[before:]):   # unreadable: a stub, marked by line 0 so checks do not pile up on it
        return Client(slug=slug, party=Party(name=slug), ref=SourceRef(src.path, 0, 0))
    m = r.mapping(root, CLIENT_KEYS, f"client `{slug}`", ("name",))
    currency = r.text(m.get("currency"), "currency", defaults.currency)
    if "currency" in m and not _is_currency(currency):
        r.fail("invalid-value", m["currency"], f"currency `{currency}` is not an ISO 4217 code",
               "write a three-letter code such as EUR, USD, CHF")
        currency = defaults.currency
    language = read_language(r, m.get("language"), defaults.language)
    kw: dict = {}
    _terms(r, m, kw, defaults)
    return Client(
        slug=slug, party=read_party(r, m, "client"), language=language,
        locale=read_locale(r, m.get("locale"), defaults.locale), currency=currency,
        billing_cycle=r.choice(m.get("billing_cycle"), ("monthly", "quarterly"), "billing_cycle") or "monthly",
        tax=r.text(m.get("tax"), "tax"),
        split_payment=bool(r.boolean(m.get("split_payment"), "split_payment")),
        withholding=_withholding(r, m.get("withholding")),
        projects=_projects(r, m.get("projects")),
        rates=read_rates(r, m.get("rates"), "rates"),
        rules=read_rules(r, m.get("rules"), language),
        contracts=read_contracts(r, m.get("contracts"), language),
        ref=src.ref(1, 1), **kw)


def _slug_error(src: SourceFile, slug: str):
    return error("invalid-slug", src.ref(1, 1), f"client file name `{slug}` is not a valid slug",
                 "rename the file using lower-case letters, digits, '-' and '_', e.g. clients/acme-spa.yaml")


def _terms(r: Reader, m: dict, kw: dict, defaults) -> None:
    kw["payment_terms_days"] = defaults.payment_terms_days
    node = m.get("payment_terms")
    if node is None:
        return
    if isinstance(node, ScalarNode):   # `payment_terms: 30` is short for {days: 30}
        days = r.integer(node, "payment_terms")
    else:
        t = r.mapping(node, ("days", "end_of_month"), "payment_terms")
        days = r.integer(t.get("days"), "days")
        kw["end_of_month"] = bool(r.boolean(t.get("end_of_month"), "end_of_month"))
    if days is not None:
        kw["payment_terms_days"] = days


def _withholding(r: Reader, node) -> Withholding | None:
    if node is None or r.is_null(node):
        return None
    w = r.mapping(node, ("rate", "base"), "withholding")
    rate, base = r.percent(w.get("rate"), "rate"), r.percent(w.get("base"), "base")
    return Withholding(rate=Withholding.rate if rate is None else rate,
                       base=Withholding.base if base is None else base, ref=r.ref(node))


def _projects(r: Reader, node) -> tuple[Project, ...]:
    out = []
    for slug, item in r.mapping(node, (), "projects").items():
        p = r.mapping(item, ("name", "rates", "budget"), f"project `{slug}`")
        if not SLUG_RE.match(slug):
            r.fail("invalid-slug", item, f"project name `{slug}` is not a valid slug",
                   "use lower-case letters, digits, '-' and '_'")
            continue
        out.append(Project(slug=slug, name=r.text(p.get("name"), "name", slug),
                           rates=read_rates(r, p.get("rates"), "rates"),
                           budget=_budget(r, p.get("budget")), ref=r.ref(item)))
    return tuple(out)


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
                 cap=_cap(r, m.get("cap")), budget=_budget(r, m.get("budget")), ref=r.ref(node))


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
    m = r.mapping(node, ("time", "per"), "minimum", ("time",))
    minutes = r.duration(m.get("time"), "time")
    return Minimum(minutes=60 if minutes is None else minutes,
                   per=r.choice(m.get("per"), ("entry", "visit"), "per") or "entry", ref=r.ref(node))


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


def _budget(r: Reader, node) -> Budget | None:
    if node is None:
        return None
    m = r.mapping(node, ("amount", "hours", "alerts"), "budget")
    kw = {}
    if "alerts" in m:
        kw["alerts"] = tuple(a for a in (r.percent(n, "alert") for n in r.sequence(m["alerts"], "alerts"))
                             if a is not None)
    return Budget(amount=r.amount(m.get("amount"), "amount"), minutes=r.hours(m.get("hours"), "hours"),
                  ref=r.ref(node), **kw)

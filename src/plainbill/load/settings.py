"""plainbill.yaml -> Settings, and the Party (legal identity) shared with clients.

Each reader takes a node and a Reader and returns a model record; a missing or
malformed value leaves the model's default in place after a diagnostic, so one
run reports every problem in the file.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..diagnostics import Diagnostic, SourceRef
from ..model import (NOWHERE, Activity, Address, Bank, CostRate, Numbering, Party, Person, Settings, StampDuty,
                     TaxCode, WorkingHours)
from .source import SourceFile
from .yamlnodes import Reader, compose, short, suggest

PARTY_KEYS = ("name", "vat_number", "tax_code", "address", "email", "pec", "sdi_code", "eaddress",
              "phone", "fiscal_regime", "rea", "public_administration")
ADDRESS_KEYS = ("street", "city", "postal_code", "province", "country")
SETTINGS_KEYS = ("issuer", "bank", "currency", "locale", "language", "reference_date", "repository_url",
                 "payment_terms_days", "max_hours_per_day", "calendar", "working_hours", "numbering", "stamp_duty", "billing",
                 "taxes", "team", "activities")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def read_party(r: Reader, m: dict, what: str) -> Party:
    """Party fields from an already-checked mapping (issuer block or client file)."""
    address = m.get("address")
    a = r.mapping(address, ADDRESS_KEYS, "address")
    return Party(
        name=r.text(m.get("name"), "name"),
        vat_number=r.text(m.get("vat_number"), "vat_number"),
        tax_code=r.text(m.get("tax_code"), "tax_code"),
        address=Address(**{k: r.text(a.get(k), k) for k in ADDRESS_KEYS},
                        ref=r.ref(address) if address is not None else NOWHERE),
        email=r.text(m.get("email"), "email"),
        pec=r.text(m.get("pec"), "pec"),
        sdi_code=r.text(m.get("sdi_code"), "sdi_code"),
        eaddress=r.text(m.get("eaddress"), "eaddress"),
        phone=r.text(m.get("phone"), "phone"),
        fiscal_regime=r.text(m.get("fiscal_regime"), "fiscal_regime"),
        rea=r.text(m.get("rea"), "rea"),
        public_administration=bool(r.boolean(m.get("public_administration"), "public_administration")),
        ref=r.src.ref(1, 1),
    )


def load_settings(src: SourceFile, diags: list[Diagnostic]) -> Settings:
    """Settings from plainbill.yaml; defaults (and diagnostics) where it is broken."""
    r = Reader(src, diags)
    before = len(diags)
    root = compose(src, diags)
    broken = root is None and any(d.code == "yaml-syntax" for d in diags[before:])
    m = r.mapping(root, SETTINGS_KEYS, "plainbill.yaml", required=() if broken else ("issuer",))
    issuer_node = m.get("issuer")
    issuer = read_party(r, r.mapping(issuer_node, PARTY_KEYS, "issuer", () if broken else ("name",)),
                        "issuer")
    if issuer_node is not None:
        issuer = replace(issuer, ref=r.ref(issuer_node))
    language = read_language(r, m.get("language"), "it")
    kw: dict = {}
    _simple(r, m, kw)
    _calendar(r, m.get("calendar"), kw)
    if "working_hours" in m:
        kw["working_hours"] = _working_hours(r, m["working_hours"])
    if "numbering" in m:
        n = r.mapping(m["numbering"], ("invoice", "credit_note"), "numbering")
        kw["numbering"] = Numbering(invoice=r.text(n.get("invoice"), "invoice", Numbering().invoice),
                                    credit_note=r.text(n.get("credit_note"), "credit_note",
                                                       Numbering().credit_note), ref=r.ref(m["numbering"]))
    if "stamp_duty" in m:
        kw["stamp_duty"] = _stamp_duty(r, m["stamp_duty"])
    b = r.mapping(m.get("billing"), ("no_charge", "late_entries"), "billing")
    kw["no_charge"] = r.choice(b.get("no_charge"), ("show", "hide"), "no_charge") or "show"
    kw["late_entries"] = r.choice(b.get("late_entries"), ("next-period", "error"), "late_entries") or "next-period"
    _taxes(r, m.get("taxes"), language, kw)
    kw["team"] = _team(r, m.get("team"))
    kw["activities"] = _activities(r, m.get("activities"), language)
    # line 0 marks settings that could not be parsed: checks then skip names they would define
    ref = SourceRef(src.path, 0, 0) if broken else src.ref(1, 1)
    return Settings(issuer=issuer, language=language, ref=ref, **kw)


LANGUAGES = ("en", "it")   # what plainbill writes invoices in: the texts of i18n.py and render/labels.py
YAML_BOOLEANS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false"})


def read_language(r: Reader, node, default: str) -> str:
    """`language`: one plainbill writes invoices in; anything else is `unknown-language`, never
    a silent fall-back to English (e.g. `language: no`, YAML 1.1's false and Norwegian)."""
    text = r.scalar(node, "language")
    if text is None:
        return default
    text = text.strip()
    if text in LANGUAGES:
        return text
    name = _language_name(text)
    known = " or ".join(f"`{c}`" for c in LANGUAGES)
    hint = f"plainbill writes invoices in {known}" + (
        f"; it has no {name} texts (number and date formats follow `locale`, which may be any)" if name else "")
    if text.lower() in YAML_BOOLEANS:
        truth = "true" if text.lower() in ("y", "yes", "on", "true") else "false"
        hint += f"; unquoted, `{text}` is also YAML 1.1's {truth} to other tools: quote it ('{text}')"
    r.fail("unknown-language", node, f"language `{short(text)}` is not one plainbill knows", hint)
    return default


def _language_name(code: str) -> str:
    """The English name of a language code Babel knows ('' when it does not)."""
    from babel import Locale, UnknownLocaleError
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name("en") or ""
    except (UnknownLocaleError, ValueError, TypeError):
        return ""


def read_locale(r: Reader, node, default: str) -> str:
    """`locale` as Babel names it (`it_IT`; `it-IT` is accepted and written `it_IT`); one
    Babel does not know is `unknown-locale` (build would otherwise fail on it)."""
    from babel import Locale, UnknownLocaleError
    from babel.localedata import locale_identifiers

    text = r.scalar(node, "locale")
    if text is None:
        return default
    text = text.strip()
    try:
        return str(Locale.parse(text.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        pass
    hint = suggest(text.replace("-", "_"), locale_identifiers())
    hint = hint if hint.startswith("did you mean") else "write a language and a country, e.g. it_IT, en_GB, de_CH"
    if text.lower() in YAML_BOOLEANS:
        hint += f"; unquoted, `{text}` is also a boolean to YAML 1.1 tools: quote it"
    r.fail("unknown-locale", node, f"locale `{short(text)}` is not a locale Babel knows", hint)
    return default


def read_url(r: Reader, node) -> str:
    """`repository_url`: an http(s) address, or nothing (it becomes links on every invoice:
    `javascript:` or `file:` there would run or open something on the reader's side)."""
    from urllib.parse import urlsplit

    text = (r.scalar(node, "repository_url") or "").strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc \
            or any(c.isspace() or ord(c) < 32 or c in '"<>\\' for c in text):
        r.fail("invalid-url", node, f"repository_url `{short(text)}` is not an http(s) address",
               "write the web address of the book's repository, e.g. https://github.com/acme/books/blob/main")
        return ""
    return text


def _simple(r: Reader, m: dict, kw: dict) -> None:
    if "currency" in m:
        kw["currency"] = r.text(m["currency"], "currency")
    if "locale" in m:
        kw["locale"] = read_locale(r, m["locale"], Settings.locale)
    if "repository_url" in m:
        kw["repository_url"] = read_url(r, m["repository_url"])
    if "currency" in kw and not _is_currency(kw["currency"]):
        r.fail("invalid-value", m["currency"], f"currency `{kw['currency']}` is not an ISO 4217 code",
               "write a three-letter code such as EUR, USD, CHF")
        kw["currency"] = "EUR"
    if "reference_date" in m:
        kw["reference_date"] = r.date(m["reference_date"], "reference_date")
    if "payment_terms_days" in m:
        days = r.integer(m["payment_terms_days"], "payment_terms_days")
        if days is not None:
            kw["payment_terms_days"] = days
    if "max_hours_per_day" in m:
        minutes = r.hours(m["max_hours_per_day"], "max_hours_per_day")
        if minutes == 0:
            r.fail("invalid-value", m["max_hours_per_day"], "max_hours_per_day is zero: every day would be too long",
                   "write the most hours one person plausibly works in a day, e.g. 14")
        elif minutes is not None:
            kw["max_day_minutes"] = minutes
    if "bank" in m:
        b = r.mapping(m["bank"], ("name", "iban", "bic"), "bank")
        kw["bank"] = Bank(**{k: r.text(b.get(k), k) for k in ("name", "iban", "bic")}, ref=r.ref(m["bank"]))


def _is_currency(code: str) -> bool:
    from .ledger import currencies
    return code in currencies()


def _calendar(r: Reader, node, kw: dict) -> None:
    c = r.mapping(node, ("country", "subdivision", "extra"), "calendar")
    if "country" in c:
        kw["country"] = r.text(c["country"], "country").upper()
    if "subdivision" in c:
        kw["subdivision"] = r.text(c["subdivision"], "subdivision")
    extra = []
    for item in r.sequence(c.get("extra"), "calendar.extra"):
        h = r.mapping(item, ("date", "name"), "holiday", ("date",))
        day = r.date(h.get("date"))
        if day:
            extra.append((day, r.text(h.get("name"), "name")))
    kw["extra_holidays"] = tuple(sorted(extra))


def _working_hours(r: Reader, node) -> WorkingHours:
    w = r.mapping(node, ("days", "start", "end"), "working_hours")
    days = []
    for d in r.sequence(w.get("days"), "working_hours.days"):
        name = r.choice(d, DAYS, "day")
        if name:
            days.append(DAYS.index(name))
    start = r.time(w.get("start"), "start")
    end = r.time(w.get("end"), "end")
    start = 9 * 60 if start is None else start
    end = 18 * 60 if end is None else end
    if end <= start and "end" in w:
        r.fail("end-before-start", w["end"], "working hours end before they start",
               "working hours are within one day, e.g. start: \"09:00\", end: \"18:00\"")
    return WorkingHours(days=tuple(sorted(set(days))) if "days" in w else WorkingHours.days,
                        start=start, end=end, ref=r.ref(node))


def _stamp_duty(r: Reader, node) -> StampDuty:
    s = r.mapping(node, ("amount", "threshold", "charge_client", "exchange_rates"), "stamp_duty")
    amount = r.amount(s.get("amount"), "amount")
    threshold = r.amount(s.get("threshold"), "threshold")
    charge = r.boolean(s.get("charge_client"), "charge_client")
    rates = []
    for currency, value in r.mapping(s.get("exchange_rates"), (), "stamp_duty.exchange_rates").items():
        rate = r.factor(value, f"exchange rate of {currency}")
        if rate is not None and rate <= 0:
            r.fail("invalid-value", value, f"the exchange rate of {currency} must be above 0",
                   f"euro per {currency}, e.g. {currency}: 0.92")
        elif rate is not None:
            rates.append((currency, rate))
    default = StampDuty()     # slots: the class attributes are descriptors, not the defaults
    return StampDuty(amount=default.amount if amount is None else amount,
                     threshold=default.threshold if threshold is None else threshold,
                     charge_client=True if charge is None else charge,
                     exchange_rates=tuple(sorted(rates)), ref=r.ref(node))


def _taxes(r: Reader, node, language: str, kw: dict) -> None:
    t = r.mapping(node, ("default", "codes"), "taxes")
    if "default" in t:
        kw["default_tax"] = r.text(t["default"], "taxes.default")
    codes = []
    for code, item in r.mapping(t.get("codes"), (), "taxes.codes").items():
        c = r.mapping(item, ("rate", "nature", "reverse_charge", "stamp_duty", "note"), f"tax code `{code}`",
                      ("rate",))
        rate = r.percent(c.get("rate"), "rate")
        tc = TaxCode(code=code, rate=Decimal(0) if rate is None else rate,
                     nature=r.text(c.get("nature"), "nature"),
                     note=r.labels(c.get("note"), "note", language),
                     reverse_charge=bool(r.boolean(c.get("reverse_charge"), "reverse_charge")),
                     stamp_duty=r.boolean(c.get("stamp_duty"), "stamp_duty"),
                     ref=r.ref(item))
        if tc.stamp_duty is not None and tc.stamp_duty != tc.stamp_duty_default:
            _stamp_override(r, c["stamp_duty"], tc)
        codes.append(tc)
    kw["taxes"] = tuple(codes)


def _stamp_override(r: Reader, node, tc: TaxCode) -> None:
    what = f"nature {tc.nature}" if tc.nature else "no nature"
    if tc.rate > 0:
        what = f"VAT at {(tc.rate * 100).normalize():f}%"
    law = "due" if tc.stamp_duty_default else "not due"
    r.warn("stamp-duty-override", node,
           f"tax code `{tc.code}` sets stamp_duty: {str(tc.stamp_duty).lower()}, but with {what} "
           f"the stamp duty is {law} by default",
           "remove `stamp_duty` to follow the law's default (docs/billing.md, Stamp duty), "
           "or keep it if your case is an exception")


def _team(r: Reader, node) -> tuple[Person, ...]:
    people = []
    key_node = _key_nodes(node)
    for slug, item in r.mapping(node, (), "team").items():
        if r.slug(key_node.get(slug, node), "person") is None:
            continue
        p = r.mapping(item, ("name", "role", "cost_rate", "default_rate"), f"person `{slug}`")
        people.extend(Person(slug=slug, name=r.text(p.get("name"), "name", slug),
                             role=r.text(p.get("role"), "role"),
                             cost_rate=(costs[-1].rate if costs else None),
                             default_rate=r.amount(p.get("default_rate"), "default_rate"),
                             ref=r.ref(key_node.get(slug, node)), cost_rates=costs)
                      for costs in [_cost_rates(r, p.get("cost_rate"), slug)])
    return tuple(people)


def _cost_rates(r: Reader, node, slug: str) -> tuple[CostRate, ...]:
    """`cost_rate: 48.00`, or effective-dated: `cost_rate: [{rate: 45.00}, {rate: 48.00, from: 2026-10-01}]`."""
    if node is None or r.is_null(node):
        return ()
    if not isinstance(node, SequenceNode):
        value = r.amount(node, "cost_rate")
        return (CostRate(value, None, r.ref(node)),) if value is not None else ()
    out: dict = {}
    for item in r.sequence(node, "cost_rate"):
        m = r.mapping(item, ("rate", "from"), "cost rate", ("rate",))
        value, start = r.amount(m.get("rate"), "rate"), r.date(m.get("from"), "from")
        if value is None:
            continue
        if start in out:
            when = f"from {start}" if start else "without `from`"
            r.fail("cost-rate-dates", item, f"person `{slug}` has two cost rates {when}",
                   "give each cost rate its own `from` date (the first may have none)")
            continue
        out[start] = CostRate(value, start, r.ref(item))
    return tuple(sorted(out.values(), key=lambda c: (c.valid_from is not None, c.valid_from)))


def _activities(r: Reader, node, language: str) -> tuple[Activity, ...]:
    out = []
    key_node = _key_nodes(node)
    for slug, item in r.mapping(node, (), "activities").items():
        if r.slug(key_node.get(slug, node), "activity") is None:
            continue
        a = r.mapping(item, ("names", "billable", "visit"), f"activity `{slug}`")
        billable = r.boolean(a.get("billable"), "billable")
        out.append(Activity(slug=slug, names=r.labels(a.get("names"), "names", language),
                            billable=True if billable is None else billable,
                            visit=bool(r.boolean(a.get("visit"), "visit")),
                            ref=r.ref(key_node.get(slug, node))))
    return tuple(out)


def _key_nodes(mapping_node) -> dict:
    """{key: its key node} of a mapping node (for refs pointing at the name), built once
    (looking each name up in the node's pairs made a team of n people cost n^2); the first
    of two equal keys wins, as in Reader.mapping."""
    if not isinstance(mapping_node, MappingNode):
        return {}
    return {k.value: k for k, _ in reversed(mapping_node.value) if isinstance(k, ScalarNode)}

"""clients/<slug>.yaml -> Client: legal data, tax treatment, projects, rates, rules, contracts."""
from __future__ import annotations

from yaml.nodes import ScalarNode

from ..diagnostics import Diagnostic, SourceRef, error
from ..model import Client, Documents, Party, Project, Withholding
from .contracts import read_contracts
from .rules import budget, read_rates, read_rules
from .settings import PARTY_KEYS, _is_currency, read_language, read_locale, read_party, read_social_security
from .source import SourceFile
from .yamlnodes import NULLS, SLUG_RE, Reader, compose

CLIENT_KEYS = PARTY_KEYS + ("language", "locale", "currency", "payment_terms", "billing_cycle", "tax",
                            "split_payment", "withholding", "projects", "rates", "rules", "contracts",
                            "documents", "social_security", "internal")


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
        documents=_documents(r, m.get("documents")),
        social_security=read_social_security(r, m["social_security"]) if "social_security" in m else None,
        internal=bool(r.boolean(m.get("internal"), "internal")),
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


DOCUMENT_CHOICES = {"appendix": ("full", "compact", "off"), "people": ("name", "role", "off"),
                    "no_charge": ("show", "hide"), "internal": ("hide", "show")}


def _documents(r: Reader, node) -> Documents:
    """documents: what the client's invoice shows beyond the law (see docs/rendering.md)."""
    if node is None or r.is_null(node) or (isinstance(node, ScalarNode) and not node.style
                                            and node.value in NULLS):   # the C composer marks plain as ""
        return Documents()
    d = r.mapping(node, tuple(DOCUMENT_CHOICES), "documents")
    kw = {}
    for key, options in DOCUMENT_CHOICES.items():
        value = r.choice(d.get(key), options, key) if key in d else None
        if value:
            kw[key] = value
    return Documents(**kw)


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
                           budget=budget(r, p.get("budget")), ref=r.ref(item)))
    return tuple(out)

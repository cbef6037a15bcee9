"""The `contracts:` list of a client file -> Contract records with their kind's terms.

Keys belong either to every contract (COMMON) or to one kind (KIND_KEYS); a key of
another kind is an `unknown-key` saying which kind it belongs to.
"""
from __future__ import annotations

from decimal import Decimal

from yaml.nodes import ScalarNode

from ..diagnostics import error
from ..model import (BlockTerms, Contract, DocumentRef, PublicReferences, ExpenseTerms, FixedTerms, Milestone, Purchase, QuantityChange,
                     RecurringItem, RecurringTerms, RetainerTerms)
from .rules import read_rates, read_rules
from .yamlnodes import Reader, suggest

KINDS = ("hourly", "block", "retainer", "fixed", "recurring", "expenses")
COMMON = ("id", "kind", "from", "to", "description", "activities", "projects", "tax", "rates", "rules",
          "references")
KIND_KEYS = {
    "hourly": (),
    "block": ("purchases", "factors", "overage", "low_balance"),
    "retainer": ("fee", "included", "extra_rate", "rollover"),
    "fixed": ("milestones",),
    "recurring": ("items", "proration"),
    "expenses": ("markup", "rebill"),
}


def read_contracts(r: Reader, node, language: str) -> tuple[Contract, ...]:
    out = []
    seen: dict[str, object] = {}
    for item in r.sequence(node, "contracts"):
        m = r.mapping(item, (), "contract")
        kind = r.choice(m.get("kind"), KINDS, "kind")
        if "kind" not in m:
            r.fail("missing-key", item, "contract has no `kind`", "add `kind:` one of " + ", ".join(KINDS))
        _check_keys(r, m, kind)
        cid = r.slug(m.get("id"), "contract id") or ""
        if "id" not in m:
            r.fail("missing-key", item, "contract has no `id`", "add `id:` e.g. support-2026")
        elif cid in seen:
            r.diags.append(_dup(r, m["id"], cid, seen[cid]))
        seen.setdefault(cid, r.ref(m["id"]) if "id" in m else None)
        start = r.date(m.get("from"), "from")
        if "from" not in m:
            r.fail("missing-key", item, f"contract `{cid}` has no `from` date", "add `from: YYYY-MM-DD`")
        end = r.date(m.get("to"), "to")
        if start and end and end < start:
            r.fail("end-before-start", m["to"], f"contract `{cid}` ends on {end}, before it starts on {start}",
                   "check `from` and `to`")
        if kind is None or start is None:
            continue
        out.append(Contract(
            id=cid, kind=kind, valid_from=start, valid_to=end,
            description=r.text(m.get("description"), "description"),
            activities=r.slugs(m.get("activities"), "activities"),
            projects=r.slugs(m.get("projects"), "projects"),
            tax=r.text(m.get("tax"), "tax"),
            rates=read_rates(r, m.get("rates"), "rates"),
            rules=read_rules(r, m.get("rules"), language),
            terms=TERMS[kind](r, m, item), references=read_references(r, m.get("references")),
            ref=r.ref(item)))
    return tuple(out)


REFERENCE_KEYS = ("cig", "cup", "order", "contract", "determina")
CODE_LENGTHS = {"cig": 10, "cup": 15}


def read_references(r: Reader, node) -> PublicReferences | None:
    """`references: {cig, cup, order, contract, determina}` of a contract (docs/einvoice.md); the
    documents are `{number, date}` or just a number. A CIG has 10 characters, a CUP 15."""
    if node is None:
        return None
    m = r.mapping(node, REFERENCE_KEYS, "references")
    codes = {}
    for key, length in CODE_LENGTHS.items():
        text = r.text(m.get(key), key).strip().upper()
        if text and not (len(text) == length and text.isascii() and text.isalnum()):
            r.fail("invalid-reference", m[key], f"{key.upper()} `{text[:40]}` is not {length} letters and digits",
                   f"copy the {key.upper()} from the public body's order: {length} characters, e.g. "
                   + ("B2A7C41F09" if key == "cig" else "J41B22000120004"))
            text = ""
        codes[key] = text
    docs = {key: _document(r, m[key], key) for key in ("order", "contract", "determina") if key in m}
    return PublicReferences(ref=r.ref(node), refs=tuple((k, r.ref(v)) for k, v in m.items()), **codes, **docs)


def _document(r: Reader, node, what: str) -> DocumentRef | None:
    if isinstance(node, ScalarNode):
        number = r.text(node, what).strip()
        day = None
    else:
        d = r.mapping(node, ("number", "date"), what, ("number",))
        number, day = r.text(d.get("number"), "number").strip(), r.date(d.get("date"), "date")
    if not number:
        return None
    if len(number) > 20 or not number.isascii():
        r.fail("invalid-reference", node, f"{what} number `{number[:40]}` is longer than 20 characters or not ASCII",
               "the e-invoice holds up to 20 plain characters (IdDocumento): shorten it, e.g. 412/2026")
        return None
    return DocumentRef(number, day, r.ref(node))


def _dup(r: Reader, node, cid, first):
    return error("duplicate-id", r.ref(node), f"contract id `{cid}` is used twice in this client",
                 "give every contract of a client its own id", related=(first,) if first else ())


def _check_keys(r: Reader, m: dict, kind: str | None) -> None:
    allowed = COMMON + (KIND_KEYS.get(kind, ()) if kind else sum(KIND_KEYS.values(), ()))
    for key in list(m):
        if key in allowed:
            continue
        owner = next((k for k, keys in KIND_KEYS.items() if key in keys), None)
        hint = f"`{key}` belongs to `{owner}` contracts" if owner else suggest(key, allowed)
        r.fail("unknown-key", r.key_of.get(id(m[key]), m[key]),
               f"unknown key `{key}` in {'a ' + kind if kind else 'this'} contract", hint)
        del m[key]


def _block(r: Reader, m: dict, node) -> BlockTerms:
    purchases = []
    for item in r.sequence(m.get("purchases"), "purchases"):
        p = r.mapping(item, ("date", "hours", "price", "expires"), "purchase", ("date", "hours", "price"))
        day, minutes, price = r.date(p.get("date")), r.hours(p.get("hours")), r.amount(p.get("price"), "price")
        expires = r.date(p.get("expires"), "expires")
        if day and expires and expires < day:
            r.fail("end-before-start", p["expires"], f"purchase expires on {expires}, before it is bought on {day}",
                   "check `date` and `expires`")
        if day and minutes is not None and price is not None:
            purchases.append(Purchase(date=day, minutes=minutes, price=price, expires=expires, ref=r.ref(item)))
    factors = tuple((k, f) for k, v in r.mapping(m.get("factors"), (), "factors").items()
                    if (f := r.factor(v, f"factor of `{k}`")) is not None)
    kw: dict = {}
    overage = m.get("overage")
    if overage is not None:
        if isinstance(overage, ScalarNode):
            if r.choice(overage, ("refuse",), "overage"):
                kw["overage"] = "refuse"
        else:
            o = r.mapping(overage, ("rate",), "overage", ("rate",))
            kw["overage_rate"] = r.amount(o.get("rate"), "overage rate")
    if "low_balance" in m:
        low = r.hours(m["low_balance"], "low_balance")
        if low is not None:
            kw["low_balance_minutes"] = low
    return BlockTerms(purchases=tuple(sorted(purchases, key=lambda p: p.date)), factors=factors, **kw)


def _retainer(r: Reader, m: dict, item) -> RetainerTerms:
    fee = r.amount(m.get("fee"), "fee")
    included = r.hours(m.get("included"), "included")
    for key in ("fee", "included"):
        if key not in m:
            r.fail("missing-key", item, f"retainer contract has no `{key}`",
                   "a retainer needs `fee` (per month) and `included` (hours per month)")
    kw: dict = {}
    node = m.get("rollover")
    if node is not None:
        if isinstance(node, ScalarNode):
            kw["rollover"] = r.choice(node, ("lapse", "roll"), "rollover") or "lapse"
        else:
            ro = r.mapping(node, ("mode", "cap"), "rollover")
            kw["rollover"] = r.choice(ro.get("mode"), ("lapse", "roll"), "mode") or "roll"
            kw["rollover_cap_minutes"] = r.hours(ro.get("cap"), "cap")
    return RetainerTerms(fee=Decimal(0) if fee is None else fee, included_minutes=included or 0,
                         extra_rate=r.amount(m.get("extra_rate"), "extra_rate"), **kw)


def _fixed(r: Reader, m: dict, node) -> FixedTerms:
    out = []
    for item in r.sequence(m.get("milestones"), "milestones"):
        ms = r.mapping(item, ("date", "amount", "description"), "milestone", ("date", "amount"))
        day, amount = r.date(ms.get("date")), r.amount(ms.get("amount"), "amount")
        if day and amount is not None:
            out.append(Milestone(date=day, amount=amount, description=r.text(ms.get("description"), "description"),
                                 ref=r.ref(item)))
    return FixedTerms(milestones=tuple(sorted(out, key=lambda x: x.date)))


def _recurring(r: Reader, m: dict, node) -> RecurringTerms:
    items = []
    for item in r.sequence(m.get("items"), "items"):
        it = r.mapping(item, ("description", "unit_price", "unit", "quantity"), "item", ("unit_price",))
        price = r.amount(it.get("unit_price"), "unit_price")
        changes = []
        for q in r.sequence(it.get("quantity"), "quantity"):
            qm = r.mapping(q, ("from", "qty"), "quantity change", ("from", "qty"))
            day, qty = r.date(qm.get("from"), "from"), r.factor(qm.get("qty"), "qty")
            if day and qty is not None:
                changes.append(QuantityChange(date=day, quantity=qty, ref=r.ref(q)))
        if price is not None:
            items.append(RecurringItem(description=r.text(it.get("description"), "description"), unit_price=price,
                                       unit=r.text(it.get("unit"), "unit", "pcs"),
                                       quantities=tuple(sorted(changes, key=lambda c: c.date)), ref=r.ref(item)))
    return RecurringTerms(items=tuple(items),
                          proration=r.choice(m.get("proration"), ("daily", "none"), "proration") or "daily")


def _expenses(r: Reader, m: dict, node) -> ExpenseTerms:
    kw = {}
    markup = r.percent(m.get("markup"), "markup")
    if markup is not None and markup < 0:
        r.fail("negative-markup", m["markup"], f"markup `{m['markup'].value}` is negative: expenses would be billed "
               "below their cost", "write 0% to re-bill at cost, or `rebill: false`; a discount is an adjustment")
    elif markup is not None:
        kw["markup"] = markup
    rebill = r.boolean(m.get("rebill"), "rebill")
    if rebill is not None:
        kw["rebill"] = rebill
    return ExpenseTerms(**kw)


TERMS = {"hourly": lambda r, m, node: None, "block": _block, "retainer": _retainer, "fixed": _fixed,
         "recurring": _recurring, "expenses": _expenses}

"""Checks over plainbill.yaml and the client files: names they use, ambiguous contracts."""
from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, SourceRef, error, warning
from ..load.yamlnodes import suggest
from ..model import Client, Contract, TaxCode
from .registry import Context, check


@check("names in the book files", ("unknown-activity", "error"), ("unknown-person", "error"),
       ("unknown-project", "error"), ("unknown-tax-code", "error"), ("unknown-role", "warning"))
def check_book_names(ctx: Context) -> Iterator[Diagnostic]:
    """Names used inside plainbill.yaml and the client files exist: `taxes.default`, a
    client's and a contract's `tax`; the `activity`, `person`, `project` and `role` of
    every rate; a contract's `activities` and `projects`, block `factors`, call-out and
    minimum `activities`. A role no one in the team has is a warning (the rate never applies)."""
    s = ctx.settings
    if ctx.settings_broken:
        return
    if s.default_tax and s.default_tax not in ctx.taxes:
        yield _unknown(ctx, "unknown-tax-code", s.ref, s.default_tax, ctx.taxes, "taxes.default")
    for client in ctx.book.clients:
        yield from _client_names(ctx, client)


def _client_names(ctx: Context, client: Client) -> Iterator[Diagnostic]:
    projects = {p.slug for p in client.projects}
    if client.tax and client.tax not in ctx.taxes:
        yield _unknown(ctx, "unknown-tax-code", client.ref, client.tax, ctx.taxes, "tax")
    rates = list(client.rates) + [r for p in client.projects for r in p.rates]
    for c in client.contracts:
        rates += c.rates
        if c.tax and c.tax not in ctx.taxes:
            yield _unknown(ctx, "unknown-tax-code", c.ref, c.tax, ctx.taxes, f"tax of contract `{c.id}`")
        used = list(c.activities) + [a for a, _ in getattr(c.terms, "factors", ())]
        for rules in (c.rules,):
            used += list(rules.callout.activities) if rules.callout else []
            used += list(rules.minimum.activities) if rules.minimum else []
        for a in used:
            if a not in ctx.activities:
                yield _unknown(ctx, "unknown-activity", c.ref, a, ctx.activities, f"contract `{c.id}`")
        for p in c.projects:
            if p not in projects:
                yield _unknown(ctx, "unknown-project", c.ref, p, projects, f"contract `{c.id}`")
    for rule, what in ((client.rules.callout, "callout"), (client.rules.minimum, "minimum")):
        for a in (rule.activities if rule else ()):
            if a not in ctx.activities:
                yield _unknown(ctx, "unknown-activity", rule.ref, a, ctx.activities, what)
    for r in rates:
        if r.activity and r.activity not in ctx.activities:
            yield _unknown(ctx, "unknown-activity", r.ref, r.activity, ctx.activities, "rate")
        if r.person and r.person not in ctx.people:
            yield _unknown(ctx, "unknown-person", r.ref, r.person, ctx.people, "rate")
        if r.project and r.project not in projects:
            yield _unknown(ctx, "unknown-project", r.ref, r.project, projects, "rate")
        if r.role and r.role not in ctx.roles:
            yield warning("unknown-role", r.ref, f"no one in the team has the role `{r.role}`: this rate never applies",
                          suggest(r.role, ctx.roles) or "set `role:` on people under `team:` in plainbill.yaml")


def _unknown(ctx, code: str, ref: SourceRef, name: str, known, where: str) -> Diagnostic:
    what = code.removeprefix("unknown-").replace("-", " ")
    return error(code, ref, f"unknown {what} `{name}` in {where}", suggest(name, known) or
                 f"define the {what} first (plainbill.yaml or the client file)")


@check("ambiguous contracts", ("ambiguous-contract", "error"))
def check_ambiguous_contracts(ctx: Context) -> Iterator[Diagnostic]:
    """Two contracts of one client whose periods overlap and that would take the same
    entries with the same specificity (docs/format.md "Contracts": naming the project beats
    naming the activity, which beats taking everything): an entry in the overlap could go
    to either. Reported at the later contract, pointing at the other. Give them disjoint
    periods, activities or projects, or make one more specific. Each contract is reported
    once, with the first earlier contract it clashes with."""
    for client in ctx.book.clients:
        earlier: dict[tuple, list[Contract]] = {}   # contracts so far, by a name they take
        for b in client.contracts:
            if b.kind == "recurring":
                continue
            keys = _names(b)
            clash = _first_clash(b, keys, earlier)
            for key in keys:
                earlier.setdefault(key, []).append(b)
            if clash:
                a, overlap = clash
                yield error("ambiguous-contract", b.ref,
                            f"contracts `{a.id}` and `{b.id}` of `{client.slug}` both take {overlap}",
                            "make their periods, activities or projects disjoint, or one more specific",
                            related=(a.ref,))


def _names(c: Contract) -> list[tuple]:
    """What two clashing contracts must share (an activity, else a project, else everything):
    only contracts with a name in common are compared, so a client with thousands of
    contracts on different activities is checked in linear time."""
    if c.kind == "expenses":
        return [("expenses",)]
    if c.activities:
        return [("activity", a) for a in dict.fromkeys(c.activities)]
    if c.projects:
        return [("project", p) for p in dict.fromkeys(c.projects)]
    return [("all",)]


def _first_clash(b: Contract, keys: list[tuple], earlier: dict) -> tuple[Contract, str] | None:
    seen: set[int] = set()
    for key in keys:
        for a in earlier.get(key, ()):
            if id(a) not in seen:
                seen.add(id(a))
                overlap = _overlap(a, b)
                if overlap:
                    return a, overlap
    return None


def _overlap(a: Contract, b: Contract) -> str:
    """What both contracts would take with equal specificity ('' when nothing)."""
    if (a.kind == "expenses") != (b.kind == "expenses"):
        return ""
    expenses = a.kind == "expenses"
    if (bool(a.projects), bool(a.activities) and not expenses) != \
            (bool(b.projects), bool(b.activities) and not expenses):
        return ""
    start = max(a.valid_from, b.valid_from)
    ends = [d for d in (a.valid_to, b.valid_to) if d is not None]
    end = min(ends) if ends else None
    if end is not None and end < start:
        return ""
    acts = _common(a.activities, b.activities) if not expenses else ("",)
    projects = _common(a.projects, b.projects)
    if not acts or not projects:
        return ""
    what = "expenses" if expenses else (f"activities {', '.join(acts)}" if acts[0] else "all activities")
    if projects[0]:
        what += f" of project {', '.join(projects)}"
    return f"{what} from {start}" + (f" to {end}" if end else " on")


def _common(x: tuple, y: tuple) -> tuple:
    """Shared names of two lists where empty means all: ('',) for 'all', () for none."""
    if not x and not y:
        return ("",)
    if not x or not y:
        return tuple(x or y)
    return tuple(sorted(set(x) & set(y)))


@check("stamp duty on foreign-currency invoices", ("stamp-duty-exchange-rate", "error"))
def check_stamp_duty_exchange_rates(ctx: Context) -> Iterator[Diagnostic]:
    """A client whose currency is not the euro and whose tax code (the client's, a contract's
    or `taxes.default`) bears the stamp duty needs a rate in `stamp_duty.exchange_rates`:
    the 77.47 EUR threshold is compared on the euro value (docs/billing.md, Stamp duty).
    A `tax=` on an entry is found when the invoice is computed (`build`, `check --full`)."""
    from ..billing.taxes import exchange_rate_error, exchange_rate_missing
    if ctx.settings_broken:
        return
    for client in ctx.book.clients:
        if exchange_rate_missing(ctx.settings, client):
            yield exchange_rate_error(client)


# nature prefix (reverse charge) -> the words its Italian note must hold (art. 21 c. 6 and 6-bis DPR 633/72)
_ANNOTATIONS = ((("N2.1", True), "inversione contabile"), (("N6", True), "inversione contabile"),
                (("N2.1", False), "non soggett"), (("N3", False), "non imponibil"), (("N4", False), "esent"),
                (("N1", False), "art. 15"))


@check("legal notes say what the law asks", ("legal-note-wording", "warning"))
def check_legal_notes(ctx: Context) -> Iterator[Diagnostic]:
    """A tax code that charges no VAT prints its `note` in Italian, and the Italian text holds
    the annotation the law asks for (art. 21 c. 6 and c. 6-bis DPR 633/72): "inversione contabile"
    on a reverse-charge code, "non soggetta" on `N2.1`, "non imponibile" on `N3.x`, "esente" on
    `N4`, "art. 15" on `N1`. A note without an Italian text is completed with the law's wording
    (docs/billing.md, Legal notes), so only an Italian text written without the annotation is warned."""
    for tc in ctx.settings.taxes:
        words = _annotation(tc)
        it = tc.note.get("it", "") if isinstance(tc.note, dict) else ""
        if words and it and words not in it.lower():
            yield warning("legal-note-wording", tc.ref,
                          f"the Italian note of tax code `{tc.code}` does not say \"{words}\", the annotation "
                          f"the law asks for on an invoice of nature {tc.nature or 'N?'}"
                          f"{' with reverse charge' if tc.reverse_charge else ''} (art. 21 c. 6/6-bis DPR 633/72)",
                          f"add \"{words}\" to the note's `it` text, or remove the `it` text to print the law's "
                          f"wording (docs/billing.md, Legal notes)")


def _annotation(tc: TaxCode) -> str:
    if tc.rate > 0 and not tc.reverse_charge:
        return ""
    nature = tc.nature.upper()
    for (prefix, rc), words in _ANNOTATIONS:
        if nature.startswith(prefix) and rc == tc.reverse_charge:
            return words
    return ""

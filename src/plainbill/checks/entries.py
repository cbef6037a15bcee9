"""Checks over the ledger entries: names, dates, clock ranges, duplicates, decimals, rates.

Checks run over every entry of big books, so the per-entry work is a few set
look-ups (or a pass of `map`/`filter` at C speed when nothing is wrong);
anything that depends on more than an entry's own fields (contract matching,
rates) is computed once per distinct key.
"""
from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Iterator

from ..diagnostics import Diagnostic, SourceRef, error, warning
from ..load.yamlnodes import suggest
from ..matching import match_contract, resolve_rate
from ..model import Client, Entry
from ..money import minor_digits, parse_decimal
from .registry import Context, Tally, check, token_ref

TIME_KINDS = frozenset({"hourly", "block", "retainer", "fixed"})


@check("references", ("unknown-client", "error"), ("unknown-project", "error"), ("unknown-activity", "error"),
       ("unknown-person", "error"), ("unknown-contract", "error"), ("unknown-tax-code", "error"))
def check_references(ctx: Context) -> Iterator[Diagnostic]:
    """Every entry names a client that has a file in `clients/`, a project of that client,
    an activity of `activities` and a person of `team` in plainbill.yaml; `contract=` names
    a contract of the client and `tax=` a tax code of `taxes.codes`. A name wrong on many
    lines is reported at its first line in each file, with the number of other lines."""
    entries = ctx.book.entries
    tally = Tally()
    clients, acts, people = ctx.clients, ctx.activities, ctx.people
    # files that could not be parsed (ref on line 0) define nothing we could check against
    projects = {slug: None if c.ref.line == 0 else {p.slug for p in c.projects} for slug, c in clients.items()}
    if ctx.settings_broken:
        acts, people = _Anything(), _Anything()
    contract_ids = {slug: {c.id for c in client.contracts} for slug, client in clients.items()}
    if _all_known(entries, clients, projects, acts, people):   # the usual case, at C speed
        entries = list(filter(_META, entries))
    for e in entries:
        client = e.client
        if client not in clients:
            tally.add("unknown-client", client, token_ref(e, client), f"unknown client `{client}`",
                      lambda client=client: _hint_client(ctx, client))
        elif e.project and projects[client] is not None and e.project not in projects[client]:
            tally.add("unknown-project", f"{client}/{e.project}", token_ref(e, f"{client}/{e.project}"),
                      f"client `{client}` has no project `{e.project}`",
                      lambda e=e: _did_you_mean(e.project, projects[e.client],
                                                f"add it under `projects:` in clients/{e.client}.yaml"))
        if e.activity and e.activity not in acts:
            tally.add("unknown-activity", e.activity, token_ref(e, e.activity), f"unknown activity `{e.activity}`",
                      lambda e=e: _did_you_mean(e.activity, acts, "add it under `activities:` in plainbill.yaml"))
        if e.person not in people:
            tally.add("unknown-person", e.person, token_ref(e, "@" + e.person), f"unknown person `@{e.person}`",
                      lambda e=e: _did_you_mean(e.person, people, "add them under `team:` in plainbill.yaml"))
        if e.meta:
            _check_meta(ctx, e, tally, contract_ids)
    yield from tally.diagnostics()


_META, _TEXT, _DATE, _START = attrgetter("meta"), attrgetter("text"), attrgetter("date"), attrgetter("start")


def _META_OR_AMOUNT(e: Entry) -> bool:
    return e.amount is not None or bool(e.meta)


def _all_known(entries, clients, projects, acts, people) -> bool:
    """Whether every name used by the entries is defined (sets built by map, no Python loop)."""
    if not set(map(attrgetter("client"), entries)) <= clients.keys():
        return False
    for client, project in set(map(attrgetter("client", "project"), entries)):
        if project and projects[client] is not None and project not in projects[client]:
            return False
    used_acts = set(map(attrgetter("activity"), entries)) - {""}
    return all(a in acts for a in used_acts) and all(p in people for p in set(map(attrgetter("person"), entries)))


class _Anything:
    """Stands for the names of an unreadable plainbill.yaml: contains everything."""

    def __contains__(self, item) -> bool:
        return True


def _check_meta(ctx: Context, e: Entry, tally: Tally, contract_ids: dict[str, set[str]]) -> None:
    contract, tax = e.get("contract"), e.get("tax")
    ids = contract_ids.get(e.client)
    if contract and ids is not None and contract not in ids:
        tally.add("unknown-contract", f"{e.client}:{contract}", token_ref(e, f"contract={contract}"),
                  f"client `{e.client}` has no contract `{contract}`",
                  lambda: _did_you_mean(contract, ids, "contracts are listed under `contracts:` in the client file"))
    if tax and tax not in ctx.taxes:
        tally.add("unknown-tax-code", tax, token_ref(e, f"tax={tax}"), f"unknown tax code `{tax}`",
                  lambda: _did_you_mean(tax, ctx.taxes, "tax codes are defined under `taxes.codes` in plainbill.yaml"))


def _hint_client(ctx: Context, slug: str) -> str:
    return _did_you_mean(slug, ctx.clients, f"create clients/{slug}.yaml")


def _did_you_mean(word: str, known, otherwise: str) -> str:
    hint = suggest(word, known) if known else ""
    return hint if hint.startswith("did you mean") else otherwise


@check("future entries", ("future-entry", "warning"))
def check_future(ctx: Context) -> Iterator[Diagnostic]:
    """An entry dated after `reference_date` of plainbill.yaml (the book's "today") is
    probably a typo in the year or the month. No check when `reference_date` is not set."""
    entries = ctx.book.entries
    today = ctx.settings.reference_date
    if today is None or not entries or max(map(_DATE, entries)) <= today:
        return
    for e in entries:
        if e.date > today:
            yield warning("future-entry", e.ref, f"entry dated {e.date}, after the reference date {today}",
                          "check the date; or move `reference_date` in plainbill.yaml forward")


@check("overlapping clock ranges", ("overlapping-time", "error"))
def check_overlaps(ctx: Context) -> Iterator[Diagnostic]:
    """One person cannot be in two places at once: two clock ranges of the same person that
    overlap (on any client) are an error at the later entry, pointing at the earlier one.
    Ranges that only touch (10:00-11:00 and 11:00-12:00) do not overlap. Entries with a
    duration only have no clock time and are never compared."""
    ranged = sorted(filter(_START, ctx.book.entries), key=_START)   # ledgers are nearly sorted: ~linear
    latest: dict[str, Entry] = {}    # per person, the range that ends last so far
    for e in ranged:
        last = latest.get(e.person)
        if last is None:
            latest[e.person] = e
            continue
        if e.start < last.end:
            yield _overlap(e, last)
        if e.end > last.end:
            latest[e.person] = e


def _overlap(e: Entry, last: Entry) -> Diagnostic:
    return error("overlapping-time", e.ref,
                 f"@{e.person} is booked {e.start:%H:%M}-{e.end:%H:%M} on {e.start:%Y-%m-%d}, "
                 f"overlapping {last.start:%H:%M}-{last.end:%H:%M} at {last.ref}",
                 "fix one of the two clock ranges", related=(last.ref,))


@check("duplicate entries", ("duplicate-entry", "warning"))
def check_duplicates(ctx: Context) -> Iterator[Diagnostic]:
    """Two entries with exactly the same text (whitespace aside), in one file or in two,
    are probably pasted twice. A warning at the second: if the work really happened twice,
    tell the two apart in the description or with a tag."""
    texts = list(map(_TEXT, ctx.book.entries))
    if len(set(texts)) == len(texts):   # the usual case: no duplicate at all
        return
    seen: dict[str, Entry] = {}
    setdefault = seen.setdefault
    for e in ctx.book.entries:
        first = setdefault(e.text, e)
        if first is not e:
            yield warning("duplicate-entry", e.ref, f"same entry as {first.ref}",
                   "remove one, or make them different (e.g. a ticket tag)", related=(first.ref,))


@check("decimals", ("too-many-decimals", "error"))
def check_decimals(ctx: Context) -> Iterator[Diagnostic]:
    """Amounts have no more decimals than their currency's minor unit (EUR 2, JPY 0):
    expense amounts and `price=` of ledger lines, and in the client files fees, purchase
    prices, milestones, call-out fees and caps (in the client's currency). Rates (`rate=`
    of a line too) and unit prices may have up to 4 decimals."""
    yield from _entry_decimals(ctx)
    yield from _book_decimals(ctx)


def _entry_decimals(ctx: Context) -> Iterator[Diagnostic]:
    """The entries' part of check_decimals (only entries with an amount or key=value count)."""
    for e in filter(_META_OR_AMOUNT, ctx.book.entries):
        if e.kind == "expense":
            client = ctx.clients.get(e.client)
            currency = e.currency or e.get("currency") or (client.currency if client else ctx.settings.currency)
            digits = minor_digits(currency)
            for label, token, value in (("amount", str(e.amount), e.amount),
                                        ("price=", "price=" + e.get("price"), _dec(e.get("price")))):
                if value is not None and -value.as_tuple().exponent > digits:
                    yield error("too-many-decimals", token_ref(e, token),
                                f"expense {label} {value} has more decimals than {currency} allows ({digits})",
                                f"round it to {digits} decimals")
        rate = _dec(e.get("rate")) if e.meta else None
        if rate is not None and -rate.as_tuple().exponent > RATE_LIMIT:
            yield error("too-many-decimals", token_ref(e, "rate=" + e.get("rate")),
                        f"rate {rate} has more than {RATE_LIMIT} decimals", f"round it to {RATE_LIMIT} decimals")


def _book_decimals(ctx: Context) -> Iterator[Diagnostic]:
    for ref, what, value, currency, limit in amounts_of_book(ctx):
        digits = RATE_LIMIT if limit == "rate" else minor_digits(currency)
        if -value.as_tuple().exponent > digits:
            yield error("too-many-decimals", ref, f"{what} {value} has more than {digits} decimals"
                        + ("" if limit == "rate" else f" ({currency})"), f"round it to {digits} decimals")


RATE_LIMIT = 4


def amounts_of_book(ctx: Context) -> Iterator[tuple[SourceRef, str, Decimal, str, str]]:
    """(ref, what, value, currency, 'amount' | 'rate') of every money value in the YAML files."""
    s = ctx.settings
    yield s.stamp_duty.ref, "stamp duty", s.stamp_duty.amount, s.currency, "amount"
    for p in s.team:
        for c in p.cost_rates:
            yield c.ref, "cost_rate", c.rate, s.currency, "rate"
        if p.default_rate is not None:
            yield p.ref, "default_rate", p.default_rate, s.currency, "rate"
    for client in ctx.book.clients:
        yield from _client_amounts(client)


def _client_amounts(client: Client):
    cur = client.currency
    rates = list(client.rates) + [r for p in client.projects for r in p.rates]
    rules = [client.rules]
    for c in client.contracts:
        rates += c.rates
        rules.append(c.rules)
        t = c.terms
        for p in getattr(t, "purchases", ()):
            yield p.ref, "purchase price", p.price, cur, "amount"
        for m in getattr(t, "milestones", ()):
            yield m.ref, "milestone amount", m.amount, cur, "amount"
        for it in getattr(t, "items", ()):
            yield it.ref, "unit price", it.unit_price, cur, "rate"
        if getattr(t, "fee", None) is not None:
            yield c.ref, "retainer fee", t.fee, cur, "amount"
        for label in ("extra_rate", "overage_rate"):
            if getattr(t, label, None) is not None:
                yield c.ref, label, getattr(t, label), cur, "rate"
    for r in rates:
        yield r.ref, "rate", r.rate, cur, "rate"
    for rule in rules:
        if rule.callout:
            yield rule.callout.ref, "call-out fee", rule.callout.amount, cur, "amount"
        if rule.cap and rule.cap.amount is not None:
            yield rule.cap.ref, "cap", rule.cap.amount, cur, "amount"
        if rule.budget and rule.budget.amount is not None:
            yield rule.budget.ref, "budget", rule.budget.amount, cur, "amount"


def _dec(text: str):
    return parse_decimal(text) if text else None


@check("contracts and rates", ("outside-contract", "error"), ("rate-missing", "error"))
def check_billing(ctx: Context) -> Iterator[Diagnostic]:
    """Every billable time entry can be billed. `outside-contract`: the client has contracts
    but none is in force on the entry's date, and the client has no fallback `rates`.
    `rate-missing`: the entry is billed by rates (no contract takes it, or an `hourly` one
    does) and no rate applies (docs/format.md "Rates"): not the entry's `rate=`, not the
    contract's, the client's, the project's, nor the person's `default_rate`. Non-billable
    entries (`#nobill`, `bill=no`, an activity with `billable: false`) need no rate.
    Reported once per client, activity and person in each file, with a count."""
    if ctx.settings_broken:
        return
    # the clients whose entries could lack a contract or a rate, with their epochs
    epochs = {slug: _epochs(c) for slug, c in ctx.clients.items() if slug not in ctx.stubs and _can_fail(ctx, c)}
    if not epochs:
        return
    tally = Tally()
    memo: dict[tuple, tuple | None] = {}
    unbillable = {a.slug for a in ctx.settings.activities if not a.billable}
    for e in ctx.book.entries:
        bounds = epochs.get(e.client)
        key = _billing_key(e, bounds, unbillable) if bounds is not None else None
        if key is None:
            continue
        problem = memo.get(key, memo)
        if problem is memo:
            problem = memo[key] = _billing_problem(ctx, ctx.clients[e.client], e)
        if problem is not None:
            tally.add(problem[0], problem[1], e.ref, problem[2], problem[3])
    yield from tally.diagnostics()


def _billing_key(e: Entry, bounds: list[date], unbillable: set[str]) -> tuple | None:
    """What decides whether a time entry of a client with epochs `bounds` can be billed (the
    same key, the same answer); None for an entry that needs no rate."""
    if e.kind != "time":
        return None
    if e.tags and ("nobill" in e.tags or (e.activity in unbillable and "billable" not in e.tags)):
        return None
    if e.activity in unbillable and not e.tags:
        return None
    if e.meta:
        if not e.billable:
            return None
        return (e.client, e.activity, e.project, e.person, e.get("contract"), e.get("rate"),
                bisect_right(bounds, e.date))
    return (e.client, e.activity, e.project, e.person, bisect_right(bounds, e.date))


def _can_fail(ctx: Context, client: Client) -> bool:
    """Whether some entry of the client could lack a rate or a contract. Not when a rate
    always applies: every person of the team has a `default_rate` (the last resort), or the
    client has a default rate naming nothing and valid forever; and then no entry is outside
    every contract either when the client has fallback `rates`. Most books skip the loop."""
    always = all(p.default_rate is not None for p in ctx.settings.team) or any(
        not (r.activity or r.person or r.role or r.project or r.valid_from or r.valid_to) for r in client.rates)
    outside_possible = not client.rates and any(c.kind in TIME_KINDS for c in client.contracts)
    return outside_possible or not always


def _epochs(client: Client) -> list[date]:
    """Dates where a contract or a rate of the client starts or stops applying: between two
    of them, matching and rates depend only on an entry's non-date fields."""
    days = set()
    rates = list(client.rates) + [r for p in client.projects for r in p.rates]
    for c in client.contracts:
        days.add(c.valid_from)
        if c.valid_to:
            days.add(c.valid_to + timedelta(days=1) if c.valid_to < date.max else c.valid_to)
        rates += c.rates
    for r in rates:
        if r.valid_from:
            days.add(r.valid_from)
        if r.valid_to and r.valid_to < date.max:
            days.add(r.valid_to + timedelta(days=1))
    return sorted(days)


def _billing_problem(ctx: Context, client: Client, e: Entry):
    """(code, value, message, hint) or None, for the entry's key."""
    if e.activity not in ctx.activities or e.person not in ctx.people:
        return None   # already an unknown-* error
    contract, _ = match_contract(client, e)
    if contract is None and e.get("contract"):
        return None   # unknown-contract
    time_contracts = [c for c in client.contracts if c.kind in TIME_KINDS]
    if contract is None and time_contracts and not client.rates \
            and not any(c.covers(e.date) for c in time_contracts):
        return ("outside-contract", client.slug,
                f"entry on {e.date} is outside every contract of `{client.slug}`, which has no fallback rates",
                "extend a contract's `from`/`to`, or add `rates:` to the client file")
    if contract is not None and contract.kind != "hourly":
        return None
    rate, _ = resolve_rate(ctx.settings, client, contract, e)
    if rate is not None:
        return None
    where = f"contract `{contract.id}`" if contract else f"client `{client.slug}`"
    return ("rate-missing", f"{client.slug}:{e.activity}:{e.person}",
            f"no rate for activity `{e.activity}` by @{e.person} of {where} on {e.date}",
            f"add a rate for `{e.activity}` to {'the contract' if contract else 'the client'}'s `rates`, "
            "a client default (`- {rate: ...}`), or the person's `default_rate`")

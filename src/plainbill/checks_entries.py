"""Checks over ledger entries (registered into plainbill.checks; see its docstring)."""
from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from operator import attrgetter
from typing import Iterator

from .checks import Context, Tally, check, token_ref
from .diagnostics import Diagnostic, error, warning
from .matching import match_contract, resolve_rate
from .model import Client, Entry
from .money import minor_digits, parse_decimal
from .load.yamlnodes import suggest

__all__: list[str] = []   # the checks register themselves; checks_files imports the *_of by name
TIME_KINDS = frozenset({"hourly", "block", "retainer", "fixed"})


@check("references", ("unknown-client", "error"), ("unknown-project", "error"), ("unknown-activity", "error"),
       ("unknown-person", "error"), ("unknown-contract", "error"), ("unknown-tax-code", "error"))
def check_references(ctx: Context) -> Iterator[Diagnostic]:
    """Every entry names a client that has a file in `clients/`, a project of that client,
    an activity of `activities` and a person of `team` in plainbill.yaml; `contract=` names
    a contract of the client and `tax=` a tax code of `taxes.codes`. A name wrong on many
    lines is reported at its first line in each file, with the number of other lines."""
    yield from references_of(ctx, ctx.book.entries)


def references_of(ctx: Context, entries) -> Iterator[Diagnostic]:
    """check_references over some entries: all those of the files they come from, or
    (when every name is known) those with a `contract=` or `tax=`."""
    tally = Tally()
    clients, acts, people = ctx.clients, ctx.activities, ctx.people
    # files that could not be parsed (ref on line 0) define nothing we could check against
    projects = {slug: None if c.ref.line == 0 else {p.slug for p in c.projects} for slug, c in clients.items()}
    if ctx.settings_broken:
        acts, people = _Anything(), _Anything()
    if _all_known(entries, clients, projects, acts, people):   # the usual case, at C speed
        entries = list(filter(_META, entries))
    for e in entries:
        client = e.client
        if client not in clients:
            tally.add("unknown-client", client, token_ref(e, client), f"unknown client `{client}`", _hint_client(ctx, client))
        elif e.project and projects[client] is not None and e.project not in projects[client]:
            tally.add("unknown-project", f"{client}/{e.project}", token_ref(e, f"{client}/{e.project}"),
                      f"client `{client}` has no project `{e.project}`",
                      _did_you_mean(e.project, projects[client], f"add it under `projects:` in clients/{client}.yaml"))
        if e.activity and e.activity not in acts:
            tally.add("unknown-activity", e.activity, token_ref(e, e.activity), f"unknown activity `{e.activity}`",
                      _did_you_mean(e.activity, acts, "add it under `activities:` in plainbill.yaml"))
        if e.person not in people:
            tally.add("unknown-person", e.person, token_ref(e, "@" + e.person), f"unknown person `@{e.person}`",
                      _did_you_mean(e.person, people, "add them under `team:` in plainbill.yaml"))
        if e.meta:
            _check_meta(ctx, e, tally)
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


def _check_meta(ctx: Context, e: Entry, tally: Tally) -> None:
    contract, tax = e.get("contract"), e.get("tax")
    client = ctx.clients.get(e.client)
    if contract and client is not None and all(c.id != contract for c in client.contracts):
        ids = [c.id for c in client.contracts]
        tally.add("unknown-contract", f"{e.client}:{contract}", token_ref(e, f"contract={contract}"),
                  f"client `{e.client}` has no contract `{contract}`",
                  _did_you_mean(contract, ids, "contracts are listed under `contracts:` in the client file"))
    if tax and tax not in ctx.taxes:
        tally.add("unknown-tax-code", tax, token_ref(e, f"tax={tax}"), f"unknown tax code `{tax}`",
                  _did_you_mean(tax, ctx.taxes, "tax codes are defined under `taxes.codes` in plainbill.yaml"))


def _hint_client(ctx: Context, slug: str) -> str:
    return _did_you_mean(slug, ctx.clients, f"create clients/{slug}.yaml")


def _did_you_mean(word: str, known, otherwise: str) -> str:
    hint = suggest(word, known) if known else ""
    return hint if hint.startswith("did you mean") else otherwise


@check("future entries", ("future-entry", "warning"))
def check_future(ctx: Context) -> Iterator[Diagnostic]:
    """An entry dated after `reference_date` of plainbill.yaml (the book's "today") is
    probably a typo in the year or the month. No check when `reference_date` is not set."""
    yield from future_of(ctx, ctx.book.entries)


def future_of(ctx: Context, entries) -> Iterator[Diagnostic]:
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
            yield overlap_diagnostic(e, last)
        if e.end > last.end:
            latest[e.person] = e


def overlap_diagnostic(e: Entry, last: Entry) -> Diagnostic:
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
            yield duplicate_diagnostic(e, first)


def duplicate_diagnostic(e: Entry, first: Entry) -> Diagnostic:
    return warning("duplicate-entry", e.ref, f"same entry as {first.ref}",
                   "remove one, or make them different (e.g. a ticket tag)", related=(first.ref,))


@check("decimals", ("too-many-decimals", "error"))
def check_decimals(ctx: Context) -> Iterator[Diagnostic]:
    """Amounts have no more decimals than their currency's minor unit (EUR 2, JPY 0):
    expense amounts and `price=` of ledger lines, and in the client files fees, purchase
    prices, milestones, call-out fees and caps (in the client's currency). Rates (`rate=`
    of a line too) and unit prices may have up to 4 decimals."""
    yield from decimals_of(ctx, ctx.book.entries)
    yield from decimals_of_book(ctx)


def decimals_of(ctx: Context, entries) -> Iterator[Diagnostic]:
    """The entries' part of check_decimals (only entries with an amount or key=value count)."""
    for e in filter(_META_OR_AMOUNT, entries):
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


def decimals_of_book(ctx: Context) -> Iterator[Diagnostic]:
    from .checks_book import amounts_of_book
    for ref, what, value, currency, limit in amounts_of_book(ctx):
        digits = RATE_LIMIT if limit == "rate" else minor_digits(currency)
        if -value.as_tuple().exponent > digits:
            yield error("too-many-decimals", ref, f"{what} {value} has more than {digits} decimals"
                        + ("" if limit == "rate" else f" ({currency})"), f"round it to {digits} decimals")


RATE_LIMIT = 4


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
    yield from billing_of(ctx, ctx.book.entries)


def billing_epochs(ctx: Context) -> dict[str, list[date]]:
    """{client: _epochs} of the clients whose entries could lack a contract or a rate."""
    if ctx.settings_broken:
        return {}
    return {slug: _epochs(c) for slug, c in ctx.clients.items() if slug not in ctx.stubs and _can_fail(ctx, c)}


def billing_of(ctx: Context, entries) -> Iterator[Diagnostic]:
    """check_billing over some entries: those of the clients of billing_epochs, in book order."""
    tally = Tally()
    memo: dict[tuple, tuple | None] = {}
    epochs = billing_epochs(ctx)
    if not epochs:
        return
    unbillable = unbillable_activities(ctx)
    for e in entries:
        bounds = epochs.get(e.client)
        key = billing_key(e, bounds, unbillable) if bounds is not None else None
        if key is None:
            continue
        problem = memo.get(key, memo)
        if problem is memo:
            problem = memo[key] = billing_problem(ctx, e)
        if problem is not None:
            tally.add(problem[0], problem[1], e.ref, problem[2], problem[3])
    yield from tally.diagnostics()


def unbillable_activities(ctx: Context) -> set[str]:
    return {a.slug for a in ctx.settings.activities if not a.billable}


def billing_key(e: Entry, bounds: list[date], unbillable: set[str]) -> tuple | None:
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


def billing_problem(ctx: Context, e: Entry) -> tuple | None:
    """(code, value, message, hint) of the entry's key, or None: see _billing_problem."""
    return _billing_problem(ctx, ctx.clients[e.client], e)


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

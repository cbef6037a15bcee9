"""Which contract takes an entry, and which rate bills it.

Both questions are asked once per entry (a million times on a big book), so
everything that does not depend on the entry's date is precomputed per client
and cached: the candidate contracts per (entry kind, activity, project), and
the candidate rates, already in precedence order, per (contract, activity,
project, person). The answer can only change on the dates where a candidate
starts or stops being valid, so each key also gets a table of those dates and
the answer between them: what is left per entry is one bisect.

Contract matching (docs/format.md "Contracts"): an explicit `contract=id` wins;
otherwise a contract matches when the entry's date is in its period, its
activity is in `activities` (or the list is empty) and its project in
`projects` (or the list is empty). Expense entries match only `expenses`
contracts; time entries every kind but `expenses` and `recurring`. Naming the
project is more specific than naming the activity, which is more specific than
taking everything; two equally specific matches are rivals (ambiguous).

Rate precedence (docs/billing.md "Rates"), highest first:

    entry      the entry's `rate=` override
    contract   the matching contract's `rates`
    activity+person, activity+role, activity, person-rate, role-rate, project
               the client's and the project's rates, by the fields they name
               (within a level a rate naming the project beats one that does not)
    client     the client's default rate (names nothing)
    person     the person's `default_rate`

Among equally specific rates, the latest `from` wins.
"""
from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta

from .model import Client, Contract, Entry, Rate, Settings
from .money import parse_decimal

_TIME_KINDS = frozenset({"hourly", "block", "retainer", "fixed"})
_EARLIEST = date.min

# level of a client/project rate by the fields it names (higher is more specific)
_LEVELS = {
    (True, True, False): (6, "activity+person"),
    (True, False, True): (5, "activity+role"),
    (True, False, False): (4, "activity"),
    (False, True, False): (3, "person-rate"),
    (False, False, True): (2, "role-rate"),
    (False, False, False): (0, "client"),
}


# ---------------------------------------------------------------- contracts


class _ClientIndex:
    """Per-client precomputation: contract candidates and rate candidates, cached by key."""

    __slots__ = ("client", "contracts_by_id", "_contract_cache", "_rate_cache", "_roles",
                 "contract_tables", "rate_tables")

    def __init__(self, client: Client):
        self.client = client
        self.contracts_by_id = {c.id: c for c in client.contracts}
        self._contract_cache: dict[tuple, tuple] = {}
        self._rate_cache: dict[tuple, tuple] = {}
        self._roles: dict[int, dict[str, str]] = {}
        self.contract_tables: dict[tuple, tuple] = {}
        self.rate_tables: dict[tuple, tuple] = {}

    def contract_of(self, entry: Entry) -> tuple[Contract | None, tuple[Contract, ...]]:
        """match_contract for this index's client."""
        if entry.meta:
            explicit = entry.get("contract")
            if explicit:
                return self.contracts_by_id.get(explicit), ()
        key = (entry.kind, entry.activity, entry.project)
        table = self.contract_tables.get(key) or self.contract_table(key)
        return table[1][bisect_right(table[0], entry.date)]

    def contract_table(self, key: tuple[str, str, str]) -> tuple[list[date], list]:
        """For (entry kind, activity, project): the dates where the match may change, and the
        match (contract, rivals) before the first and from each on (see `_table`)."""
        table = self.contract_tables.get(key)
        if table is None:
            cands = self.contract_candidates(*key)
            table = self.contract_tables[key] = _table(
                [(c.valid_from, c.valid_to) for _, c in cands], lambda day: _best(cands, day))
        return table

    def rate_of(self, settings: Settings, contract: Contract | None, entry: Entry) -> tuple[Rate | None, str]:
        """resolve_rate for this index's client."""
        if entry.meta:
            override = entry.get("rate")
            if override:
                value = parse_decimal(override)
                if value is not None:
                    return Rate(rate=value, ref=entry.ref), "entry"
        key = (contract.id if contract else None, entry.activity, entry.project, entry.person)
        table = self.rate_tables.get(key)
        if table is None:
            chain = _rate_candidates(settings, self.client, contract, entry)
            table = self.rate_tables[key] = _table([(r.valid_from, r.valid_to) for r, _ in chain],
                                                    lambda day: _first_valid(chain, day))
        return table[1][bisect_right(table[0], entry.date)]

    def contract_candidates(self, kind: str, activity: str, project: str) -> tuple:
        key = (kind, activity, project)
        found = self._contract_cache.get(key)
        if found is None:
            found = tuple(self._candidates(kind, activity, project))
            self._contract_cache[key] = found
        return found

    def _candidates(self, kind, activity, project):
        """(specificity, contract) for every contract whose non-date fields fit."""
        for c in self.client.contracts:
            if kind == "expense":
                if c.kind != "expenses":
                    continue
            elif c.kind not in _TIME_KINDS:
                continue
            if c.activities and kind != "expense" and activity not in c.activities:
                continue
            if c.projects and project not in c.projects:
                continue
            yield (2 * bool(c.projects) + bool(c.activities) * (kind != "expense"), c)


_INDEX: dict[int, _ClientIndex] = {}


def _index(client: Client) -> _ClientIndex:
    idx = _INDEX.get(id(client))
    if idx is None or idx.client is not client:
        if len(_INDEX) > 4096:   # many books in one process (tests): start afresh
            _INDEX.clear()
        idx = _INDEX[id(client)] = _ClientIndex(client)
    return idx


def index_of(client: Client) -> _ClientIndex:
    """The client's cached matching tables: `.contract_of(entry)` and `.rate_of(settings, contract, entry)`."""
    return _index(client)


def match_contract(client: Client, entry: Entry) -> tuple[Contract | None, tuple[Contract, ...]]:
    """The contract that takes `entry` (None: the client's fallback rates), and the rivals.

    Rivals are non-empty only when more than one contract matches with the same,
    highest specificity (an `ambiguous-contract` error); the first of them (in
    file order) is returned as the match so the engine can go on.
    """
    return _index(client).contract_of(entry)


def _best(candidates, day: date) -> tuple[Contract | None, tuple[Contract, ...]]:
    best: list[Contract] = []
    best_score = -1
    for score, c in candidates:
        if c.valid_from <= day and (c.valid_to is None or day <= c.valid_to):
            if score > best_score:
                best, best_score = [c], score
            elif score == best_score:
                best.append(c)
    if not best:
        return None, ()
    return best[0], (tuple(best) if len(best) > 1 else ())


def _table(spans, answer) -> tuple[list[date], list]:
    """(dates, answers): the answer for `day` is answers[bisect_right(dates, day)].

    `spans` are the (from, to) validity of the candidates (None: open); the answer
    can change only where one starts or the day after one ends.
    """
    days = set()
    for start, end in spans:
        if start is not None:
            days.add(start)
        if end is not None and end < date.max:
            days.add(end + timedelta(days=1))
    bounds = sorted(days)
    return bounds, [answer(day) for day in [date.min] + bounds]


# ---------------------------------------------------------------- rates


def _fits(r: Rate, activity: str, project: str) -> bool:
    """The rate may apply to this activity and project (the person is checked apart)."""
    return (not r.activity or r.activity == activity) and (not r.project or r.project == project)


def _rank(r: Rate, in_project: bool) -> tuple[int, str]:
    level, label = _LEVELS[(bool(r.activity), bool(r.person), bool(r.role) and not r.person)]
    if level == 0 and (r.project or in_project):
        return 1, "project"
    return level, label


def _ordered(groups, args) -> list[tuple[Rate, str]]:
    """Fitting rates of (rates, in_project) groups, most specific first, latest `from` first."""
    out = []
    for rates, in_project in groups:
        for r in rates:
            if _fits(r, *args):
                level, label = _rank(r, in_project)
                named = bool(r.project) or in_project
                out.append(((level, named, r.valid_from or _EARLIEST), r, label))
    out.sort(key=lambda t: t[0], reverse=True)
    return [(r, label) for _, r, label in out]


def _rate_candidates(settings: Settings, client: Client, contract: Contract | None,
                     entry: Entry) -> tuple:
    """The fitting rates for this entry's non-date fields, in precedence order (cached)."""
    idx = _index(client)
    key = (contract.id if contract else None, entry.activity, entry.project, entry.person)
    found = idx._rate_cache.get(key)
    if found is not None:
        return found
    # the order does not depend on the person: sort once per (contract, activity, project),
    # then keep the rates that fit the person (a filter keeps a stable sort's order)
    base = idx._rate_cache.get(key[:3])
    if base is None:
        base = idx._rate_cache[key[:3]] = _placed(client, contract, entry.activity, entry.project)
    person, role = entry.person, _role(idx, settings, entry.person)
    chain = [(r, label) for r, label in base
             if (not r.person or r.person == person) and (not r.role or r.role == role)]
    found_person = next((p for p in settings.team if p.slug == person), None)
    if found_person is not None and found_person.default_rate is not None:
        chain.append((Rate(rate=found_person.default_rate, person=found_person.slug, ref=found_person.ref),
                      "person"))
    found = idx._rate_cache[key] = tuple(chain)
    return found


def _placed(client: Client, contract: Contract | None, activity: str, project: str) -> tuple:
    """Rates fitting the activity and project (whoever the person), in precedence order."""
    args = (activity, project)
    chain: list[tuple[Rate, str]] = []
    if contract is not None and contract.rates:
        chain += [(r, "contract") for r, _ in _ordered([(contract.rates, False)], args)]
    found = client.project(project) if project else None
    groups = [(client.rates, False)] + ([(found.rates, True)] if found else [])
    chain += _ordered(groups, args)
    return tuple(chain)


def _role(idx: _ClientIndex, settings: Settings, person: str) -> str:
    roles = idx._roles.get(id(settings))
    if roles is None:
        roles = idx._roles[id(settings)] = {p.slug: p.role for p in settings.team}
    return roles.get(person, "")


def resolve_rate(settings: Settings, client: Client, contract: Contract | None,
                 entry: Entry) -> tuple[Rate | None, str]:
    """The hourly rate for `entry` and the precedence level that gave it (None, "" when none)."""
    return _index(client).rate_of(settings, contract, entry)


def _first_valid(chain, day: date) -> tuple[Rate | None, str]:
    for r, label in chain:
        if (r.valid_from is None or r.valid_from <= day) and (r.valid_to is None or day <= r.valid_to):
            return r, label
    return None, ""


"""Caps (not-to-exceed per billing period) and budget alerts (lifetime thresholds).

A cap applies to the lines it scopes: the client's cap to every line of the
invoice, a contract's own cap to that contract's lines. Money caps count every
positive line; hour caps count billed time that is charged (hourly, overage,
extra). `action: warn` adds a warning to the invoice; `action: cap` also adds
negative adjustment lines, one per tax code in proportion to the capped lines
(hour caps value the excess at the unit prices of the latest lines).

Budgets accumulate over the client's invoices in date order; a warning is added
to the invoice in which a threshold is crossed. A budget counts what was
invoiced: amounts are the lines' amounts (rounded, after caps), hours the billed
time of the lines (after rounding and minimums, covered time included). The
client's budget counts every line but the bollo; a contract's, the lines of the
contract; a project's, the time and expense lines of the project. A client cap's
adjustment is shared among contracts and projects in proportion to their
positive lines, rounded to the cent.
"""
from __future__ import annotations

from decimal import Decimal

from .. import i18n
from ..invoice import Line
from ..money import round_money

ZERO = Decimal(0)
CHARGED_TIME = ("time", "overage", "retainer-extra")
_SKIP = ("stamp-duty", "adjustment")


def apply_caps(run, lines: list[Line]) -> tuple[list[Line], list[str]]:
    scopes = []
    if run.client.rules.cap is not None:
        scopes.append(("client", run.client.rules.cap, lambda ln: True))
    for c in run.client.contracts:
        if c.rules.cap is not None:
            scopes.append((c.id, c.rules.cap, lambda ln, cid=c.id: ln.contract == cid))
    warnings, adjustments = [], []
    for name, cap, inside in scopes:
        scoped = [ln for ln in lines if ln.kind not in _SKIP and inside(ln)]
        w, adj = _cap_money(run, name, cap, scoped) if cap.amount is not None else ([], [])
        warnings += w
        adjustments += adj
        if cap.minutes is not None:
            w, adj = _cap_hours(run, name, cap, scoped)
            warnings += w
            adjustments += adj
    return lines + adjustments, warnings


def _cap_money(run, name, cap, scoped):
    lang = run.client.language
    positive = [ln for ln in scoped if ln.amount > 0]
    total = sum((ln.amount for ln in positive), ZERO)
    if total <= cap.amount:
        return [], []
    firm = run.ctx.settings.language     # a warning is the firm's: the book's language
    warn = i18n.t(firm, "warn_cap", cap=i18n.number(firm, cap.amount), total=i18n.number(firm, total))
    if cap.action != "cap":
        return [warn], []
    excess = total - cap.amount
    by_tax: dict[str, Decimal] = {}
    for ln in positive:
        by_tax[ln.tax_code] = by_tax.get(ln.tax_code, ZERO) + ln.amount
    expl = i18n.t(lang, "expl_cap", total=i18n.number(lang, total), cap=i18n.number(lang, cap.amount),
                  excess=i18n.number(lang, excess))
    desc = i18n.t(lang, "cap_line", cap=i18n.number(lang, cap.amount))
    return [warn], _spread(run, name, excess, by_tax, total, desc, expl, scoped)


def _cap_hours(run, name, cap, scoped):
    lang = run.client.language
    timed = [ln for ln in scoped if ln.kind in CHARGED_TIME]
    billed = sum(ln.minutes for ln in timed)
    if billed <= cap.minutes:
        return [], []
    firm = run.ctx.settings.language
    warn = i18n.t(firm, "warn_cap", cap=i18n.duration(firm, cap.minutes), total=i18n.duration(firm, billed))
    if cap.action != "cap":
        return [warn], []
    excess, by_tax = billed - cap.minutes, {}
    for ln in reversed(timed):
        take = min(excess, ln.minutes)
        by_tax[ln.tax_code] = by_tax.get(ln.tax_code, ZERO) + take * ln.unit_price / 60
        excess -= take
        if not excess:
            break
    money = {k: round_money(v, run.client.currency) for k, v in by_tax.items()}
    total = sum(money.values(), ZERO)
    expl = i18n.t(lang, "expl_cap_hours", billed=i18n.duration(lang, billed),
                  cap=i18n.duration(lang, cap.minutes), excess=i18n.duration(lang, billed - cap.minutes))
    desc = i18n.t(lang, "cap_hours_line", cap=i18n.duration(lang, cap.minutes))
    return [warn], _spread(run, name + "-hours", total, money, total, desc, expl, timed)


def _spread(run, name, excess, by_tax, total, desc, expl, scoped) -> list[Line]:
    """Negative adjustment lines per tax code, in proportion; the last takes the remainder."""
    out, left = [], excess
    codes = sorted(by_tax)
    for i, code in enumerate(codes):
        share = left if i == len(codes) - 1 else round_money(excess * by_tax[code] / total, run.client.currency)
        left -= share
        sources = tuple(dict.fromkeys(s for ln in scoped if ln.tax_code == code for s in ln.sources))
        out.append(Line(f"adjustment/cap/{name}/{code}", "adjustment", desc, Decimal(1), "pcs", -share, -share,
                        code, run.tax_rate(code), expl, sources, contract="" if name == "client" else name))
    return out


class Budgets:
    """Lifetime figures per budget, accumulated invoice after invoice."""

    def __init__(self, run):
        self.run = run
        self.used: dict[str, list] = {}     # budget key -> [minutes, amount]

    def any(self) -> bool:
        return next(self.budgets(), None) is not None

    def budgets(self):
        client = self.run.client
        for p in client.projects:
            if p.budget is not None:
                yield f"project:{p.slug}", p.name, p.budget, (lambda proj, c, slug=p.slug: proj == slug)
        for c in client.contracts:
            if c.rules.budget is not None:
                yield f"contract:{c.id}", c.description or c.id, c.rules.budget, (lambda proj, cid, i=c.id: cid == i)
        if client.rules.budget is not None:
            yield "client", client.party.name, client.rules.budget, (lambda proj, c: True)

    def update(self, usage: list[tuple], lines: list[Line]) -> list[str]:
        """Add one invoice's figures; warnings for crossed thresholds.

        `usage`: (project, contract, billed minutes, line key) per billed part; `lines`: the
        invoice's lines after caps, whose amounts are what the budgets count."""
        lang, warnings = self.run.ctx.settings.language, []     # warnings are the firm's
        project_of = {key: proj for proj, _, _, key in usage}
        client_adjust = sum((ln.amount for ln in lines if ln.kind == "adjustment" and not ln.contract), ZERO)
        positive = sum((ln.amount for ln in lines if ln.amount > 0 and ln.kind not in _SKIP), ZERO)
        for key, what, budget, inside in self.budgets():
            before = self.used.setdefault(key, [0, ZERO])
            minutes, amount = before[0], before[1]
            for proj, cid, m, _ in usage:
                if inside(proj, cid):
                    minutes += m
            amount += self._invoiced(key, inside, lines, project_of, client_adjust, positive)
            for limit, old, new, fmt in ((budget.minutes, before[0], minutes, "h"),
                                         (budget.amount, before[1], amount, "m")):
                if limit is None:
                    continue
                for t in budget.alerts:
                    if old < t * limit <= new:
                        show = (lambda v: i18n.duration(lang, int(v))) if fmt == "h" else \
                            (lambda v: i18n.number(lang, round_money(Decimal(v), self.run.client.currency)))
                        warnings.append(i18n.t(lang, "warn_budget", what=what, pct=i18n.factor(lang, t * 100),
                                               used=show(new), budget=show(limit)))
            self.used[key] = [minutes, amount]
        return warnings

    def _invoiced(self, key, inside, lines, project_of, client_adjust, positive) -> Decimal:
        """The amount of this invoice that counts against one budget."""
        if key == "client":
            return sum((ln.amount for ln in lines if ln.kind != "stamp-duty"), ZERO)
        if key.startswith("project:"):
            mine = [ln for ln in lines if ln.key in project_of and inside(project_of[ln.key], ln.contract)]
        else:
            mine = [ln for ln in lines if ln.kind != "stamp-duty" and ln.contract and inside("", ln.contract)]
        amount = sum((ln.amount for ln in mine), ZERO)
        if client_adjust and positive:
            share = sum((ln.amount for ln in mine if ln.amount > 0 and ln.kind not in _SKIP), ZERO)
            amount += round_money(client_adjust * share / positive, self.run.client.currency)
        return amount

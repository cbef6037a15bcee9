"""Lines with a set amount: retainer fees, recurring items, milestones, block purchases,
expenses and call-out fees.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .. import i18n
from ..diagnostics import error
from ..invoice import EntryDetail, Line
from ..model import Contract, Entry, ExpenseTerms, FixedTerms, RecurringItem, RecurringTerms
from ..money import parse_decimal, parse_percent, round_money
from .lines import ZERO, detail_amount
from .lines import price as price_of
from .periods import month_days, month_end

_Q4 = Decimal("0.0001")


def _qty(value: Decimal) -> Decimal:
    return value if value == value.quantize(_Q4) else value.quantize(_Q4, ROUND_HALF_UP)


def retainer_fee(run, c: Contract, year: int, month: int) -> Line:
    lang, terms = run.client.language, c.terms
    mname = i18n.month_name(lang, year, month)
    desc = i18n.t(lang, "retainer_fee", description=c.description or c.id, month=mname)
    expl = i18n.t(lang, "expl_retainer_fee", contract=c.id, included=i18n.duration(lang, terms.included_minutes))
    amount = round_money(terms.fee, run.client.currency)
    return Line(f"retainer-fee/{c.id}/{year}-{month:02d}", "retainer-fee", desc, Decimal(1), "month",
                terms.fee, amount, run.tax_of(c), run.tax_rate(run.tax_of(c)), expl, (c.ref,),
                contract=c.id)


def milestones(run, c: Contract, start: date, end: date) -> list[Line]:
    terms = c.terms if isinstance(c.terms, FixedTerms) else FixedTerms()
    lang, out = run.client.language, []
    for i, m in enumerate(terms.milestones):
        if start <= m.date <= end:
            expl = i18n.t(lang, "expl_milestone", contract=c.id, date=m.date.isoformat())
            out.append(Line(f"milestone/{c.id}/{i + 1}", "milestone", m.description or c.description or c.id,
                            Decimal(1), "pcs", m.amount, round_money(m.amount, run.client.currency),
                            run.tax_of(c), run.tax_rate(run.tax_of(c)), expl, (m.ref,), contract=c.id))
    return out


def block_purchases(run, c: Contract, purchases) -> list[Line]:
    lang, out = run.client.language, []
    for p in purchases:
        h = i18n.duration(lang, p.minutes)
        exp = i18n.t(lang, "expires", date=p.expires.isoformat()) if p.expires else ""
        expl = i18n.t(lang, "expl_block_purchase", contract=c.id, hours=h,
                      price=i18n.number(lang, p.price), expires=exp)
        out.append(Line(f"block-purchase/{c.id}/{p.date.isoformat()}/{p.ref.line}", "block-purchase",
                        i18n.t(lang, "block_purchase", hours=h, date=p.date.isoformat()),
                        Decimal(1), "pcs", p.price, round_money(p.price, run.client.currency),
                        run.tax_of(c), run.tax_rate(run.tax_of(c)), expl, (p.ref,), contract=c.id))
    return out


def recurring(run, c: Contract, year: int, month: int) -> list[Line]:
    terms = c.terms if isinstance(c.terms, RecurringTerms) else RecurringTerms()
    out = []
    for i, item in enumerate(terms.items):
        line = _recurring_item(run, c, item, i, year, month, terms.proration)
        if line is not None:
            out.append(line)
    return out


def _spans(c: Contract, item: RecurringItem, year: int, month: int) -> list[tuple[Decimal, int]]:
    """(quantity, days) pieces of the month when the item is in service."""
    first, last = date(year, month, 1), month_end(year, month)
    lo = max(first, c.valid_from)
    hi = min(last, c.valid_to) if c.valid_to else last
    changes = sorted(item.quantities, key=lambda q: q.date)
    out = []
    for i, q in enumerate(changes):
        nxt = changes[i + 1].date - timedelta(days=1) if i + 1 < len(changes) else hi
        a, b = max(lo, q.date), min(hi, nxt)
        if a <= b and q.quantity:
            out.append((q.quantity, (b - a).days + 1))
    return out


def _recurring_item(run, c, item, index, year, month, proration) -> Line | None:
    spans = _spans(c, item, year, month)
    if not spans:
        return None
    lang, days = run.client.language, month_days(year, month)
    if proration == "daily":
        qty = sum((q * d for q, d in spans), ZERO) / days
        full = len(spans) == 1 and spans[0][1] == days
        parts = " + ".join(f"{i18n.factor(lang, q)} x {d}/{days}" for q, d in spans)
        how = "" if full else i18n.t(lang, "expl_prorated", parts=parts, days=days)
    else:
        qty, how = spans[0][0], ""
    amount = round_money(item.unit_price * qty, run.client.currency)
    mname = i18n.month_name(lang, year, month)
    expl = i18n.t(lang, "expl_recurring", unit_price=i18n.number(lang, item.unit_price), unit=item.unit,
                  qty=i18n.factor(lang, _qty(qty)), how=how)
    return Line(f"recurring/{c.id}/{index + 1}/{year}-{month:02d}", "recurring",
                i18n.t(lang, "recurring", description=item.description, month=mname),
                _qty(qty), item.unit, item.unit_price, amount, run.tax_of(c), run.tax_rate(run.tax_of(c)),
                expl, (item.ref,), contract=c.id)


def expense(run, e: Entry, fp: str, contract: Contract | None, tax: str, late_note: str, n: int = 1) -> tuple[Line | None, EntryDetail | None]:
    """One expense entry as its own line (or a no-charge detail when not re-billed)."""
    lang, currency = run.client.language, run.client.currency
    if e.currency and e.currency != currency:
        run.ctx.diags.append(error(
            "expense-currency", e.ref, f"expense in {e.currency} for client {e.client}, who is billed in {currency}",
            f"record the expense converted to {currency} (its amount in {currency})"))
        return None, None
    terms = contract.terms if contract and isinstance(contract.terms, ExpenseTerms) else ExpenseTerms()
    cost = e.amount or ZERO
    qty = parse_decimal(e.get("qty")) if e.get("qty") else None
    if qty is None:     # qty=0 is a quantity (bills 0 x price), not a missing one
        qty = Decimal(1)
    key = f"expense/{fp}/{n}"
    if not e.billable or not terms.rebill:
        expl = i18n.t(lang, "expl_expense_nobill", cost=i18n.number(lang, cost))
        detail = EntryDetail(fp, e.ref, e.date, e.person, e.activity, e.description, 0, 0, ZERO, Decimal(1),
                             ZERO, key, "; ".join(filter(None, [i18n.t(lang, "no_charge"), late_note])), "expense")
        line = Line(key, "no-charge", e.description, qty, "pcs", ZERO, round_money(ZERO, currency), tax,
                    run.tax_rate(tax), expl, (e.ref,), (fp,), contract.id if contract else "")
        return line, detail
    price = parse_decimal(e.get("price")) if e.get("price") else None
    if price is not None:
        exact, unit = qty * price, price
        expl = i18n.t(lang, "expl_expense_price", qty=i18n.factor(lang, qty), price=i18n.number(lang, price))
    else:
        markup = parse_percent(e.get("markup")) if e.get("markup") else None
        markup = terms.markup if markup is None else markup
        exact = cost * (1 + markup)
        # at cost the quantity only describes the line; with qty=0 the unit shown is the whole amount
        unit = price_of(_qty(exact / qty if qty else exact))
        mk = i18n.t(lang, "markup", pct=i18n.factor(lang, markup * 100)) if markup else ""
        expl = i18n.t(lang, "expl_expense_markup", cost=i18n.number(lang, cost), markup=mk)
    amount = round_money(exact, currency)
    # the detail row as the JSON and appendix show amounts: 261.80, not 261.800 (the line's unit
    # price stays as issued invoices recorded it)
    detail = EntryDetail(fp, e.ref, e.date, e.person, e.activity, e.description, 0, 0, detail_amount(unit),
                         Decimal(1), detail_amount(exact), key, late_note, "expense")
    line = Line(key, "expense", e.description or i18n.t(lang, "expense", description=""), qty, "pcs", unit,
                amount, tax, run.tax_rate(tax), expl, (e.ref,), (fp,), contract.id if contract else "")
    return line, detail


def callouts(run, visits: list) -> list[Line]:
    """One call-out fee per visit (same person, client and day) whose rules charge one."""
    lang, groups = run.client.language, {}
    for v in visits:
        for parts in v.parts:
            rule = parts[0].rules.callout
            act = parts[0].entry.activity
            if rule is not None and (act in rule.activities or not rule.activities):
                key = (rule.amount, parts[0].tax, i18n.legal_note(rule.description, lang) if rule.description else "")
                g = groups.setdefault(key, [])
                g.append((v, [p.entry for ps in v.parts for p in ps], parts[0]))
                break
    out = []
    for (amount, tax, desc), visits_ in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), kv[0][1], kv[0][2])):
        n = len(visits_)
        dates = ", ".join(f"{v.day.isoformat()} @{v.person}" for v, _, _ in visits_)
        refs = tuple(dict.fromkeys(e.ref for _, es, _ in visits_ for e in es))
        fps = tuple(dict.fromkeys(e.fingerprint for _, es, _ in visits_ for e in es))
        expl = i18n.t(lang, "expl_callout", n=n, visits=i18n.t(lang, "visit" if n == 1 else "visits"),
                      amount=i18n.number(lang, amount), dates=dates)
        out.append(Line(f"callout/{amount}/{tax}", "callout", desc or i18n.t(lang, "callout"), Decimal(n),
                        "visit", amount, round_money(amount * n, run.client.currency), tax, run.tax_rate(tax),
                        expl, refs, fps, visits_[0][2].contract.id if visits_[0][2].contract else ""))
    return out

"""The plain-words explanation of each time line, built once the line is complete.

Each function takes the finished Group (its figures in `info`) and returns the
sentence printed under the line, in the client's language.
"""
from __future__ import annotations

from dataclasses import replace

from .. import i18n
from .clock import ONE
from .lines import Group, whole_minutes

# Pieces that many lines share, by what they depend on: (language, ...) -> words. Decimals by
# their text (1.5 and 1.500 are equal, but i18n.number writes them apart). Cleared when big
# (many books in one process: tests).
_WORDS: dict[tuple, str] = {}


def _memo(key: tuple, make) -> str:
    found = _WORDS.get(key)
    if found is None:
        if len(_WORDS) > 4096:
            _WORDS.clear()
        found = _WORDS[key] = make()
    return found


def _per_hour(lang: str, rate) -> str:
    return _memo(("per_hour", lang, str(rate)),
                 lambda: i18n.t(lang, "per_hour", rate=i18n.number(lang, rate)))


def _mult(lang: str, g: Group) -> str:
    m = g.info.get("mult", ONE)
    if m == ONE or not g.info.get("reason"):
        return ""
    reason = g.info["reason"]
    return _memo(("mult", lang, str(m), reason), lambda: i18n.t(lang, "expl_mult", mult=i18n.factor(lang, m),
                                                           reason=i18n.t(lang, reason)))


def _entries(lang: str, n: int) -> str:
    return i18n.t(lang, "entry" if n == 1 else "entries")


def _rounding(lang: str, g: Group) -> str:
    """"; tempo effettivo 40 m, fatturato 2 h (minimo 2 h per intervento su 1 registrazione)": the
    minimum is named when one raised the time, so the two figures are explained on the line."""
    if g.raw == whole_minutes(g.minutes):    # a fraction from a block split is no rounding
        return ""
    text = i18n.t(lang, "expl_rounding", raw=i18n.duration(lang, g.raw), billed=i18n.duration(lang, g.minutes))
    raised, m = g.info.get("raised"), g.info.get("minimum")
    if raised and m is not None:
        per = i18n.t(lang, "per_visit" if m.per == "visit" else "per_entry")
        text += i18n.t(lang, "expl_minimum", min=i18n.duration(lang, m.minutes), per=per, n=len(raised),
                       entries=_entries(lang, len(raised)))
    return text


def time_line(lang: str, g: Group) -> str:
    rate = _per_hour(lang, g.info["rate"])
    return i18n.t(lang, "expl_time", billed=i18n.duration(lang, g.minutes), n=g.count,
                  entries=_entries(lang, g.count), rate=rate, mult=_mult(lang, g), rounding=_rounding(lang, g))


def no_charge(lang: str, g: Group) -> str:
    return i18n.t(lang, "expl_no_charge", raw=i18n.duration(lang, g.raw), n=g.count,
                  entries=_entries(lang, g.count), why=g.info.get("why", ""))


def block_use(lang: str, g: Group) -> str:
    """Hours billed and block hours drawn; with a factor, each entry draws worked x factor rounded
    to the whole minute, so 6 h at 1,5 may draw 9 h 1 m: the words say so when it happens."""
    f = g.info.get("factor", ONE)
    exact = g.minutes * f
    rounded = f != ONE and g.info.get("used", 0) != exact
    factor = "" if f == ONE else i18n.t(lang, "factor_rounded" if rounded else "factor", factor=i18n.factor(lang, f))
    return i18n.t(lang, "expl_block_use", billed=i18n.duration(lang, g.minutes),
                  used=i18n.duration(lang, g.info.get("used", 0)), factor=factor,
                  left=i18n.duration(lang, g.info.get("left", 0))) + _rounding(lang, g)


def overage(lang: str, g: Group) -> str:
    """Where the rate came from is the firm's business (`explain` shows each entry's rate)."""
    return i18n.t(lang, "expl_overage", billed=i18n.duration(lang, g.minutes),
                  rate=_per_hour(lang, g.info["rate"]), mult=_mult(lang, g)) + _rounding(lang, g)


def retainer_use(lang: str, g: Group) -> str:
    """This line's share of the month's included hours, the other lines' share and what is
    left: the three add up to the hours included (lines are grouped by activity, so "used
    before this line" would depend on the order of entries of other lines, and would not add up)."""
    month = g.info["month"]
    included = month.allowance
    used_in_month = min(month.used, included)
    others = max(0, used_in_month - whole_minutes(g.minutes))
    other_words = i18n.t(lang, "expl_retainer_others", others=i18n.duration(lang, others)) if others else ""
    return i18n.t(lang, "expl_retainer_use", included=i18n.duration(lang, included),
                  month=i18n.month_name(lang, month.year, month.month), used=i18n.duration(lang, g.minutes),
                  others=other_words, left=i18n.duration(lang, included - used_in_month)) + _rounding(lang, g)


def retainer_extra(lang: str, g: Group) -> str:
    month = g.info["month"]
    rate = _per_hour(lang, g.info["rate"])
    text = i18n.t(lang, "expl_retainer_extra", included=i18n.duration(lang, month.allowance),
                  month=i18n.month_name(lang, month.year, month.month),
                  billed=i18n.duration(lang, g.minutes), rate=rate, mult=_mult(lang, g))
    for day, inc, extra in g.info.get("crossing", []):
        text += i18n.t(lang, "expl_crossing", date=day.isoformat(), inc=i18n.duration(lang, inc),
                       extra=i18n.duration(lang, extra))
    return text + _rounding(lang, g)


RATED_KINDS = ("time", "overage", "retainer-extra")


def rate_changes(lang: str, lines: list, details) -> list:
    """Lines alike but for their rate (the rate changed during the period, or per date) say which
    rate held when: "; tariffa 68,00/h fino al 14/10/2026" and "; tariffa 72,00/h dal 15/10/2026",
    from the dates of their own entries. Lines whose dates overlap are left as they are (the rate
    differs for another reason the description already gives)."""
    alike: dict[tuple, list] = {}
    for ln in lines:
        if ln.kind in RATED_KINDS:
            alike.setdefault((ln.kind, ln.description), []).append(ln)
    changed = {k: v for k, v in alike.items() if len({ln.unit_price for ln in v}) > 1}
    if not changed:
        return lines
    days: dict[str, list] = {}
    for d in details:
        days.setdefault(d.line_key, []).append(d.date)
    words = {}
    for group in changed.values():
        spans = sorted((min(days[ln.key]), max(days[ln.key]), ln) for ln in group if days.get(ln.key))
        if len(spans) != len(group) or any(a[1] >= b[0] for a, b in zip(spans, spans[1:])):
            continue
        for i, (first, last, ln) in enumerate(spans):
            rate = _per_hour(lang, ln.unit_price)
            key = "expl_rate_until" if i == 0 else "expl_rate_change"
            words[ln.key] = i18n.t(lang, key, rate=rate, date=(last if i == 0 else first).isoformat())
    return [replace(ln, explanation=ln.explanation + words[ln.key]) if ln.key in words else ln for ln in lines]

"""The plain-words explanation of each time line, built once the line is complete.

Each function takes the finished Group (its figures in `info`) and returns the
sentence printed under the line, in the client's language.
"""
from __future__ import annotations

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


def _level(lang: str, g: Group) -> str:
    level = g.info.get("level", "")
    return _memo(("level", lang, level, g.contract), lambda: _level_words(lang, level, g))


def _level_words(lang: str, level: str, g: Group) -> str:
    if level == "contract":
        return i18n.t(lang, "level_contract", contract=g.contract)
    if level in ("overage", "extra"):
        return i18n.t(lang, "overage_rate") if level == "overage" else i18n.t(lang, "beyond_retainer")
    return i18n.t(lang, f"level_{level}") if level else ""


def _rounding(lang: str, g: Group) -> str:
    if g.raw == whole_minutes(g.minutes):    # a fraction from a block split is no rounding
        return ""
    return i18n.t(lang, "expl_rounding", raw=i18n.duration(lang, g.raw), billed=i18n.duration(lang, g.minutes))


def time_line(lang: str, g: Group) -> str:
    rate = _per_hour(lang, g.info["rate"])
    return i18n.t(lang, "expl_time", billed=i18n.duration(lang, g.minutes), n=g.count,
                  entries=_entries(lang, g.count), rate=rate, mult=_mult(lang, g),
                  level=_level(lang, g), rounding=_rounding(lang, g))


def no_charge(lang: str, g: Group) -> str:
    return i18n.t(lang, "expl_no_charge", raw=i18n.duration(lang, g.raw), n=g.count,
                  entries=_entries(lang, g.count), why=g.info.get("why", ""))


def block_use(lang: str, g: Group) -> str:
    f = g.info.get("factor", ONE)
    factor = "" if f == ONE else i18n.t(lang, "factor", factor=i18n.factor(lang, f))
    return i18n.t(lang, "expl_block_use", billed=i18n.duration(lang, g.minutes),
                  used=i18n.duration(lang, g.info.get("used", 0)), contract=g.contract, factor=factor,
                  left=i18n.duration(lang, g.info.get("left", 0))) + _rounding(lang, g)


def overage(lang: str, g: Group) -> str:
    rate = _per_hour(lang, g.info["rate"])
    level = g.info.get("level")
    source = i18n.t(lang, "overage_rate") if level == "overage" else \
        i18n.t(lang, "client_rates", level=_level(lang, g))
    return i18n.t(lang, "expl_overage", contract=g.contract, billed=i18n.duration(lang, g.minutes),
                  rate=rate, mult=_mult(lang, g), source=source) + _rounding(lang, g)


def retainer_use(lang: str, g: Group) -> str:
    month, state = g.info["month"], g.info["state"]
    f = state.figures(month)
    left = max(0, month.allowance - month.used)
    included = month.allowance
    return i18n.t(lang, "expl_retainer_use", included=i18n.duration(lang, included),
                  month=i18n.month_name(lang, month.year, month.month),
                  before=i18n.duration(lang, g.info.get("before", 0)), used=i18n.duration(lang, g.minutes),
                  left=i18n.duration(lang, left)) + ("" if f else "") + _rounding(lang, g)


def retainer_extra(lang: str, g: Group) -> str:
    month = g.info["month"]
    rate = _per_hour(lang, g.info["rate"])
    text = i18n.t(lang, "expl_retainer_extra", included=i18n.duration(lang, month.allowance),
                  month=i18n.month_name(lang, month.year, month.month),
                  billed=i18n.duration(lang, g.minutes), rate=rate, mult=_mult(lang, g))
    for day, inc, extra in g.info.get("crossing", []):
        text += i18n.t(lang, "expl_crossing", date=day.isoformat(), inc=i18n.duration(lang, inc),
                       extra=i18n.duration(lang, extra))
    level = g.info.get("level")
    if level not in ("extra", None):
        text += f" ({i18n.t(lang, 'client_rates', level=_level(lang, g))})"
    return text + _rounding(lang, g)

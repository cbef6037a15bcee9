"""Words the engine prints on invoices, in Italian and English.

Labels and explanation templates are looked up by key and language (`it` or
`en`, English for anything else). Numbers in explanations use the client's
decimal separator; durations read "3 h 15 m". Templates format, they never
compute: every figure is passed in already computed.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

_TEXT = {
    "en": {
        "hours": "{h} h", "minutes": "{m} m", "hours_minutes": "{h} h {m} m",
        "per_hour": "{rate}/h",
        "after_hours": "after hours", "weekend": "weekend", "holiday": "holiday",
        "no_charge": "no charge", "included_fixed": "included in the fixed fee",
        "line_time": "{activity}", "line_project": "{activity} - {project}",
        "line_person": "{activity} ({person})",
        "line_mult": "{label} ({reason} x{mult})",
        "expl_time": "{billed} in {n} {entries} at {rate}{mult}{rounding}",
        "expl_mult": " x{mult} {reason}",
        "expl_rounding": "; raw time {raw}, billed {billed}",
        "expl_no_charge": "{raw} in {n} {entries}, not billed ({why})",
        "entry": "entry", "entries": "entries",
        "level_entry": "set on the entry", "level_contract": "contract {contract}",
        "level_activity+person": "activity and person", "level_activity+role": "activity and role",
        "level_activity": "activity", "level_person-rate": "person", "level_role-rate": "role",
        "level_project": "project", "level_client": "client default",
        "level_person": "default rate of the person",
        "why_nobill": "marked not billable", "why_activity": "activity not billable",
        "late": "late entry dated {date}",
        "block_purchase": "Prepaid hours: {hours} purchased on {date}",
        "expl_block_purchase": "{hours} for {price}{expires}",
        "expires": ", valid until {date}",
        "block_use": "{activity} - from prepaid hours",
        "expl_block_use": "{billed} billed, {used} drawn from the prepaid hours{factor}",
        "factor": " (factor {factor})",
        "overage": "{activity} - beyond prepaid hours",
        "expl_overage": "prepaid hours used up: {billed} at {rate}{mult}",
        "overage_rate": "overage rate", "client_rates": "rate: {level}",
        "retainer_fee": "{description} - {month}",
        "expl_retainer_fee": "monthly fee, {included} included",
        "retainer_use": "{activity} - included in the retainer",
        "expl_retainer_use": "{used} of the {included} included in the retainer in {month}{others}, {left} left",
        "expl_retainer_others": " ({others} on the other lines)",
        "retainer_extra": "{activity} - beyond the included hours",
        "expl_retainer_extra": "{included} included in the retainer in {month}, all used: {billed} extra at {rate}{mult}",
        "expl_crossing": "; the entry of {date} crossed the limit: {inc} included, {extra} extra",
        "milestone": "{description}", "expl_milestone": "milestone reached on {date}",
        "recurring": "{description} - {month}",
        "expl_recurring": "{unit_price} per {unit} per month x {qty}{how}",
        "expl_recurring_month": "{unit_price} per month x {qty}{how}",
        "expl_prorated": " ({parts}, of {days} days)",
        "expense": "{description}",
        "expl_expense_markup": "expense re-charged",
        "markup": " + {pct}% markup",
        "expl_expense_price": "{qty} x list price {price}",
        "expl_expense_nobill": "expense not re-charged",
        "callout": "Call-out fee",
        "expl_callout": "{n} {visits} at {amount}: {dates}",
        "visit": "visit", "visits": "visits",
        "stamp": "Stamp duty", "expl_stamp": "lines without VAT total {base}, over the {threshold} EUR threshold",
        "expl_stamp_fx": "; {amount} EUR in {currency} at {rate} EUR per {currency}",
        "stamp_excluded": "Stamp duty charged to the client: excluded from VAT, art. 15 DPR 633/72.",
        "stamp_note": "Imposta di bollo assolta sull'originale per importi superiori a 77,47 euro.",
        "surcharge_inps": "INPS social-security surcharge {pct}", "surcharge_fund": "{fund} social-security contribution {pct}",
        "expl_surcharge": "{pct} of fees of {base}",
        "cap_line": "Adjustment to the not-to-exceed amount of {cap}",
        "expl_cap": "lines total {total}, cap {cap}: {excess} not billed",
        "cap_hours_line": "Adjustment to the limit of {cap}",
        "expl_cap_hours": "{billed} billed, limit {cap}: {excess} not billed",
        "warn_cap": "Cap of {cap} exceeded: {total}",
        "warn_budget": "Budget {what}: {pct}% reached ({used} of {budget})",
        "warn_low": "Prepaid hours of {contract} nearly exhausted: {left} left",
        "warn_late": "Late entry dated {date} billed in this period ({ref})",
        "warn_fee_only": "Only a contract's fee, for a month before this client's first entry: `issue` "
                         "numbers it only when named; if it was billed elsewhere, set billing.start",
        "rc_note": "Reverse charge: VAT to be accounted for by the recipient, art. 196 Directive 2006/112/EC.",
        "split_note": "Scissione dei pagamenti art. 17-ter DPR 633/72",
        "credit_note_for": "Credit note for invoice no. {number} of {date}: {reason}",
        "credit_partial": "{amount} of the {total} invoiced on this line",
        "st_block": "Prepaid hours", "st_retainer": "Included hours - {month}",
        "opening": "Opening balance", "purchased": "Purchased", "used": "Used", "expired": "Expired",
        "closing": "Closing balance", "included": "Included", "carried": "Carried over",
        "extra": "Extra", "unused": "Unused", "rolled": "Carried to next month", "lapsed": "Lapsed",
        "minimum": "minimum {min} per {per}", "rounded": "rounded {mode} {inc}",
        "st_overage": "Billed beyond the block",
        "rounding_none": "no rounding: billed to the minute",
        "rounding_rule": "rounded {mode} {inc} {scope}",
        "scope_entry": "per entry", "scope_ticket-day": "per ticket and day", "scope_day": "per person and day",
        "rounded_pooled": "{rule}: {delta} on this entry",
        "expl_minimum": " (minimum of {min} per {per} on {n} {entries})",
        "expl_rate_change": "; rate {rate} from {date}",
        "expl_rate_until": "; rate {rate} until {date}",
        "factor_rounded": " (factor {factor}, to the minute on each entry)",
        "from_block": "from block purchased {date}", "in_retainer": "included in retainer",
        "beyond_retainer": "beyond the included hours", "beyond_block": "beyond prepaid hours",
        "per_entry": "entry", "per_visit": "visit",
        "months": ["January", "February", "March", "April", "May", "June", "July",
                   "August", "September", "October", "November", "December"],
    },
    "it": {
        "hours": "{h} h", "minutes": "{m} m", "hours_minutes": "{h} h {m} m",
        "per_hour": "{rate}/h",
        "after_hours": "fuori orario", "weekend": "fine settimana", "holiday": "festività",
        "no_charge": "non addebitato", "included_fixed": "incluso nel prezzo fisso",
        "line_time": "{activity}", "line_project": "{activity} - {project}",
        "line_person": "{activity} ({person})",
        "line_mult": "{label} ({reason} x{mult})",
        "expl_time": "{billed} in {n} {entries} a {rate}{mult}{rounding}",
        "expl_mult": " x{mult} {reason}",
        "expl_rounding": "; tempo effettivo {raw}, fatturato {billed}",
        "expl_no_charge": "{raw} in {n} {entries}, non addebitato ({why})",
        "entry": "registrazione", "entries": "registrazioni",
        "level_entry": "indicata nella registrazione", "level_contract": "contratto {contract}",
        "level_activity+person": "attività e persona", "level_activity+role": "attività e ruolo",
        "level_activity": "attività", "level_person-rate": "persona", "level_role-rate": "ruolo",
        "level_project": "progetto", "level_client": "tariffa base del cliente",
        "level_person": "tariffa base della persona",
        "why_nobill": "segnato come non addebitabile", "why_activity": "attività non addebitabile",
        "late": "registrazione tardiva del {date}",
        "block_purchase": "Pacchetto ore: {hours} acquistate il {date}",
        "expl_block_purchase": "{hours} per {price}{expires}",
        "expires": ", valide fino al {date}",
        "block_use": "{activity} - a scalare dal pacchetto ore",
        "expl_block_use": "{billed} fatturate, {used} scalate dal pacchetto ore{factor}",
        "factor": " (fattore {factor})",
        "overage": "{activity} - oltre il pacchetto ore",
        "expl_overage": "pacchetto ore esaurito: {billed} a {rate}{mult}",
        "overage_rate": "tariffa oltre pacchetto", "client_rates": "tariffa: {level}",
        "retainer_fee": "{description} - {month}",
        "expl_retainer_fee": "canone mensile, {included} incluse",
        "retainer_use": "{activity} - assistenza inclusa",
        "expl_retainer_use": "{used} delle {included} incluse nel canone di {month}{others}, {left} residue",
        "expl_retainer_others": " ({others} sulle altre righe)",
        "retainer_extra": "{activity} - assistenza extra",
        "expl_retainer_extra": "{included} incluse nel canone di {month}, tutte usate: {billed} extra a {rate}{mult}",
        "expl_crossing": "; la registrazione del {date} ha superato il limite: {inc} incluse, {extra} extra",
        "milestone": "{description}", "expl_milestone": "stato di avanzamento del {date}",
        "recurring": "{description} - {month}",
        "expl_recurring": "{unit_price} per {unit} al mese x {qty}{how}",
        "expl_recurring_month": "{unit_price} al mese x {qty}{how}",
        "expl_prorated": " ({parts}, su {days} giorni)",
        "expense": "{description}",
        "expl_expense_markup": "spesa riaddebitata",
        "markup": " + ricarico {pct}%",
        "expl_expense_price": "{qty} x prezzo di listino {price}",
        "expl_expense_nobill": "spesa non riaddebitata",
        "callout": "Diritto di chiamata",
        "expl_callout": "{n} {visits} a {amount}: {dates}",
        "visit": "intervento", "visits": "interventi",
        "stamp": "Imposta di bollo", "expl_stamp": "righe senza IVA per {base}, oltre la soglia di {threshold} euro",
        "expl_stamp_fx": "; {amount} EUR in {currency} al cambio di {rate} EUR per {currency}",
        "stamp_excluded": "Rimborso imposta di bollo: escluso da IVA, art. 15 DPR 633/72.",
        "stamp_note": "Imposta di bollo assolta sull'originale per importi superiori a 77,47 euro.",
        "surcharge_inps": "Rivalsa INPS {pct}", "surcharge_fund": "Contributo integrativo {fund} {pct}",
        "expl_surcharge": "{pct} di compensi per {base}",
        "cap_line": "Rettifica al tetto massimo di {cap}",
        "expl_cap": "righe per {total}, tetto {cap}: {excess} non addebitati",
        "cap_hours_line": "Rettifica al limite di {cap}",
        "expl_cap_hours": "{billed} fatturate, limite {cap}: {excess} non addebitate",
        "warn_cap": "Tetto di {cap} superato: {total}",
        "warn_budget": "Budget {what}: {pct}% raggiunto ({used} su {budget})",
        "warn_low": "Pacchetto ore {contract} quasi esaurito: residuo {left}",
        "warn_late": "Registrazione tardiva del {date} fatturata in questo periodo ({ref})",
        "warn_fee_only": "Solo il canone di un contratto, per un mese precedente la prima registrazione "
                         "del cliente: `issue` la numera solo se indicata per nome; se è stata fatturata "
                         "altrove, impostare billing.start",
        "rc_note": "Inversione contabile, art. 7-ter DPR 633/72.",
        "split_note": "Scissione dei pagamenti art. 17-ter DPR 633/72",
        "credit_note_for": "Nota di credito a storno della fattura n. {number} del {date}: {reason}",
        "credit_partial": "{amount} dei {total} fatturati su questa riga",
        "st_block": "Pacchetto ore", "st_retainer": "Ore incluse - {month}",
        "st_overage": "Fatturate oltre il pacchetto",
        "opening": "Saldo iniziale", "purchased": "Acquistate", "used": "Usate", "expired": "Scadute",
        "closing": "Saldo finale", "included": "Incluse", "carried": "Riportate",
        "extra": "Extra", "unused": "Non usate", "rolled": "Riportate al mese successivo",
        "lapsed": "Decadute",
        "minimum": "minimo {min} per {per}", "rounded": "arrotondato {mode} {inc}",
        "rounding_none": "nessun arrotondamento: al minuto",
        "rounding_rule": "arrotondato {mode} {inc} {scope}",
        "scope_entry": "per registrazione", "scope_ticket-day": "per ticket e giorno", "scope_day": "per persona e giorno",
        "rounded_pooled": "{rule}: {delta} su questa registrazione",
        "expl_minimum": " (minimo {min} per {per} su {n} {entries})",
        "expl_rate_change": "; tariffa {rate} dal {date}",
        "expl_rate_until": "; tariffa {rate} fino al {date}",
        "factor_rounded": " (fattore {factor}, al minuto su ogni registrazione)",
        "from_block": "dal pacchetto acquistato il {date}", "in_retainer": "incluso nel canone",
        "beyond_retainer": "oltre le ore incluse", "beyond_block": "oltre il pacchetto ore",
        "per_entry": "registrazione", "per_visit": "intervento",
        "months": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
                   "agosto", "settembre", "ottobre", "novembre", "dicembre"],
    },
}
_MODES = {"it": {"up": "per eccesso a multipli di", "down": "per difetto a multipli di",
                 "nearest": "al multiplo più vicino di"},
          "en": {"up": "up to a multiple of", "down": "down to a multiple of", "nearest": "to the nearest multiple of"}}
_MONTH_UNITS = frozenset({"month", "months", "mese", "mesi"})
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def lang(language: str) -> str:
    return "it" if language == "it" else "en"


def t(language: str, key: str, **values) -> str:
    """The text `key` in `language`, with `values` filled in.

    Dates given as ISO text under `date` or `dates` are printed the language's way
    ("13/11/2026", "13 November 2026"): prose never reads 2026-11-13. A monthly
    recurring item whose unit is the month says "per month" once.
    """
    code = "it" if language == "it" else "en"
    if key == "expl_recurring" and str(values.get("unit", "")).lower() in _MONTH_UNITS:
        key = "expl_recurring_month"
    text = _TEXT[code][key]
    if not values:
        return text
    for name in ("date", "dates"):
        if name in values and isinstance(values[name], str) and "-" in values[name]:
            values[name] = _ISO_DATE.sub(lambda m: _date_words(code, m), values[name])
    return text.format(**values)


def _date_words(code: str, m: re.Match) -> str:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not 1 <= mo <= 12:
        return m.group(0)
    if code == "it":
        return f"{d:02d}/{mo:02d}/{y}"
    return f"{d} {_TEXT['en']['months'][mo - 1]} {y}"


def mode_word(language: str, mode: str) -> str:
    return _MODES[lang(language)][mode]


def month_name(language: str, year: int, month: int) -> str:
    return f"{_TEXT[lang(language)]['months'][month - 1]} {year}"


@lru_cache(maxsize=4096)
def duration(language: str, minutes: int) -> str:
    """'3 h 15 m', '45 m', '2 h'; negative durations keep their sign.

    A Decimal (a block covering part of an entry bills fractional minutes) is shown to the
    nearest whole minute, half-even like the records (billing/lines.whole_minutes)."""
    if not isinstance(minutes, int):
        minutes = int(Decimal(minutes).to_integral_value(ROUND_HALF_EVEN))
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(minutes), 60)
    if h and m:
        return sign + t(language, "hours_minutes", h=h, m=m)
    if h:
        return sign + t(language, "hours", h=h)
    return sign + t(language, "minutes", m=m)


def number(language: str, value: Decimal, places: int = 2) -> str:
    """A decimal with at least `places` decimals (more only if it has them), the language's
    separators: 1.790,00 in Italian, 1,790.00 in English."""
    if value == value.to_integral_value() or -value.as_tuple().exponent <= places:
        text = f"{value:,.{places}f}"
    else:
        whole, _, frac = f"{value.normalize():f}".partition(".")
        text = f"{int(whole):,}.{frac}" if whole.lstrip("-").isdigit() and whole != "-0" else f"{whole}.{frac}"
    if lang(language) == "it":
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def factor(language: str, value: Decimal) -> str:
    """A multiplier or factor as typed: 1.5, 2."""
    text = f"{value.normalize():f}"
    return text.replace(".", ",") if lang(language) == "it" else text


def legal_note(note: dict | str, language: str) -> str:
    """A tax code's note in the client's language (else Italian, else English, else any)."""
    if isinstance(note, str):
        return note
    return note.get(language) or note.get("it") or note.get("en") or next(iter(note.values()), "")

"""JSON Schemas (draft-07) of the book's YAML files, for editors and CI.

Derived from docs/format.md: `plainbill.yaml`, `clients/<slug>.yaml` and
`ledger/**/*.yaml`. They describe the files as an editor's YAML 1.2 parser
sees them (`2026-11-03` and `09:00` are strings, `85.50` a number), so
amounts may be numbers or decimal strings. The loader stays the authority:
the schemas give completion and early red squiggles, `plainbill check` gives
the full diagnostics. `plainbill schema -o DIR` writes them; generated copies
live in src/plainbill/schemas/ (a test keeps them in sync).
"""
from __future__ import annotations

import json
from pathlib import Path

SCHEMA_DIR = Path(__file__).parent / "schemas"
FILES = {"plainbill": "plainbill.schema.json", "client": "client.schema.json", "ledger": "ledger.schema.json"}

SLUG = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}
TEXT = {"type": ["string", "number"]}
DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "ISO date, e.g. 2026-11-03"}
TIME = {"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$", "description": "24 h clock, e.g. 18:00"}
CLOCK = {"type": "string", "pattern": r"^(\d{4}-\d{2}-\d{2}[ T])?([01]?\d|2[0-3]):[0-5]\d$",
         "description": "18:00, or with its date: 2026-11-03 18:00"}
END = {"type": "string", "pattern": r"^((\d{4}-\d{2}-\d{2}[ T])?([01]?\d|2[0-3]):[0-5]\d|([01]?\d|2[0-3]):[0-5]\d\+1)$",
       "description": "18:00, 02:00+1 (the next day: past midnight), or with its date: 2026-11-04 02:00"}
LANGUAGE = {"type": "string", "enum": ["it", "en"], "description": "the language of the invoices' texts"}
LOCALE = {"type": "string", "pattern": r"^[a-zA-Z]{2,3}([_-][a-zA-Z0-9]+)*$",
          "description": "a Babel locale for number and date formats, e.g. it_IT, de_CH"}
URL = {"type": "string", "pattern": r"^https?://\S+$", "description": "an http(s) address"}
DURATION = {"type": "string", "pattern": r"^(\d+h(\d+m)?|\d+m|\d+\.\d+h|\d+:[0-5]\d)$",
            "description": "90m, 1h30m, 1.5h, 2h or 1:30"}
AMOUNT = {"type": ["number", "string"], "pattern": r"^-?\d+(\.\d+)?$", "description": "decimal, e.g. 85.50"}
PERCENT = {"type": ["number", "string"], "pattern": r"^\d+(\.\d+)?%$", "description": "e.g. 22%"}
FACTOR = {"type": ["number", "string"], "pattern": r"^\d+(\.\d+)?$"}
CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$"}
LABELS = {"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": {"type": "string"}}],
          "description": "text, or {language: text}"}


def obj(properties: dict, required: tuple[str, ...] = (), description: str = "") -> dict:
    out = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def enum(*values: str) -> dict:
    return {"type": "string", "enum": list(values)}


def seq(item: dict) -> dict:
    return {"type": "array", "items": item}


def slugmap(value: dict) -> dict:
    return {"type": "object", "propertyNames": SLUG, "additionalProperties": value}


ADDRESS = obj({k: TEXT for k in ("street", "city", "postal_code", "province")} | {"country": TEXT})
PARTY = {"name": TEXT, "vat_number": TEXT, "tax_code": TEXT, "address": ADDRESS, "email": TEXT, "pec": TEXT,
         "sdi_code": TEXT, "eaddress": TEXT, "phone": TEXT, "fiscal_regime": TEXT, "rea": TEXT,
         "public_administration": {"type": "boolean"}}
RATE = obj({"rate": AMOUNT, "activity": SLUG, "person": SLUG, "role": TEXT, "project": SLUG,
            "from": DATE, "to": DATE}, ("rate",))
RULES = obj({
    "rounding": obj({"increment": DURATION, "mode": enum("up", "nearest", "down"),
                     "scope": enum("entry", "ticket-day", "day")}),
    "minimum": obj({"time": DURATION, "per": enum("entry", "visit"), "activities": seq(SLUG)}, ("time",)),
    "callout": obj({"amount": AMOUNT, "activities": seq(SLUG), "description": LABELS}, ("amount",)),
    "multipliers": obj({k: FACTOR for k in ("after_hours", "weekend", "holiday")}),
    "cap": obj({"amount": AMOUNT, "hours": DURATION, "action": enum("warn", "cap")}),
    "budget": obj({"amount": AMOUNT, "hours": DURATION, "alerts": seq(PERCENT)}),
})

KIND_KEYS = {
    "hourly": {},
    "block": {"purchases": seq(obj({"date": DATE, "hours": DURATION, "price": AMOUNT, "expires": DATE},
                                   ("date", "hours", "price"))),
              "factors": slugmap(FACTOR),
              "overage": {"oneOf": [{"const": "refuse"}, obj({"rate": AMOUNT}, ("rate",))]},
              "low_balance": DURATION},
    "retainer": {"fee": AMOUNT, "included": DURATION, "extra_rate": AMOUNT,
                 "rollover": {"oneOf": [enum("lapse", "roll"),
                                        obj({"mode": enum("lapse", "roll"), "cap": DURATION})]}},
    "fixed": {"milestones": seq(obj({"date": DATE, "amount": AMOUNT, "description": TEXT}, ("date", "amount")))},
    "recurring": {"items": seq(obj({"description": TEXT, "unit_price": AMOUNT, "unit": TEXT,
                                    "quantity": seq(obj({"from": DATE, "qty": FACTOR}, ("from", "qty")))},
                                   ("unit_price",))),
                  "proration": enum("daily", "none")},
    "expenses": {"markup": PERCENT, "rebill": {"type": "boolean"}},
}
COMMON = {"id": SLUG, "kind": enum(*KIND_KEYS), "from": DATE, "to": DATE, "description": TEXT,
          "activities": seq(SLUG), "projects": seq(SLUG), "tax": TEXT, "rates": seq(RATE), "rules": RULES}


def contract_schema() -> dict:
    """All keys known, and per kind only the common keys plus that kind's own."""
    props = dict(COMMON)
    for keys in KIND_KEYS.values():
        props.update(keys)
    out = obj(props, ("id", "kind", "from"))
    out["allOf"] = [{"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                     "then": {"propertyNames": {"enum": [*COMMON, *keys]}}}
                    for kind, keys in KIND_KEYS.items()]
    return out


def _doc(name: str, title: str, body: dict) -> dict:
    return {"$schema": "http://json-schema.org/draft-07/schema#",
            "title": title, **body}


def settings_schema() -> dict:
    tax = obj({"rate": PERCENT, "nature": TEXT, "reverse_charge": {"type": "boolean"},
               "stamp_duty": {"type": "boolean"}, "note": LABELS}, ("rate",))
    return _doc("plainbill", "plainbill.yaml: the book's settings", obj({
        "issuer": obj(PARTY, ("name",)),
        "bank": obj({"name": TEXT, "iban": TEXT, "bic": TEXT}),
        "currency": CURRENCY, "locale": LOCALE, "language": LANGUAGE, "reference_date": DATE,
        "repository_url": URL, "payment_terms_days": {"type": "integer", "minimum": 0},
        "max_hours_per_day": {"oneOf": [{"type": "number", "exclusiveMinimum": 0}, DURATION],
                              "description": "a person's day above it is a warning (default 14)"},
        "calendar": obj({"country": TEXT, "subdivision": TEXT,
                         "extra": seq(obj({"date": DATE, "name": TEXT}, ("date",)))}),
        "working_hours": obj({"days": seq(enum("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
                              "start": TIME, "end": TIME}),
        "numbering": obj({"invoice": {"type": "string"}, "credit_note": {"type": "string"}}),
        "stamp_duty": obj({"amount": AMOUNT, "threshold": AMOUNT, "charge_client": {"type": "boolean"},
                           "exchange_rates": {"type": "object", "additionalProperties": FACTOR,
                                              "description": "euro per unit of a foreign currency, e.g. USD: 0.86"}}),
        "billing": obj({"no_charge": enum("show", "hide"), "late_entries": enum("next-period", "error")}),
        "taxes": obj({"default": TEXT, "codes": {"type": "object", "additionalProperties": tax}}),
        "team": slugmap(obj({"name": TEXT, "role": TEXT, "cost_rate": {"oneOf": [AMOUNT, seq(obj({"rate": AMOUNT, "from": DATE}, ("rate",)))]}, "default_rate": AMOUNT})),
        "activities": slugmap(obj({"names": LABELS, "billable": {"type": "boolean"},
                                   "visit": {"type": "boolean"}})),
    }, ("issuer",)))


def client_schema() -> dict:
    return _doc("client", "clients/<slug>.yaml: one client", obj({
        **PARTY,
        "language": LANGUAGE, "locale": LOCALE, "currency": CURRENCY,
        "payment_terms": obj({"days": {"type": "integer", "minimum": 0}, "end_of_month": {"type": "boolean"}}),
        "billing_cycle": enum("monthly", "quarterly"), "tax": TEXT,
        "split_payment": {"type": "boolean"},
        "withholding": obj({"rate": PERCENT, "base": PERCENT}),
        "projects": slugmap(obj({"name": TEXT, "rates": seq(RATE),
                                 "budget": RULES["properties"]["budget"]})),
        "rates": seq(RATE), "rules": RULES, "contracts": seq(contract_schema()),
        "documents": obj({"appendix": enum("full", "compact", "off"), "people": enum("name", "role", "off"),
                          "no_charge": enum("show", "hide"), "internal": enum("hide", "show")}),
    }, ("name",)))


def ledger_schema() -> dict:
    record = obj({"date": DATE, "start": CLOCK, "end": END, "duration": DURATION, "expense": AMOUNT,
                  "currency": CURRENCY, "client": SLUG, "project": SLUG, "activity": SLUG, "person": SLUG,
                  "description": {"type": ["string", "number"], "minLength": 1, "maxLength": 1000},
                  "tags": seq(TEXT),
                  "meta": {"type": "object", "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                           "additionalProperties": TEXT}},
                 ("date", "client", "person"))
    record["oneOf"] = [{"required": ["duration"]}, {"required": ["start", "end"]}, {"required": ["expense"]}]
    entries = seq(record)
    return _doc("ledger", "ledger/**/*.yaml: time entries and expenses",
                {"oneOf": [entries, obj({"entries": entries}, ("entries",))]})


def schemas() -> dict[str, dict]:
    """{file name: schema} of every schema plainbill ships."""
    return {FILES["plainbill"]: settings_schema(), FILES["client"]: client_schema(),
            FILES["ledger"]: ledger_schema()}


def dumps(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def run_schema(out: Path | None) -> int:
    """Write the schemas into `out` (only the ones whose bytes changed), or list them."""
    from .terminal import EXIT_OK, say, usage_error

    for name, schema in schemas().items():
        if out is None:
            say(f"{name}: {schema['title']}")
            continue
        try:
            out.mkdir(parents=True, exist_ok=True)
            target = out / name
            if not target.is_file() or target.read_text(encoding="utf-8") != dumps(schema):
                target.write_text(dumps(schema), encoding="utf-8")
        except OSError as exc:
            return usage_error(f"cannot write {out / name}: {exc}")
        say(f"wrote {target}")
    return EXIT_OK

"""JSON Schemas: in sync with the generator, accept the example book, reject broken files."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from plainbill.schema import SCHEMA_DIR, dumps, run_schema, schemas

ROOT = Path(__file__).resolve().parents[1]


class Yaml12Loader(yaml.SafeLoader):
    """What an editor's YAML 1.2 parser sees: dates, times and `no` stay strings."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                                               "tag:yaml.org,2002:null")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", __import__("re").compile(r"^(?:true|false)$"),
                                   list("tf"))
# YAML 1.2 ints have no sexagesimal form: 09:00 stays a string (checked before the int resolver)
for _first in "0123456789":
    Yaml12Loader.yaml_implicit_resolvers.setdefault(_first, []).insert(
        0, ("tag:yaml.org,2002:str", __import__("re").compile(r"^[0-9]+:[0-9]{2}$")))


def test_loader_is_yaml_1_2():
    assert load("a: 09:00\nb: 2026-11-03\nc: no\nd: 85.50\ne: true\n") == {
        "a": "09:00", "b": "2026-11-03", "c": "no", "d": 85.5, "e": True}


def load(text: str):
    return yaml.load(text, Loader=Yaml12Loader)


def validator(name: str):
    schema = schemas()[name]
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_generated_copies_are_in_sync():
    for name, schema in schemas().items():
        assert (SCHEMA_DIR / name).read_text(encoding="utf-8") == dumps(schema), f"run plainbill schema -o {SCHEMA_DIR}"


def test_schema_command_writes_files(tmp_path):
    assert run_schema(tmp_path / "s") == 0
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == sorted(schemas())
    assert json.loads((tmp_path / "s" / "client.schema.json").read_text())["$schema"].endswith("draft-07/schema#")


def example_files(pattern: str):
    files = sorted(ROOT.glob(pattern))
    assert files, f"no {pattern} in the example book"
    return files


def test_example_settings_valid():
    for f in example_files("plainbill.yaml"):
        errors = list(validator("plainbill.schema.json").iter_errors(load(f.read_text())))
        assert not errors, [e.message for e in errors]


def test_example_clients_valid():
    v = validator("client.schema.json")
    for f in example_files("clients/*.yaml"):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in v.iter_errors(load(f.read_text()))]
        assert not errors, (f.name, errors)


def test_example_yaml_ledgers_valid():
    v = validator("ledger.schema.json")
    for f in example_files("ledger/**/*.yaml"):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in v.iter_errors(load(f.read_text()))]
        assert not errors, (f.name, errors)


@pytest.mark.parametrize("schema,text", [
    ("plainbill.schema.json", "currency: EUR\n"),                                    # issuer missing
    ("plainbill.schema.json", "issuer: {name: X}\nbilling: {late_entries: fold}\n"),
    ("plainbill.schema.json", "issuer: {name: X}\ncurrncy: EUR\n"),                   # unknown key
    ("plainbill.schema.json", "issuer: {name: X}\nworking_hours: {start: '25:00'}\n"),
    ("client.schema.json", "name: A\nbilling_cycle: weekly\n"),
    ("client.schema.json", "name: A\nrates: [{activity: remote}]\n"),                 # rate missing
    ("client.schema.json", "name: A\ncontracts: [{id: x, kind: retainer, from: 2026-01-01, purchases: []}]\n"),
    ("client.schema.json", "name: A\ncontracts: [{id: x, kind: hourly}]\n"),         # from missing
    ("client.schema.json", "name: A\nsplit_payment: no\n"),                           # yes/no are not booleans
    ("ledger.schema.json", "- {date: 2026-11-03, client: acme, person: mario}\n"),   # no duration
    ("ledger.schema.json", "- {date: 03/11/2026, duration: 1h, client: acme, person: mario}\n"),
    ("ledger.schema.json", "- {date: 2026-11-03, duration: 1 hour, client: acme, person: mario}\n"),
    ("ledger.schema.json", "- {date: 2026-11-03, duration: 1h, client: ACME, person: mario}\n"),
])
def test_broken_files_rejected(schema, text):
    assert list(validator(schema).iter_errors(load(text)))


def test_good_snippets_accepted():
    ok = [("ledger.schema.json", "entries:\n- {date: 2026-11-03, start: '09:00', end: '10:30', client: acme,"
                                 " activity: remote, person: mario, tags: [T-1042]}\n"
                                 "- {date: 2026-11-06, expense: 95.00, client: gamma, person: mario,"
                                 " meta: {markup: 20%}}\n"),
          ("client.schema.json", "name: A\ncontracts:\n- {id: b, kind: block, from: 2026-01-01,"
                                 " purchases: [{date: 2026-01-01, hours: 10h, price: 500.00}], overage: refuse}\n")]
    for schema, text in ok:
        errors = [e.message for e in validator(schema).iter_errors(load(text))]
        assert not errors, errors


# catalogue cases whose YAML mistakes a schema can see (duplicate keys and
# cross-file problems it cannot: the YAML parser drops duplicates, and the
# schema sees one file at a time)
SCHEMA_CODES = {"unknown-key", "missing-key", "wrong-type", "invalid-value", "invalid-date", "invalid-time",
                "invalid-duration", "invalid-slug", "invalid-amount", "unknown-language", "invalid-url",
                "description-too-long"}
ERRORS = ROOT / "tests" / "errors"


def schema_for(rel: str) -> str | None:
    if rel == "plainbill.yaml":
        return "plainbill.schema.json"
    if rel.startswith("clients/"):
        return "client.schema.json"
    if rel.startswith("ledger/"):
        return "ledger.schema.json"
    return None


def catalogue_cases():
    return sorted(p.name for p in ERRORS.iterdir() if p.name in SCHEMA_CODES
                  and any(schema_for(f.relative_to(p).as_posix()) for f in p.rglob("*.y*ml")))


@pytest.mark.parametrize("case", catalogue_cases())
def test_catalogue_schema_errors_rejected(case):
    rejected = []
    for f in sorted((ERRORS / case).rglob("*.y*ml")):
        rel = f.relative_to(ERRORS / case).as_posix()
        if schema_for(rel) and list(validator(schema_for(rel)).iter_errors(load(f.read_text(encoding="utf-8")))):
            rejected.append(rel)
    assert rejected, f"the schemas accept the {case} case"


def test_catalogue_base_book_accepted():
    base = ERRORS / "_base"
    assert base.is_dir()
    for f in sorted(base.rglob("*.y*ml")):
        rel = f.relative_to(base).as_posix()
        if schema_for(rel):
            errors = [e.message for e in validator(schema_for(rel)).iter_errors(load(f.read_text()))]
            assert not errors, (rel, errors)

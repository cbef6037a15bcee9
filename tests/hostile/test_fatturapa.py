"""Hostile e-invoice inputs, one damage each in a copy of examples/freelance: contract
references, issuer company fields, exchange rates, recipient codes and texts the schema
cannot hold. Each case: the right exit code, a located message with its code, no
traceback, no source file changed (hostile_kit.hostile); what builds still validates.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from hostile_kit import copy_book, hostile
from plainbill.einvoice.validate import load_schema, problems, schema_folder

ROOT = Path(__file__).resolve().parents[2]


def append(root, path: str, text: str) -> None:
    target = root / path
    target.write_text(target.read_text(encoding="utf-8") + text, encoding="utf-8")


def replace(root, path: str, old: str, new: str) -> None:
    target = root / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new), encoding="utf-8")


CONTRACT = "clients/meccanica-dora.yaml"


@pytest.mark.parametrize("value,code", [
    ("{cig: B2A7C41F0}", "invalid-reference"),                       # 9 characters
    ("{cig: B2A7C41F09X}", "invalid-reference"),                     # 11
    ("{cup: J41B2200012000}", "invalid-reference"),                  # 14
    ("{cig: \"B2A7C41F0È\"}", "invalid-reference"),                   # not ASCII
    ("{order: {number: " + "9" * 21 + "}}", "invalid-reference"),    # IdDocumento holds 20
    ("{order: {date: 2026-10-01}}", "missing-key"),                  # a document without its number
    ("{order: {number: 12, date: 2026-13-01}}", "invalid-date"),
    ("{gara: B2A7C41F09}", "unknown-key"),
    ("[B2A7C41F09]", "wrong-type"),
])
def test_broken_contract_references_are_located(tmp_path, value, code):
    root = copy_book(tmp_path)
    replace(root, CONTRACT, "    description: Lettera d'incarico del 15/09/2026\n",
            f"    description: Lettera d'incarico del 15/09/2026\n    references: {value}\n")
    r = hostile(root, "check", root, code=1, located=CONTRACT)
    assert f"[{code}]" in r.output, r.output


@pytest.mark.parametrize("field,code", [
    ("  share_capital: lots\n", "invalid-amount"),
    ("  sole_shareholder: maybe\n", "invalid-value"),
    ("  liquidation: [yes]\n", "wrong-type"),
    ("  fiscal_regime: RF99\n", "einvoice-issuer"),
    ("  rea: 2098765\n", "einvoice-issuer"),
    ("  share_capital: 10000.00\n", "einvoice-issuer"),               # capital without a REA entry
])
def test_broken_issuer_company_fields_are_located(tmp_path, field, code):
    root = copy_book(tmp_path)
    text = (root / "plainbill.yaml").read_text(encoding="utf-8")
    if "fiscal_regime" in field:
        text = text.replace("  fiscal_regime: RF01\n", "")
    (root / "plainbill.yaml").write_text(text.replace("  name: Laura Marchetti\n", "  name: Laura Marchetti\n" + field),
                                         encoding="utf-8")
    r = hostile(root, "check", root, code=1, located="plainbill.yaml")
    assert f"[{code}]" in r.output, r.output


@pytest.mark.parametrize("value,code", [
    ("{rates: {CHF: -1}}", "invalid-value"),
    ("{rates: {CHF: zero}}", "invalid-value"),
    ("{rates: {EUR: 1}}", "invalid-value"),
    ("{rates: {XYZ: 1.2}}", "invalid-value"),
    ("{rates: {CHF: {2026-02-30: 1.07}}}", "invalid-date"),
    ("{source: BCE}", "missing-key"),
    ("[1.07]", "wrong-type"),
])
def test_broken_exchange_rates_are_located(tmp_path, value, code):
    root = copy_book(tmp_path)
    append(root, "plainbill.yaml", f"exchange_rates: {value}\n")
    r = hostile(root, "check", root, code=1, located="plainbill.yaml")
    assert f"[{code}]" in r.output, r.output


@pytest.mark.parametrize("value", ["ABC", "T9K4ZHO8", "t9k-zho"])
def test_a_malformed_recipient_code_is_an_error_at_its_line(tmp_path, value):
    root = copy_book(tmp_path)
    replace(root, CONTRACT, "sdi_code: T9K4ZHO", f"sdi_code: \"{value}\"")
    r = hostile(root, "check", root, code=1, located=CONTRACT)
    assert "[einvoice-recipient]" in r.output


def test_texts_the_schema_cannot_hold_are_normalised_and_still_validate(tmp_path):
    """Emoji, bidi marks, control-free but odd spaces and a 300-character name: the build
    warns where it cut, writes XML that validates, and exits 0."""
    root = copy_book(tmp_path)
    name = "Meccanica Dora S.r.l. – “Reparto” 🚀 \u202eSicurezza " + "Ω" * 300
    replace(root, CONTRACT, "name: Meccanica Dora S.r.l.", f'name: "{name}"')
    replace(root, CONTRACT, "address: {street: Corso Vercelli 211", "address: {street: \"Corso Vercelli 211 " + "x" * 80 + "\"")
    r = hostile(root, "build", root, "--no-pdf", "-j", "1", code=0)
    assert "[einvoice-text-cut]" in r.output
    folder = schema_folder(ROOT)
    assert folder is not None, "the FatturaPA schema must be beside the repository (docs/einvoice.md)"
    schema = load_schema(folder)
    files = sorted((root / "build" / "invoices").glob("meccanica-dora-*.xml"))
    assert files
    for path in files:
        assert problems(schema, path.read_bytes()) == [], path

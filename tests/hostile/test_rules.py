"""Hostile billing rules: stamp duty settings, exchange rates and minimum filters damaged
one way each in a copy of examples/freelance (issue 15). Each case: the right exit code, a
located message with its code, no traceback, no source file changed (hostile_kit.hostile).
"""
from __future__ import annotations

import pytest

from hostile_kit import copy_book, hostile

ESENTE = "      nature: N4\n"


def edit(root, path: str, old: str, new: str) -> None:
    text = (root / path).read_text(encoding="utf-8")
    assert old in text, old
    (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")


def reports(result, code: str, severity: str = "error") -> None:
    assert f": {severity}: " in result.output and f"[{code}]" in result.output, result.output


STAMP = "stamp_duty: {amount: 2.00, threshold: 77.47, charge_client: true}"


@pytest.mark.parametrize("value,code", [
    ("maybe", "invalid-value"),          # not a boolean
    ("[true]", "wrong-type"),            # a list
    ("{on: true}", "wrong-type"),        # a mapping
])
def test_stamp_duty_flag_that_is_not_a_boolean(tmp_path, value, code):
    root = copy_book(tmp_path)
    edit(root, "plainbill.yaml", ESENTE, ESENTE + f"      stamp_duty: {value}\n")
    r = hostile(root, "check", root, code=1, located="plainbill.yaml")
    assert f"[{code}]" in r.output or "error" in r.output


def test_override_against_the_law_is_a_warning_and_strict_refuses_it(tmp_path):
    root = copy_book(tmp_path)
    edit(root, "plainbill.yaml", ESENTE, ESENTE + "      stamp_duty: false\n")
    reports(hostile(root, "check", root, code=0, located="plainbill.yaml"), "stamp-duty-override", "warning")
    reports(hostile(root, "check", root, "--strict", code=1, located="plainbill.yaml"), "stamp-duty-override",
            "warning")


def test_override_that_agrees_with_the_law_is_silent(tmp_path):
    root = copy_book(tmp_path)
    edit(root, "plainbill.yaml", ESENTE, ESENTE + "      stamp_duty: true\n")
    r = hostile(root, "check", root, "--strict", code=0)
    assert "stamp-duty-override" not in r.output


def test_stamp_duty_true_on_a_vat_code_warns(tmp_path):
    root = copy_book(tmp_path)
    edit(root, "plainbill.yaml", "    vat22: {rate: 22%}", "    vat22: {rate: 22%, stamp_duty: true}")
    r = hostile(root, "check", root, code=0, located="plainbill.yaml")
    reports(r, "stamp-duty-override", "warning")
    assert "VAT at 22%" in r.output


@pytest.mark.parametrize("rate", ["0", "-1.07", "abc", "1.0.7", "9" * 40])
def test_bad_exchange_rate(tmp_path, rate):
    root = copy_book(tmp_path)
    edit(root, "plainbill.yaml", STAMP, STAMP[:-1] + f", exchange_rates: {{CHF: \"{rate}\"}}}}")
    r = hostile(root, "check", root, code=1, located="plainbill.yaml")
    assert "error" in r.output


def test_exchange_rates_not_a_mapping(tmp_path):
    root = copy_book(tmp_path)
    edit(root, "plainbill.yaml", STAMP, STAMP[:-1] + ", exchange_rates: [1.07]}")
    hostile(root, "check", root, code=1, located="plainbill.yaml")


def test_foreign_client_without_a_rate_is_found_by_check_and_not_built(tmp_path):
    root = copy_book(tmp_path)
    edit(root, "clients/its-piemonte.yaml", "language: it\n", "language: it\ncurrency: CHF\n")
    reports(hostile(root, "check", root, code=1, located="clients/its-piemonte.yaml"), "stamp-duty-exchange-rate")
    reports(hostile(root, "build", root, "--no-render", code=1, located="clients/its-piemonte.yaml"),
            "stamp-duty-exchange-rate")


def test_foreign_client_with_a_rate_builds(tmp_path):
    root = copy_book(tmp_path)
    edit(root, "clients/its-piemonte.yaml", "language: it\n", "language: it\ncurrency: CHF\n")
    edit(root, "plainbill.yaml", STAMP, STAMP[:-1] + ", exchange_rates: {CHF: 1.07}}")
    hostile(root, "check", root, "--full", code=0)


@pytest.mark.parametrize("activities,code", [
    ("[ghost]", "unknown-activity"),
    ("[onsite, ghost]", "unknown-activity"),
    ("{onsite: true}", "wrong-type"),
])
def test_minimum_activities_that_do_not_exist(tmp_path, activities, code):
    root = copy_book(tmp_path)
    edit(root, "clients/meccanica-dora.yaml", "minimum: {time: 2h, per: visit}",
         f"minimum: {{time: 2h, per: visit, activities: {activities}}}")
    reports(hostile(root, "check", root, code=1, located="clients/meccanica-dora.yaml"), code)

"""Hostile social-security settings and export periods, one damage each in a copy of
examples/freelance. Each case: the right exit code, a located message with its code, no
traceback, no source file changed (hostile_kit.hostile).
"""
from __future__ import annotations

import pytest

from hostile_kit import copy_book, hostile


def append(root, path: str, text: str) -> None:
    target = root / path
    target.write_text(target.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize("value,code", [
    ("[{kind: TC99, rate: 4%}]", "invalid-value"),                    # no such TipoCassa
    ("[{kind: TC22, rate: four}]", "invalid-value"),                  # not a percentage
    ("[{kind: TC22, rate: 140%}]", "invalid-value"),                  # not a rate
    ("[{kind: TC22, rate: 4%}, {kind: TC22, rate: 2%}]", "invalid-value"),   # twice
    ("[{kind: TC22}]", "missing-key"),                                # no rate
    ("[{kind: TC22, rate: 4%, withholding: maybe}]", "invalid-value"),
    ("[{kind: TC22, rate: 4%, fund: x}]", "unknown-key"),
    ("{kind: TC22, rate: 4%}", "wrong-type"),                         # a mapping, not a list
])
@pytest.mark.parametrize("path", ["plainbill.yaml", "clients/meccanica-dora.yaml"])
def test_a_broken_surcharge_is_located(tmp_path, value, code, path):
    root = copy_book(tmp_path)
    append(root, path, f"social_security: {value}\n")
    r = hostile(root, "check", root, code=1, located=path)
    assert f"[{code}]" in r.output, r.output


@pytest.mark.parametrize("period", ["2026-13", "2026-Q0", "26-11", "november", "2026-11-01", ""])
def test_a_period_export_cannot_read_is_a_usage_error(tmp_path, period):
    root = copy_book(tmp_path)
    r = hostile(root, "export", period, "--book", root, "--no-pdf", "-j", "1", code=2)
    assert "YYYY-MM" in r.output
    assert not (root / "build").exists()


@pytest.mark.parametrize("target", ["plainbill.yaml", "ledger/2026/11.txt", "ledger/export.zip",
                                    "clients/meccanica-dora.yaml", "issued/x.zip", "clients"])
def test_export_never_writes_among_the_sources(tmp_path, target):
    root = copy_book(tmp_path)
    r = hostile(root, "export", "2026-11", "--book", root, "--no-pdf", "-j", "1", "-o", root / target, code=2)
    assert "source" in r.output or "is a directory" in r.output, r.output
    assert not (root / "build").exists()


def test_a_book_with_errors_exports_nothing(tmp_path):
    root = copy_book(tmp_path)
    append(root, "ledger/2026/11.txt", "2026-11-31 1h meccanica-dora consulting @laura No such day\n")
    hostile(root, "export", "2026-11", "--book", root, "--no-pdf", "-j", "1", code=1, located="ledger/2026/11.txt")
    assert not list(root.rglob("export-*.zip"))


@pytest.mark.parametrize("accounts,code", [
    ("{fees: Ricavi}", "invalid-value"),                  # no root type
    ("{fees: 'Income:compensi'}", "invalid-value"),       # a part beginning in lower case
    ("{fees: 'Income:Compensi professionali'}", "invalid-value"),   # a space
    ("{vat: [Liabilities]}", "wrong-type"),
    ("{bank: Assets:Bank}", "unknown-key"),
])
def test_a_broken_account_name_is_located(tmp_path, accounts, code):
    root = copy_book(tmp_path)
    append(root, "plainbill.yaml", f"export: {{accounts: {accounts}}}\n")
    r = hostile(root, "check", root, code=1, located="plainbill.yaml")
    assert f"[{code}]" in r.output, r.output

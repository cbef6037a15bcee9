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

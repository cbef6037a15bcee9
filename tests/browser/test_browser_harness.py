"""The browser tests fail (never skip) when Chromium is missing, unless switched off on purpose."""
from __future__ import annotations

import pytest

import browserkit

pytestmark = pytest.mark.xdist_group("browser")


def test_missing_chromium_fails_unless_switched_off(monkeypatch):
    monkeypatch.delenv("PLAINBILL_CHROMIUM", raising=False)
    monkeypatch.delenv("PLAINBILL_NO_BROWSER", raising=False)
    monkeypatch.setattr(browserkit.shutil, "which", lambda name: None)
    assert browserkit.no_browser()[0] == "fail"
    monkeypatch.setenv("PLAINBILL_NO_BROWSER", "1")
    assert browserkit.no_browser()[0] == "skip"
    monkeypatch.delenv("PLAINBILL_NO_BROWSER")
    monkeypatch.setenv("PLAINBILL_CHROMIUM", "/usr/bin/chromium")
    assert browserkit.no_browser() is None

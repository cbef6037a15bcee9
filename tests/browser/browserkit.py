"""Shared by the real-browser tests: where the example books and axe-core are, and whether
Chromium is there (the fixtures are in conftest.py)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BOOKS = {"navigli": REPO, "freelance": REPO / "examples" / "freelance"}
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def chromium_path() -> str | None:
    return os.environ.get("PLAINBILL_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def no_browser() -> tuple[str, str] | None:
    """("skip", why) when the browser tests are off on purpose, ("fail", why) when Chromium is
    missing (CI must not pass without them), None when Chromium is there."""
    if os.environ.get("PLAINBILL_NO_BROWSER") == "1":
        return "skip", "PLAINBILL_NO_BROWSER=1: the real-browser tests are off"
    if chromium_path() is None:
        return "fail", ("no Chromium: install Debian's `chromium` package (./setup.sh does), or set "
                        "PLAINBILL_NO_BROWSER=1 to skip the browser tests on purpose")
    return None

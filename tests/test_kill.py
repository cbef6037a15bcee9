"""`plainbill build` killed with SIGKILL at random points never leaves a later build wrong.

A generated book (benchmarks/generate.py; five of its clients, some thousands of
entries) is built again and again in the same output folders; each build is
killed at a random moment (a subprocess, SIGKILL, time-based), and in some rounds
an input changes first (the VAT rate). After each kill the next complete build
must leave its folder byte-identical (every file, the manifest included) to a
clean build of the same inputs in a fresh folder: nothing stale reported as
unchanged, nothing half-written, no temporary file left. Most rounds build the
JSON only (`--no-render`); every fifth renders HTML (`--no-pdf`, one client's last quarter).
"""
from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402

KILLS = 20          # builds actually killed while running
CLIENTS = 5         # of the generated book's 50
VAT = ("22%", "23%", "24%")
MODES = {"json": ("--no-render",), "html": ("--no-pdf", "--client", "client03", "--period", "2026-Q4")}


def _book(root: Path) -> Path:
    generate(root, 40_000, seed=7)
    for path in (root / "clients").glob("*.yaml"):
        if int(path.stem[-2:]) >= CLIENTS:
            path.unlink()
    keep = re.compile(rf"^(#|\S+ \S+ client0[0-{CLIENTS - 1}]\b)")   # comments, and lines of the clients kept
    for path in (root / "ledger").rglob("*.txt"):
        lines = path.read_text("utf-8").splitlines(keepends=True)
        path.write_text("".join(ln for ln in lines if keep.match(ln)), "utf-8")
    return root


def _set_vat(root: Path, rate: str) -> None:
    path = root / "plainbill.yaml"
    path.write_text(re.sub(r"vat22: \{rate: \d+%\}", f"vat22: {{rate: {rate}}}", path.read_text("utf-8")), "utf-8")


def _command(root: Path, out: Path, mode: str) -> list[str]:
    return [sys.executable, "-m", "plainbill", "build", str(root), "--out", str(out), *MODES[mode]]


def _build(root: Path, out: Path, mode: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(_command(root, out, mode), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    return time.perf_counter() - started


def _killed(root: Path, out: Path, mode: str, after: float) -> bool:
    """Start a build and SIGKILL it `after` seconds later; whether it was still running."""
    proc = subprocess.Popen(_command(root, out, mode), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    running = proc.poll() is None
    if running:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    return running


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_builds_killed_at_random_points_never_leave_stale_output(tmp_path):
    root = _book(tmp_path / "book")
    rng = random.Random(int(os.environ.get("PLAINBILL_KILL_SEED", "20261204")))
    outs = {mode: tmp_path / f"out-{mode}" for mode in MODES}
    clean: dict[tuple[str, str], dict[str, bytes]] = {}
    span = {mode: _build(root, outs[mode], mode) for mode in MODES}   # how long a build takes here
    vat, kills, rounds = VAT[0], 0, 0
    while kills < KILLS:
        rounds += 1
        assert rounds < KILLS * 4, "builds ended before the kill too often"
        mode = "html" if rounds % 5 == 0 else "json"
        # mostly a changed input (a full build to kill); sometimes none (a build with nothing to do)
        if rng.random() < 0.8:
            vat = rng.choice([v for v in VAT if v != vat])
            _set_vat(root, vat)
        if _killed(root, outs[mode], mode, rng.uniform(0.05, 0.9) * span[mode]):
            kills += 1
        else:   # it ended first: the machine is faster than when `span` was measured, aim earlier
            span[mode] *= 0.7
        _build(root, outs[mode], mode)
        if (vat, mode) not in clean:
            fresh = tmp_path / f"clean-{vat[:2]}-{mode}"
            _build(root, fresh, mode)
            clean[vat, mode] = _tree(fresh)
        assert _tree(outs[mode]) == clean[vat, mode], f"round {rounds} ({mode}, VAT {vat}) differs from a clean build"

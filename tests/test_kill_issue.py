"""`issue` is all or nothing: SIGKILL at random points, and two runs at once.

On a generated book of 3,000 entries (benchmarks/generate.py), `plainbill issue` runs
in a subprocess and is killed after a random fraction of an uninterrupted run's
duration, 22 times. After every kill the register must be the old one, the new one,
or a half-written one that `check` reports with its repair hint (exit 1); the next
run repairs it (and says so). At the end, one more run completes the register, which
must be byte for byte the register of an uninterrupted run on a fresh copy.

The kill points are random (the seed is printed on failure; PLAINBILL_KILL_SEED
replays one), so a failure names the state it found.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from click.testing import CliRunner

from plainbill.cli import main
from plainbill.register.journal import JOURNAL, is_temp, parse_journal

REPO = Path(__file__).resolve().parents[1]
ISSUE_DATE = "2025-02-28"    # the drafts of two months: some 100 invoices, two files each
KILLS = 22


def plainbill(*args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "plainbill", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)


def run(*args) -> subprocess.CompletedProcess:
    proc = plainbill(*args)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def register(root: Path) -> dict[str, bytes]:
    """The register's files (the lock file, which holds nothing, aside)."""
    base = root / "issued"
    if not base.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(base.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def undone_by_rollback(root: Path, state: dict[str, bytes]) -> set[str]:
    listed = set()
    if JOURNAL in state:
        listed = {path for path, digest in parse_journal(state[JOURNAL]).files
                  if path in state and hashlib.sha256(state[path]).hexdigest() == digest}
    return listed | {JOURNAL} | {p for p in state if is_temp(p)}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated book, and the register of one uninterrupted run on a copy of it (with its duration)."""
    base = tmp_path_factory.mktemp("kill")
    book = base / "book"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), str(book), "--entries", "3000"],
                   check=True, capture_output=True)
    clean = base / "clean"
    shutil.copytree(book, clean)
    start = time.perf_counter()
    done = run("issue", clean, "--date", ISSUE_DATE)
    duration = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    reference = register(clean)
    assert len(reference) > 150 and any(p.startswith("issued/drafts/") for p in reference)
    return book, reference, duration


def test_issue_killed_at_random_points_leaves_old_new_or_a_reported_state(generated, tmp_path):
    book, reference, duration = generated
    seed = int(os.environ.get("PLAINBILL_KILL_SEED", "20261204"))
    rng = random.Random(seed)
    root = tmp_path / "book"
    shutil.copytree(book, root)
    seen = {"old": 0, "new": 0, "half-written": 0}
    lo, hi = 0.1, 1.5     # after KILLS random kills, a bisection for the write window if none hit it
    n = 0
    while n < KILLS or (not seen["half-written"] and n < KILLS * 3):
        n += 1
        where = f"seed {seed}, kill {n}"
        frac = rng.uniform(0.1, 1.0) if n <= KILLS else (lo + hi) / 2
        proc = plainbill("issue", root, "--date", ISSUE_DATE)
        time.sleep(frac * duration)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        out, _err = proc.communicate()
        state = register(root)
        if state in ({}, reference):
            assert (root / JOURNAL).exists() is False, where
            seen["old" if not state else "new"] += 1
            lo, hi = (frac, hi) if not state else (lo, frac)
            if state:
                shutil.rmtree(root / "issued")      # complete: start again from the old register
            else:
                # killed before its commit point: it never said "issued"
                assert "issued " not in out, (where, out)
            continue
        seen["half-written"] += 1
        assert "issued " not in out, (where, out)
        checked = CliRunner().invoke(main, ["check", str(root)])
        assert checked.exit_code == 1, (where, checked.output)
        assert "[issued-interrupted]" in checked.output or "[issued-temp-file]" in checked.output, \
            (where, checked.output)
        assert "hint: " in checked.output and "plainbill issue" in checked.output, (where, checked.output)
        # what the next run will do: rolling back (deleting what the journal lists, as it was
        # written, and the temporary files) leaves exactly the old register
        assert set(state) <= undone_by_rollback(root, state), where
    assert seen["half-written"] >= 1 and seen["old"] + seen["new"] >= 1, (seed, seen)

    final = run("issue", root, "--date", ISSUE_DATE)
    assert final.returncode == 0, (seed, final.stderr)
    assert register(root) == reference, seed
    checked = run("check", root)
    assert checked.returncode == 0, (seed, checked.stderr)


def test_a_half_written_register_is_repaired_by_the_next_run_and_it_says_so(generated, tmp_path):
    book, reference, duration = generated
    root = tmp_path / "book"
    shutil.copytree(book, root)
    # the state of a run killed after its journal and some of its records: made by hand, for certain
    done = run("issue", root, "--date", ISSUE_DATE)
    assert done.returncode == 0
    records = sorted(p for p in register(root) if p.startswith("issued/2025/"))[-3:]
    drafts = [f"issued/drafts/{json.loads((root / p).read_text())['draft']}.txt" for p in records]
    files = records + drafts
    journal = {"plainbill_journal": 1, "command": "issue",
               "files": [{"path": p, "sha256": hashlib.sha256((root / p).read_bytes()).hexdigest()} for p in files]}
    (root / JOURNAL).write_text(json.dumps(journal))
    (root / "issued/drafts/.x.txt.123.tmp").write_text("2025/")
    checked = run("check", root)
    assert checked.returncode == 1
    assert "issued/.journal.json:1:1: error: an interrupted `plainbill issue` left 6 of the 6 files" in checked.stderr
    assert "issued/drafts/.x.txt.123.tmp:1:1: error:" in checked.stderr
    again = run("issue", root, "--date", ISSUE_DATE)
    assert "rolled back an interrupted run: removed 7 file(s)" in again.stderr
    assert again.returncode == 0 and again.stdout.count("issued ") == 3, again.stderr
    assert register(root) == reference


def test_two_concurrent_runs_one_wins_the_loser_prints_nothing_issued(generated, tmp_path):
    book, reference, _ = generated
    root = tmp_path / "book"
    shutil.copytree(book, root)
    a, b = (plainbill("issue", "--book", root, "--date", ISSUE_DATE), plainbill("issue", "--book", root, "--date", ISSUE_DATE))
    outs = [p.communicate(timeout=120) for p in (a, b)]
    results = [(p.returncode, out, err) for p, (out, err) in zip((a, b), outs)]
    codes = sorted(code for code, _, _ in results)
    issued = sum(p.endswith(".json") for p in reference)
    if codes == [0, 0]:
        # on a loaded machine the second may start only after the first has finished: then it
        # finds nothing left to issue; what matters holds either way (nothing issued twice)
        assert sorted(out.count("issued ") for _, out, _ in results) == [0, issued], results
    else:
        assert codes == [0, 2], results
        (winner,) = [r for r in results if r[0] == 0]
        (loser,) = [r for r in results if r[0] == 2]
        assert "issued " not in loser[1] and loser[1] == "", loser
        assert "is locked" in loser[2] and "nothing issued" in loser[2] and loser[2].count("\n") == 1, loser
        assert winner[1].count("issued ") == issued
    assert register(root) == reference

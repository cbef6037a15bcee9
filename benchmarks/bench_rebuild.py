"""Rebuild benchmark: whole `plainbill build` commands on a big book, side by side with Ledger.

    .venv/bin/python benchmarks/bench_rebuild.py /tmp/b100k [/tmp/b1m ...] [--work /tmp/rebuild] [--render]

For each book, copies its sources (never its build/) to a work folder, writes the
same time entries as a Ledger timeclock file, and times, each as a separate process
(imports, loading, checking, computing, writing: all of it):

1. `ledger -f FILE.timeclock bal` (when Ledger is installed): the yardstick of issue 16;
2. a cold `plainbill build --no-render` (empty output folder);
3. a warm one: the same command again, nothing changed;
4. a rebuild after one ledger line changed (`--no-render`);
5. with --render: a build with HTML (`--no-pdf`) of every invoice, then one line changed.

Wall seconds move with the machine's load (2 shared cores): the CPU seconds of the
command (user + system, of the process and its workers) are printed too, with the
load average. Nothing is asserted.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

PLAINBILL = [sys.executable, "-m", "plainbill"]
LINE = re.compile(r"(\d{4})-(\d\d)-(\d\d) (?:(\d\d):(\d\d)-(\d\d):(\d\d)|(?:(\d+)h)?(?:(\d+)m)?) (\S+) (\S+) @(\S+)")


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(wall s, CPU s of the command and its children, last line of its stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = (done.stderr or done.stdout).strip().splitlines()
    return wall, cpu, (lines[-1] if lines else "")[:110]


def copy_sources(book: Path, work: Path) -> None:
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(book, work, ignore=shutil.ignore_patterns("build", ".git"))


def write_timeclock(root: Path, target: Path) -> int:
    """Every time entry of the generated book as a check-in/check-out pair, account
    client:project:activity, payee the person. Returns how many."""
    n = 0
    with open(target, "w", encoding="utf-8") as out:
        for path in sorted((root / "ledger").rglob("*.txt")):
            for line in path.read_text("utf-8").splitlines():
                m = LINE.match(line)
                if not m or m.group(10) == "expense":
                    continue
                day = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                if m.group(4):
                    start = day + timedelta(hours=int(m.group(4)), minutes=int(m.group(5)))
                    end = day + timedelta(hours=int(m.group(6)), minutes=int(m.group(7)))
                    if end <= start:
                        end += timedelta(days=1)
                else:
                    start = day
                    end = day + timedelta(hours=int(m.group(8) or 0), minutes=int(m.group(9) or 0))
                account = m.group(10).replace("/", ":") + ":" + m.group(11)
                out.write(f"i {start:%Y/%m/%d %H:%M:%S} {account}  {m.group(12)}\n"
                          f"o {end:%Y/%m/%d %H:%M:%S}\n")
                n += 1
    return n


def change_one_line(root: Path) -> None:
    """Append a word to the description of the last time entry of the middle month: one
    client's invoice changes."""
    files = sorted((root / "ledger").rglob("*.txt"))
    ledger = files[len(files) // 2]
    lines = ledger.read_text("utf-8").splitlines()
    for i in range(len(lines) - 1, 0, -1):
        if lines[i] and not lines[i].startswith("#") and " expense " not in lines[i]:
            lines[i] += " (checked)"
            break
    ledger.write_text("\n".join(lines) + "\n", "utf-8")


def report(label: str, wall: float, cpu: float, last: str = "", base: float | None = None) -> None:
    ratio = f"  {cpu / base:5.2f}x Ledger's CPU" if base else ""
    print(f"  {label:<42} {wall:7.2f} s wall {cpu:7.2f} s CPU{ratio}  {last}", flush=True)


def bench(book: Path, work: Path, render: bool) -> None:
    root = work / book.name
    copy_sources(book, root)
    print(f"book {book} -> {root}; load average {os.getloadavg()[0]:.2f}", flush=True)
    base = None
    if shutil.which("ledger"):
        clock = work / f"{book.name}.timeclock"
        n = write_timeclock(root, clock)
        wall, base, last = timed(["ledger", "-f", str(clock), "bal"])
        report(f"ledger -f ({n} entries) bal", wall, base, last.strip())
    else:
        print("  (Ledger is not installed: no yardstick)")
    build = [*PLAINBILL, "build", str(root)]
    report("cold build --no-render", *timed([*build, "--no-render"]), base)
    report("warm build --no-render (nothing changed)", *timed([*build, "--no-render"]), base)
    change_one_line(root)
    report("one line changed, --no-render", *timed([*build, "--no-render"]), base)
    if render:
        report("build --no-pdf (HTML of every invoice)", *timed([*build, "--no-pdf"]), base)
        report("warm build --no-pdf", *timed([*build, "--no-pdf"]), base)
        change_one_line(root)
        report("one line changed, --no-pdf", *timed([*build, "--no-pdf"]), base)
    print(f"  load average after: {os.getloadavg()[0]:.2f}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", type=Path, nargs="+")
    parser.add_argument("--work", type=Path, default=Path("/tmp/plainbill-rebuild"))
    parser.add_argument("--render", action="store_true", help="also time HTML builds")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    for book in args.books:
        bench(book, args.work, args.render)
    return 0


if __name__ == "__main__":
    sys.exit(main())

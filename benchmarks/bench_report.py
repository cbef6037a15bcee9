"""Report benchmark: every `plainbill report` kind on a big book, against a cold `build --no-render`.

    .venv/bin/python benchmarks/bench_report.py [--big /tmp/b1m] [--small /tmp/b100k] [--work DIR]

A book that does not exist yet is generated there first (benchmarks/generate.py: 1,000,000
and 100,000 entries; the same book bench_rebuild.py and bench_check.py use).

1. The big book: a cold `plainbill build --no-render` into an empty folder (the yardstick of
   issue 12), then `plainbill report KIND --format csv` for every kind, each its own process
   (imports, loading, checking, billing, the facts and the report: all of it).
2. The small book: `report profitability --period` of its last month as a process, cold (no
   build) and warm (after a `build --no-render` of the book, whose invoices the report then
   reads instead of billing again: reports/built.py); then, in one process that has the book
   computed already (what the site does: the facts are made once), every kind for that month.

Wall seconds move with the machine's load (2 shared cores): CPU seconds (user + system of the
command and its children) are printed too, with the load average. Nothing is asserted.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLAINBILL = [sys.executable, "-m", "plainbill"]
KINDS = ("hours", "profitability", "support", "utilisation", "wip", "balances", "receivables")


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """(wall s, CPU s of the command and its children, exit code); its output is dropped."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.returncode


def book_for(path: Path, entries: int) -> Path:
    if not (path / "plainbill.yaml").exists():
        print(f"generating {entries:,} entries into {path} ...", flush=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(path), "--entries", str(entries)], check=True)
    return path


def line(label: str, wall: float, cpu: float, base: float | None = None, code: int = 0) -> None:
    ratio = f"  ({wall / base:.2f}x the build's wall)" if base else ""
    failed = f"  EXIT {code}" if code else ""
    print(f"  {label:<44} {wall:7.2f} s wall {cpu:7.2f} s CPU{ratio}{failed}", flush=True)


def big(book: Path, work: Path) -> None:
    out = work / "build-out"
    shutil.rmtree(out, ignore_errors=True)
    print(f"{book}: load average {os.getloadavg()[0]:.2f}", flush=True)
    wall, cpu, code = timed([*PLAINBILL, "build", str(book), "--no-render", "--out", str(out)])
    line("cold build --no-render", wall, cpu, code=code)
    worst = 0.0
    for kind in KINDS:
        w, c, code = timed([*PLAINBILL, "report", kind, "--book", str(book), "--format", "csv"])
        worst = max(worst, w)
        line(f"report {kind}", w, c, wall, code)
    print(f"  slowest report / cold build: {worst / wall:.2f}x wall; load average {os.getloadavg()[0]:.2f}",
          flush=True)


def small(book: Path) -> None:
    from plainbill import pipeline, reports

    print(f"{book}: load average {os.getloadavg()[0]:.2f}", flush=True)
    started = time.perf_counter()
    computed = pipeline.compute_book(book)
    month = max(e.date for e in computed.checked.book.entries).strftime("%Y-%m")
    compute = time.perf_counter() - started
    report = [*PLAINBILL, "report", "profitability", "--book", str(book), "--period", month]
    shutil.rmtree(book / "build", ignore_errors=True)
    wall, cpu, code = timed(report)
    line(f"report profitability --period {month}, no build", wall, cpu, code=code)
    w, c, code = timed([*PLAINBILL, "build", str(book), "--no-render"])
    line("build --no-render (warms the cache)", w, c, code=code)
    for n in (1, 2):
        wall, cpu, code = timed(report)
        line(f"report profitability --period {month}, warm ({n})", wall, cpu, code=code)
    line("compute_book, in this process", compute, compute)
    span = reports.parse_range(month)
    for kind in ("profitability",) + tuple(k for k in KINDS if k != "profitability"):
        c0, t0 = time.process_time(), time.perf_counter()
        text = reports.format_table(reports.run_report(kind, computed, span))
        line(f"{kind} of {month}, book computed (warm)", time.perf_counter() - t0, time.process_time() - c0)
        assert text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=Path, default=Path("/tmp/b1m"))
    parser.add_argument("--small", type=Path, default=Path("/tmp/b100k"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/plainbill-report-bench"))
    parser.add_argument("--skip-big", action="store_true")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if not args.skip_big:
        big(book_for(args.big, 1_000_000), args.work)
    small(book_for(args.small, 100_000))
    return 0


if __name__ == "__main__":
    sys.exit(main())

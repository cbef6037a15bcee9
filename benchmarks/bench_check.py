"""Time `plainbill check` on synthetic books: twice each (plainbill has no cache; the second run finds the files in the OS cache).

    python benchmarks/bench_check.py [--entries 100000 1000000] [--out benchmarks/out]

Books are written by benchmarks/generate.py (reused when already there). Each
measurement runs in a fresh process; wall seconds come from the clock around it
and peak memory from os.wait4's rusage (the largest resident set of the process
and its workers). Three things are timed:

  load+checks   what `check` itself does: load the book and run every check
                (a `python -c` of load_book and run_checks), over every Entry record
  +entries      the same, then asking for the entries again (already built by the checks)
  plainbill check   the whole command, which also computes the invoices of a clean
                book (to verify issued ones), so it includes the billing engine

The load average is printed with the figures: the machine is shared, and a busy
neighbour makes every figure slower.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
# the entry count comes from the ledger files' facts (the checks have built the entries anyway)
STAGE = ("import sys, gc; from pathlib import Path; from plainbill.load import load_book; "
         "from plainbill.checks import run_checks; "
         "r = load_book(Path(sys.argv[1])); d = r.diagnostics + run_checks(r.book); "
         "print(sum(f.facts.rows for f in r.book.ledgers), 'entries,', len(d), 'diagnostics')")
ENTRIES = STAGE.replace("print(sum(f.facts.rows for f in r.book.ledgers)", "print(len(r.book.entries)")


def book_for(n: int, out: Path) -> Path:
    book = out / f"book-{n}"
    if not (book / "plainbill.yaml").exists():
        print(f"generating {n} entries into {book} ...", flush=True)
        subprocess.run([PYTHON, str(HERE / "generate.py"), str(book), "--entries", str(n)], check=True)
    return book


def measure(cmd: list[str]) -> tuple[float, float, int, str, float]:
    """(wall seconds, peak RSS in MB, exit code, output, CPU seconds) of one fresh process.

    CPU seconds (user + system, the process and its workers) hardly change with the
    machine's load, unlike wall seconds: compare them when neighbours are busy."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return wall, usage.ru_maxrss / 1024, proc.returncode, out.decode(errors="replace").strip(), cpu


def run(book: Path, what: str) -> tuple[float, float, int, str, float]:
    if what == "load+checks":
        return measure([PYTHON, "-c", STAGE, str(book)])
    if what == "+entries":
        return measure([PYTHON, "-c", ENTRIES, str(book)])
    return measure([PYTHON, "-m", "plainbill", "check", str(book)])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--what", nargs="+", default=["load+checks", "+entries", "plainbill check"],
                    choices=["load+checks", "+entries", "plainbill check"])
    args = ap.parse_args(argv)
    rows = []
    for n in args.entries:
        book = book_for(n, args.out)
        for what in args.what:
            load = os.getloadavg()[0]
            cold = run(book, what)
            warm = run(book, what)
            rows.append((n, what, cold, warm, load))
            print(f"{n:>9,} {what:16} cold {cold[0]:6.2f} s ({cold[4]:.2f} s CPU) {cold[1]:6.0f} MB (exit {cold[2]})"
                  f"   warm {warm[0]:6.2f} s ({warm[4]:.2f} s CPU) {warm[1]:6.0f} MB   load avg {load:.1f}", flush=True)
            if cold[2] not in (0, 1) or "Traceback" in cold[3]:
                print("  the run failed, figures are not valid:\n" + cold[3][-1500:])
    print("\n  entries what             cold s  (CPU)  cold MB  warm s  (CPU)  warm MB  speed-up  load")
    for n, what, cold, warm, load in rows:
        print(f"{n:>9,} {what:16} {cold[0]:7.2f} {cold[4]:6.2f} {cold[1]:8.0f} {warm[0]:7.2f} {warm[4]:6.2f} "
              f"{warm[1]:8.0f} {cold[0] / warm[0]:8.1f}x {load:5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

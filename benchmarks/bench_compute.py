"""Time load + check + compute + JSON write on synthetic books (no rendering).

    .venv/bin/python benchmarks/bench_compute.py [--entries 100000 1000000] [--keep DIR]

For each size, generates a book with benchmarks/generate.py (unless it exists
under --keep), then runs, in a fresh process so figures do not mix: load and
check (plainbill.pipeline.check_book), compute (pipeline.compute, which calls
billing.compute_invoices, forking one worker for a big book), and write
build/invoices/*.json (output.write_build with render=False). Prints wall seconds
per stage, CPU seconds per stage in this process (steadier than wall on a shared
machine), in all (this process, and the forked workers') and peak memory.

Each book is measured twice with caches of its own (a fresh $PLAINBILL_CACHE):
cold (nothing parsed or computed before) and warm (the same command again,
nothing changed: the ledger parses and every client's invoices come from the
caches, and the JSON files are compared, not written). The output folder is a
fresh temporary one each time, so the JSON is always serialised.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def measure(root: Path, out: Path) -> dict:
    """Run the stages in this process and return the figures."""
    from plainbill import pipeline
    from plainbill.load.book import entry_count
    from plainbill.output import write_build

    figures, t0, c0 = {}, time.perf_counter(), time.process_time()
    checked = pipeline.check_book(root)
    figures["load_check_s"] = time.perf_counter() - t0
    t, c = time.perf_counter(), time.process_time()
    invoices = pipeline.compute(checked)
    figures["compute_s"] = time.perf_counter() - t
    figures["compute_cpu_s"] = time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    write_build(checked.book, invoices, out, render=False, pdf=False)
    figures["json_s"] = time.perf_counter() - t
    figures["json_cpu_s"] = time.process_time() - c
    figures["total_s"] = time.perf_counter() - t0
    figures["cpu_s"] = time.process_time() - c0
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # the compute worker (forked for big books, billing/parallel.py) shares the book's pages
    # until it writes to them: its peak counts in part only, shown apart
    figures["worker_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures["worker_cpu_s"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    figures["entries"] = entry_count(checked.book)   # not len(entries): a warm build never builds them
    figures["invoices"] = len(invoices)
    figures["errors"] = sum(d.severity.value == "error" for d in checked.diagnostics)
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--keep", type=Path, default=None, help="folder for the generated books (reused)")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)   # internal: measure one book
    args = ap.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as out:
            print(json.dumps(measure(args.one, Path(out))))
        return
    base = args.keep or Path(tempfile.mkdtemp(prefix="plainbill-bench-"))
    for n in args.entries:
        book = base / f"book-{n}"
        if not (book / "plainbill.yaml").exists():
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(book), "--entries", str(n)],
                           check=True, stdout=subprocess.DEVNULL)
        with tempfile.TemporaryDirectory(prefix="plainbill-bench-cache-") as caches:
            # cold: empty ledger and compute caches; warm: the same command again, nothing changed
            env = dict(os.environ, PYTHONHASHSEED="0", PLAINBILL_CACHE=caches)
            for run in ("cold", "warm"):
                done = subprocess.run([sys.executable, __file__, "--one", str(book)], check=True,
                                      capture_output=True, text=True, env=env)
                _report(n, run, json.loads(done.stdout.strip().splitlines()[-1]))


def _report(n: int, run: str, f: dict) -> None:
    # wall figures move with the machine's load (2 shared cores); the cpu ones less
    print(f"{n:>9} entries, {run}: load+check {f['load_check_s']:.2f} s, compute {f['compute_s']:.2f} s "
          f"({f['compute_cpu_s']:.2f} s cpu here), json {f['json_s']:.2f} s ({f['json_cpu_s']:.2f} s cpu here), "
          f"total {f['total_s']:.2f} s wall ({f['cpu_s']:.2f} s cpu "
          f"+ {f['worker_cpu_s']:.2f} s in forked workers: compute, JSON half), peak {f['peak_mb']:.0f} MB "
          f"(biggest worker {f['worker_peak_mb']:.0f} MB), {f['invoices']} invoices, {f['errors']} errors")


if __name__ == "__main__":
    main()

"""Time load + check + compute + JSON write on synthetic books (no rendering), stage by stage.

    .venv/bin/python benchmarks/bench_compute.py [--entries 100000 1000000] [--keep DIR]

For each size, generates a book with benchmarks/generate.py (unless it exists
under --keep), then, in a fresh process so figures do not mix: load and check
(plainbill.pipeline.check_book), compute (pipeline.compute), and write
build/invoices/*.json (output.write_build with render=False) into an empty
folder; then the same write again over that folder (the manifest's per-invoice
path: every JSON made again, every recorded file read and its SHA-256 checked);
then the check alone of every file the manifest records (manifest.files_ok: what
a build in which nothing changed pays to trust its output). There is no cache:
every run loads and computes everything.

Prints wall seconds and CPU seconds per stage (CPU is steadier on a shared machine),
peak memory, and the load average.
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


def _stage(figures: dict, name: str, fn):
    t, c = time.perf_counter(), time.process_time()
    result = fn()
    figures[f"{name}_s"] = time.perf_counter() - t
    figures[f"{name}_cpu_s"] = time.process_time() - c
    return result


def measure(root: Path, out: Path) -> dict:
    """Run the stages in this process and return the figures."""
    from plainbill import pipeline
    from plainbill.manifest import files_ok, load_manifest
    from plainbill.output import write_build

    figures: dict = {"load_before": os.getloadavg()[0]}
    checked = _stage(figures, "load_check", lambda: pipeline.check_book(root))
    invoices = _stage(figures, "compute", lambda: pipeline.compute(checked))
    _stage(figures, "json", lambda: write_build(checked.book, invoices, out, render=False, pdf=False))
    again = _stage(figures, "json_again", lambda: write_build(checked.book, invoices, out, render=False, pdf=False))
    manifest = load_manifest(out)
    ok = _stage(figures, "hash_outputs", lambda: all(files_ok(out.resolve(), e["files"]) for e in manifest["invoices"].values()))
    figures["outputs_mb"] = sum(size for e in manifest["invoices"].values() for _, size in e["files"].values()) / 1e6
    figures["unchanged_again"] = again.unchanged
    figures["hash_ok"] = ok
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures["workers_cpu_s"] = children.ru_utime + children.ru_stime   # the JSON writers (plainbill.parallel)
    figures["entries"] = len(checked.book.entries)
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
        done = subprocess.run([sys.executable, __file__, "--one", str(book)], check=True,
                              capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED="0"))
        _report(n, json.loads(done.stdout.strip().splitlines()[-1]))


def _report(n: int, f: dict) -> None:
    stages = " | ".join(f"{name} {f[name + '_s']:.2f} s ({f[name + '_cpu_s']:.2f} CPU)"
                        for name in ("load_check", "compute", "json", "json_again", "hash_outputs"))
    print(f"{n:>9} entries (load average {f['load_before']:.2f}): {stages}; {f['outputs_mb']:.0f} MB of JSON, "
          f"{f['unchanged_again']} unchanged the second time, {f['workers_cpu_s']:.2f} CPU s in worker processes, "
          f"peak {f['peak_mb']:.0f} MB, "
          f"{f['invoices']} invoices, {f['errors']} errors", flush=True)


if __name__ == "__main__":
    main()

"""Rebuild benchmark: whole `plainbill build` commands on a big book, timed from outside.

    .venv/bin/python benchmarks/bench_rebuild.py /tmp/b100k [--work /tmp/rebuild] [--pdf]

Copies the book's sources (never its build/) to a work folder and times, as
separate processes (imports, loading, checking, computing, writing: all of it):

1. a cold build with `--no-render` (no ledger cache, no compute cache);
2. the same with the ledger cache warm but no compute cache (what the per-client
   compute cache, billing/cache.py, costs when it is filled);
3. a rebuild with nothing changed (`--no-render`);
4. a rebuild after one ledger line changed (`--no-render`): only that client is
   computed;
5. a rendered build (HTML, or HTML+PDF with --pdf; of one month's invoices with
   --period) of every invoice: the baseline, not a target; then one ledger line
   changed and the same command again: only that client is computed and only the
   affected invoice rendered.

The figures are printed; nothing is asserted.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLAINBILL = [sys.executable, "-m", "plainbill"]


def run(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([*PLAINBILL, *args], capture_output=True, text=True)
    secs = time.perf_counter() - started
    return secs, (done.stderr.strip().splitlines() or [""])[-1]


def copy_sources(book: Path, work: Path) -> None:
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(book, work, ignore=shutil.ignore_patterns("build", ".git"))


def change_one_line(root: Path, period: str | None = None) -> None:
    """Append a word to the description of the last time entry of one month (`period`, YYYY-MM,
    or the middle one): one invoice changes."""
    files = sorted((root / "ledger").rglob("*.txt"))
    ledger = root / "ledger" / period[:4] / f"{period[5:7]}.txt" if period else files[len(files) // 2]
    lines = ledger.read_text("utf-8").splitlines()
    for i in range(len(lines) - 1, 0, -1):
        if lines[i] and not lines[i].startswith("#") and " expense " not in lines[i]:
            lines[i] += " (checked)"
            break
    ledger.write_text("\n".join(lines) + "\n", "utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/plainbill-rebuild"))
    parser.add_argument("--pdf", action="store_true", help="render PDFs too (the baseline takes minutes)")
    parser.add_argument("--period", help="YYYY-MM: render only that month's invoices (`build --period`), "
                        "and change a line of that month: a PDF baseline in minutes, not half an hour")
    args = parser.parse_args(argv)
    root, flags = args.work, ([] if args.pdf else ["--no-pdf"]) + (["--period", args.period] if args.period else [])
    copy_sources(args.book, root)
    print(f"book {args.book} -> {root}")
    secs, last = run("build", str(root), "--no-render")
    print(f"  cold build --no-render:                 {secs:6.2f} s  {last}")
    shutil.rmtree(root / "build" / ".cache" / "compute")
    secs, last = run("build", str(root), "--no-render")
    print(f"  ledger cache warm, compute cache cold:  {secs:6.2f} s")
    secs, last = run("build", str(root), "--no-render")
    print(f"  rebuild, nothing changed, --no-render:  {secs:6.2f} s  {last}")
    change_one_line(root, args.period)
    secs, last = run("build", str(root), "--no-render")
    print(f"  rebuild, one line changed, --no-render: {secs:6.2f} s  {last}")
    secs, last = run("build", str(root), *flags)
    print(f"  rendered build {' '.join(flags) or '(HTML+PDF)'} of everything: {secs:6.2f} s  {last}")
    secs, last = run("build", str(root), *flags)
    print(f"  rebuild, nothing changed, rendered:     {secs:6.2f} s  {last}")
    change_one_line(root, args.period)
    secs, last = run("build", str(root), *flags)
    print(f"  rebuild, one ledger line changed:       {secs:6.2f} s  {last}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

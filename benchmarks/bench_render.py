"""Render benchmark: a full build of >= 1,000 invoices, then incremental rebuilds.

    .venv/bin/python benchmarks/bench_render.py [--invoices 1000] [--entries 12] [--jobs 0]
    .venv/bin/python benchmarks/bench_render.py --book-entries 100000     # also the 100k-entry book

Part 1 renders fake-but-realistic invoices (plainbill.render.sample: three
lines, a fee, a block statement, `--entries` ledger entries in the appendix)
into a temporary build/ with HTML and PDF, then times a rebuild with nothing
changed and a rebuild with one invoice changed.

Part 2 (with --book-entries) generates the synthetic book of
benchmarks/generate.py, runs check + compute (other stages, timed apart),
builds it once without PDFs (the skip path does not depend on the PDF flag,
and PDF-rendering ~1,200 invoices of ~80 entries takes minutes), changes one
ledger line, and times the incremental rebuild: only the affected invoice is
rendered again. The figures are printed; nothing is asserted.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def part1(n: int, entries: int, jobs: int, out: Path) -> None:
    from plainbill.output import write_build
    from plainbill.render.sample import sample_book, sample_invoice

    book = sample_book(root=str(out / "book"), clients=n, repository_url="https://example.com/books/blob/main")
    invoices = [sample_invoice(i, entries=entries, language="it" if i % 3 else "en", issued=i % 2 == 0)
                for i in range(n)]
    build = out / "build"
    cores = jobs or os.cpu_count()
    print(f"part 1: {n} invoices x {entries} entries, {cores} worker(s)")
    cpu0 = _cpu()
    stats, secs = _timed(write_build, book, invoices, build, jobs=jobs)
    cpu = _cpu() - cpu0
    if stats.diagnostics:
        print(stats.summary())
    print(f"  full render (HTML+PDF):  {secs:7.2f} s  = {secs / n:.3f} s/invoice wall  [{stats.rendered} rendered]")
    print(f"    CPU {cpu:.1f} s = {cpu / n:.3f} CPU s/invoice; on {cores} idle cores: {cpu / n / cores:.3f} s/invoice "
          f"(load average now {os.getloadavg()[0]:.1f}: other processes share these cores)")
    stats, secs = _timed(write_build, book, invoices, build, jobs=jobs)
    print(f"  rebuild, nothing changed: {secs:6.2f} s  [{stats.rendered} rendered, {stats.unchanged} unchanged]")
    changed = list(invoices)
    changed[n // 2] = dataclasses.replace(invoices[n // 2], notes=("Changed note.",))
    stats, secs = _timed(write_build, book, changed, build, jobs=jobs)
    print(f"  rebuild, one changed:    {secs:6.2f} s  [{stats.rendered} rendered, {stats.unchanged} unchanged]")


def part2(entries: int, jobs: int, out: Path) -> None:
    sys.path.insert(0, str(HERE))
    from bench_rebuild import change_one_line
    from generate import generate

    from plainbill.output import write_build
    from plainbill.pipeline import check_book, compute

    root = out / f"book{entries}"
    generate(root, entries)
    print(f"part 2: synthetic book, {entries} entries")
    (checked, invoices), secs = _timed(_load, root, check_book, compute)
    print(f"  check + compute (not render): {secs:6.2f} s  [{len(invoices)} invoices]")
    build = root / "build"
    stats, secs = _timed(write_build, checked.book, invoices, build, pdf=False, jobs=jobs)
    print(f"  first build, HTML only:  {secs:7.2f} s  [{stats.rendered} rendered]")
    change_one_line(root)
    (checked, invoices), load_secs = _timed(_load, root, check_book, compute)
    stats, secs = _timed(write_build, checked.book, invoices, build, pdf=False, jobs=jobs)
    print(f"  one ledger line changed: check+compute {load_secs:.2f} s, write_build {secs:.2f} s "
          f"[{stats.rendered} rendered, {stats.unchanged} unchanged, {stats.serialised} serialised]")
    changed = [i for i in invoices if f"invoices/{i.id}.json" in stats.written]
    if changed:
        stats, secs = _timed(write_build, checked.book, changed, out / "one", jobs=1, partial=True)
        print(f"  that invoice's HTML+PDF render alone: {secs:.2f} s ({len(changed[0].entries)} entries)")


def _load(root, check_book, compute):
    checked = check_book(root)
    return checked, compute(checked)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the render workers)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--book-entries", type=int, default=0)
    parser.add_argument("--skip-part1", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        if not args.skip_part1:
            part1(args.invoices, args.entries, args.jobs, Path(tmp))
        if args.book_entries:
            part2(args.book_entries, args.jobs, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

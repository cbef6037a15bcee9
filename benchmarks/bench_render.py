"""Render benchmark: our cost per invoice beside WeasyPrint's own on the same HTML, in one run.

    .venv/bin/python benchmarks/bench_render.py [--invoices 150] [--entries 12]
    .venv/bin/python benchmarks/bench_render.py --build [--invoices 1000] [--jobs 0]

The default part renders `--invoices` fake but realistic invoices
(plainbill.render.sample: three lines, a fee, a block statement, notes,
`--entries` ledger entries in the appendix; Italian and English, issued and
drafts) in this one process, two ways, alternating invoice by invoice so that
both see the same load:

- ours: what a build does for an invoice, `Renderer.invoice_html()` (Jinja,
  Babel) then `Renderer.pdf()`;
- WeasyPrint's: `weasyprint.HTML(string=html, base_url=...).write_pdf()` on
  the same HTML, the stylesheet and fonts read from build/assets/ by
  WeasyPrint's own URL fetcher, as a user of WeasyPrint would write it.

It prints CPU seconds per invoice of each, and ours / WeasyPrint's (what we
own is the overhead, not WeasyPrint's speed). The first two invoices of each
warm up (imports, fonts) and are not counted. The machine is shared: the load
average is printed with the figures.

`--build` times a whole `write_build` (HTML + PDF over worker processes),
then a rebuild with nothing changed and one with one invoice changed.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

WARM_UP = 2


def compare(n: int, entries: int, out: Path) -> None:
    """Ours and WeasyPrint's own write_pdf(), invoice by invoice, CPU time of this process."""
    import weasyprint

    from plainbill.output import write_build
    from plainbill.render import Renderer, client_context, template_set
    from plainbill.render.sample import sample_book, sample_invoice

    book = sample_book(root=str(out / "book"), clients=n, repository_url="https://example.com/books/blob/main")
    invoices = [sample_invoice(i, entries=entries, language="it" if i % 3 else "en", issued=i % 2 == 0)
                for i in range(n + WARM_UP)]
    build = out / "build"
    write_build(book, invoices[:1], build, pdf=False)       # build/assets/ for WeasyPrint's own fetcher
    renderer = Renderer(template_set(Path(book.root)), build)
    ours, theirs, pages = [], [], 0
    for i, inv in enumerate(invoices):
        ctx = client_context(book, inv.client, inv.language)
        t0 = time.process_time()
        html = renderer.invoice_html(inv, ctx)
        pdf = renderer.pdf(html, inv.id)
        t1 = time.process_time()
        base_url = (build / "invoices" / f"{inv.id}.html").as_uri()
        document = weasyprint.HTML(string=html, base_url=base_url).render()
        stock = document.write_pdf()
        t2 = time.process_time()
        assert pdf.startswith(b"%PDF") and stock.startswith(b"%PDF")
        if i >= WARM_UP:
            ours.append(t1 - t0)
            theirs.append(t2 - t1)
            pages += len(document.pages)
    load = os.getloadavg()
    mean_ours, mean_theirs = statistics.fmean(ours), statistics.fmean(theirs)
    print(f"{n} invoices x {entries} entries ({pages / n:.1f} pages each), one process, "
          f"WeasyPrint {weasyprint.__version__}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"(a shared machine: other processes use these cores)")
    print(f"  ours (Jinja + PDF):            {mean_ours:.4f} CPU s/invoice  (median {statistics.median(ours):.4f})")
    print(f"  WeasyPrint HTML().write_pdf(): {mean_theirs:.4f} CPU s/invoice  "
          f"(median {statistics.median(theirs):.4f})")
    print(f"  ratio ours / WeasyPrint's:     {mean_ours / mean_theirs:.3f}  "
          f"(medians {statistics.median(ours) / statistics.median(theirs):.3f})")


def build(n: int, entries: int, jobs: int, out: Path) -> None:
    from plainbill.output import write_build
    from plainbill.render.sample import sample_book, sample_invoice

    book = sample_book(root=str(out / "book"), clients=n, repository_url="https://example.com/books/blob/main")
    invoices = [sample_invoice(i, entries=entries, language="it" if i % 3 else "en", issued=i % 2 == 0)
                for i in range(n)]
    target = out / "build"
    cores = jobs or os.cpu_count()
    print(f"build: {n} invoices x {entries} entries, {cores} worker(s)")
    cpu0 = _cpu()
    stats, secs = _timed(write_build, book, invoices, target, jobs=jobs)
    cpu = _cpu() - cpu0
    if stats.diagnostics:
        print(stats.summary())
    print(f"  full render (HTML+PDF):  {secs:7.2f} s  = {secs / n:.3f} s/invoice wall  [{stats.rendered} rendered]")
    print(f"    CPU {cpu:.1f} s = {cpu / n:.3f} CPU s/invoice (load average now {os.getloadavg()[0]:.1f})")
    stats, secs = _timed(write_build, book, invoices, target, jobs=jobs)
    print(f"  rebuild, nothing changed: {secs:6.2f} s  [{stats.rendered} rendered, {stats.unchanged} unchanged]")
    changed = list(invoices)
    changed[n // 2] = dataclasses.replace(invoices[n // 2], notes=("Changed note.",))
    stats, secs = _timed(write_build, book, changed, target, jobs=jobs)
    print(f"  rebuild, one changed:    {secs:6.2f} s  [{stats.rendered} rendered, {stats.unchanged} unchanged]")


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
    parser.add_argument("--invoices", type=int, default=150)
    parser.add_argument("--entries", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--build", action="store_true", help="time a whole build and two rebuilds instead")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        if args.build:
            build(args.invoices, args.entries, args.jobs, Path(tmp))
        else:
            compare(args.invoices, args.entries, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

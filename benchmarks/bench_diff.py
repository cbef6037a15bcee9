"""How long `plainbill diff` takes next to one `plainbill build --no-render`.

    python benchmarks/bench_diff.py [--entries 100000] [--keep DIR]

Generates a synthetic book (benchmarks/generate.py), commits it, edits it
(changes 50 entries and adds 100), commits again, then times in fresh
processes: `build --no-render` twice (cold, then nothing changed),
`diff BASE HEAD` (both revisions read from git) and `diff BASE` (the head is
the working tree). The target: diff <= 2 x one build without rendering.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def edit(book: Path) -> None:
    """Change 50 entries (their duration) and add 100 late ones in the last month."""
    months = sorted((book / "ledger").rglob("*.txt"))
    last = months[-1]
    lines = last.read_text().splitlines(keepends=True)
    changed = 0
    for i, line in enumerate(lines):
        if changed < 50 and " 1h " in line:
            lines[i] = line.replace(" 1h ", " 2h ", 1)
            changed += 1
    template = next(l for l in lines if " 1h " not in l and not l.startswith("#") and "expense" not in l)
    lines += [template.replace("\n", f" extra{i}\n") for i in range(100)]
    last.write_text("".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="plainbill-bench-diff-"))
    work.mkdir(parents=True, exist_ok=True)
    book = work / "book"
    py = sys.executable
    try:
        t = run([py, str(HERE / "generate.py"), str(book), "--entries", str(args.entries)], work)
        print(f"generate {args.entries} entries: {t:.2f} s")
        git(book, "init", "-q", "-b", "main")
        git(book, "-c", "user.email=b@example.com", "-c", "user.name=bench", "add", "-A")
        git(book, "-c", "user.email=b@example.com", "-c", "user.name=bench", "commit", "-qm", "base")
        edit(book)
        git(book, "add", "-A")
        git(book, "-c", "user.email=b@example.com", "-c", "user.name=bench", "commit", "-qm", "head")
        out = work / "out"
        base = {"check (issued invoices only)": run([py, "-m", "plainbill", "check", "."], book)}
        try:
            base["build --no-render (cold)"] = run([py, "-m", "plainbill", "build", ".", "--no-render",
                                                          "--out", str(out)], book)
            base["build --no-render (nothing changed)"] = run([py, "-m", "plainbill", "build", ".", "--no-render",
                                                          "--out", str(out)], book)
        except SystemExit as exc:   # the renderer's output stage may be missing in a partial checkout
            print(f"(build not measured: {str(exc).splitlines()[0]})")
        diffs = {"diff HEAD~1 HEAD (both from git)": run([py, "-m", "plainbill", "diff", "HEAD~1", "HEAD",
                                                          "--format", "json"], book),
                 "diff HEAD~1 (head = working tree)": run([py, "-m", "plainbill", "diff", "HEAD~1",
                                                           "--format", "markdown"], book)}
        for name, t in base.items():
            print(f"{name:34s} {t:6.2f} s")
        for name, t in diffs.items():
            ratios = ", ".join(f"{t / b:.2f} x {n.split(' (')[0]}{' (' + n.split(' (')[1] if ' (' in n else ''}"
                               for n, b in base.items())
            print(f"{name:34s} {t:6.2f} s  = {ratios}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""`plainbill init [DIR]`: a new book that passes `check` at once.

Writes example settings, a client and a ledger of last month (so `issue` has a
draft to number straight away), `.gitignore`, editor settings mapping the JSON
Schemas (copied into `.plainbill/schemas/`), a GitHub Actions workflow and a
pre-commit configuration. It never overwrites a file: existing ones are
reported as skipped. Templates live in `templates/init/`; a `dot-` prefix
stands for a leading dot (package data skips hidden files).
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from .schema import dumps, schemas
from .terminal import EXIT_OK, say, usage_error

TEMPLATES = Path(__file__).parent / "templates" / "init"
SCHEMA_FOLDER = ".plainbill/schemas"


def example_days(today: date) -> tuple[date, date]:
    """The first two working days of the month before `today`."""
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    days = [first + timedelta(days=i) for i in range(10)]
    work = [d for d in days if d.weekday() < 5]
    return work[0], work[1]


def plan(today: date) -> dict[str, str]:
    """{book-relative path: text} of every file init writes."""
    day1, day2 = example_days(today)
    files = {}
    for src in sorted(TEMPLATES.rglob("*")):
        if not src.is_file():
            continue
        rel = "/".join(("." + p[4:]) if p.startswith("dot-") else p
                       for p in src.relative_to(TEMPLATES).parts)
        text = src.read_text(encoding="utf-8")
        if rel == "ledger/example.txt":
            rel = f"ledger/{day1.year}/{day1.month:02d}.txt"
            text = text.replace("{day1}", day1.isoformat()).replace("{day2}", day2.isoformat())
        files[rel] = text
    for name, schema in schemas().items():
        files[f"{SCHEMA_FOLDER}/{name}"] = dumps(schema)
    return files


def write_book(root: Path, today: date) -> tuple[list[str], list[str]]:
    """Create the files that do not exist yet; (written, skipped) paths."""
    written, skipped = [], []
    for rel, text in plan(today).items():
        target = root / rel
        if target.exists():
            skipped.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as fh:   # "x": never overwrite
            fh.write(text)
        written.append(rel)
    return written, skipped


def run_init(directory: Path, today: date | None = None) -> int:
    root = Path(directory)
    if root.exists() and not root.is_dir():
        return usage_error(f"{root} is not a folder")
    try:
        written, skipped = write_book(root, today or date.today())
    except OSError as exc:
        return usage_error(str(exc))
    for rel in written:
        say(f"created {rel}")
    for rel in skipped:
        say(f"skipped {rel} (exists)")
    say(f"next: cd {root} && git init && plainbill check && plainbill build --no-pdf", err=True)
    return EXIT_OK

"""Shell completion's answers: client slugs, periods, draft ids and issued numbers.

Read cheaply, never through the pipeline (a completion must answer in a blink,
even on a book that does not check): client slugs are the names of
`clients/*.yaml`, draft ids those of the last build's `build/invoices/*.json` and
of `issued/drafts/*.txt` (whose text is the number the draft was issued as),
periods the ends of those ids. Nothing here writes, raises or prints.
"""
from __future__ import annotations

import re
from pathlib import Path

_PERIOD = re.compile(r"-(\d{4}-(?:\d{2}|Q[1-4]))$")
_MAX_FILE = 4096   # a draft's lock file holds one number


def _names(folder: Path, pattern: str) -> list[str]:
    try:
        return sorted(p.name.removesuffix(pattern[1:]) for p in folder.glob(pattern) if p.is_file())
    except OSError:
        return []


def client_slugs(book: Path) -> list[str]:
    return _names(Path(book) / "clients", "*.yaml")


def draft_ids(book: Path) -> list[str]:
    """Drafts of the last build and drafts already issued (a draft id names either)."""
    book = Path(book)
    return sorted(set(_built(book)) | set(_names(book / "issued" / "drafts", "*.txt")))


def issued_numbers(book: Path) -> list[str]:
    numbers = set()
    for path in sorted((Path(book) / "issued" / "drafts").glob("*.txt")):
        try:
            if path.is_file() and path.stat().st_size <= _MAX_FILE:
                numbers.add(path.read_text(encoding="utf-8").strip())
        except (OSError, UnicodeDecodeError):
            continue
    return sorted(n for n in numbers if n and n.isprintable())


def periods(book: Path) -> list[str]:
    found = {m.group(1) for m in map(_PERIOD.search, draft_ids(book)) if m}
    return sorted(found, reverse=True)   # the latest first: the month being closed


def invoice_ids(book: Path) -> list[str]:
    """What `explain` takes: a draft id or an issued number."""
    return draft_ids(book) + issued_numbers(book)


def open_drafts(book: Path) -> list[str]:
    """What `issue` takes: drafts of the last build not issued yet."""
    book = Path(book)
    return sorted(set(_built(book)) - set(_names(book / "issued" / "drafts", "*.txt")))


def _built(book: Path) -> list[str]:
    """Invoice ids of the last build (credit notes, named after their number, left out)."""
    return [n for n in _names(book / "build" / "invoices", "*.json") if _PERIOD.search(n)]

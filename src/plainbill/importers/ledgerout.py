"""Records -> ledger lines, and the files they are appended to.

Each imported entry is one line of the ledger line format (docs/format.md),
ending with its source id as `import=<tool>:<id>`, in `ledger/import/<tool>-<YYYY-MM>.txt`
(the month of the entry's local date). The ids already in the book say what is
imported already: the same id with the same line adds nothing; the same id with
another line is reported (`import-changed`) and left alone. Files are written
whole, to a temporary file beside them and renamed into place.
"""
from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ..load.ledger import MAX_DESCRIPTION
from .common import Malformed, Record
from .mapping import Resolved
from .zones import local

FOLDER = "ledger/import"
LOCK = "ledger/.import.lock"   # hidden: never a source
KEY = "import"
DAY = 24 * 60


@dataclass(frozen=True)
class Line:
    record: Record
    path: str          # ledger/import/<tool>-<YYYY-MM>.txt
    text: str
    sort: tuple

    @property
    def source(self) -> str:
        """The source id, as the line's `import=` holds it."""
        return self.sort[2]


def minutes_of(seconds: int) -> int:
    """Seconds to whole minutes, half up: the ledger counts minutes."""
    return int((Decimal(seconds) / 60).to_integral_value(ROUND_HALF_UP))


def to_line(tool: str, title: str, record: Record, names: Resolved, tz) -> Line | None:
    """The ledger line of a record; None for an entry shorter than half a minute (nothing to
    bill). Raises Malformed for one that cannot be a ledger line (over 24 hours, a
    description over 1,000 characters)."""
    minutes = minutes_of(record.seconds)
    if minutes <= 0:
        return None
    if minutes > DAY:
        raise Malformed(f"the entry lasts {minutes // 60} h {minutes % 60} m, more than 24 hours",
                        "split it in the tool into one entry per day")
    if record.start is not None:
        start = local(record.start, tz)
        day, when = start.date(), clock_range(start, minutes)
    else:
        day, when = record.day, duration(minutes)
    target = names.client + (f"/{names.project}" if names.project else "")
    words = description(record, title)
    if len(words) > MAX_DESCRIPTION:
        raise Malformed(f"the description has {len(words)} characters; a ledger line holds at most "
                        f"{MAX_DESCRIPTION}", "shorten it in the tool and export again")
    tags = list(names.tags) + (["nobill"] if record.billable is False else [])
    tail = "".join(f" #{t}" for t in dict.fromkeys(tags))
    source = re.sub(r"\s+", "_", record.source_id)
    text = f"{day.isoformat()} {when} {target} {names.activity} @{names.person} {words}{tail} {KEY}={source}"
    return Line(record, f"{FOLDER}/{tool}-{day:%Y-%m}.txt", text, (day, when, source))


def clock_range(start: datetime, minutes: int) -> str:
    """`09:00-10:30`, `22:00-01:30+1` past midnight, `22:00-00:00` ending at midnight."""
    first = start.hour * 60 + start.minute
    last = first + minutes
    marker = "+1" if last > DAY or (last == DAY and minutes == DAY) else ""
    end = last % DAY
    return f"{first // 60:02d}:{first % 60:02d}-{end // 60:02d}:{end % 60:02d}{marker}"


def duration(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return (f"{h}h" if h else "") + (f"{m}m" if m or not h else "")


_TAGGISH = re.compile(r"^#\S")
_KEYISH = re.compile(r"^([a-z][a-z0-9_]*)=(\S+)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


def description(record: Record, title: str) -> str:
    """The record's text made one ledger description: whitespace and line breaks made single
    spaces, and words the line format would read otherwise kept as words (`#12` would be a
    tag, `a=b` a key, `//` a note for the firm: written `＃12`, `a＝b`, `／／`). Empty: the
    task, project or client name, the tags, then the tool's name."""
    text = _CONTROL.sub(" ", record.description)
    words = []
    for word in text.split():
        if _TAGGISH.match(word):
            word = "\uff03" + word[1:]
        elif _KEYISH.match(word):
            word = word.replace("=", "\uff1d", 1)
        elif word == "//":
            word = "\uff0f\uff0f"
        words.append(word)
    if not words:
        fallback = record.task or record.project or record.client or " ".join(record.tags) or f"{title} entry"
        return description(Record(record.source_id, record.ref, description=fallback), title)
    return " ".join(words)


# ---------------------------------------------------------------- what the book holds already


def imported_ids(entries) -> dict[str, object]:
    """Source id -> the entry that carries it, over the whole ledger."""
    out = {}
    for e in entries:
        value = e.get(KEY)
        if value and value not in out:
            out[value] = e
    return out


def normal(text: str) -> str:
    """A line as fingerprints see it: whitespace collapsed, a range's `+1` left out."""
    return re.sub(r"^(\S+ \d\d?:\d\d-\d\d?:\d\d)\+1 ", r"\1 ", " ".join(text.split()))


# ---------------------------------------------------------------- writing


def new_contents(root: Path, lines: list[Line]) -> dict[str, str]:
    """{path: whole new text} of every file that gains lines: its old text, then the new lines
    in date order (a new file starts with a comment saying where it comes from)."""
    by_path: dict[str, list[Line]] = {}
    for line in lines:
        by_path.setdefault(line.path, []).append(line)
    out = {}
    for path, group in sorted(by_path.items()):
        old = _read(root / path)
        if old is None:
            tool = Path(path).name.rsplit("-", 2)[0]
            old = f"# Imported with `plainbill import {tool}`; import= holds each entry's id in {tool}.\n"
        elif old and not old.endswith("\n"):
            old += "\n"
        out[path] = old + "".join(l.text + "\n" for l in sorted(group, key=lambda l: l.sort))
    return out


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None


def write_files(root: Path, contents: dict[str, str]) -> None:
    """Each file written whole: a temporary file beside it, flushed, then renamed over it
    (a reader sees the old file or the new one, never half of one). Raises OSError."""
    for path, text in contents.items():
        target = Path(root) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


class Busy(OSError):
    """Another `plainbill import` holds the book's import lock."""


@contextmanager
def import_lock(root: Path):
    """Hold `ledger/.import.lock` (flock) while an import reads the ledger and writes it, so two
    imports at once cannot both append to the old text of one file (the second exits at once).
    The lock file is removed when done; one a killed run leaves is harmless (flock is released
    with the process)."""
    ledger = Path(root) / "ledger"
    if ledger.is_symlink() or (ledger.exists() and not ledger.is_dir()):
        raise OSError("ledger is not a folder of the book")
    created = not ledger.exists()
    ledger.mkdir(exist_ok=True)
    path = Path(root) / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        try:
            import fcntl
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:   # Windows
            import msvcrt
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        os.close(fd)
        raise Busy("another `plainbill import` is writing this book's ledger; try again when it ends") from None
    try:
        yield
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(fd)
        if created:
            try:
                ledger.rmdir()   # nothing was imported into a ledger that did not exist
            except OSError:
                pass

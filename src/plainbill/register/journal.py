"""All-or-nothing writes of the register: one lock, a journal, the records, then the commit.

`issue` and `credit-note` hold an exclusive lock on `issued/.lock` (flock) for their
whole run, from before they read the register until after they have written it. The
kernel releases the lock when the process dies, even by `kill -9`, so a left-over
`.lock` file is never a held lock; the next run locks it and goes on. A second run
that finds the lock held exits at once, before reading or printing anything.

A run writes in this order, each file through a temporary file in its own folder
(written, fsynced, then linked into place, never over an existing file):

1. `issued/.journal.json`: every file the run is about to create, with its sha256;
2. each record, then its draft lock file; their folders fsynced;
3. the journal removed and `issued/` fsynced: the commit point. Only then does the
   command print "issued".

A crash before 2 leaves the old register (perhaps with a temporary file); between 2
and 3, a journal that `check` reports (`issued-interrupted`) and that the next
`issue` or `credit-note` rolls back (deleting exactly the files it lists, when their
content is still what was written); after 3, the new register. Nothing a run writes
is ever reported as issued unless the run got past its commit point.
"""
from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .records import ISSUED_DIR

JOURNAL = f"{ISSUED_DIR}/.journal.json"
LOCK = f"{ISSUED_DIR}/.lock"
JOURNAL_VERSION = 1


class Busy(Exception):
    """Another `issue` or `credit-note` holds the lock of this book."""


class LockError(Exception):
    """The lock cannot be taken at all (issued/ is a file or a link, a file system without locks)."""


class JournalError(ValueError):
    """The journal cannot be read: it was not written by plainbill (or was edited)."""


def is_temp(path: str) -> bool:
    """A temporary file of an interrupted write: `.NAME.PID.tmp`, anywhere under issued/."""
    name = path.rsplit("/", 1)[-1]
    return name.startswith(".") and name.endswith(".tmp")


# ---------------------------------------------------------------- the lock


@contextmanager
def locked(root: Path):
    """Hold `issued/.lock` exclusively; raises Busy at once when another run holds it."""
    base = Path(root) / ISSUED_DIR
    if base.is_symlink():
        raise LockError(f"{ISSUED_DIR} is a link: the register is never written outside the book")
    if base.exists() and not base.is_dir():
        raise LockError(f"{ISSUED_DIR} is not a folder")
    created = not base.exists()
    try:
        base.mkdir(exist_ok=True)
        fd = _acquire(Path(root) / LOCK)
    except OSError as exc:
        raise LockError(exc.strerror or str(exc)) from None
    path = Path(root) / LOCK
    try:
        yield
    finally:
        # removed while still held: a run that opened the old file sees it gone and retries
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(fd)
        if created:
            try:
                base.rmdir()   # nothing was issued into a register that did not exist
            except OSError:
                pass


def _acquire(path: Path) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except BlockingIOError:
            os.close(fd)
            raise Busy(str(path)) from None
        except OSError:
            os.close(fd)
            raise
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)   # the holder removed the file as it finished: lock the new one


def held(root: Path) -> bool:
    """Whether a run holds the lock right now (for `check`: in progress, not interrupted).
    Reads only: the lock file is opened if it is there, never created."""
    try:
        import fcntl
        fd = os.open(Path(root) / LOCK, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except (ImportError, OSError):
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:   # Windows
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            raise BlockingIOError() from None
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


# ---------------------------------------------------------------- writing


def commit(root: Path, files: list[tuple[str, str]], command: str) -> None:
    """Create every (book-relative path, text) of `files`, all or nothing.

    Raises FileExistsError when a target exists (nothing written) and OSError on an I/O
    error (what was written is rolled back first). Call with the lock held.
    """
    root = Path(root)
    for rel, _ in files:
        if (root / rel).exists():
            raise FileExistsError(rel)
    data = [(rel, text.encode("utf-8")) for rel, text in files]
    journal = {"plainbill_journal": JOURNAL_VERSION, "command": command,
               "files": [{"path": rel, "sha256": hashlib.sha256(b).hexdigest()} for rel, b in data]}
    _create(root / JOURNAL, (json.dumps(journal, indent=2, sort_keys=True) + "\n").encode())
    _fsync_dir(root / ISSUED_DIR)
    try:
        folders = set()
        for rel, b in data:
            _create(root / rel, b)
            folders.add((root / rel).parent)
        for folder in sorted(folders):
            _fsync_dir(folder)
    except OSError:
        rollback(root)
        raise
    os.unlink(root / JOURNAL)   # the commit point
    _fsync_dir(root / ISSUED_DIR)


def _create(target: Path, data: bytes) -> None:
    """Write through `.NAME.PID.tmp` in the same folder, fsynced, then linked into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, target)   # refuses to replace an existing file
        except FileExistsError:
            raise
        except OSError:            # a file system without hard links
            if target.exists():
                raise FileExistsError(str(target)) from None
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:   # Windows cannot open folders; its renames are durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------- reading and rolling back


@dataclass(frozen=True)
class Journal:
    command: str
    files: tuple[tuple[str, str], ...]   # (book-relative path, sha256)


def parse_journal(raw: bytes | str) -> Journal:
    try:
        d = json.loads(raw)
        files = tuple((str(f["path"]), str(f["sha256"])) for f in d["files"])
        command = str(d.get("command", "issue"))
    except (ValueError, KeyError, TypeError) as exc:
        raise JournalError(f"not a journal written by plainbill ({exc})") from None
    for path, _ in files:
        if not path.startswith(ISSUED_DIR + "/") or ".." in path.split("/"):
            raise JournalError(f"it lists {path!r}, outside issued/")
    return Journal(command, files)


def _plain(root: Path, rel: str) -> bool:
    """No link on the way from the book to `rel` (nor `rel` itself): never delete through one."""
    parts = rel.split("/")
    return not any((root.joinpath(*parts[:i])).is_symlink() for i in range(1, len(parts) + 1))


def leftovers(root: Path) -> list[str]:
    """Book-relative paths of the temporary files under issued/."""
    base = Path(root) / ISSUED_DIR
    if not base.is_dir():
        return []
    return sorted(rel for rel in (p.relative_to(root).as_posix() for p in base.rglob(".*.tmp"))
                  if _plain(Path(root), rel) and (Path(root) / rel).is_file())


def rollback(root: Path) -> list[str]:
    """Undo an interrupted run: delete the files its journal lists (those still holding what
    it wrote), every temporary file, then the journal. Returns the paths deleted.
    Raises JournalError when the journal cannot be read (nothing is deleted then)."""
    root = Path(root)
    path = root / JOURNAL
    removed: list[str] = []
    if path.is_symlink():
        raise JournalError("it is a link")
    if path.exists():
        journal = parse_journal(path.read_bytes())
        for rel, digest in journal.files:
            target = root / rel
            if _plain(root, rel) and target.is_file() and \
                    hashlib.sha256(target.read_bytes()).hexdigest() == digest:
                target.unlink()
                removed.append(rel)
    for rel in leftovers(root):
        (root / rel).unlink()
        removed.append(rel)
    for folder in sorted({(root / rel).parent for rel in removed}):
        _fsync_dir(folder)
    if path.exists():
        path.unlink()
        _fsync_dir(root / ISSUED_DIR)
    return removed

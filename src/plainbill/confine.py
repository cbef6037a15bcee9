"""The book's boundary: reading a file only when it really lies inside a folder
(and outside its hidden folders, such as `.git`).

Every read of a book's source goes through `read_inside` (the loader, the register,
the lines quoted under diagnostics), so a symlink to /etc/passwd or /proc/self/environ
is never opened, and a FIFO or a device never blocks a run. No other plainbill import:
any stage may use it.
"""
from __future__ import annotations

import errno
import os
import stat
import unicodedata
from pathlib import Path

# bidirectional overrides and isolates: they make a name print differently from what it is
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class OutsideBook(OSError):
    """The path resolves (through a link) outside the folder it must stay in."""


class NotRegular(OSError):
    """The path is a folder, a FIFO, a socket or a device, not a regular file."""


def is_inside(real_root: str, real_path: str) -> bool:
    """Both already resolved (os.path.realpath): is the path the root or below it, and
    outside every hidden folder of it? A book's `.git` is not the book: in CI its
    config can hold a token, so a link to `.git/config` must not be read either."""
    if real_path == real_root:
        return True
    prefix = real_root.rstrip(os.sep) + os.sep
    if not real_path.startswith(prefix):
        return False
    return not any(part.startswith(".") for part in real_path[len(prefix):].split(os.sep))


class Boundary:
    """A folder that reads stay inside; the folder's own path is resolved once."""

    def __init__(self, root: Path | str):
        self.real_root = os.path.realpath(root)

    def resolve(self, rel: str) -> str:
        """The resolved path of `rel` under the folder; OutsideBook when it leaves it."""
        real = os.path.realpath(os.path.join(self.real_root, rel))
        if not is_inside(self.real_root, real):
            raise OutsideBook(f"{rel} resolves outside the book")
        return real

    def read(self, rel: str, limit: int | None = None) -> bytes:
        """The bytes of the regular file `rel`, only if it resolves inside the folder (and
        is at most `limit` bytes long, when given: else OSError EFBIG).

        Raises OutsideBook, NotRegular, or the OSError of the open or read. The file is
        opened non-blocking (a FIFO's open returns at once) and checked with fstat first."""
        fd = os.open(self.resolve(rel), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise NotRegular(f"{rel} is not a regular file")
            if limit is not None and st.st_size > limit:
                raise OSError(errno.EFBIG, "file too large to quote", rel)
            os.set_blocking(fd, True)
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)


def read_inside(root: Path | str, rel: str) -> bytes:
    """Boundary(root).read(rel): one file, read only if it lies inside `root`."""
    return Boundary(root).read(rel)


def printable_name(name: str) -> str:
    """A file name as it can be printed safely: bytes that are not UTF-8 as `\\xe8`,
    control and bidirectional characters as `\\n`, `\\u202e`..."""
    try:
        raw = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:   # a surrogate no file system produced (an in-memory book)
        raw = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(_escape(c) if unicodedata.category(c) == "Cc" or c in BIDI else c for c in raw)


def name_is_safe(name: str) -> bool:
    """True when the name is UTF-8 with no control or bidirectional characters."""
    if name.isascii():   # the common case, fast: no surrogate, no bidi, only controls to rule out
        return name.isprintable()
    return printable_name(name) == name


def _escape(c: str) -> str:
    return c.encode("unicode_escape").decode("ascii")

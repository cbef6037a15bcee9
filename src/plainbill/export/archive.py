"""The export's zip, the same bytes for the same documents.

Entries sorted by name, each stamped with one fixed time (the period's last day,
never the clock), regular-file permissions 0644 and created on "Unix", deflated at
level 9. Written through a temporary file renamed over the target, and only when
the bytes differ.
"""
from __future__ import annotations

import io
import os
import zipfile
from datetime import date
from pathlib import Path


def zip_bytes(files: dict[str, bytes], stamp: date) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            z.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buf.getvalue()


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` at `path` (atomically) unless it holds them already; True when written."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with open(temp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()
    return True

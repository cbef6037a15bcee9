"""Time zones of imported times: IANA names through the standard library's zoneinfo.

Timewarrior exports UTC (`20261103T083000Z`), Watson ISO times with an offset
(`2026-11-03T09:30:00+01:00`); the ledger holds local wall-clock times. The
book's `timezone` (plainbill.yaml, or a mapping file's own) says which local.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo | None:
    """The zone called `name` (`Europe/Rome`, `UTC`), or None when there is none."""
    if not name or name.startswith(("/", ".")) or ".." in name or "\x00" in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """A naive local wall-clock time: aware times are converted into `tz`, naive ones kept
    (CSV exports write the user's own wall-clock time)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(tz).replace(tzinfo=None)

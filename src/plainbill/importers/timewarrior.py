"""Timewarrior: `timew export` (a JSON list of intervals).

Each interval: `start` and `end` in UTC (`20261103T083000Z`), `tags` (a list),
`annotation` (optional). The `id` Timewarrior prints is its current position
(`@1` is the latest), not an identity: an interval is identified by its start,
which no other interval shares. Tags name the client, project, activity or
ledger tags through the mapping file; the person is the mapping's `person`.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ..diagnostics import Diagnostic, SourceRef
from .common import Malformed, Record, read_json_records

NAME, TITLE = "timewarrior", "Timewarrior"
COMMAND = "timew export"


def parse_utc(text) -> datetime:
    if not isinstance(text, str):
        raise Malformed(f"`{text}` is not a Timewarrior time", "times are written 20261103T083000Z")
    try:
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        raise Malformed(f"`{text[:40]}` is not a Timewarrior time", "times are written 20261103T083000Z") from None


def read(path: str, text: str, date_format: str | None) -> tuple[list[Record], list[Diagnostic]]:
    return read_json_records(path, text, TITLE, COMMAND, _interval)


def _interval(item, ref: SourceRef) -> Record:
    if not isinstance(item, dict):
        raise Malformed("an interval is a JSON object ({...})", f"save the output of `{COMMAND}` as it is")
    if "start" not in item:
        raise Malformed("the interval has no `start`", f"save the output of `{COMMAND}` as it is")
    start = parse_utc(item["start"])
    if "end" not in item:
        raise Malformed("the interval is still running (it has no `end`)",
                        "stop it (`timew stop`) and export again; a running interval is not imported")
    end = parse_utc(item["end"])
    if end < start:
        raise Malformed("the interval ends before it starts", "fix it in Timewarrior (`timew modify`)")
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise Malformed("`tags` is not a list of words", f"save the output of `{COMMAND}` as it is")
    note = item.get("annotation", "")
    return Record(source_id=f"{NAME}:{item['start']}", ref=ref, tags=tuple(tags),
                  description=note if isinstance(note, str) else "",
                  start=start, end=end, seconds=int((end - start).total_seconds()))

"""Watson: `watson log --json` (a JSON list of frames).

Each frame: `id` (a stable hexadecimal id), `project`, `start` and `stop` (ISO
8601 with the offset of the machine that recorded it, `2026-11-03T09:30:00+01:00`),
`tags` (a list); a `note` when the Watson version writes one. The project names a
client or project and each tag an activity or ledger tag through the mapping file;
the person is the mapping's `person`.
"""
from __future__ import annotations

from datetime import datetime

from ..diagnostics import Diagnostic, SourceRef
from .common import Malformed, Record, read_json_records

NAME, TITLE = "watson", "Watson"
COMMAND = "watson log --json"


def parse_iso(text) -> datetime:
    if not isinstance(text, str):
        raise Malformed(f"`{text}` is not a time", "Watson writes times as 2026-11-03T09:30:00+01:00")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Malformed(f"`{text[:40]}` is not a time", "Watson writes times as 2026-11-03T09:30:00+01:00") from None
    if moment.tzinfo is None:
        raise Malformed(f"`{text[:40]}` has no offset from UTC",
                        "Watson's JSON gives every time with its offset; export it with `watson log --json`")
    return moment


def read(path: str, text: str, date_format: str | None) -> tuple[list[Record], list[Diagnostic]]:
    return read_json_records(path, text, TITLE, COMMAND, _frame)


def _frame(item, ref: SourceRef) -> Record:
    if not isinstance(item, dict):
        raise Malformed("a frame is a JSON object ({...})", f"save the output of `{COMMAND}` as it is")
    for key in ("id", "project", "start", "stop"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise Malformed(f"the frame has no `{key}`", f"save the output of `{COMMAND}` as it is")
    start, stop = parse_iso(item["start"]), parse_iso(item["stop"])
    if stop < start:
        raise Malformed("the frame stops before it starts", "fix it in Watson (`watson edit`)")
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise Malformed("`tags` is not a list of words", f"save the output of `{COMMAND}` as it is")
    note = item.get("note") or ""
    return Record(source_id=f"{NAME}:{item['id'].strip()}", ref=ref, project=item["project"], tags=tuple(tags),
                  description=note if isinstance(note, str) else "",
                  start=start, end=stop, seconds=int((stop - start).total_seconds()))

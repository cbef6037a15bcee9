"""Harvest: the detailed time report exported as CSV (Reports > Detailed time > Export > CSV).

Columns read: Date, Client, Project, Task, Notes, Hours (decimal, `1.5` or
`1,5`), Billable? (Yes/No), First Name, Last Name; Started At and Ended At when
the account tracks start and end times. Harvest exports no entry id: an entry is
identified by person, date, client, project, task and notes (docs/import.md).
"""
from __future__ import annotations

from .csvtools import read_csv

NAME, TITLE = "harvest", "Harvest"
COLUMNS = {
    "id": ("Time Entry ID", "Entry ID"),
    "first_name": ("First Name", "First name"),
    "last_name": ("Last Name", "Last name"),
    "user": ("Person", "User"),
    "client": ("Client",),
    "project": ("Project",),
    "task": ("Task",),
    "description": ("Notes",),
    "billable": ("Billable?", "Billable"),
    "date": ("Date",),
    "start": ("Started At", "Start Time"),
    "end": ("Ended At", "End Time"),
    "duration": ("Hours",),
    "tags": ("Tags",),
}


def read(path: str, text: str, date_format: str | None):
    return read_csv(path, text, NAME, TITLE, COLUMNS, ("date", "duration"), date_format)

"""Toggl Track: the detailed report exported as CSV (Reports > Detailed > Export > CSV).

Columns read: User (or Member), Email, Client, Project, Task, Description,
Billable, Start date, Start time, End date (or Stop date), End time (or Stop
time), Duration (`01:30:00`), Tags; an `ID` column when the export has one.
Times are the exporting user's wall-clock times. Without an ID, an entry is
identified by its user and start (docs/import.md).
"""
from __future__ import annotations

from .csvtools import read_csv

NAME, TITLE = "toggl", "Toggl Track"
COLUMNS = {
    "id": ("ID", "Id", "Time entry ID"),
    "user": ("User", "Member", "Username"),
    "email": ("Email",),
    "client": ("Client",),
    "project": ("Project",),
    "task": ("Task",),
    "description": ("Description",),
    "billable": ("Billable",),
    "date": ("Start date",),
    "start": ("Start time",),
    "end_date": ("End date", "Stop date"),
    "end": ("End time", "Stop time"),
    "duration": ("Duration",),
    "tags": ("Tags",),
}


def read(path: str, text: str, date_format: str | None):
    return read_csv(path, text, NAME, TITLE, COLUMNS, ("date", "start"), date_format)

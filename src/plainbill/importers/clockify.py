"""Clockify: the detailed report exported as CSV (Reports > Detailed > Export > Save as CSV).

Columns read: Project, Client, Description, Task, User, Email, Tags, Billable
(Yes/No), Start Date, Start Time, End Date, End Time, Duration (h) (`01:30:00`)
or else Duration (decimal) (`1.50`, `1,50`); an `ID` column when there is one.
Dates follow the workspace's format (`11/03/2026` or `03/11/2026`: see
`date_format` in docs/import.md) and times may be 12-hour (`01:30:00 PM`).
"""
from __future__ import annotations

from .csvtools import read_csv

NAME, TITLE = "clockify", "Clockify"
COLUMNS = {
    "id": ("ID", "Id", "Time entry ID"),
    "user": ("User",),
    "email": ("Email",),
    "client": ("Client",),
    "project": ("Project",),
    "task": ("Task",),
    "description": ("Description",),
    "billable": ("Billable",),
    "date": ("Start Date",),
    "start": ("Start Time",),
    "end_date": ("End Date",),
    "end": ("End Time",),
    "duration": ("Duration (h)", "Duration (decimal)", "Duration"),
    "tags": ("Tags",),
}


def read(path: str, text: str, date_format: str | None):
    return read_csv(path, text, NAME, TITLE, COLUMNS, ("date", "start"), date_format)

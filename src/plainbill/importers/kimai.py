"""Kimai: the timesheet export as CSV (Export > CSV), with English, German or Italian headers.

Columns read: Date, From, To, Duration (`1:30`, used when From/To are empty),
User (or Name, Username), Customer, Project, Activity, Description, Billable,
Tags; an `ID` column when there is one. Times are the user's wall-clock times.
"""
from __future__ import annotations

from .csvtools import read_csv

NAME, TITLE = "kimai", "Kimai"
COLUMNS = {
    "id": ("ID", "Id"),
    "user": ("User", "Name", "Username", "Benutzer", "Utente", "Benutzername", "Nome utente"),
    "email": ("Email", "E-Mail"),
    "client": ("Customer", "Kunde", "Cliente"),
    "project": ("Project", "Projekt", "Progetto"),
    "task": ("Activity", "Tätigkeit", "Aktivität", "Attività"),
    "description": ("Description", "Beschreibung", "Descrizione"),
    "billable": ("Billable", "Abrechenbar", "Fatturabile"),
    "date": ("Date", "Datum", "Data"),
    "start": ("From", "Begin", "Von", "Beginn", "Da", "Inizio"),
    "end": ("To", "End", "Bis", "Ende", "A", "Fine"),
    "duration": ("Duration", "Dauer", "Durata"),
    "tags": ("Tags", "Schlagworte", "Etichette", "Tag"),
}


def read(path: str, text: str, date_format: str | None):
    return read_csv(path, text, NAME, TITLE, COLUMNS, ("date", "client"), date_format, range_first=True)

"""The words of the reports site, in the book's language (Italian or English).

The site is the firm's, read by the firm: it speaks the book's `language`, like
build/index.html. Templates read these as `w.<key>`.
"""
from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "reports": "Reports",
        "invoices": "Invoices",
        "overview": "Overview",
        "site_nav": "Reports",
        "periods": "Periods",
        "whole_book": "Whole book",
        "skip": "Skip to the report",
        "nothing": "Nothing to show for this period.",
        "footer": "The firm's reports: never sent to a client",
        "table_of": "The figures of the chart",
        "data": "Data",
        "overview_note": "Every report, for the whole book and for each month",
    },
    "it": {
        "reports": "Report",
        "invoices": "Fatture",
        "overview": "Panoramica",
        "site_nav": "Report",
        "periods": "Periodi",
        "whole_book": "Tutto il libro",
        "skip": "Vai al report",
        "nothing": "Niente da mostrare per questo periodo.",
        "footer": "Report interni dello studio: mai inviati ai clienti",
        "table_of": "I numeri del grafico",
        "data": "Dati",
        "overview_note": "Ogni report, per tutto il libro e per ogni mese",
    },
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])

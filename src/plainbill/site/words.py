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
        "figures": "The figures, in a table",
        "total": "Total",
        "every_report": "Every report, by period",
        "report": "Report",
        "overview_note": "Every report, for the whole book and for each month; the charts of the whole book below",
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
        "figures": "I numeri, in una tabella",
        "total": "Totale",
        "every_report": "Ogni report, per periodo",
        "report": "Report",
        "overview_note": "Ogni report, per tutto il libro e per ogni mese; sotto, i grafici di tutto il libro",
    },
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


# the report kinds' names, for menus and titles
KIND_NAMES = {
    "en": {"hours": "Hours", "profitability": "Profitability", "support": "Support cost",
           "utilisation": "Utilisation", "wip": "Unbilled work", "balances": "Balances",
           "receivables": "Receivables"},
    "it": {"hours": "Ore", "profitability": "Redditività", "support": "Costo dell'assistenza",
           "utilisation": "Utilizzo", "wip": "Lavoro non fatturato", "balances": "Saldi",
           "receivables": "Crediti"},
}

# the engine's column titles are English; the Italian ones by column key (an unknown key keeps
# the engine's title)
COLUMNS_IT = {
    "client": "Cliente", "project": "Progetto", "contract": "Contratto", "person": "Persona",
    "activity": "Attività", "month": "Mese", "invoice": "Fattura",
    "worked": "Lavorate", "billable": "Fatturabili", "non_billable": "Non fatturabili",
    "no_charge": "Gratuite", "billed": "Fatturate", "billable_pct": "% fatturabili",
    "revenue": "Ricavi", "cost": "Costo", "time_cost": "Costo del tempo", "expense_cost": "Costo spese",
    "margin": "Margine", "margin_pct": "Margine %", "effective_rate": "Tariffa effettiva",
    "list_rate": "Tariffa di listino", "realization": "Realizzo", "capacity": "Capacità",
    "utilisation": "Utilizzo", "value": "Valore", "entries": "Voci", "kind": "Tipo",
    "date": "Data", "due_date": "Scadenza", "total": "Totale", "paid": "Pagato", "open": "Aperto",
    "overdue": "Scaduto", "days": "Giorni", "balance": "Saldo", "runs_out": "Si esaurisce",
    "burn_rate": "Consumo", "fee": "Canone", "earned": "Ricavato", "number": "Numero",
    "cost_time": "Costo del tempo", "cost_expense": "Costo spese", "standard": "Valore di listino",
    "contract_kind": "Tipo", "covered": "Coperte", "rolled_in": "Da riporto", "extra": "Extra",
    "lapsed": "Decadute o scadute", "cost_covered": "Costo coperte", "cost_extra": "Costo extra",
    "cost_given": "Costo regalato", "load": "Carico", "unbilled": "Ore non fatturate", "wip_time": "Lavoro",
    "wip_expenses": "Spese", "wip_other": "Canoni e altro", "wip": "Da fatturare", "item": "Voce",
    "item_kind": "Tipo", "size_hours": "Totale (ore)", "used_hours": "Usate (ore)", "expired_hours": "Scadute",
    "left_hours": "Rimaste (ore)", "size_amount": "Totale (importo)", "used_amount": "Usato (importo)",
    "left_amount": "Rimasto (importo)", "used_pct": "% usata", "burn_hours": "Consumo ogni 30 giorni (ore)",
    "burn_amount": "Consumo ogni 30 giorni (importo)", "alert": "Avviso", "issue_date": "Emessa",
    "currency": "Valuta", "amount": "Importo", "status": "Stato", "last_payment": "Ultimo incasso",
    "days_overdue": "Giorni di ritardo", "not_due": "Non scaduto", "overdue_0_30": "0-30 giorni",
    "overdue_31_60": "31-60 giorni", "overdue_61_90": "61-90 giorni", "overdue_90": "> 90 giorni",
    "invoices": "Fatture",
}
AXES = {"en": {"client": "client", "project": "project", "contract": "contract", "person": "person",
               "activity": "activity", "month": "month", "invoice": "invoice"},
        "it": {"client": "cliente", "project": "progetto", "contract": "contratto", "person": "persona",
               "activity": "attività", "month": "mese", "invoice": "fattura"}}


def kind_name(kind: str, language: str) -> str:
    return KIND_NAMES.get(language, KIND_NAMES["en"]).get(kind, kind)


def column_title(column, language: str) -> str:
    """A report column's title in the book's language."""
    if language == "it":
        return COLUMNS_IT.get(column.key, column.title)
    return column.title


def report_caption(report, language: str) -> str:
    """The table's caption: "Hours by client" / "Ore per cliente"."""
    axes = AXES.get(language, AXES["en"])
    by = axes.get(report.by, report.by)
    joint = " per " if language == "it" else " by "
    return kind_name(report.kind, language) + joint + by

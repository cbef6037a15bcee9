"""The words printed around the numbers, in Italian and English.

Templates read them as `t.<key>` (StrictUndefined makes a missing key an
error, not a blank). Explanations, statements and notes come from the engine
already in the client's language; only the fixed labels live here.
"""
from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "draft": "DRAFT",
        "draft_note": "Draft: not a valid invoice until issued.",
        "number": "Number",
        "date": "Date",
        "due_date": "Due date",
        "period": "Period",
        "references": "Credits invoice",
        "bill_to": "Bill to",
        "from": "From",
        "vat_number": "VAT no.",
        "tax_code": "Tax code",
        "rea": "REA",
        "pec": "PEC",
        "sdi_code": "Recipient code (SdI)",
        "eaddress": "E-invoicing address",
        "email": "E-mail",
        "phone": "Phone",
        "description": "Description",
        "quantity": "Qty",
        "unit": "Unit",
        "unit_price": "Unit price",
        "line_amount": "Amount",
        "vat": "VAT",
        "tax_summary": "Tax summary",
        "tax_rate": "Rate",
        "nature": "Nature",
        "taxable": "Taxable amount",
        "tax": "Tax",
        "lines_total": "Lines total",
        "subtotal": "Subtotal",
        "tax_total": "VAT",
        "total": "Total",
        "withholding": "Withholding tax",
        "withholding_on": "on",
        "excluded": "Excluded, art. 15 (N1)",
        "amount_credited": "Amount credited",
        "split_payment": "VAT paid by the client (split payment)",
        "amount_due": "Amount due",
        "payment": "Payment",
        "payment_terms": "Payment terms",
        "days": "days from the invoice date",
        "days_eom": "days, end of month",
        "bank": "Bank",
        "iban": "IBAN",
        "bic": "BIC",
        "notes": "Notes",
        "statements": "Balances",
        "appendix": "Detail of the work billed",
        "appendix_intro": "Every entry behind this invoice, with the line of the ledger it comes from.",
        "appendix_intro_compact": "The work behind this invoice, entry by entry.",
        "entry_date": "Date",
        "person": "Person",
        "raw_time": "Worked",
        "billed_time": "Billed",
        "raw_short": "Worked",
        "billed_short": "Billed",
        "rate": "Rate",
        "multiplier": "×",
        "source": "Source",
        "page": "Page",
        "no_lines": "Nothing to bill in this period.",
        # index
        "index_title": "Invoices",
        "reports_link": "Reports: hours, profitability, utilisation, receivables",
        "client": "Client",
        "status": "Number",
        "warnings": "Warnings",
        "files": "Files",
        "totals_by_currency": "Totals",
        "invoices_count": "invoices",
    },
    "it": {
        "invoice": "Fattura",
        "credit_note": "Nota di credito",
        "draft": "BOZZA",
        "draft_note": "Bozza: non è una fattura valida finché non viene emessa.",
        "number": "Numero",
        "date": "Data",
        "due_date": "Scadenza",
        "period": "Periodo",
        "references": "Storna la fattura",
        "bill_to": "Cliente",
        "from": "Fornitore",
        "vat_number": "P. IVA",
        "tax_code": "C.F.",
        "rea": "REA",
        "pec": "PEC",
        "sdi_code": "Codice destinatario",
        "eaddress": "Indirizzo elettronico",
        "email": "E-mail",
        "phone": "Tel.",
        "description": "Descrizione",
        "quantity": "Q.tà",
        "unit": "U.m.",
        "unit_price": "Prezzo unit.",
        "line_amount": "Importo",
        "vat": "IVA",
        "tax_summary": "Riepilogo IVA",
        "tax_rate": "Aliquota",
        "nature": "Natura",
        "taxable": "Imponibile",
        "tax": "Imposta",
        "lines_total": "Totale righe",
        "subtotal": "Imponibile",
        "tax_total": "IVA",
        "total": "Totale documento",
        "withholding": "Ritenuta d'acconto",
        "withholding_on": "su",
        "excluded": "Escluso art. 15 (N1)",
        "amount_credited": "Importo a credito",
        "split_payment": "IVA versata dal cliente (scissione dei pagamenti)",
        "amount_due": "Netto a pagare",
        "payment": "Pagamento",
        "payment_terms": "Termini di pagamento",
        "days": "giorni data fattura",
        "days_eom": "giorni fine mese",
        "bank": "Banca",
        "iban": "IBAN",
        "bic": "BIC",
        "notes": "Note",
        "statements": "Saldi",
        "appendix": "Dettaglio delle attività fatturate",
        "appendix_intro": "Ogni registrazione alla base di questa fattura, con la riga del registro da cui proviene.",
        "appendix_intro_compact": "Le attività alla base di questa fattura, una per una.",
        "entry_date": "Data",
        "person": "Persona",
        "raw_time": "Lavorato",
        "billed_time": "Fatturato",
        "raw_short": "Lav.",
        "billed_short": "Fatt.",
        "rate": "Tariffa",
        "multiplier": "×",
        "source": "Origine",
        "page": "Pagina",
        "no_lines": "Nulla da fatturare in questo periodo.",
        "index_title": "Fatture",
        "reports_link": "Report: ore, redditività, utilizzo, crediti",
        "client": "Cliente",
        "status": "Numero",
        "warnings": "Avvisi",
        "files": "File",
        "totals_by_currency": "Totali",
        "invoices_count": "fatture",
    },
}

UNITS: dict[str, dict[str, tuple[str, str]]] = {   # unit -> (one, many)
    "en": {"h": ("h", "h"), "pcs": ("pcs", "pcs"), "month": ("month", "months"), "visit": ("visit", "visits"),
           "day": ("day", "days")},
    "it": {"h": ("ora", "ore"), "pcs": ("pz", "pz"), "month": ("mese", "mesi"), "visit": ("uscita", "uscite"),
           "day": ("giorno", "giorni")},
}


EXPLAIN = {   # the headings of `plainbill explain` (the firm's view)
    "en": {"number": "no.", "key": "line key", "tax": "tax", "raw": "worked", "billed": "billed", "date": "date",
           "person": "person", "rate": "rate", "x": "x", "amount": "amount", "source": "source", "note": "note",
           "from": "from", "taxes": "Taxes", "of": "of", "subtotal": "subtotal (sum of lines)",
           "tax_total": "tax (sum per rate)", "total": "total", "withholding": "withholding",
           "split_payment": "split payment", "amount_due": "amount due", "warning": "warning"},
    "it": {"number": "n.", "key": "chiave riga", "tax": "imposta", "raw": "lavorato", "billed": "fatturato",
           "date": "data", "person": "persona", "rate": "tariffa", "x": "x", "amount": "importo",
           "source": "origine", "note": "nota", "from": "da", "taxes": "Imposte", "of": "su",
           "subtotal": "totale delle righe", "tax_total": "IVA (somma per aliquota)",
           "total": "totale documento", "withholding": "ritenuta d'acconto", "split_payment": "scissione dei pagamenti",
           "amount_due": "netto a pagare", "warning": "avviso"},
}


def explain_words(language: str) -> dict[str, str]:
    return EXPLAIN.get(language, EXPLAIN["en"])


EINVOICE = {   # what the page prints because of the e-invoice (plainbill.einvoice.page)
    "it": {
        "courtesy": "Copia di cortesia: la fattura è il file XML (FatturaPA) trasmesso tramite il Sistema di "
                    "Interscambio.",
        "capital": "Capitale sociale {amount}", "sole": "Socio unico", "liquidation": "In liquidazione",
        "cig": "CIG", "cup": "CUP", "order": "Ordine", "contract": "Contratto", "determina": "Determina",
        "of": "del", "no": "n.",
        "euro": "Controvalore in euro al cambio 1 {currency} = {rate} EUR{since}{source}: imponibile {taxable}, "
                "IVA {tax}, totale {total}.",
        "since": " del {date}",
    },
    "en": {
        "courtesy": "Courtesy copy: the invoice is the XML file (FatturaPA) sent through the Italian "
                    "Sistema di Interscambio.",
        "capital": "Share capital {amount}", "sole": "Sole shareholder", "liquidation": "In liquidation",
        "cig": "CIG", "cup": "CUP", "order": "Order", "contract": "Contract", "determina": "Award decision (determina)",
        "of": "of", "no": "no.",
        "euro": "Euro value at 1 {currency} = {rate} EUR{since}{source}: taxable amount {taxable}, "
                "VAT {tax}, total {total}.",
        "since": " of {date}",
    },
}


def einvoice_words(language: str) -> dict[str, str]:
    return EINVOICE.get(language, EINVOICE["en"])


def labels(language: str) -> dict[str, str]:
    """The labels of a language; English for a language plainbill does not speak yet."""
    return LABELS.get(language, LABELS["en"])


def unit_label(unit: str, language: str, quantity=None) -> str:
    """The unit as the quantity beside it needs it: 1 ora, 5 uscite; a unit the book made up
    is printed as written."""
    forms = UNITS.get(language, UNITS["en"]).get(unit)
    if forms is None:
        return unit if quantity is None or abs(quantity) == 1 else plural(unit, language)
    return forms[0] if quantity is not None and abs(quantity) == 1 else forms[1]


_IT_ENDINGS = (("ca", "che"), ("ga", "ghe"), ("a", "e"), ("o", "i"), ("e", "i"))


def plural(word: str, language: str) -> str:
    """A unit the book made up, after a quantity other than 1: "7 postazioni", "3 licenze", "2 seats".
    Only a plain lowercase word of regular ending changes; anything else ("pz", "lic.", "server",
    "città", a unit with a number or capital) is printed as written."""
    if not (word.isalpha() and word.islower() and len(word) >= 4):
        return word
    if language == "it":
        for one, many in _IT_ENDINGS:
            if word.endswith(one):
                return word[: -len(one)] + many
        return word
    if language == "en" and not word.endswith(("s", "x", "z", "ch", "sh", "y")):
        return word + "s"
    return word

"""One invoice or credit note as a FatturaPA 1.2.2 document (lxml), and its file names.

`document(book, invoice, original)` returns the XML bytes and what had to be cut to fit
the schema. Every value comes from the book or the invoice (docs/einvoice.md lists which
field comes from where); nothing is computed here that the engine computed already,
except the euro values of a foreign-currency invoice (euro.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lxml import etree

from ..billing.taxes import STAMP
from ..invoice import Invoice, Line
from ..model import Book, Client, Contract, Party
from .euro import Conversion, EuroSummary, conversion, summarise
from .text import Fit, chunks, plain

NS = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
DS = "http://www.w3.org/2000/09/xmldsig#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"p": NS, "ds": DS, "xsi": XSI}
FOREIGN_CODE, NO_CODE = "XXXXXXX", "0000000"
NO_VAT_ID = "99999999999"     # IdCodice of a foreign client with no VAT number (Agenzia's specs)
NO_CAP = "00000"              # CAP of a foreign address (the schema wants five digits)


@dataclass
class Made:
    """An e-invoice: its bytes and the texts it had to cut, as (what, original, kept)."""

    xml: bytes
    cuts: list[tuple[str, str, str]] = field(default_factory=list)


def applies(book: Book) -> bool:
    """FatturaPA is for an issuer established in Italy (its VAT number or address says IT)."""
    issuer = book.settings.issuer
    return issuer.vat_number.upper().startswith("IT") or (not issuer.vat_number and issuer.address.country == "IT")


def id_fiscale(issuer: Party) -> str:
    """The transmitter's tax id in the SdI file name: its codice fiscale, else its VAT number's digits."""
    code = issuer.tax_code or issuer.vat_number[2:]
    return "".join(c for c in code.upper() if c.isalnum())


def progressive(series: str, year: int, seq: int) -> str:
    """The file's progressive, five characters [0-9A-Z], one per issued number, for ever:
    the year since 2000 (one base-36 digit, 2000-2035), F for invoices or N for credit
    notes, the sequence in three base-36 digits (up to 46,655 a year). 2026/0042 -> QF016."""
    def b36(n: int, width: int) -> str:
        digits = ""
        while n:
            n, r = divmod(n, 36)
            digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[r] + digits
        return digits.rjust(width, "0")
    if not (2000 <= year < 2036 and 0 < seq < 36 ** 3):
        raise ValueError(f"no SdI progressive for year {year}, number {seq}")
    return b36(year - 2000, 1) + ("N" if series == "credit-note" else "F") + b36(seq, 3)


def sdi_file_name(issuer: Party, series: str, year: int, seq: int) -> str:
    """IT<id fiscale>_<progressive>.xml, the name the SdI expects."""
    return f"IT{id_fiscale(issuer)}_{progressive(series, year, seq)}.xml"


# ---------------------------------------------------------------- formatting


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def price(value: Decimal) -> str:
    """Amount8DecimalType: 2 to 8 decimals, trailing zeros beyond two dropped."""
    q = value.quantize(Decimal("0.00000001"))
    text = f"{q:f}".rstrip("0")
    whole, _, dec = text.partition(".")
    return f"{whole}.{dec.ljust(2, '0')}"


def percent(fraction: Decimal) -> str:
    return money(fraction * 100)


def _sub(parent, tag: str, text: str | None = None):
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


# ---------------------------------------------------------------- the document


@dataclass
class _Doc:
    book: Book
    invoice: Invoice
    client: Client
    lines: list[Line]
    fit: Fit
    conv: Conversion | None
    euro: EuroSummary
    original_date: date | None

    @property
    def settings(self):
        return self.book.settings


def document(book: Book, invoice: Invoice, lines: list[Line], original_date: date | None = None,
             progressive: str = "") -> Made:
    """The FatturaPA XML of `invoice`, whose client-facing `lines` are given (render.context.client_lines);
    `original_date`: a credit note's original invoice date (DatiFattureCollegate); `progressive`:
    the issued document's (ProgressivoInvio, as in its file name; a draft's is BOZZA)."""
    client = book.client(invoice.client) or Client(slug=invoice.client, party=Party(name=invoice.client))
    conv = conversion(book.settings.exchange_rates, invoice.currency, _doc_date(invoice))
    doc = _Doc(book, invoice, client, lines, Fit(), conv, summarise(invoice, lines, conv, _nature_of(book)),
               original_date)
    pa = client.party.public_administration
    root = etree.Element(f"{{{NS}}}FatturaElettronica", nsmap=NSMAP, versione="FPA12" if pa else "FPR12")
    header = _sub(root, "FatturaElettronicaHeader")
    _transmission(_sub(header, "DatiTrasmissione"), doc, pa, progressive)
    _issuer(_sub(header, "CedentePrestatore"), doc)
    _client(_sub(header, "CessionarioCommittente"), doc)
    body = _sub(root, "FatturaElettronicaBody")
    _general(_sub(body, "DatiGenerali"), doc)
    _goods(_sub(body, "DatiBeniServizi"), doc)
    _payment(body, doc)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Made(xml, doc.fit.cuts)


def _doc_date(invoice: Invoice) -> date:
    """The document's date: the issue date; a draft's is its period's last day."""
    return invoice.issue_date or invoice.period_end


def _nature_of(book: Book):
    def nature(line: Line) -> str:
        if line.tax_code == STAMP:
            return "N1"
        tc = book.settings.tax(line.tax_code)
        return tc.nature.upper() if tc and line.tax_rate == 0 else ""
    return nature


def _transmission(el, doc: _Doc, pa: bool, progressive: str) -> None:
    issuer, party = doc.settings.issuer, doc.client.party
    tid = _sub(el, "IdTrasmittente")
    _sub(tid, "IdPaese", "IT")
    _sub(tid, "IdCodice", id_fiscale(issuer) or "0")
    _sub(el, "ProgressivoInvio", progressive or "BOZZA")
    _sub(el, "FormatoTrasmissione", "FPA12" if pa else "FPR12")
    _sub(el, "CodiceDestinatario", recipient_code(party))
    if recipient_code(party) == NO_CODE and party.pec:
        _sub(el, "PECDestinatario", party.pec.strip())


def recipient_code(party: Party) -> str:
    """The client's codice destinatario: its `sdi_code`, XXXXXXX abroad, else 0000000 (PEC or cassetto fiscale)."""
    if party.sdi_code.strip():
        return party.sdi_code.strip().upper()
    return FOREIGN_CODE if _country(party) != "IT" else NO_CODE


def _country(party: Party) -> str:
    if party.address.country:
        return party.address.country.upper()
    return party.vat_number[:2].upper() if party.vat_number[:2].isalpha() else "IT"


def _address(el, party: Party, doc: _Doc, who: str) -> None:
    a, country = party.address, _country(party)
    _sub(el, "Indirizzo", doc.fit(a.street or "-", 60, f"{who} street"))
    cap = a.postal_code.strip()
    _sub(el, "CAP", cap if (len(cap) == 5 and cap.isdigit()) else NO_CAP)
    _sub(el, "Comune", doc.fit(a.city or "-", 60, f"{who} city"))
    if country == "IT" and len(a.province) == 2 and a.province.isalpha():
        _sub(el, "Provincia", a.province.upper())
    _sub(el, "Nazione", country)


def _vat_id(el, party: Party, country: str) -> None:
    vat = "".join(party.vat_number.split()).upper()
    vid = _sub(el, "IdFiscaleIVA")
    if vat[:2].isalpha():
        _sub(vid, "IdPaese", vat[:2])
        _sub(vid, "IdCodice", vat[2:30] or NO_VAT_ID)
    else:
        _sub(vid, "IdPaese", country)
        _sub(vid, "IdCodice", vat[:28] or NO_VAT_ID)


def _issuer(el, doc: _Doc) -> None:
    issuer = doc.settings.issuer
    data = _sub(el, "DatiAnagrafici")
    _vat_id(data, issuer, "IT")
    if issuer.tax_code:
        _sub(data, "CodiceFiscale", issuer.tax_code.strip().upper())
    _sub(_sub(data, "Anagrafica"), "Denominazione", doc.fit(issuer.name, 80, "issuer name"))
    _sub(data, "RegimeFiscale", issuer.fiscal_regime.strip().upper() or "RF01")
    _address(_sub(el, "Sede"), issuer, doc, "issuer")
    office, _, number = issuer.rea.partition("-")
    if issuer.rea and number:
        rea = _sub(el, "IscrizioneREA")
        _sub(rea, "Ufficio", office.strip().upper())
        _sub(rea, "NumeroREA", plain(number.strip(), False)[:20])
        if issuer.share_capital is not None:
            _sub(rea, "CapitaleSociale", money(issuer.share_capital))
        if issuer.sole_shareholder is not None:
            _sub(rea, "SocioUnico", "SU" if issuer.sole_shareholder else "SM")
        _sub(rea, "StatoLiquidazione", "LS" if issuer.liquidation else "LN")
    phone = phone_number(issuer.phone)
    if phone or issuer.email:
        contacts = _sub(el, "Contatti")
        if phone:
            _sub(contacts, "Telefono", phone)
        if issuer.email and len(issuer.email) <= 256:
            _sub(contacts, "Email", issuer.email.strip())


def phone_number(phone: str) -> str:
    """TelFaxType holds 5 to 12 characters: spaces dropped, then Italy's +39 when still too long."""
    text = "".join(c for c in phone if c.isdigit() or c == "+")
    if len(text) > 12 and text.startswith("+39"):
        text = text[3:]
    return text if 5 <= len(text) <= 12 else ""


def _client(el, doc: _Doc) -> None:
    party = doc.client.party
    country = _country(party)
    data = _sub(el, "DatiAnagrafici")
    if party.vat_number or country != "IT" or not party.tax_code:
        _vat_id(data, party, country)
    if party.tax_code and country == "IT":
        _sub(data, "CodiceFiscale", party.tax_code.strip().upper())
    _sub(_sub(data, "Anagrafica"), "Denominazione", doc.fit(party.name, 80, "client name"))
    _address(_sub(el, "Sede"), party, doc, "client")


def _general(el, doc: _Doc) -> None:
    inv, s = doc.invoice, doc.settings
    g = _sub(el, "DatiGeneraliDocumento")
    _sub(g, "TipoDocumento", "TD04" if inv.kind == "credit-note" else "TD01")
    _sub(g, "Divisa", "EUR")
    _sub(g, "Data", _doc_date(inv).isoformat())
    _sub(g, "Numero", doc.fit(inv.number, 20, "number", latin1=False) if inv.number else draft_number(inv))
    if inv.withholding:
        r = _sub(g, "DatiRitenuta")
        _sub(r, "TipoRitenuta", "RT01" if len(s.issuer.tax_code.strip()) == 16 else "RT02")
        _sub(r, "ImportoRitenuta", money(doc.euro.withholding))
        w = doc.client.withholding
        rate = getattr(inv, "withholding_rate", Decimal(0)) or (w.rate if w else Decimal("0.20"))
        _sub(r, "AliquotaRitenuta", percent(rate))
        _sub(r, "CausalePagamento", "A")
    if bollo_due(doc.book, inv, doc.client):
        b = _sub(g, "DatiBollo")
        _sub(b, "BolloVirtuale", "SI")
        _sub(b, "ImportoBollo", money(s.stamp_duty.amount))
    for sc in inv.surcharges:
        _cassa(_sub(g, "DatiCassaPrevidenziale"), sc, doc)
    _sub(g, "ImportoTotaleDocumento", money(doc.euro.total))
    for text in causale(doc):
        _sub(g, "Causale", text)
    _references(el, doc)
    if inv.kind == "credit-note":
        for number in inv.references:
            linked = _sub(el, "DatiFattureCollegate")
            _sub(linked, "IdDocumento", plain(number, False)[:20])
            if doc.original_date:
                _sub(linked, "Data", doc.original_date.isoformat())


def _cassa(el, sc, doc: _Doc) -> None:
    """One social-security surcharge (billing/surcharges.py): it is not a line of the XML; its
    amount joins the summary of its rate (SdI 00422 counts it there)."""
    to_eur = doc.conv.euro if doc.conv else (lambda a: a)
    _sub(el, "TipoCassa", sc.kind)
    _sub(el, "AlCassa", percent(sc.rate))
    _sub(el, "ImportoContributoCassa", money(to_eur(sc.amount)))
    _sub(el, "ImponibileCassa", money(to_eur(sc.base)))
    _sub(el, "AliquotaIVA", percent(sc.tax_rate))
    if sc.withholding and doc.invoice.withholding:
        _sub(el, "Ritenuta", "SI")
    if sc.tax_rate == 0 and sc.nature:
        _sub(el, "Natura", sc.nature.upper())


def draft_number(invoice: Invoice) -> str:
    """A draft's Numero (never sent): BOZZA and its period, e.g. BOZZA-2026-11."""
    return "BOZZA-" + invoice.id[len(invoice.client) + 1:][:14] if invoice.id.startswith(invoice.client + "-") \
        else "BOZZA-" + invoice.period_end.isoformat()[:7]


def bollo_due(book: Book, invoice: Invoice, client: Client) -> bool:
    """The virtual stamp duty is due: the invoice has its line, or the book does not charge it
    to the client but the exempt lines pass the threshold."""
    from ..billing.taxes import stamp_duty_line

    if any(ln.tax_code == STAMP for ln in invoice.lines):
        return True
    if book.settings.stamp_duty.charge_client:
        return False
    _, note = stamp_duty_line(book.settings, client, list(invoice.lines))
    return bool(note)


def causale(doc: _Doc) -> list[str]:
    """The document's legal notes (each split over 200-character pieces), then the exchange rate."""
    out: list[str] = []
    for note in doc.invoice.notes:
        out += chunks(note, 200)
    if doc.conv:
        c = doc.conv
        text = (f"Importi in EUR al cambio 1 {c.currency} = {c.rate} EUR"
                + (f" del {c.since.strftime('%d/%m/%Y')}" if c.since != date.min else "")
                + (f" ({c.source})" if c.source else "")
                + f"; totale documento {c.currency} {money(doc.invoice.total)}, "
                  f"netto a pagare {c.currency} {money(doc.invoice.amount_due)}.")
        out += chunks(text, 200)
    return out


def _contracts_of(doc: _Doc) -> list[tuple[Contract, list[int]]]:
    """The contracts with references behind the invoice's lines, with their line numbers."""
    by_id = {c.id: c for c in doc.client.contracts}
    found: dict[str, list[int]] = {}
    for n, ln in enumerate(detail_lines(doc.lines), 1):
        c = by_id.get(ln.contract)
        if c is not None and c.references is not None:
            found.setdefault(c.id, []).append(n)
    return [(by_id[cid], numbers) for cid, numbers in found.items()]


def _references(el, doc: _Doc) -> None:
    """DatiOrdineAcquisto (an order) and DatiContratto (a contract, a determina), with CIG and CUP
    on the first block of each contract; line numbers when not every line is the contract's."""
    found = _contracts_of(doc)
    blocks = {"DatiOrdineAcquisto": [], "DatiContratto": []}
    for contract, numbers in found:
        refs = contract.references
        docs = [("DatiOrdineAcquisto", refs.order), ("DatiContratto", refs.contract),
                ("DatiContratto", refs.determina)]
        docs = [(tag, d) for tag, d in docs if d is not None]
        if not docs and (refs.cig or refs.cup):
            docs = [("DatiContratto", None)]
        lines = [] if len(numbers) == len(detail_lines(doc.lines)) else numbers
        for i, (tag, d) in enumerate(docs):
            blocks[tag].append((d, lines, refs if i == 0 else None))
    for tag in ("DatiOrdineAcquisto", "DatiContratto"):     # the schema's order
        for d, lines, refs in blocks[tag]:
            b = _sub(el, tag)
            for n in lines:
                _sub(b, "RiferimentoNumeroLinea", str(n))
            _sub(b, "IdDocumento", plain(d.number, False)[:20] if d else "ND")
            if d and d.date:
                _sub(b, "Data", d.date.isoformat())
            if refs and refs.cup:
                _sub(b, "CodiceCUP", refs.cup)
            if refs and refs.cig:
                _sub(b, "CodiceCIG", refs.cig)


def _goods(el, doc: _Doc) -> None:
    nature = _nature_of(doc.book)
    withheld = withheld_codes(doc)
    for n, ln in enumerate(detail_lines(doc.lines), 1):
        d = _sub(el, "DettaglioLinee")
        _sub(d, "NumeroLinea", str(n))
        _sub(d, "Descrizione", doc.fit(ln.description or "-", 1000, f"description of line {n}") or "-")
        total = doc.conv.euro(ln.amount) if doc.conv else ln.amount
        qty = abs(ln.quantity)
        if qty:
            _sub(d, "Quantita", price(qty))
            unit = unit_name(ln)
            if unit:
                _sub(d, "UnitaMisura", unit)
        # the unit price that gives PrezzoTotale exactly (SdI 00423): the engine's when it does
        unit_price = total / qty if qty else total
        _sub(d, "PrezzoUnitario", price(unit_price))
        _sub(d, "PrezzoTotale", money(total))
        _sub(d, "AliquotaIVA", percent(ln.tax_rate))
        if ln.tax_code in withheld:
            _sub(d, "Ritenuta", "SI")
        if nature(ln):
            _sub(d, "Natura", nature(ln))
        if doc.conv:
            other = _sub(d, "AltriDatiGestionali")
            _sub(other, "TipoDato", "VALUTA")
            _sub(other, "RiferimentoTesto", doc.conv.currency)
            _sub(other, "RiferimentoNumero", price(ln.amount))
    notes = legal_references(doc)
    for rate, nat, base, tax in doc.euro.groups:
        r = _sub(el, "DatiRiepilogo")
        _sub(r, "AliquotaIVA", percent(rate))
        if nat:
            _sub(r, "Natura", nat)
        _sub(r, "ImponibileImporto", money(base))
        _sub(r, "Imposta", money(tax))
        if rate > 0:
            _sub(r, "EsigibilitaIVA", "S" if doc.client.split_payment else "I")
        if nat and notes.get((rate, nat)):
            _sub(r, "RiferimentoNormativo", doc.fit(notes[(rate, nat)], 100, f"legal reference of {nat}"))


def detail_lines(lines: list[Line]) -> list[Line]:
    """The lines of DettaglioLinee: all but the social-security surcharges (DatiCassaPrevidenziale)."""
    return [ln for ln in lines if ln.kind != "surcharge"]


def withheld_codes(doc: _Doc) -> set[str]:
    """Tax codes of the lines the withholding is computed on, as the engine decides
    (billing.taxes.in_withholding_base: not the bollo, not N1 advanced costs by default, a tax
    code's own `withholding:`)."""
    if not doc.invoice.withholding:
        return set()
    from ..billing.taxes import in_withholding_base

    return {ln.tax_code for ln in doc.lines if in_withholding_base(doc.settings, ln.tax_code)}


def legal_references(doc: _Doc) -> dict[tuple[Decimal, str], str]:
    """(rate, nature) -> the legal note of its tax code, in Italian when the book has it."""
    from .. import i18n
    from ..billing import legal

    notes: dict[tuple[Decimal, str], str] = {}
    for t in doc.invoice.taxes:
        tc = doc.settings.tax(t.tax_code)
        note = (tc.note.get("it") if tc else "") or (i18n.t("it", "stamp_excluded") if t.tax_code == STAMP else "") \
            or t.note
        key = (t.rate, t.nature.upper())
        if len(note) > 100:   # a note written for the page: the law's short reference, if it has one
            note = legal.reference(t.nature, bool(tc and tc.reverse_charge)) or note
        if note and key not in notes:
            notes[key] = note
    return notes


UNITS = {"h": "ore", "pcs": "pz", "month": "mesi", "visit": "uscite", "day": "giorni", "km": "km"}


def unit_name(line: Line) -> str:
    return plain(UNITS.get(line.unit, line.unit), False)[:10]


def _payment(body, doc: _Doc) -> None:
    """DatiPagamento of an invoice with something to pay: terms TP02 (in one payment),
    method MP05 (bank transfer) with the IBAN, else MP01 (cash); none on a credit note."""
    inv, s = doc.invoice, doc.settings
    if inv.kind == "credit-note" or doc.euro.amount_due <= 0:
        return
    p = _sub(body, "DatiPagamento")
    _sub(p, "CondizioniPagamento", "TP02")
    d = _sub(p, "DettaglioPagamento")
    iban = "".join(s.bank.iban.split()).upper()
    _sub(d, "ModalitaPagamento", "MP05" if iban else "MP01")
    _sub(d, "DataRiferimentoTerminiPagamento", _doc_date(inv).isoformat())
    _sub(d, "GiorniTerminiPagamento", str(min(max(doc.client.payment_terms_days, 0), 999)))
    if inv.due_date:
        _sub(d, "DataScadenzaPagamento", inv.due_date.isoformat())
    _sub(d, "ImportoPagamento", money(doc.euro.amount_due))
    if iban:
        if s.bank.name:
            _sub(d, "IstitutoFinanziario", doc.fit(s.bank.name, 80, "bank name"))
        _sub(d, "IBAN", iban)
        bic = s.bank.bic.strip().upper()
        if bic:
            _sub(d, "BIC", bic)

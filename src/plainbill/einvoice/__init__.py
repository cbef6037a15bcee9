"""FatturaPA 1.2.2: the legal Italian e-invoice of every invoice and credit note (docs/einvoice.md).

    applies(book)                       the issuer is established in Italy
    einvoice_files(book, invoices, register) -> {invoice id: {path in build/: bytes}}
    diagnose(book, invoices, register)  what they lack, the texts cut, for check and build
    make_all(book, invoices, register)  both, each document made once (pipeline.compute)

Drafts are written as `invoices/<id>.xml`; issued documents also under the name the SdI
expects, `invoices/IT<id fiscale>_<progressive>.xml` (document.sdi_file_name), the
progressive derived from the register's year and sequence, so it never changes.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, SourceRef, warning
from ..invoice import Invoice
from ..model import Book
from .document import Made, applies, detail_lines, document, progressive, sdi_file_name

__all__ = ["applies", "diagnose", "einvoice_files", "make_all", "document", "sdi_file_name", "progressive", "xml_of"]


def xml_of(book: Book, invoice: Invoice, register=None, contexts: dict | None = None) -> tuple[Made | None, str]:
    """(the document, its SdI file name: "" for a draft) of one invoice, or (None, "") when it has
    no line for the client (a draft with nothing to bill: FatturaPA needs a line); `contexts`
    caches the clients' render contexts, {(client, language): ctx}."""
    from ..render.context import client_context, client_lines

    key = (invoice.client, invoice.language)
    ctx = contexts.get(key) if contexts is not None else None
    if ctx is None:
        ctx = client_context(book, invoice.client, invoice.language)
        if contexts is not None:
            contexts[key] = ctx
    record = register.get(invoice.number) if (register is not None and invoice.number) else None
    original = register.get(invoice.references[0]) if (register is not None and invoice.references) else None
    name, prog = "", ""
    if record is not None:
        try:
            prog = progressive(record.series, record.year, record.seq)
            name = sdi_file_name(book.settings.issuer, record.series, record.year, record.seq)
        except ValueError:
            prog = ""
    lines = client_lines(invoice, ctx)
    if not detail_lines(lines):
        return None, ""     # a draft with nothing for the client (nothing to bill): no document to write
    made = document(book, invoice, with_surcharges(invoice, lines),
                    original.issue_date if original is not None else None, prog)
    return made, name


def with_surcharges(invoice: Invoice, lines: list) -> list:
    """The client's lines plus the social-security surcharge lines the page shows in its totals:
    the XML carries those in DatiCassaPrevidenziale and counts them in the summaries."""
    return [ln for ln in lines if ln.kind != "surcharge"] + [ln for ln in invoice.lines if ln.kind == "surcharge"]


def einvoice_files(book: Book, invoices: list[Invoice], register=None) -> dict[str, dict[str, bytes]]:
    """{invoice id: {path under build/: XML bytes}}: `invoices/<id>.xml` for every document,
    and its SdI-named copy when issued. Nothing when the issuer is not Italian."""
    return make_all(book, invoices, register)[0]


def make_all(book: Book, invoices: list[Invoice], register=None) -> tuple[dict[str, dict[str, bytes]], list[Diagnostic]]:
    """The e-invoice files of `invoices` (einvoice_files) and their diagnostics (diagnose), each
    document made once: `pipeline.compute` keeps the files for the build to write."""
    if not applies(book):
        return {}, []
    out: dict[str, dict[str, bytes]] = {}
    made_all: dict[str, Made] = {}
    contexts: dict = {}
    for inv in invoices:
        made, name = xml_of(book, inv, register, contexts)
        if made is None:
            continue
        made_all[inv.id] = made
        files = {f"invoices/{inv.id}.xml": made.xml}
        if name:
            files[f"invoices/{name}"] = made.xml
        out[inv.id] = files
    return out, diagnose(book, invoices, register, made_all)


def diagnose(book: Book, invoices: list[Invoice], register=None, made: dict | None = None) -> list[Diagnostic]:
    """What the computed e-invoices lack (rules.missing, once per client) and `einvoice-text-cut`
    warnings: text the e-invoice had to shorten to fit the schema, at the first source of the
    line (or the file the text comes from). `made`: the documents already made, by invoice id."""
    if not applies(book):
        return []
    from .rules import issuer_missing, missing

    out: list[Diagnostic] = list(issuer_missing(book)) if invoices else []
    for slug in sorted({inv.client for inv in invoices}):
        client = book.client(slug)
        if client is not None:
            out += missing(book, client)
    rates = book.settings.exchange_rates
    cuts: dict[tuple, list] = {}
    for inv in invoices:
        if inv.currency != "EUR" and rates.rate(inv.currency, inv.issue_date or inv.period_end) is None:
            client = book.client(inv.client)
            out.append(warning("einvoice-exchange-rate", client.ref if client else book.settings.ref,
                               f"{inv.number or inv.id} is in {inv.currency} and `exchange_rates` has no rate for it "
                               f"on {(inv.issue_date or inv.period_end).isoformat()}: its e-invoice is not in euro",
                               f"add `exchange_rates: {{rates: {{{inv.currency}: 0.92}}}}` (euro per {inv.currency}) "
                               "to plainbill.yaml before issuing (docs/einvoice.md, Foreign currency)"))
        doc = made[inv.id] if made is not None and inv.id in made else xml_of(book, inv, register)[0]
        for what, original, kept in (doc.cuts if doc is not None else ()):
            ref = _where(book, inv, what)
            key = (ref, what.split(" of line ")[0], original)
            if key in cuts:                      # the same text cut on many documents: said once
                cuts[key][1] += 1
                continue
            cuts[key] = [f"{inv.number or inv.id}: the e-invoice's {what} is cut to {len(kept)} characters "
                         f"(it has {len(original)}): \"...{kept[-30:]}\"", 0]
    for (ref, _, _), (message, more) in cuts.items():
        suffix = f" (and on {more} more document{'s' * (more != 1)})" if more else ""
        out.append(warning("einvoice-text-cut", ref, message + suffix,
                           "shorten the text in the book; the PDF keeps it whole, the XML cannot (FatturaPA limits)"))
    return out


def _where(book: Book, inv: Invoice, what: str) -> SourceRef:
    if what.startswith("description of line "):
        n = int(what.rsplit(" ", 1)[1])
        from ..render.context import client_context, client_lines
        lines = detail_lines(client_lines(inv, client_context(book, inv.client, inv.language)))
        if n <= len(lines) and lines[n - 1].sources:
            return lines[n - 1].sources[0]
    if what == "number":
        return book.settings.numbering.ref if book.settings.numbering.ref.line else book.settings.ref
    if what.startswith("legal reference of "):
        nature = what.rsplit(" ", 1)[1]
        codes = [t for t in book.settings.taxes if t.nature.upper() == nature and t.note]
        if codes:
            return codes[0].ref
    if what.startswith("issuer") or what.startswith("bank") or what.startswith("legal"):
        issuer = book.settings.issuer
        return issuer.at("name") if what == "issuer name" else book.settings.ref
    client = book.client(inv.client)
    if client is None:
        return book.settings.ref
    return client.party.at("name" if what == "client name" else "address")

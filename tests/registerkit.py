"""Test helpers for the register: tiny invoices and books without the engine."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from plainbill.diagnostics import SourceRef
from plainbill.invoice import EntryDetail, Invoice, Line, TaxLine
from plainbill.model import Book, Client, Entry, Party, Settings

D = Decimal


def entry(text: str, path: str = "ledger/2026/11.txt", line: int = 1) -> Entry:
    day = date.fromisoformat(text.split()[0])
    client = text.split()[2]
    return Entry(ref=SourceRef(path, line, 1), date=day, kind="time", client=client, person="mario",
                 minutes=60, text=text)


def book(entries=(), clients=("acme",), settings: Settings | None = None) -> Book:
    settings = settings or Settings(issuer=Party("Rete Sicura"))
    return Book(".", settings, tuple(Client(c, Party(c.title())) for c in clients), tuple(entries))


def invoice(client: str, month: int, entries=(), rate: str = "50.00", year: int = 2026) -> Invoice:
    """One line per entry at `rate`, VAT 22%."""
    start = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1).fromordinal(date(year + month // 12, month % 12 + 1, 1).toordinal() - 1)
    lines = tuple(Line(key=f"time/{i}", kind="time", description=e.text[11:40], quantity=D(1), unit="h",
                       unit_price=D(rate), amount=D(rate), tax_code="vat22", tax_rate=D("0.22"),
                       explanation="", sources=(e.ref,), entries=(e.fingerprint,))
                  for i, e in enumerate(entries))
    details = tuple(EntryDetail(e.fingerprint, e.ref, e.date, "mario", "remote", e.text, 60, 60, D(rate),
                                D(1), D(rate), f"time/{i}") for i, e in enumerate(entries))
    sub = sum((l.amount for l in lines), D(0))
    tax = (sub * D("0.22")).quantize(D("0.01"))
    return Invoice(id=f"{client}-{year}-{month:02d}", client=client, period_start=start, period_end=end,
                   currency="EUR", language="en", locale="en_GB", lines=lines,
                   taxes=(TaxLine("vat22", D("0.22"), sub, tax),) if lines else (),
                   subtotal=sub, tax_total=tax, total=sub + tax, amount_due=sub + tax, entries=details)

"""Fake but realistic books and invoices, for render tests and benchmarks.

They are built by hand, not by the engine, so the renderer can be tested and
timed on its own. Numbers add up the way the engine's do: line amounts are
rounded half-up, tax per rate, total = subtotal + tax, amount due = total -
withholding - split payment.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ..diagnostics import SourceRef
from ..invoice import EntryDetail, Invoice, Line, Statement, TaxLine
from ..model import Activity, Address, Bank, Book, Client, Party, Person, Settings, TaxCode

CENT = Decimal("0.01")
PEOPLE = (("mario", "Mario Rossi"), ("lucia", "Lucia Bianchi"), ("anna", "Anna Verdi"))
TASKS = ("Printer on 2nd floor offline", "VPN reset for the sales team", "Server room cabling",
         "Backup job failed: restarted and checked", "New laptop set-up for accounting",
         "Firewall rules for the new branch office", "Mailbox migration", "Wi-Fi access point replaced")


def sample_book(root: str = "/nonexistent-book", clients: int = 3, repository_url: str = "") -> Book:
    issuer = Party(name="Rete Sicura S.r.l.", vat_number="IT01234567897", tax_code="01234567897",
                   address=Address("Via Roma 10", "Milano", "20121", "MI", "IT"),
                   email="amministrazione@retesicura.it", pec="retesicura@pec.it", phone="+39 02 1234567")
    settings = Settings(
        issuer=issuer,
        bank=Bank("Banca Esempio", "IT60X0542811101000000123456", "BPMOIT22XXX"),
        taxes=(TaxCode("vat22", Decimal("0.22")),),
        team=tuple(Person(slug, name) for slug, name in PEOPLE),
        activities=(Activity("remote", {"it": "Assistenza remota", "en": "Remote support"}),
                    Activity("onsite", {"it": "Intervento on-site", "en": "On-site intervention"}, visit=True)),
        repository_url=repository_url,
    )
    parties = [Client(slug=f"client{i:04d}", language="it" if i % 3 else "en",
                      locale="it_IT" if i % 3 else "en_GB",
                      party=Party(name=f"Cliente {i:04d} S.p.A.", vat_number=f"IT{i:011d}",
                                  address=Address(f"Via Milano {i}", "Torino", "10121", "TO", "IT"),
                                  sdi_code="M5UXCR1", pec=f"client{i}@pec.it"))
               for i in range(clients)]
    return Book(root=root, settings=settings, clients=tuple(parties), entries=())


def sample_invoice(index: int = 0, entries: int = 12, month: int = 11, language: str = "it",
                   issued: bool = False, description: str | None = None) -> Invoice:
    """An invoice of `entries` time entries on two lines, a fixed fee, a block statement."""
    slug = f"client{index:04d}"
    start, end = date(2026, month, 1), date(2026, month, 30)
    rows = [_entry(index, n, start, description if n == 0 else None) for n in range(entries)]
    remote = [e for e in rows if e.line_key == "remote"]
    onsite = [e for e in rows if e.line_key == "onsite"]
    lines = [_time_line("remote", "Assistenza remota" if language == "it" else "Remote support",
                        remote, Decimal("60.00")),
             _time_line("onsite", "Intervento on-site" if language == "it" else "On-site intervention",
                        onsite, Decimal("75.00")),
             Line("retainer/fee", "retainer-fee", "Canone di assistenza" if language == "it" else "Support fee",
                  Decimal(1), "month", Decimal("450.00"), Decimal("450.00"), "vat22", Decimal("0.22"),
                  "6 h incluse al mese; usate 4 h 30 m." if language == "it" else "6 h included per month; 4 h 30 m used.")]
    subtotal = sum((line.amount for line in lines), Decimal(0))
    tax = (subtotal * Decimal("0.22")).quantize(CENT, ROUND_HALF_UP)
    block = Statement("block", "pacchetto-2026", "Pacchetto ore 2026" if language == "it" else "Prepaid hours 2026",
                      (("Saldo iniziale", "20 h"), ("Usate", "6 h 15 m"), ("Scadute", "0 h"), ("Saldo finale", "13 h 45 m")),
                      (("opening", 1200), ("used", 375), ("expired", 0), ("closing", 825)))
    return Invoice(
        id=f"{slug}-2026-{month:02d}", client=slug, period_start=start, period_end=end, currency="EUR",
        language=language, locale="it_IT" if language == "it" else "en_GB", lines=tuple(lines),
        taxes=(TaxLine("vat22", Decimal("0.22"), subtotal, tax),), subtotal=subtotal, tax_total=tax,
        total=subtotal + tax, amount_due=subtotal + tax, entries=tuple(rows), statements=(block,),
        warnings=("cap of 3000.00 EUR exceeded by 120.00",) if index % 7 == 0 else (),
        notes=("Operazione soggetta a IVA ordinaria.",) if language == "it" else (),
        number=f"2026/{index + 1:04d}" if issued else "", issue_date=end if issued else None,
        due_date=end + timedelta(days=30) if issued else None)


def _entry(index: int, n: int, start: date, description: str | None) -> EntryDetail:
    kind = "onsite" if n % 4 == 3 else "remote"
    raw = 20 + (n * 37 + index) % 150
    billed = -(-raw // 15) * 15
    rate = Decimal("75.00") if kind == "onsite" else Decimal("60.00")
    multiplier = Decimal("1.5") if n % 9 == 5 else Decimal(1)
    slug, _ = PEOPLE[n % len(PEOPLE)]
    return EntryDetail(
        fingerprint=f"{index:08x}{n:08x}", ref=SourceRef(f"ledger/2026/{start.month:02d}.txt", 1 + index * 40 + n, 1),
        date=start + timedelta(days=n % 28), person=slug, activity=kind,
        description=description if description is not None else TASKS[(n + index) % len(TASKS)],
        raw_minutes=raw, billed_minutes=billed, rate=rate, multiplier=multiplier,
        amount=rate * multiplier * Decimal(billed) / Decimal(60), line_key=kind,
        note="after hours 18:00-19:00" if multiplier != 1 else "")


def _time_line(key: str, description: str, entries: list[EntryDetail], rate: Decimal) -> Line:
    minutes = sum(e.billed_minutes for e in entries)
    raw = sum(e.raw_minutes for e in entries)
    amount = sum((e.amount for e in entries), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
    hours = Decimal(minutes) / Decimal(60)
    return Line(key, "time", description, hours.quantize(Decimal("0.01")), "h", rate, amount, "vat22",
                Decimal("0.22"), f"{len(entries)} entries, {raw} minutes worked, {minutes} billed "
                f"(rounded up to 15 m each); after-hours work at 1.5x.",
                sources=tuple(e.ref for e in entries), entries=tuple(e.fingerprint for e in entries),
                minutes=minutes, raw_minutes=raw)

"""Write a synthetic plainbill book for benchmarks (docs/format.md format).

    python benchmarks/generate.py OUT_DIR --entries N [--seed S]

The book has a team of 10, 50 clients with 3-5 projects each and a mix of
contract kinds (hourly, block, retainer, fixed, recurring, expenses), fallback
rates on every client so every entry is billable, and N ledger lines spread
over 2025-01-01..2026-12-31 in ledger/YYYY/MM.txt (reference_date 2026-12-31).

Every entry is valid: each person's clock ranges are disjoint (each person
has a cursor per day that only moves forward), duration entries carry a unique
ticket and expenses a unique receipt number, so no two lines are exact
duplicates. The same seed always gives byte-identical files.

Speed matters (1M lines in a few seconds): ledger lines are built with string
formatting from pre-computed tables, never through a YAML dumper.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

FIRST_DAY = date(2025, 1, 1)
LAST_DAY = date(2026, 12, 31)

TEAM = [
    # slug, name, role, cost, default rate
    ("anna", "Anna Bianchi", "senior", "42.00", "95.00"),
    ("bruno", "Bruno Colombo", "technician", "27.50", "55.00"),
    ("carla", "Carla Ferrari", "developer", "35.00", "75.00"),
    ("dario", "Dario Esposito", "technician", "26.00", "55.00"),
    ("elena", "Elena Ricci", "consultant", "45.00", "110.00"),
    ("fabio", "Fabio Marino", "developer", "33.00", "70.00"),
    ("giulia", "Giulia Greco", "technician", "28.00", "58.00"),
    ("luca", "Luca Bruno", "senior", "40.00", "90.00"),
    ("marta", "Marta Gallo", "developer", "34.00", "72.00"),
    ("nicola", "Nicola Conti", "technician", "25.00", "52.00"),
]

# slug, it, en, billable, visit
ACTIVITIES = [
    ("remote", "Assistenza remota", "Remote support", True, False),
    ("onsite", "Intervento on-site", "On-site intervention", True, True),
    ("dev", "Sviluppo", "Development", True, False),
    ("consulting", "Consulenza", "Consulting", True, False),
    ("training", "Formazione", "Training", True, False),
    ("admin", "Attività interna", "Internal", False, False),
]
# Relative frequency of each activity in the ledger (same order as ACTIVITIES).
ACTIVITY_WEIGHTS = [40, 15, 20, 10, 5, 10]

PROJECTS = ["support", "migration", "website", "erp", "network", "backup", "cloud", "security"]

DESCRIPTIONS = [
    "Reset password utente", "Printer offline on 2nd floor", "Aggiornamento firmware switch",
    "VPN troubleshooting", "Backup job failed, rerun", "Installazione postazione nuova",
    "Migrazione mailbox", "Code review", "Fix login bug", "Deploy release",
    "Analisi log firewall", "Sostituzione disco NAS", "Configurazione Wi-Fi ospiti",
    "Meeting di avanzamento", "Patch Tuesday rollout", "Setup ambiente di test",
    "Database index tuning", "Rinnovo certificati TLS", "User onboarding", "Report mensile",
    "Verifica antivirus", "Cablaggio armadio rack", "API integration", "Refactoring modulo ordini",
    "Corso Office 365", "Documentazione procedure", "Ticket triage", "Restore file cancellati",
]
EXPENSES = [
    ("Cavo patch Cat6", "12.40"), ("Toner stampante", "89.90"), ("Disco SSD 1TB", "94.50"),
    ("Switch 8 porte", "64.00"), ("Licenza antivirus", "39.00"), ("Parcheggio", "8.00"),
    ("Treno A/R", "46.80"), ("Batteria UPS", "120.00"), ("Alimentatore notebook", "55.00"),
]

CURRENCIES = ["EUR"] * 44 + ["CHF"] * 3 + ["USD"] * 3
CITIES = [("Milano", "MI", "20121"), ("Torino", "TO", "10121"), ("Bergamo", "BG", "24121"),
          ("Brescia", "BS", "25121"), ("Monza", "MB", "20900"), ("Como", "CO", "22100"),
          ("Varese", "VA", "21100"), ("Pavia", "PV", "27100")]


def settings_yaml(day_hours: int = 96) -> str:
    team = "\n".join(
        f"  {s}: {{name: {n}, role: {r}, cost_rate: {c}, default_rate: {d}}}"
        for s, n, r, c, d in TEAM)
    acts = "\n".join(
        f"  {s}: {{names: {{it: {it}, en: {en}}}, billable: {str(b).lower()}"
        f"{', visit: true' if v else ''}}}"
        for s, it, en, b, v in ACTIVITIES)
    return f"""\
# Synthetic book written by benchmarks/generate.py
issuer:
  name: Synthetic Services S.r.l.
  vat_number: IT09876543210
  tax_code: "09876543210"
  fiscal_regime: RF01
  address: {{street: Via Torino 1, city: Milano, postal_code: "20123", province: MI, country: IT}}
  email: billing@synthetic.example
  pec: synthetic@pec.example.it
bank: {{name: Banca Sintetica, iban: IT60X0542811101000000123456, bic: BPMOIT22XXX}}
currency: EUR
locale: it_IT
language: it
reference_date: 2026-12-31
payment_terms_days: 30
max_hours_per_day: {day_hours}   # ten people book a big book's volume: long days by design
calendar:
  country: IT
  extra:
    - {{date: 2025-12-07, name: Sant'Ambrogio}}
    - {{date: 2026-12-07, name: Sant'Ambrogio}}
working_hours: {{days: [mon, tue, wed, thu, fri], start: "09:00", end: "18:00"}}
numbering:
  invoice: "{{year}}/{{seq:05d}}"
  credit_note: "NC-{{year}}/{{seq:04d}}"
stamp_duty: {{amount: 2.00, threshold: 77.47, charge_client: true, exchange_rates: {{CHF: 1.07, USD: 0.86}}}}
billing:
  no_charge: show
  late_entries: next-period
taxes:
  default: vat22
  codes:
    vat22: {{rate: 22%}}
    rc-eu:
      rate: 0%
      nature: N2.1
      reverse_charge: true
      note: {{en: "Reverse charge, art. 196 Directive 2006/112/EC.", it: "Inversione contabile, art. 7-ter DPR 633/72."}}
    extra-eu:
      rate: 0%
      nature: N2.1
      note: {{en: "Not subject to Italian VAT, art. 7-ter DPR 633/72.", it: "Operazione non soggetta, art. 7-ter DPR 633/72."}}
    esente:
      rate: 0%
      nature: N4
      stamp_duty: true
      note: {{it: "Operazione esente ai sensi dell'art. 10 DPR 633/72.", en: "VAT exempt, art. 10 DPR 633/72."}}
team:
{team}
activities:
{acts}
"""


def client_yaml(i: int, rng: random.Random) -> tuple[str, list[str]]:
    """The YAML of client i and the slugs of its projects."""
    projects = rng.sample(PROJECTS, rng.randint(3, 5))
    currency = CURRENCIES[i]
    city, prov, cap = CITIES[i % len(CITIES)]
    base = 50 + 5 * (i % 9)
    if currency == "EUR":
        country, tax, vat, lang = "IT", "vat22", f"IT{10000000000 + i * 7919:011d}", "it"
        if i % 10 == 7:
            country, tax, vat, lang = "DE", "rc-eu", f"DE{100000000 + i * 31:09d}", "en"
    else:
        country, tax, lang = ("CH" if currency == "CHF" else "US"), "extra-eu", "en"
        vat = f"CHE{100000000 + i:09d}" if currency == "CHF" else ""
    extra = []
    if country == "IT" and i % 10 == 3:      # public administration: split payment
        extra = ["public_administration: true", "split_payment: true"]
    elif country == "IT" and i % 10 == 4:    # withholding agent
        extra = ["withholding: {rate: 20%, base: 100%}"]
    elif country == "IT" and i % 10 == 9:    # exempt services: stamp duty
        tax = "esente"
    lines = extra + [
        f"name: Cliente Sintetico {i:02d} S.p.A.",
        f"vat_number: {vat}" if vat else "",
        f"address: {{street: Via Esempio {i + 1}, city: {city}, postal_code: \"{cap}\", "
        f"province: {prov}, country: {country}}}",
        ("sdi_code: " + (f"UF{i:04d}" if i % 10 == 3 else f"M{i:06d}")) if country == "IT" else "",
        "eaddress: \"9930:DE" + f"{100000000 + i * 31:09d}\"" if country == "DE" else "",
        f"language: {lang}",
        f"currency: {currency}",
        f"tax: {tax}",
        f"billing_cycle: {'quarterly' if i % 8 == 5 else 'monthly'}",
        "projects:",
    ]
    for p in projects:
        lines.append(f"  {p}: {{name: Progetto {p}}}")
    lines += [
        "rates:",
        f"  - {{activity: onsite, rate: {base + 15}.00}}",
        f"  - {{activity: dev, rate: {base + 10}.00}}",
        f"  - {{activity: consulting, rate: {base + 30}.00}}",
        f"  - {{rate: {base}.00}}",
        f"  - {{rate: {base + 3}.00, from: 2026-01-01}}",
        "rules:",
        f"  rounding: {{increment: {rng.choice(['6m', '10m', '15m', '30m'])}, "
        f"mode: {rng.choice(['up', 'nearest', 'down'])}, "
        f"scope: {rng.choice(['entry', 'ticket-day', 'day'])}}}",
    ]
    if i % 3 == 0:
        lines.append("  minimum: {time: 1h, per: visit}")
        lines.append("  callout: {amount: 35.00, activities: [onsite]}")
    if i % 2 == 0:
        lines.append("  multipliers: {after_hours: 1.5, weekend: 1.5, holiday: 2}")
    if i % 5 == 0:
        lines.append("  cap: {amount: 50000.00, action: warn}")
    lines.append("contracts:")
    lines += contracts_yaml(i, projects, base)
    return "\n".join(x for x in lines if x) + "\n", projects


def contracts_yaml(i: int, projects: list[str], base: int) -> list[str]:
    """Contracts whose time-entry scopes never overlap with equal specificity."""
    kind = i % 6
    out: list[str] = []
    if kind == 0:
        out += ["  - {id: tm, kind: hourly, from: 2025-01-01, to: 2026-12-31, activities: [dev, consulting],",
                f"     rates: [{{activity: dev, rate: {base + 12}.00}}, {{rate: {base + 20}.00}}]}}"]
    if kind in (1, 5):
        to = "2025-12-31" if kind == 5 else "2026-12-31"
        out += ["  - id: pacchetto", "    kind: block", "    from: 2025-01-01", f"    to: {to}",
                "    activities: [remote, onsite]", "    factors: {onsite: 1.5}",
                f"    overage: {{rate: {base + 5}.00}}", "    low_balance: 4h", "    purchases:"]
        for m in range(1, 25 if kind == 1 else 7, 6 if kind == 1 else 3):
            y, mm = 2025 + (m - 1) // 12, (m - 1) % 12 + 1
            out.append(f"      - {{date: {y}-{mm:02d}-01, hours: 40h, price: {40 * base}.00, "
                       f"expires: {y + 1}-{mm:02d}-01}}")
    if kind in (2, 5):
        frm = "2026-01-01" if kind == 5 else "2025-01-01"
        out += ["  - id: assistenza", "    kind: retainer", f"    from: {frm}", "    to: 2026-12-31",
                "    activities: [remote]", f"    fee: {10 * base}.00", "    included: 10h",
                f"    extra_rate: {base - 5}.00", "    rollover: {mode: roll, cap: 5h}"]
    if kind == 3:
        out += ["  - id: progetto", "    kind: fixed", "    from: 2025-01-01", "    to: 2026-12-31",
                f"    projects: [{projects[0]}]", "    milestones:",
                "      - {date: 2025-03-31, amount: 4000.00, description: Analisi}",
                "      - {date: 2025-09-30, amount: 8000.00, description: Sviluppo}",
                "      - {date: 2026-06-30, amount: 3000.00, description: Collaudo}"]
    if kind == 4:
        out += ["  - {id: tm, kind: hourly, from: 2025-01-01, activities: [remote, onsite]}",
                "  - id: canone", "    kind: recurring", "    from: 2025-01-01", "    to: 2026-12-31",
                "    proration: daily", "    items:",
                "      - description: Monitoraggio server", "        unit_price: 25.00",
                "        unit: device", "        quantity:",
                "          - {from: 2025-01-01, qty: 10}", "          - {from: 2025-06-17, qty: 12}",
                "          - {from: 2026-03-10, qty: 9}"]
    out += ["  - id: spese", "    kind: expenses", "    from: 2025-01-01", "    to: 2026-12-31",
            f"    markup: {5 * (i % 4)}%"]
    return out


def write_setup(out: Path, rng: random.Random, day_hours: int = 96) -> list[tuple[str, list[str]]]:
    (out / "clients").mkdir(parents=True, exist_ok=True)
    (out / "plainbill.yaml").write_text(settings_yaml(day_hours), encoding="utf-8")
    clients = []
    for i in range(50):
        slug = f"client{i:02d}"
        text, projects = client_yaml(i, rng)
        (out / "clients" / f"{slug}.yaml").write_text(text, encoding="utf-8")
        clients.append((slug, projects))
    return clients


def targets(clients: list[tuple[str, list[str]]]) -> list[str]:
    """client or client/project strings; unprojected work weighted like one project."""
    out = []
    for slug, projects in clients:
        out.append(slug)
        out += [f"{slug}/{p}" for p in projects]
    return out


def _duration(m: int) -> str:
    h, rest = divmod(m, 60)
    return (f"{h}h" if h else "") + (f"{rest}m" if rest else "")


DURATIONS = {m: _duration(m) for m in range(5, 200, 5)}


def fmt_minutes(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def day_lines(day: date, count: int, rng: random.Random, tgt: list[str], acts: list[str],
              seq: list[int]) -> list[str]:
    """`count` ledger lines for one day; each person's clock ranges are disjoint."""
    ds = day.isoformat()
    weekend = day.weekday() >= 5
    rnd = rng.random
    ntgt, nact, ndesc = len(tgt), len(acts), len(DESCRIPTIONS)
    cursors = {}            # person -> next free minute (from 07:00)
    out = []
    for _ in range(count):
        person = TEAM[int(rnd() * 10)][0]
        target = tgt[int(rnd() * ntgt)]
        r = rnd()
        if r < 0.03:        # expense
            desc, cost = EXPENSES[int(rnd() * len(EXPENSES))]
            seq[0] += 1
            r2 = rnd()
            extra = " markup=25%" if r2 < 0.2 else " qty=2 price=15.00" if r2 > 0.95 else ""
            out.append(f"{ds} expense {target} @{person} {cost} {desc} receipt=R{seq[0]}{extra}")
            continue
        act = acts[int(rnd() * nact)]
        desc = DESCRIPTIONS[int(rnd() * ndesc)]
        tags = " #nobill" if r > 0.98 else ""
        cur = cursors.get(person, 420 + int(rnd() * 90))
        if r < 0.45 and cur < 23 * 60:          # clock range
            length = 15 + 15 * int(rnd() * 8)
            end = cur + length
            if end >= 1440:                     # ends past midnight (never past 07:00)
                end -= 1440
            cursors[person] = cur + length + 5 * int(rnd() * 6) if end > cur else 1440
            tk = f" #T-{1000 + int(rnd() * 9000)}" if rnd() < 0.5 else ""
            night = "+1" if 0 < end < cur else ""   # said so: past midnight (docs/format.md)
            out.append(f"{ds} {fmt_minutes(cur)}-{fmt_minutes(end)}{night} {target} {act} @{person} "
                       f"{desc}{tk}{tags}")
        else:                                   # duration with a unique ticket
            seq[0] += 1
            minutes = 5 + 5 * int(rnd() * 36)
            dur = DURATIONS[minutes]
            r2 = rnd()
            if weekend and r2 < 0.5:
                tags += " #weekend"
            elif r2 < 0.03:
                tags += " #afterhours"
            elif r2 > 0.995:
                tags += " rate=80.00"
            out.append(f"{ds} {dur} {target} {act} @{person} {desc} #T-{seq[0]}{tags}")
    return out


def write_ledger(out: Path, n: int, rng: random.Random, clients) -> None:
    days = [FIRST_DAY + timedelta(d) for d in range((LAST_DAY - FIRST_DAY).days + 1)]
    # Weekdays carry 5x the work of weekend days.
    weights = [1 if d.weekday() >= 5 else 5 for d in days]
    total_w = sum(weights)
    counts = [n * w // total_w for w in weights]
    for k in range(n - sum(counts)):
        counts[k * 7 % len(days)] += 1
    tgt = targets(clients)
    acts = [a for a, w in zip((a[0] for a in ACTIVITIES), ACTIVITY_WEIGHTS) for _ in range(w)]
    seq = [100000]
    month: list[str] = []
    current = (days[0].year, days[0].month)
    for day, count in zip(days, counts):
        if (day.year, day.month) != current:
            flush(out, current, month)
            month, current = [], (day.year, day.month)
        month += day_lines(day, count, rng, tgt, acts, seq)
    flush(out, current, month)


def flush(out: Path, ym: tuple[int, int], lines: list[str]) -> None:
    folder = out / "ledger" / str(ym[0])
    folder.mkdir(parents=True, exist_ok=True)
    body = f"# Synthetic ledger {ym[0]}-{ym[1]:02d}\n" + "\n".join(lines) + ("\n" if lines else "")
    (folder / f"{ym[1]:02d}.txt").write_text(body, encoding="utf-8")


def generate(out: Path, entries: int, seed: int = 1) -> None:
    """Write the synthetic book into `out` (created if missing)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    clients = write_setup(out, rng, max(96, entries // 500))   # a person's day grows with the volume
    write_ledger(out, entries, rng, clients)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generate(args.out_dir, args.entries, args.seed)
    print(f"wrote {args.entries} entries to {args.out_dir} in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

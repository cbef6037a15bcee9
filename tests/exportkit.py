"""Helpers for the export tests: a book with issued invoices and a credit note, and the
FatturaPA files of its issued documents when the build did not write them.

Until the e-invoice writer (branch fatturapa) is merged, `build` writes no XML: then
`einvoices` writes, for each issued document, a minimal FatturaPA file with what export
reads (number, date, type, currency, total, summary, withholding, cassa), under the
SdI name. Once build writes them, it leaves the build's own files alone.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from plainbill import pipeline
from plainbill.cli import main

ROOT = Path(__file__).resolve().parent.parent
NS = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def freelance(tmp_path: Path, surcharge: str = "social_security: [{kind: TC22, rate: 4%}]\n") -> Path:
    """examples/freelance with the rivalsa INPS, October issued on 2 November, a partial credit
    note on 20 November (50.00 of Meccanica Dora's assessment line)."""
    book = tmp_path / "book"
    shutil.copytree(ROOT / "examples" / "freelance", book)
    settings = book / "plainbill.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + surcharge, encoding="utf-8")
    r = run("issue", book, "--period", "2026-10", "--date", "2026-11-02")
    assert r.exit_code == 0, r.output
    inv = next(i for i in invoices(book) if i.number and i.client == "meccanica-dora")
    key = next(ln.key for ln in inv.lines if ln.kind == "time" and ln.amount > 50)
    r = run("credit-note", inv.number, "--book", book, "--lines", f"{key}=50.00", "--reason", "sconto",
            "--date", "2026-11-20")
    assert r.exit_code == 0, r.output
    return book


def invoices(book: Path):
    computed = pipeline.compute_book(book)
    assert computed.invoices is not None, [d.message for d in computed.diagnostics]
    return computed.invoices


def einvoices(book: Path, out: Path | None = None) -> dict[str, str]:
    """{number: file name} of the SdI-named files of the issued documents, written here when the
    build wrote none (see the module docstring)."""
    folder = (out or book / "build") / "invoices"
    folder.mkdir(parents=True, exist_ok=True)
    if list(folder.glob("IT*_*.xml")):
        return {}
    names = {}
    for i, inv in enumerate(sorted((i for i in invoices(book) if i.number), key=lambda i: (i.issue_date, i.number))):
        name = f"IT11847300016_{i + 1:05d}.xml"
        (folder / name).write_text(fake_xml(inv), encoding="utf-8")
        names[inv.number] = name
    return names


def fake_xml(inv, **override) -> str:
    riepilogo = "".join(f"<DatiRiepilogo><AliquotaIVA>{t.rate * 100:.2f}</AliquotaIVA>"
                        f"<ImponibileImporto>{t.base}</ImponibileImporto><Imposta>{t.tax}</Imposta></DatiRiepilogo>"
                        for t in inv.taxes)
    ritenuta = f"<DatiRitenuta><ImportoRitenuta>{inv.withholding}</ImportoRitenuta></DatiRitenuta>" \
        if inv.withholding else ""
    cassa = "".join(f"<DatiCassaPrevidenziale><TipoCassa>{s.kind}</TipoCassa>"
                    f"<ImportoContributoCassa>{s.amount}</ImportoContributoCassa></DatiCassaPrevidenziale>"
                    for s in inv.surcharges)
    v = {"type": "TD04" if inv.kind == "credit-note" else "TD01", "total": inv.total, **override}
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<p:FatturaElettronica xmlns:p="{NS}" versione="FPR12">'
            f"<FatturaElettronicaHeader/><FatturaElettronicaBody><DatiGenerali><DatiGeneraliDocumento>"
            f"<TipoDocumento>{v['type']}</TipoDocumento><Divisa>{inv.currency}</Divisa>"
            f"<Data>{inv.issue_date.isoformat()}</Data><Numero>{inv.number}</Numero>{ritenuta}{cassa}"
            f"<ImportoTotaleDocumento>{v['total']}</ImportoTotaleDocumento></DatiGeneraliDocumento></DatiGenerali>"
            f"<DatiBeniServizi>{riepilogo}</DatiBeniServizi></FatturaElettronicaBody></p:FatturaElettronica>\n")

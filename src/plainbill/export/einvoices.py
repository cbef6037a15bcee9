"""The period's FatturaPA files, read back from the build folder and reconciled.

`build` writes each issued document's e-invoice as `invoices/IT<id fiscale>_<progressive>.xml`
(the name the SdI expects; plainbill.einvoice). Nothing from build/ is trusted: a
file is taken only when its name has that shape, it lies inside the folder (no link
out), it is small, has no DOCTYPE (no entities to expand) and parses. Each
FatturaElettronicaBody is matched to an issued document by its number and date
(`Numero`, `Data`), and must agree with it to the cent: the summary's taxable plus
tax (`DatiRiepilogo`) and `ImportoTotaleDocumento` equal the document's total, the
withholding (`DatiRitenuta`) and the social-security surcharges
(`DatiCassaPrevidenziale`) its own. A document in another currency is compared only
when the XML states its amounts in that currency (`Divisa`).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..invoice import Invoice
from ..model import Party

SDI_NAME = re.compile(r"^IT[A-Za-z0-9]{11,28}_[A-Za-z0-9]{1,5}\.xml$")
MAX_BYTES = 5_000_000      # the SdI's own limit for one file
ZERO = Decimal(0)


@dataclass(frozen=True)
class Body:
    """What export reads of one document in a FatturaPA file."""

    file: str
    number: str
    date: date | None
    document_type: str
    currency: str
    total: Decimal | None          # ImportoTotaleDocumento (optional in the schema)
    summary: Decimal               # sum of ImponibileImporto + Imposta
    withholding: Decimal
    cassa: Decimal


def italian(issuer: Party) -> bool:
    """Whether the issuer is established in Italy, so its documents have a FatturaPA file."""
    return issuer.vat_number.upper().startswith("IT") or issuer.address.country.upper() == "IT"


def read_einvoices(out_dir: Path) -> tuple[dict[tuple[str, date], tuple[Body, bytes]], list[str]]:
    """{(number, date): (body, the file's bytes)} of the SdI-named files in out_dir/invoices, and
    the problems met (a file that cannot be read, or two files for one document)."""
    folder = Path(out_dir) / "invoices"
    found: dict[tuple[str, date], tuple[Body, bytes]] = {}
    problems: list[str] = []
    try:
        names = sorted(n for n in (p.name for p in folder.iterdir()) if SDI_NAME.match(n))
    except OSError:
        return found, problems
    root = folder.resolve()
    for name in names:
        path = folder / name
        data, why = _read(path, root)
        if data is None:
            problems.append(f"{path}: {why}")
            continue
        try:
            bodies = parse(name, data)
        except ValueError as exc:
            problems.append(f"{path}: not a FatturaPA document the export can read ({exc})")
            continue
        for body in bodies:
            key = (body.number, body.date)
            if key in found:
                problems.append(f"{path}: document {body.number} of {body.date} is also in {found[key][0].file}")
                continue
            found[key] = (body, data)
    return found, problems


def _read(path: Path, root: Path) -> tuple[bytes | None, str]:
    try:
        if path.is_symlink() or path.resolve().parent != root or not path.is_file():
            return None, "not a file of the build folder (a link or a folder)"
        if path.stat().st_size > MAX_BYTES:
            return None, f"larger than {MAX_BYTES} bytes"
        return path.read_bytes(), ""
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"


def parse(name: str, data: bytes) -> list[Body]:
    """The documents of one FatturaPA file. Raises ValueError on anything unexpected."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("it declares a DOCTYPE")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"XML: {exc}") from None
    if _local(root.tag) != "FatturaElettronica":
        raise ValueError(f"its root is {_local(root.tag)}, not FatturaElettronica")
    bodies = [el for el in root if _local(el.tag) == "FatturaElettronicaBody"]
    if not bodies:
        raise ValueError("no FatturaElettronicaBody")
    return [_body(name, b) for b in bodies]


def _body(name: str, body) -> Body:
    general = _path(body, "DatiGenerali", "DatiGeneraliDocumento")
    if general is None:
        raise ValueError("no DatiGeneraliDocumento")
    text = {_local(el.tag): (el.text or "").strip() for el in general}
    try:
        day = date.fromisoformat(text.get("Data", ""))
    except ValueError:
        raise ValueError(f"Data {text.get('Data')!r} is not a date") from None
    summary = sum((_amount(el, "ImponibileImporto") + _amount(el, "Imposta")
                   for el in _all(body, "DatiBeniServizi", "DatiRiepilogo")), ZERO)
    withholding = sum((_amount(el, "ImportoRitenuta") for el in general if _local(el.tag) == "DatiRitenuta"), ZERO)
    cassa = sum((_amount(el, "ImportoContributoCassa") for el in general
                 if _local(el.tag) == "DatiCassaPrevidenziale"), ZERO)
    total = _decimal(text["ImportoTotaleDocumento"]) if text.get("ImportoTotaleDocumento") else None
    return Body(name, text.get("Numero", ""), day, text.get("TipoDocumento", ""), text.get("Divisa", ""),
                total, summary, withholding, cassa)


def mismatch(body: Body, inv: Invoice) -> str:
    """Why a file's document does not reconcile with the invoice ('' when it does)."""
    expected_type = "TD04" if inv.kind == "credit-note" else "TD01"
    if body.document_type != expected_type:
        return f"TipoDocumento {body.document_type}, not {expected_type}"
    if body.currency != inv.currency:
        return ""        # amounts in euro for a document in another currency: not comparable here
    surcharges = sum((s.amount for s in inv.surcharges), ZERO)
    for what, xml, ours in (("DatiRiepilogo (taxable + tax)", body.summary, inv.total),
                            ("ImportoTotaleDocumento", body.total, inv.total),
                            ("DatiRitenuta", body.withholding, inv.withholding),
                            ("DatiCassaPrevidenziale", body.cassa, surcharges)):
        if xml is not None and xml != ours:
            return f"{what} {xml}, the document {ours}"
    return ""


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _path(el, *names):
    for name in names:
        el = next((c for c in el if _local(c.tag) == name), None)
        if el is None:
            return None
    return el


def _all(el, parent: str, name: str):
    return [c for p in el if _local(p.tag) == parent for c in p if _local(c.tag) == name]


def _amount(el, name: str) -> Decimal:
    child = next((c for c in el if _local(c.tag) == name), None)
    return ZERO if child is None else _decimal((child.text or "").strip())


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount")
    return value

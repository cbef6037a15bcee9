"""Issued-invoice records: the files under `issued/`, one per number.

A record is canonical JSON (sorted keys, two-space indent) so it diffs cleanly,
and its path is derived from its number alone (`2026/0042` ->
`issued/2026/0042.json`): two branches that issue the same number create the
same file and conflict in git instead of merging silently.

A credit note's record carries the whole credit note (`invoice`), because the
engine never computes credit notes; an invoice's record carries what is needed
to prove it unchanged (digest, lines, entries) and to say what changed.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ..diagnostics import SourceRef
from ..invoice import EntryDetail, Invoice, Line, Statement, Surcharge, TaxLine

ISSUED_DIR = "issued"
FORMAT_VERSION = 1
SERIES = ("invoice", "credit-note")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def lock_path(draft: str) -> str:
    """`issued/drafts/<draft>.txt` holds the number a draft was issued as: issuing one
    draft on two branches (even in different years) then conflicts in git too."""
    return f"{ISSUED_DIR}/drafts/{_UNSAFE.sub('_', draft)}.txt"


def path_for(number: str) -> str:
    """Book-relative path of a number's record; '/' in a number makes sub-folders."""
    parts = [_UNSAFE.sub("_", p) for p in number.split("/") if p]
    parts = [p if p.strip(".") else p.replace(".", "_") for p in parts]
    return "/".join([ISSUED_DIR, *parts]) + ".json"


@dataclass(frozen=True, slots=True)
class BilledEntry:
    """An entry as it was when the invoice was issued: enough to name what changed."""

    fingerprint: str
    ref: str            # path:line at issue time
    date: str
    text: str


@dataclass(frozen=True, slots=True)
class Record:
    number: str
    series: str                     # invoice | credit-note
    year: int
    seq: int
    issue_date: date
    due_date: date | None
    draft: str                      # the draft id (credit note: its own id)
    client: str
    period_start: date
    period_end: date
    currency: str
    totals: tuple[tuple[str, str], ...]
    hash: str                       # Invoice.hash at issue time
    digest: str                     # frozen_digest(): what an edit must not change
    lines: tuple[tuple[str, str], ...] = ()        # (line key, amount)
    entries: tuple[BilledEntry, ...] = ()
    references: tuple[str, ...] = ()               # credit note: the number it credits
    reason: str = ""
    invoice: dict | None = None                    # credit note: the whole document
    taxes: tuple[tuple[str, str, str, str], ...] = ()  # (code, rate, base, tax); older records: none
    settles: tuple[str, ...] = ()                  # credit note: fingerprints of edited entries it settles
    path: str = field(default="", compare=False)   # where it was read from
    text: str = field(default="", compare=False, repr=False)   # as read, to locate problems in it

    @property
    def kind(self) -> str:
        return self.series

    @property
    def ref(self) -> SourceRef:
        return SourceRef(self.path or path_for(self.number), 1, 1)

    def at(self, *keys) -> SourceRef:
        """Where a field of the record is (path:line:col), e.g. `at("totals", "total")`."""
        return locate(self.text, self.ref.path, keys) if self.text else self.ref

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(e.fingerprint for e in self.entries)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "plainbill_issued": FORMAT_VERSION,
            "number": self.number, "kind": self.series, "year": self.year, "seq": self.seq,
            "issue_date": self.issue_date.isoformat(),
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "draft": self.draft, "client": self.client,
            "period": {"start": self.period_start.isoformat(), "end": self.period_end.isoformat()},
            "currency": self.currency, "totals": dict(self.totals),
            "hash": self.hash, "digest": self.digest,
            "lines": [{"key": k, "amount": a} for k, a in self.lines],
            "taxes": [{"code": c, "rate": r, "base": b, "tax": t} for c, r, b, t in self.taxes],
            "entries": [{"fingerprint": e.fingerprint, "ref": e.ref, "date": e.date, "text": e.text}
                        for e in self.entries],
        }
        if self.references:
            d["references"] = list(self.references)
        if self.reason:
            d["reason"] = self.reason
        if self.invoice is not None:
            d["invoice"] = self.invoice
        if self.settles:
            d["settles"] = list(self.settles)
        return d


class RecordError(ValueError):
    """A record file that cannot be read; the message says which field, line and col where."""

    def __init__(self, message: str, line: int = 1, col: int = 1):
        super().__init__(message)
        self.line, self.col = line, col


def parse_record(text: str, path: str) -> Record:
    try:
        d = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    if not isinstance(d, dict):
        raise RecordError("not a JSON object")
    try:
        return _record_from(d, path, text)
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordError(f"missing or bad field {exc}") from None


def _record_from(d: dict, path: str, text: str = "") -> Record:
    if d.get("kind") not in SERIES:
        raise ValueError("'kind'")
    due = d.get("due_date")
    return Record(
        number=str(d["number"]), series=d["kind"], year=int(d["year"]), seq=int(d["seq"]),
        issue_date=date.fromisoformat(d["issue_date"]),
        due_date=date.fromisoformat(due) if due else None,
        draft=str(d["draft"]), client=str(d["client"]),
        period_start=date.fromisoformat(d["period"]["start"]),
        period_end=date.fromisoformat(d["period"]["end"]),
        currency=str(d["currency"]),
        totals=tuple(sorted((str(k), str(v)) for k, v in d["totals"].items())),
        hash=str(d["hash"]), digest=str(d["digest"]),
        lines=tuple((str(x["key"]), str(x["amount"])) for x in d.get("lines", ())),
        entries=tuple(BilledEntry(str(e["fingerprint"]), str(e["ref"]), str(e["date"]), str(e["text"]))
                      for e in d.get("entries", ())),
        references=tuple(str(r) for r in d.get("references", ())),
        reason=str(d.get("reason", "")),
        invoice=d.get("invoice"),
        taxes=tuple((str(t["code"]), str(t["rate"]), str(t["base"]), str(t["tax"])) for t in d.get("taxes", ())),
        settles=tuple(str(f) for f in d.get("settles", ())),
        path=path, text=text,
    )


def locate(text: str, path: str, keys: tuple) -> SourceRef:
    """path:line:col of the value at `keys` (dict keys and list indexes) in a JSON text.

    Only called for a record with a problem: JSON is read again as YAML nodes, which keep
    their positions; the deepest key found is the place (the file's start at worst)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.YAMLError:
        return SourceRef(path, 1, 1)
    mark = node.start_mark if node is not None else None
    for key in keys:
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    child, mark = v, k.start_mark
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
            mark = child.start_mark
        if child is None:
            break
        node = child
    return SourceRef(path, mark.line + 1, mark.column + 1) if mark else SourceRef(path, 1, 1)


# ---------------------------------------------------------------- invoice digests


def frozen_digest(inv: Invoice) -> str:
    """Hash of what an issued invoice must keep: amounts, lines and the entries behind them.

    Unlike Invoice.hash it ignores where entries sit (path:line), line keys and
    the wording of explanations, so inserting a line above an entry or a new plainbill
    release that words explanations better does not unfreeze anything.
    """
    return _digest(inv, [l for l in inv.lines if not _shown_only(l)])


def frozen_digests(inv: Invoice) -> tuple[str, str]:
    """frozen_digest, and the digest records issued before 0,00 no-charge lines were left out
    of it (they count every line): a record matching either is unchanged."""
    return frozen_digest(inv), _digest(inv, list(inv.lines))


def _shown_only(line: Line) -> bool:
    """A 0,00 no-charge line: whether a page shows it is a display setting (billing.no_charge,
    documents.no_charge), so it is not part of what an issued invoice freezes; the entries
    behind it are (the record's entries)."""
    return line.kind == "no-charge" and line.amount == 0


def _digest(inv: Invoice, kept: list[Line]) -> str:
    # line keys are left out: an engine may derive them from positions (an expense's line number)
    lines = sorted([l.kind, l.description, str(l.quantity), l.unit, str(l.unit_price), str(l.amount),
                    l.tax_code, str(l.tax_rate), sorted(l.entries)] for l in kept)
    taxes = [[t.tax_code, str(t.rate), str(t.base), str(t.tax)] for t in inv.taxes]
    blob = [inv.client, inv.period_start.isoformat(), inv.period_end.isoformat(), inv.currency,
            lines, taxes, str(inv.subtotal), str(inv.tax_total), str(inv.total),
            str(inv.withholding), str(inv.split_payment), str(inv.amount_due)]
    return hashlib.sha256(json.dumps(blob, ensure_ascii=False).encode()).hexdigest()


def totals_of(inv: Invoice) -> tuple[tuple[str, str], ...]:
    return (("amount_due", str(inv.amount_due)), ("split_payment", str(inv.split_payment)),
            ("subtotal", str(inv.subtotal)), ("tax_total", str(inv.tax_total)),
            ("total", str(inv.total)), ("withholding", str(inv.withholding)))


def billed_fingerprints(inv: Invoice) -> list[str]:
    """Fingerprints of the entries an invoice bills (lines and detail rows), sorted, unique."""
    fps = {d.fingerprint for d in inv.entries}
    for line in inv.lines:
        fps.update(line.entries)
    return sorted(fps)


# ---------------------------------------------------------------- credit notes as data


def invoice_from_dict(d: dict) -> Invoice:
    """The inverse of Invoice.to_dict, for credit notes stored whole in their record."""
    def ref(s: dict) -> SourceRef:
        return SourceRef(s["path"], s.get("line", 0), s.get("col", 0))

    lines = tuple(Line(**{**x, "quantity": Decimal(x["quantity"]), "unit_price": Decimal(x["unit_price"]),
                          "amount": Decimal(x["amount"]), "tax_rate": Decimal(x["tax_rate"]),
                          "sources": tuple(ref(s) for s in x.get("sources", ())),
                          "entries": tuple(x.get("entries", ()))}) for x in d["lines"])
    taxes = tuple(TaxLine(**{**t, "rate": Decimal(t["rate"]), "base": Decimal(t["base"]),
                             "tax": Decimal(t["tax"])}) for t in d["taxes"])
    entries = tuple(EntryDetail(**{**e, "ref": ref(e["ref"]), "date": date.fromisoformat(e["date"]),
                                   "rate": Decimal(e["rate"]), "multiplier": Decimal(e["multiplier"]),
                                   "amount": Decimal(e["amount"])}) for e in d.get("entries", ()))
    statements = tuple(Statement(s["kind"], s["contract"], s["title"],
                                 tuple(tuple(r) for r in s["rows"]),
                                 tuple(tuple(m) for m in s.get("minutes", ()))) for s in d.get("statements", ()))
    surcharges = tuple(Surcharge(**{**s, **{k: Decimal(s[k]) for k in ("rate", "base", "amount", "tax_rate")}})
                       for s in d.get("surcharges", ()))
    dec = {k: Decimal(d[k]) for k in ("subtotal", "tax_total", "total", "withholding",
                                      "split_payment", "amount_due")}
    # records written before the withholding's rate and base were part of the invoice have neither
    dec.update({k: Decimal(d.get(k, "0")) for k in ("withholding_rate", "withholding_base")})
    opt_date = {k: date.fromisoformat(d[k]) if d.get(k) else None for k in ("issue_date", "due_date")}
    return Invoice(id=d["id"], client=d["client"], period_start=date.fromisoformat(d["period_start"]),
                   period_end=date.fromisoformat(d["period_end"]), currency=d["currency"],
                   language=d["language"], locale=d["locale"], lines=lines, taxes=taxes, entries=entries,
                   statements=statements, warnings=tuple(d.get("warnings", ())),
                   notes=tuple(d.get("notes", ())), kind=d.get("kind", "invoice"),
                   number=d.get("number", ""), references=tuple(d.get("references", ())),
                   surcharges=surcharges, **dec, **opt_date)

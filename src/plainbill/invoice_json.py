"""The canonical JSON text of an invoice, written directly from the records.

`write(inv)` gives exactly the bytes of `json.dumps(_plain(inv), sort_keys=True,
indent=1, ensure_ascii=False)` (and `write(inv, indent=False, skip=...)` those
of the same call without indent), but an invoice holds one detail row per
billed entry and one source per entry behind each line: a million entries
through the pure-Python indenting encoder and a generic converter took minutes.
Here rows and sources (the bulk: a million entries make two million records)
are written by one f-string per kind of record, keys in sorted order (an f-string
joins its pieces in one step, about a third faster than `%` with a template);
strings are escaped by the C
`encode_basestring`, the few that repeat (activity, person, path, line key...)
once per invoice. Lines are filled into a `%` template, and only the handful of
other values go through a small generic writer. tests/test_invoice_json.py
holds the equivalence.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from json.encoder import encode_basestring as _esc


# (name, how) in sorted key order: s = any string (escaped), q = safe text quoted as is
# (Decimal, hex), d = int, raw = already JSON
_LINE = (("amount", "q"), ("contract", "s"), ("description", "s"), ("entries", "raw"), ("explanation", "s"),
         ("key", "s"), ("kind", "s"), ("minutes", "d"), ("quantity", "q"), ("raw_minutes", "d"),
         ("sources", "raw"), ("tax_code", "s"), ("tax_rate", "q"), ("unit", "s"), ("unit_price", "q"))
_SLOT = {"s": "%s", "q": '"%s"', "d": "%d", "raw": "%s"}
_TEMPLATES: dict[tuple, str] = {}


class _Raw(str):
    """Text already in JSON form, written as is."""


class _Escaped(dict):
    """string -> its JSON form, made on first use (one per invoice: bounded)."""

    def __missing__(self, text: str) -> str:
        found = self[text] = _esc(text)
        return found


class _Iso(dict):
    """date -> its ISO form, made on first use."""

    def __missing__(self, day: date) -> str:
        found = self[day] = day.isoformat()
        return found


def _template(fields, level: int | None) -> str:
    """A %-template for one record at nesting `level` (None: no indent, one line)."""
    key = (fields, level)
    found = _TEMPLATES.get(key)
    if found is not None:
        return found
    parts = [f'"{name}": {_SLOT[how]}' for name, how in fields]
    if level is None:
        text = "{" + ", ".join(parts) + "}"
    else:
        pad = "\n" + " " * (level + 1)
        text = "{" + pad + ("," + pad).join(parts) + "\n" + " " * level + "}"
    _TEMPLATES[key] = text
    return text


def _ref_texts(refs, level: int | None, E) -> list[str]:
    """The JSON text of each SourceRef at nesting `level` (None: one line)."""
    if level is None:
        return [f'{{"col": {r.col}, "line": {r.line}, "path": {E[r.path]}}}' for r in refs]
    p, end = "\n" + " " * (level + 1), "\n" + " " * level
    return [f'{{{p}"col": {r.col},{p}"line": {r.line},{p}"path": {E[r.path]}{end}}}' for r in refs]


def _detail_texts(rows, level: int | None, E, D) -> list[str]:
    """The JSON text of each EntryDetail at nesting `level` (None: one line), keys sorted."""
    esc = _esc
    if level is None:
        return [f'{{"activity": {E[r.activity]}, "amount": "{str(r.amount)}", "billed_minutes": {r.billed_minutes}, '
                f'"date": "{D[r.date]}", "description": {esc(r.description)}, "fingerprint": {esc(r.fingerprint)}, '
                f'"kind": {E[r.kind]}, "line_key": {E[r.line_key]}, "multiplier": "{str(r.multiplier)}", '
                f'"note": {E[r.note]}, "person": {E[r.person]}, "rate": "{str(r.rate)}", '
                f'"raw_minutes": {r.raw_minutes}, "ref": {{"col": {r.ref.col}, "line": {r.ref.line}, '
                f'"path": {E[r.ref.path]}}}}}' for r in rows]
    p, q = "\n" + " " * (level + 1), "\n" + " " * (level + 2)
    end = "\n" + " " * level
    return [f'{{{p}"activity": {E[r.activity]},{p}"amount": "{str(r.amount)}",{p}"billed_minutes": {r.billed_minutes},'
            f'{p}"date": "{D[r.date]}",{p}"description": {esc(r.description)},{p}"fingerprint": {esc(r.fingerprint)},'
            f'{p}"kind": {E[r.kind]},{p}"line_key": {E[r.line_key]},{p}"multiplier": "{str(r.multiplier)}",'
            f'{p}"note": {E[r.note]},{p}"person": {E[r.person]},{p}"rate": "{str(r.rate)}",'
            f'{p}"raw_minutes": {r.raw_minutes},{p}"ref": {{{q}"col": {r.ref.col},{q}"line": {r.ref.line},'
            f'{q}"path": {E[r.ref.path]}{p}}}{end}}}' for r in rows]


def _list(items: list[str], level: int | None) -> _Raw:
    """Items already written, as a JSON array at `level`."""
    if not items:
        return _Raw("[]")
    if level is None:
        return _Raw("[" + ", ".join(items) + "]")
    pad = "\n" + " " * (level + 1)
    return _Raw("[" + pad + ("," + pad).join(items) + "\n" + " " * level + "]")


def _refs(refs, level: int | None, memo: tuple) -> _Raw:
    return _list(_ref_texts(refs, None if level is None else level + 1, memo[0]), level)


def _details(rows, level: int | None, memo: tuple) -> _Raw:
    return _list(_detail_texts(rows, None if level is None else level + 1, *memo), level)


def _strings(items, level: int | None) -> _Raw:
    joined = "".join(items)
    if items and (joined.isascii() and joined.isalnum() or len(_esc(joined)) == len(joined) + 2):
        # nothing to escape (fingerprints: hex digits), in any of them
        pad = '", "' if level is None else '",\n' + " " * (level + 1) + '"'
        return _list(['"' + pad.join(items) + '"'], level)
    return _list([_esc(s) for s in items], level)


# ---------------------------------------------------------------- records to plain values


def _value(v):
    """A record field as a plain JSON value (the small, generic part)."""
    if isinstance(v, str):
        return v
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (tuple, list)):
        return [_value(x) for x in v]
    if hasattr(v, "__dataclass_fields__"):
        return {name: _value(getattr(v, name)) for name in v.__dataclass_fields__}
    return v


def _lines(lines, level: int | None, memo: tuple) -> _Raw:
    sub = None if level is None else level + 1      # a line
    inner = None if sub is None else sub + 1        # its fields
    t = _template(_LINE, sub)
    return _list([t % (ln.amount, _esc(ln.contract), _esc(ln.description), _strings(ln.entries, inner),
                       _esc(ln.explanation), _esc(ln.key), _esc(ln.kind), ln.minutes, ln.quantity,
                       ln.raw_minutes, _refs(ln.sources, inner, memo), _esc(ln.tax_code), ln.tax_rate,
                       _esc(ln.unit), ln.unit_price)
                  for ln in lines], level)


def _invoice(inv, level: int | None, skip) -> dict:
    d = {}
    sub = None if level is None else level + 1
    memo = (_Escaped(), _Iso())
    for name in inv.__dataclass_fields__:
        if name in skip or name == "surcharges" and not inv.surcharges:    # invoices without stay as they were
            continue
        if name == "entries":
            d[name] = _details(inv.entries, sub, memo)
        elif name == "lines":
            d[name] = _lines(inv.lines, sub, memo)
        else:
            d[name] = _value(getattr(inv, name))
    return d


# ---------------------------------------------------------------- the writer


def _dump(v, level: int | None, out: list) -> None:
    if isinstance(v, _Raw):
        out.append(v)
    elif isinstance(v, str):
        out.append(_esc(v))
    elif v is None:
        out.append("null")
    elif v is True or v is False:
        out.append("true" if v else "false")
    elif isinstance(v, int):
        out.append(int.__repr__(v))
    elif isinstance(v, dict):
        _dump_items([(_esc(k), v[k]) for k in sorted(v)], level, out, "{", "}", True)
    elif isinstance(v, list):
        _dump_items([(None, x) for x in v], level, out, "[", "]", False)
    else:  # pragma: no cover - records are converted before
        raise TypeError(f"cannot write {type(v).__name__} as JSON")


def _dump_items(items, level, out, opening, closing, keyed) -> None:
    if not items:
        out.append(opening + closing)
        return
    sub = None if level is None else level + 1
    sep = ", " if level is None else ",\n" + " " * sub
    out.append(opening if level is None else opening + "\n" + " " * sub)
    for i, (k, x) in enumerate(items):
        if i:
            out.append(sep)
        if keyed:
            out.append(k + ": ")
        _dump(x, sub, out)
    if level is not None:
        out.append("\n" + " " * level)
    out.append(closing)


def write(inv, indent: bool = True, skip: tuple[str, ...] = ()) -> str:
    """The invoice as JSON text with sorted keys: indent 1 (the canonical file) or one line (hashes)."""
    level = 0 if indent else None
    out: list[str] = []
    _dump(_invoice(inv, level, skip), level, out)
    return "".join(out)


def detail_dict(e) -> dict:
    """An EntryDetail as plain values (what `Invoice.to_dict` holds for each row)."""
    return {"fingerprint": e.fingerprint, "ref": {"path": e.ref.path, "line": e.ref.line, "col": e.ref.col},
            "date": e.date.isoformat(), "person": e.person, "activity": e.activity,
            "description": e.description, "raw_minutes": e.raw_minutes, "billed_minutes": e.billed_minutes,
            "rate": str(e.rate), "multiplier": str(e.multiplier), "amount": str(e.amount),
            "line_key": e.line_key, "note": e.note, "kind": e.kind}

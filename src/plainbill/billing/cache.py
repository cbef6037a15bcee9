"""Per-client compute cache: a rebuild bills again only the clients whose inputs changed.

A client's invoices and diagnostics depend only on (see `client.py`): the
engine's code, the settings, the client's own record (contracts, rates), its
entries in book order (their normalised text and their path:line, which
invoices show), the issued invoices of that client (their fingerprints), and the
billing horizon (`Context.horizon`). `client_keys` hashes exactly that, per
client, its entries by their text and place; `fast_keys` the same with the
entries counted by the loaded ledger files' digests of each client's rows
(load/facts.py), so that no Entry needs to be built to find the key.
`load` / `store` keep `(invoices, diagnostics)` under `<cache>/<key>.pkl`. The
cache folder is never among the sources (by default `<book>/build/.cache/compute`,
or `$PLAINBILL_CACHE/compute`).

A file is a head, each invoice's header fields (totals, dates, warnings) and
the client's diagnostics, then a body: the lines and detail rows. `load` reads
the head only and gives `CachedInvoice`s, whose lines and rows are unpacked the
first time something reads them; a build in which nothing of a client changed
never does, and never builds its entries. The body holds every field of every
line and row by columns, so reading it back needs no Entry either. `Batch`
builds the entries of the clients a computation needs (many in one pass over
the ledger files).

Head and body each carry a checksum: a file that cannot be read, is truncated
or does not unpickle is ignored and the client computed again (should the body
turn out damaged only when its rows are wanted, the client is computed then). The cache only ever
saves time; it is never an error. Files no build used for a day are removed.

`content_key(inv)` gives the output stage (`output.py`) a short string that
stands for an invoice's lines and detail rows: the key of the computation that
made them. Unchanged invoices then need neither pickling nor JSON to be
recognised as unchanged.
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import struct
import sys
import time
from array import array
from decimal import Decimal
from itertools import accumulate, chain
from operator import attrgetter
from pathlib import Path
from typing import Callable

from .. import __version__
from ..invoice import EntryDetail, Invoice, Line, new_detail, new_line, new_ref

MAGIC = b"PBC5"
SUFFIX = ".pkl"
PRUNE_AFTER = 24 * 3600       # seconds a file unused by any build is kept
_SRC = Path(__file__).resolve().parent.parent   # src/plainbill
_ENGINE_FILES = ("matching.py", "i18n.py", "invoice.py", "invoice_json.py", "model.py", "money.py",
                 "diagnostics.py", "load/entries.py", "load/columns.py", "load/facts.py", "register/records.py")

# id(invoice) -> (invoice, key); the invoice is held so that its id is not reused meanwhile
_KEYS: dict[int, tuple[object, str]] = {}


def default_dir(root: str | Path) -> Path:
    """Where a book's compute cache lives: next to the loader's ledger cache, never among the sources."""
    env = os.environ.get("PLAINBILL_CACHE")
    return Path(env) / "compute" if env else Path(root) / "build" / ".cache" / "compute"


@functools.lru_cache(maxsize=1)
def engine_hash() -> str:
    """Hash of the engine's code and of the libraries whose output it prints."""
    h = hashlib.sha256(f"{__version__}|{sys.version_info[:2]}|{_versions()}".encode())
    files = sorted((_SRC / "billing").glob("*.py")) + [_SRC / name for name in _ENGINE_FILES]
    for path in files:
        h.update(path.name.encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:     # not expected; a key that cannot match anything old is always safe
            h.update(os.urandom(16))
    return h.hexdigest()


def _versions() -> str:
    """The installed babel and holidays, by their version files: without importing them
    (holidays alone takes 0.07 s to import, and a warm build may need neither)."""
    from importlib.util import find_spec

    out = []
    for name in ("babel", "holidays"):
        try:
            spec = find_spec(name)
            folder = Path(spec.origin).parent
            for file in ("version.py", "__init__.py"):
                if (folder / file).is_file():
                    out.append(f"{name}={hashlib.sha256((folder / file).read_bytes()).hexdigest()}")
                    break
        except (ImportError, AttributeError, TypeError, OSError, ValueError):
            out.append(f"{name}=-")
    return ",".join(out)


_TEXT, _PATH, _LINE, _COL = (attrgetter(n) for n in ("text", "ref.path", "ref.line", "ref.col"))


def client_keys(ctx, clients: list, by_client: dict[str, list], issued: dict) -> dict[str, str]:
    """slug -> hash of everything that client's computation reads (see the module docstring)."""
    keys = {}
    for c, h in _client_hashes(ctx, clients, issued):
        h.update(b"\0entries\0")
        entries = by_client.get(c.slug, ())
        # by columns (C-level maps): a per-entry f-string cost 0.15 s for 100k entries
        h.update("\n".join(map(_TEXT, entries)).encode("utf-8", "surrogatepass"))
        h.update(b"\0paths\0" + "\n".join(map(_PATH, entries)).encode("utf-8", "surrogatepass"))
        h.update(b"\0lines\0" + array("q", map(_LINE, entries)).tobytes())
        h.update(b"\0cols\0" + array("q", map(_COL, entries)).tobytes())
        keys[c.slug] = h.hexdigest()
    return keys


def fast_keys(ctx, clients: list, ledgers, issued: dict) -> dict[str, str]:
    """slug -> the same kind of key as client_keys, with the entries counted by the loaded ledger
    files' digests of each client's rows (load/facts.py: `clients`): no Entry is built for it.

    A client's entries are its rows of each file in book order, and an Entry is its row's
    text at its path:line:col, so the paths in order with their digests stand for them.
    """
    keys = {}
    digests = [(f.path, {slug: d for slug, (d, _) in f.facts[7].items()}) for f in ledgers]
    for c, h in _client_hashes(ctx, clients, issued):
        h.update(b"\0files\0")
        slug = c.slug
        h.update("\n".join(f"{path}\0{found[slug]}" for path, found in digests if slug in found)
                 .encode("utf-8", "surrogatepass"))
        keys[slug] = "f" + h.hexdigest()[1:]
    return keys


def _client_hashes(ctx, clients: list, issued: dict):
    """(client, hash of all but its entries) for each client."""
    # repr of the frozen model records: every field the engine can read, deterministic
    # (tuples, Decimals, dates and strings only), so a change anywhere in them is seen
    # (whether the book has issued invoices at all picks another path in client.py, but both
    # sort every period's entries fully (`_sort`): a client's result does not depend on it)
    common = hashlib.sha256(f"{engine_hash()}|{ctx.horizon}|{ctx.settings!r}".encode()).digest()
    ids = sorted(issued)
    for c in clients:
        h = hashlib.sha256(common)
        h.update(repr(c).encode())
        prefix = c.slug + "-"   # the engine looks only at issued ids starting so (client.py)
        for inv_id in ids:
            if inv_id.startswith(prefix):
                h.update(f"\0{inv_id}\0{','.join(sorted(issued[inv_id]))}".encode())
        yield c, h


def load(folder: Path | None, slug: str, key: str, recompute: Callable[[], list] | None = None):
    """(invoices, diagnostics) stored under this key, or None (absent, unreadable, damaged).

    Only the file's head is unpickled: each invoice's header fields, the client's
    diagnostics. Its lines and detail rows are unpacked the first time something asks
    for them (`CachedInvoice`). Should the rest of the file be damaged by then,
    `recompute()` gives the invoices.
    """
    if folder is None:
        return None
    path = folder / f"{key}{SUFFIX}"
    try:
        with open(path, "rb") as fh:
            magic, size, head_sha, body_sha = _PREFIX.unpack(fh.read(_PREFIX.size))
            head = fh.read(size)
        if magic != MAGIC or hashlib.sha256(head).digest() != head_sha:
            return None
        stored_slug, heads, diags, digests, sizes = pickle.loads(head)
        if stored_slug != slug:
            return None
        body = _Body(path, _PREFIX.size + size, body_sha, recompute)
        invoices = [CachedInvoice.of(h, body, i, digests.get(h[0]), n) for i, (h, n) in enumerate(zip(heads, sizes))]
        os.utime(path)   # in use: kept by the pruning
    except Exception:  # noqa: BLE001 - any damage means: compute again
        return None
    return invoices, list(diags)


def store(folder: Path | None, slug: str, key: str, invoices: list, diags: list,
          frozen: frozenset[str] = frozenset()) -> bool:
    """Keep a client's result under its key; silently nothing (False) when the folder cannot be written.

    `frozen`: ids of issued invoices, whose frozen digest (register/records.py) is kept in
    the head: checking them against their records then needs none of their rows.
    """
    if folder is None:
        return False
    try:
        from ..register.records import frozen_digest

        digests = {inv.id: frozen_digest(inv) for inv in invoices if inv.id in frozen}
        head = pickle.dumps((slug, [tuple(getattr(inv, name) for name in _HEAD) for inv in invoices],
                             list(diags), digests, [len(inv.entries) for inv in invoices]),
                            protocol=pickle.HIGHEST_PROTOCOL)
        body = pickle.dumps([_pack(inv) for inv in invoices], protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{key}{SUFFIX}"
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            fh.write(_PREFIX.pack(MAGIC, len(head), hashlib.sha256(head).digest(), hashlib.sha256(body).digest()))
            fh.write(head)
            fh.write(body)
        os.replace(tmp, path)
        return True
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
        return False


_PREFIX = struct.Struct("<4sQ32s32s")   # magic, size of the head, SHA-256 of the head, of the rest


class Batch:
    """The entries of the clients to compute, built for many clients in one pass over the ledger
    files rather than one pass per client."""

    def __init__(self, book, known: dict[str, list] | None = None):
        self.book = book
        self.got: dict[str, list] = dict(known or {})

    def entries(self, slug: str) -> list:
        if slug not in self.got:
            self.fetch({slug})
        return self.got[slug]

    def fetch(self, slugs) -> None:
        from ..load.book import entries_of, is_built

        need = set(slugs) - self.got.keys()
        if not need:
            return
        if is_built(self.book):    # one pass gives every client's: later fetches cost nothing
            need = {c.slug for c in self.book.clients} - self.got.keys()
        for slug in need:
            self.got[slug] = []
        for e in entries_of(self.book, need):
            got = self.got.get(e.client)
            if got is not None:
                got.append(e)


class _Body:
    """The packed lines and rows of one client's cached invoices, unpacked on first use."""

    __slots__ = ("path", "offset", "sha", "recompute", "invoices")

    def __init__(self, path: Path, offset: int, sha: bytes, recompute):
        self.path, self.offset, self.sha, self.recompute = path, offset, sha, recompute
        self.invoices: list | None = None

    def unpack(self, index: int, inv_id: str) -> tuple[tuple, tuple]:
        """(lines, entries) of the client's invoice at `index` (whose id is `inv_id`)."""
        if self.invoices is None:
            self.invoices = self._load()
        if type(self.invoices) is dict:    # computed again: by id
            found = self.invoices[inv_id]
            return found.lines, found.entries
        return self.invoices[index]

    def _load(self) -> list | dict:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
            if hashlib.sha256(data).digest() != self.sha:
                raise ValueError("damaged")
            return [_unpack_bulk(*p) for p in pickle.loads(data)]
        except Exception:  # noqa: BLE001 - removed or damaged since its head was read
            if self.recompute is None:
                raise
            return {inv.id: inv for inv in self.recompute()}


class CachedInvoice(Invoice):
    """An Invoice whose lines and detail rows are unpacked from the compute cache when first read.

    In every other respect an Invoice: equal to the computed one, pickled as a plain
    Invoice (Invoice.__reduce__), its header fields (totals, dates, warnings) at hand
    at once. A build where nothing of a client changed reads only those.
    """

    __slots__ = ("_body", "_index", "_digest", "row_count")

    @classmethod
    def of(cls, head: tuple, body: _Body, index: int, digest: str | None, rows: int) -> "CachedInvoice":
        inv = object.__new__(cls)
        for name, value in zip(_HEAD, head):
            _SLOT[name].__set__(inv, value)
        _BODY.__set__(inv, body)
        _INDEX.__set__(inv, index)
        _DIGEST.__set__(inv, digest)
        _ROWS.__set__(inv, rows)    # len(entries), known without unpacking them
        return inv

    def _bulk(self, slot):
        try:
            return slot.__get__(self)
        except AttributeError:
            lines, entries = self._body.unpack(self._index, self.id)
            _SLOT["lines"].__set__(self, lines)
            _SLOT["entries"].__set__(self, entries)
            return slot.__get__(self)

    @property
    def lines(self) -> tuple:
        return self._bulk(_SLOT["lines"])

    @lines.setter
    def lines(self, value) -> None:      # Invoice.__init__ only (dataclasses.replace)
        _SLOT["lines"].__set__(self, value)

    @property
    def entries(self) -> tuple:
        return self._bulk(_SLOT["entries"])

    @entries.setter
    def entries(self, value) -> None:
        _SLOT["entries"].__set__(self, value)

    @property
    def stored_digest(self) -> str | None:
        """The frozen digest computed when stored (issued invoices only), else None."""
        return self._digest

    def with_header(self, **changes) -> "CachedInvoice":
        """dataclasses.replace of header fields, still lazy: the register's number and dates."""
        head = tuple(changes.pop(name) if name in changes else getattr(self, name) for name in _HEAD)
        if changes:
            raise TypeError(f"not header fields: {sorted(changes)}")
        return CachedInvoice.of(head, self._body, self._index, self._digest, self.row_count)

    def same_content(self, other) -> bool:
        """Whether `other` has these very lines and rows without unpacking either."""
        return isinstance(other, CachedInvoice) and other._body is self._body and other._index == self._index

    def __eq__(self, other):
        if not isinstance(other, Invoice):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _FIELDS)

    __hash__ = Invoice.__hash__


_SLOT = {name: Invoice.__dict__[name] for name in Invoice.__dataclass_fields__}
_BODY, _INDEX, _DIGEST, _ROWS = (CachedInvoice.__dict__[n] for n in ("_body", "_index", "_digest", "row_count"))
_FIELDS = tuple(Invoice.__dataclass_fields__)


# ---------------------------------------------------------------- packing, by columns
# A body is self-contained: every field of every line and row, by columns (each a C-level
# map over the records; pickle stores a string or date shared by many rows once), so that
# reading it back needs no Entry at all: a client read from the cache never builds its own.

_HEAD = tuple(name for name in Invoice.__dataclass_fields__ if name not in ("lines", "entries"))
_LINE_COLUMNS = tuple(name for name in Line.__dataclass_fields__ if name != "sources")
_ROW_COLUMNS = tuple(name for name in EntryDetail.__dataclass_fields__ if name != "ref")
_LINE_GETTERS = tuple(map(attrgetter, _LINE_COLUMNS))
_ROW_GETTERS = tuple(map(attrgetter, _ROW_COLUMNS))
_SOURCES = _LINE_COLUMNS.index("explanation") + 1       # where sources go among new_line's arguments
_REF_AT = _ROW_COLUMNS.index("fingerprint") + 1         # where ref goes among new_detail's arguments
_REF_PATH, _REF_LINE, _REF_COL = (attrgetter(n) for n in ("path", "line", "col"))
_ROW_REF = attrgetter("ref")


def _pack(inv: Invoice) -> tuple:
    """(line columns, how many sources each line has, all their refs as columns, row columns,
    row refs as columns)."""
    lines = inv.lines
    sources = list(map(_LINE_SOURCES, lines))
    rows = inv.entries
    columns = [list(map(getter, rows)) for getter in _ROW_GETTERS]
    # 60% of the amounts are distinct Decimal objects: pickled as text, 5 times faster
    columns[_AMOUNT] = list(map(str, columns[_AMOUNT]))
    line_columns = [list(map(getter, lines)) for getter in _LINE_GETTERS]
    for i in _LINE_DECIMALS:
        line_columns[i] = list(map(str, line_columns[i]))
    return (line_columns, list(map(len, sources)),
            _refs(list(chain.from_iterable(sources))), columns, _refs(list(map(_ROW_REF, rows))))


def _refs(refs: list) -> tuple[list, list, list]:
    return list(map(_REF_PATH, refs)), list(map(_REF_LINE, refs)), list(map(_REF_COL, refs))


def _unpack_bulk(lines: list, counts: list, sources: tuple, rows: list, refs: tuple) -> tuple[tuple, tuple]:
    """(lines, detail rows) of a packed invoice."""
    flat = list(map(new_ref, *sources))
    ends = list(accumulate(counts))
    columns = list(lines)
    for i in _LINE_DECIMALS:
        columns[i] = map(Decimal, columns[i])
    columns.insert(_SOURCES, [tuple(flat[end - n:end]) for n, end in zip(counts, ends)])
    out_lines = tuple(map(new_line, *columns))
    columns = list(rows)
    columns[_AMOUNT] = map(Decimal, columns[_AMOUNT])
    columns.insert(_REF_AT, map(new_ref, *refs))
    return out_lines, tuple(map(new_detail, *columns))


_LINE_SOURCES = attrgetter("sources")
_AMOUNT = _ROW_COLUMNS.index("amount")
_LINE_DECIMALS = tuple(_LINE_COLUMNS.index(n) for n in ("quantity", "unit_price", "amount"))


def prune(folder: Path | None, keep: set[str]) -> None:
    """Remove cache files not used by this build nor by any other for a day."""
    if folder is None:
        return
    stale = time.time() - PRUNE_AFTER
    try:
        for entry in os.scandir(folder):
            if entry.name.endswith(SUFFIX) and entry.name[:-len(SUFFIX)] not in keep \
                    and entry.stat().st_mtime < stale:
                os.unlink(entry.path)
    except OSError:
        pass


# ---------------------------------------------------------------- content keys for output.py


def remember(invoices: list, slug_keys: dict[str, str]) -> None:
    """Note the content key of each invoice just computed (forgetting the previous computation's)."""
    _KEYS.clear()
    for inv in invoices:
        key = slug_keys.get(inv.client)
        if key is not None:
            _KEYS[id(inv)] = (inv, f"{key}|{inv.id}")


def carry(computed: list, final: list) -> None:
    """Give an invoice changed after computing (the register's number and dates) its original's
    content key, when its lines and rows are still the very same objects."""
    by_id = {inv.id: inv for inv in computed}
    for inv in final:
        if id(inv) in _KEYS:
            continue
        orig = by_id.get(inv.id)
        found = _KEYS.get(id(orig)) if orig is not None else None
        if found is not None and _same_content(inv, orig):
            _KEYS[id(inv)] = (inv, found[1])


def _same_content(a, b) -> bool:
    if isinstance(a, CachedInvoice):
        return a.same_content(b)
    return a.lines is b.lines and a.entries is b.entries


def content_key(inv) -> str | None:
    """A string standing for this invoice's lines and detail rows, or None when unknown.

    The other fields are not covered: the caller hashes them itself (they are small).
    """
    found = _KEYS.get(id(inv))
    return found[1] if found is not None and found[0] is inv else None

"""LoadedBook: a Book whose entries are built the first time someone asks for them.

A million Entry records cost seconds and hundreds of megabytes; what needs only
some of them (`entries_of` a few clients, the counts and dates of the ledger files'
facts) does not build the rest. A LoadedBook is a Book in every respect (frozen,
equal to a Book with the same fields, pickled as one); it also keeps its
`ledgers` (parsing.LedgerFile), from which `entries` is built on first access.
"""
from __future__ import annotations

import gc
from datetime import date
from operator import attrgetter

from ..model import Book, Entry
from .columns import FAST
from .entries import build_entries

_SLOTS = {name: Book.__dict__[name] for name in ("root", "settings", "clients", "entries", "payments")}
_ENTRIES = _SLOTS["entries"]
BIG_BOOK = 50_000   # entries; above this the built records are frozen out of the GC


class LoadedBook(Book):
    __slots__ = ("ledgers",)

    @classmethod
    def of(cls, root: str, settings, clients: tuple, ledgers: list) -> "LoadedBook":
        book = object.__new__(cls)
        payments = tuple(p for f in ledgers for p in f.payments())
        for name, value in (("root", root), ("settings", settings), ("clients", clients), ("payments", payments)):
            _SLOTS[name].__set__(book, value)
        _LEDGERS.__set__(book, tuple(ledgers))
        return book

    @property
    def entries(self) -> tuple:
        try:
            return _ENTRIES.__get__(self)
        except AttributeError:
            pass
        built = _build(self.ledgers)
        _ENTRIES.__set__(self, built)
        return built

    @entries.setter
    def entries(self, value) -> None:   # Book.__init__ and unpickling only: Book is frozen
        _ENTRIES.__set__(self, value)

    def __eq__(self, other):
        if not isinstance(other, Book):
            return NotImplemented
        return (self.root, self.settings, self.clients, self.entries, self.payments) == \
            (other.root, other.settings, other.clients, other.entries, other.payments)

    __hash__ = Book.__hash__

    def __repr__(self) -> str:
        return "Book" + Book.__repr__(self)[len(type(self).__qualname__):]


_LEDGERS = LoadedBook.__dict__["ledgers"]


def entries_of(book: Book, clients) -> tuple[Entry, ...]:
    """The entries of `clients`, in book order. Of a LoadedBook whose entries are not built
    yet, only these are built, and ledger files without them are not even read."""
    clients = set(clients)
    ledgers = getattr(book, "ledgers", None)
    if ledgers is None or _is_built(book):
        return tuple(e for e in book.entries if e.client in clients)
    paused = gc.isenabled()
    gc.disable()
    try:
        out: list = []
        for f in ledgers:
            if not clients.isdisjoint(f.facts.clients):
                build_entries(f.path, [r for r in f.rows() if (r[3][0] if len(r) == FAST else r[4]) in clients], out)
        return tuple(out)
    finally:
        if paused:
            gc.enable()


def ledgers_of(book: Book) -> tuple | None:
    """The loaded ledger files of a LoadedBook (built or not), else None."""
    return getattr(book, "ledgers", None)


def client_sizes(ledgers) -> dict[str, int]:
    """How many entries each client has, from the ledger files' facts."""
    sizes: dict[str, int] = {}
    for f in ledgers:
        for client, n in f.facts.sizes.items():
            sizes[client] = sizes.get(client, 0) + n
    return sizes


def is_built(book: Book) -> bool:
    """Whether the book's entries are built (always, for a Book that is not a LoadedBook)."""
    return _is_built(book)


def entry_count(book: Book) -> int:
    """How many entries the book has, without building them."""
    if _is_built(book):
        return len(book.entries)
    return sum(f.facts.rows for f in book.ledgers)


def last_date(book: Book) -> date | None:
    """The latest entry date, from the ledger files' facts when the entries are not built."""
    ledgers = None if _is_built(book) else book.ledgers
    if ledgers is not None and all(f.facts.dates is not None for f in ledgers):
        latest = max((f.facts.dates[-1] for f in ledgers if f.facts.dates), default=None)
        return date.fromisoformat(latest) if latest else None
    return max(map(attrgetter("date"), book.entries), default=None)


def _is_built(book: Book) -> bool:
    if not isinstance(book, LoadedBook):
        return True
    try:
        _ENTRIES.__get__(book)
        return True
    except AttributeError:
        return False


def _build(ledgers) -> tuple:
    """Every file's entries, in order; the cyclic GC paused meanwhile (see load._load)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        out: list = []
        for f in ledgers:
            f.entries(out, keep=False)
        built = tuple(out)
        if len(built) > BIG_BOOK:
            gc.freeze()
        return built
    finally:
        if paused:
            gc.enable()

"""Parsing a book's ledger files: each into its rows (columns.py), diagnostics and facts.

Nothing is cached on disk: a book is parsed whole on every load, in this process
(a million entries in about 3 s; parsing in worker processes was slower, the rows
cost more to send back than to parse: benchmarks/README.md). The facts (facts.py)
are what the checks read without building an Entry.
"""
from __future__ import annotations

from .columns import Parsed, merged, parse_columns, to_rows
from .entries import build_entries, payments_of
from .facts import file_facts
from .ledger import _State
from .source import decode
from .yamlledger import parse_yaml_ledger

_MEMO = _State()   # tokens seen valid, shared by the files parsed in this process


def parse_file(path: str, data: bytes | str) -> Parsed:
    """The parse of one ledger file, decoding problems first among its diagnostics."""
    src = decode(path, data)
    if path.endswith(".txt"):
        parsed = parse_columns(src.text, _MEMO)
    else:
        rows, diags = parse_yaml_ledger(src)
        parsed = Parsed([], rows, diags)
    head = [(d.code, d.severity.value, d.ref.line, d.ref.col, d.message, d.hint) for d in src.diagnostics]
    return parsed._replace(problems=head + parsed.problems) if head else parsed


class LedgerFile:
    """One parsed ledger file of a loaded book: its facts, diagnostics and rows."""

    __slots__ = ("path", "facts", "problems", "_parsed")

    def __init__(self, path: str, facts: tuple, problems: list, parsed: Parsed):
        self.path, self.facts, self.problems, self._parsed = path, facts, problems, parsed

    @classmethod
    def parse(cls, item: tuple[str, bytes | str]) -> "LedgerFile":
        path, data = item
        parsed = parse_file(path, data)
        return cls(path, file_facts(parsed), parsed.problems, parsed)

    def parsed(self) -> Parsed:
        return self._parsed

    def rows(self) -> list[tuple]:
        """Fast and full rows (columns.py) in line order."""
        return merged(self._parsed)

    def payments(self) -> list:
        """The file's Payment records (payment lines are never entries)."""
        return payments_of(self.path, self._parsed.payments)

    def entries(self, out: list, keep: bool = True) -> None:
        """Append the file's Entry records to `out`."""
        build_entries(self.path, self.rows(), out)

    def __eq__(self, other) -> bool:
        """Same path, facts, diagnostics and rows (which rows are fast depends on the memos)."""
        return isinstance(other, LedgerFile) and (self.path, self.facts, self.problems) == \
            (other.path, other.facts, other.problems) and to_rows(self.parsed()) == to_rows(other.parsed()) \
            and self._parsed.payments == other._parsed.payments

    def __repr__(self) -> str:
        return f"LedgerFile({self.path!r}, {self.facts.rows} rows)"


def parse_files(files: list[tuple[str, bytes | str]]) -> list[LedgerFile]:
    """A LedgerFile for every file, in the order given."""
    return [LedgerFile.parse(item) for item in files]

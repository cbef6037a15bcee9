"""What the engine asks of a parsed ledger file before its entries are built.

    FileFacts(rows, clients, dates, sizes)

  rows     number of rows
  clients  the clients the file's rows name (entries_of skips a file without them)
  dates    sorted distinct dates ("YYYY-MM-DD"), or None when one is not plain ASCII
  sizes    {client: number of its rows in this file}
"""
from __future__ import annotations

from collections import Counter
from operator import itemgetter
from typing import NamedTuple

from .columns import Parsed


class FileFacts(NamedTuple):
    rows: int
    clients: frozenset[str]
    dates: list[str] | None
    sizes: dict[str, int]


def file_facts(p: Parsed) -> FileFacts:
    sizes = Counter(r[3][0] for r in p.fast)
    sizes.update(map(itemgetter(4), p.full))
    dates = set(map(itemgetter(1), p.fast)) | set(map(itemgetter(3), p.full))
    plain_dates = sorted(dates) if all(d.isascii() for d in dates) else None
    return FileFacts(len(p.fast) + len(p.full), frozenset(sizes), plain_dates, dict(sorted(sizes.items())))

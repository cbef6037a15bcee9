"""Computing a big book's clients in two processes: a forked worker takes about half of them.

Clients are independent (blocks, retainers and budgets carry state only within
a client), so the work splits by client. The worker is forked: it inherits the
loaded book and everything computed so far, nothing is sent to it. It sends its
invoices back packed as plain tuples, every detail row and line source that is
an entry's as the entry's position in its client's list of entries (made before
the fork, so the same in both processes): the parent rebuilds them from the
very Entry objects it holds, so the rows cost neither a pickled SourceRef nor
a second copy of the entry's text. The parent computes the other clients
meanwhile. Results and diagnostics are merged in client order, so the
outcome is exactly that of computing every client in turn (tests compare both).

With a compute cache (billing/cache.py), the worker stores each client it
computed there, as it must anyway, and sends back only its diagnostics: the
parent reads those invoices from the cache, header first, their rows when
something reads them (the JSON writer, itself split over two processes).

Anything going wrong in the worker (it dies, it raises) is not an error of the
book: the parent then computes the worker's clients itself.
"""
from __future__ import annotations

import os
import pickle
import sys
from typing import Callable

from ..invoice import Invoice, new_detail, new_line

MIN_ENTRIES = 40_000          # below this, forking costs more than it saves
_SKIP = frozenset({"lines", "entries"})

# (client slug, its invoices, its diagnostics)
Result = tuple[str, list[Invoice], list]


def usable(n_entries: int, jobs: int | None) -> bool:
    """Whether to fork a worker for a book of `n_entries` (jobs: None auto, 1 never, 2+ when possible)."""
    if jobs == 1 or not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2:
        return False
    return jobs is not None and jobs > 1 or n_entries >= MIN_ENTRIES


WORKER_SHARE = 0.46          # packing costs the worker about what unpacking costs the parent after it


def split(clients: list, sizes: dict[str, int]) -> tuple[list, list]:
    """(worker's clients, parent's clients) by entries, the biggest first to the side with room.

    The parent unpacks the worker's invoices once done with its own, so the
    worker gets a little less than half: both are then ready at about the same time.
    """
    worker, parent, load = [], [], [0.0, 0.0]
    share = (WORKER_SHARE, 1 - WORKER_SHARE)
    for c in sorted(clients, key=lambda c: (-sizes.get(c.slug, 0), c.slug)):
        size = sizes.get(c.slug, 0) + 50
        side = 0 if (load[0] + size) / share[0] <= (load[1] + size) / share[1] else 1
        (worker, parent)[side].append(c)
        load[side] += size
    return worker, parent


def run(compute: Callable[[list], list[Result]], worker_clients: list, parent_clients: list,
        entries: dict[str, list]) -> list[Result]:
    """compute(worker_clients) in a forked process and compute(parent_clients) here; all results.

    `entries`: each client's entries (the lists compute uses, made before the fork, so
    that a position in them means the same entry in both processes).
    """
    import multiprocessing

    mp = multiprocessing.get_context("fork")
    receive, send = mp.Pipe(duplex=False)
    proc = mp.Process(target=_worker, args=(send, compute, worker_clients, entries), daemon=True)
    proc.start()
    send.close()
    mine = compute(parent_clients)
    try:
        theirs = _unpack(pickle.loads(receive.recv_bytes()), entries)
    except Exception:   # the worker died or failed: do its share here
        theirs = compute(worker_clients)
    finally:
        receive.close()
        proc.join()
    return mine + theirs


def _worker(send, compute, clients, entries) -> None:
    try:
        results = compute(clients, worker=True)
        send.send_bytes(pickle.dumps(_pack(results, entries), protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:  # noqa: BLE001 - the parent computes these clients again
        pass
    finally:
        send.close()


# ---------------------------------------------------------------- packing


def _pack(results: list[Result], entries: dict[str, list]) -> list:
    out = []
    for slug, invoices, diags in results:
        mine = entries.get(slug, [])
        where = {id(e.ref): i for i, e in enumerate(mine)}
        packed = None if invoices is None else [_pack_invoice(inv, mine, where) for inv in invoices]
        out.append((slug, packed, diags))
    return out


def _pack_invoice(inv: Invoice, entries: list, where: dict) -> tuple:
    fields = {name: getattr(inv, name) for name in inv.__dataclass_fields__ if name not in _SKIP}
    lines = [(ln.key, ln.kind, ln.description, ln.quantity, ln.unit, ln.unit_price, ln.amount, ln.tax_code,
              ln.tax_rate, ln.explanation, [where.get(id(r), r) for r in ln.sources], ln.entries,
              ln.contract, ln.minutes, ln.raw_minutes) for ln in inv.lines]
    rows = []
    for d in inv.entries:
        i = where.get(id(d.ref))
        e = entries[i] if i is not None else None
        if e is not None and d.date is e.date and d.person is e.person and d.activity is e.activity \
                and d.description is e.description and d.kind == e.kind:
            rows.append((i, d.fingerprint, d.raw_minutes, d.billed_minutes, d.rate, d.multiplier, d.amount,
                         d.line_key, d.note))
        else:   # not an entry's row as is: sent whole
            rows.append(d)
    return fields, lines, rows


def _unpack(packed: list, entries: dict[str, list]) -> list[Result]:
    return [(slug, None if invoices is None else [_unpack_invoice(p, entries.get(slug, [])) for p in invoices],
             diags) for slug, invoices, diags in packed]


def _unpack_invoice(packed: tuple, entries: list) -> Invoice:
    fields, lines, rows = packed
    out_lines = tuple(new_line(*ln[:10], tuple(entries[s].ref if type(s) is int else s for s in ln[10]),
                               *ln[11:]) for ln in lines)
    out_rows = []
    for r in rows:
        if type(r) is tuple:
            e = entries[r[0]]
            out_rows.append(new_detail(r[1], e.ref, e.date, e.person, e.activity, e.description, r[2], r[3],
                                       r[4], r[5], r[6], r[7], r[8], e.kind))
        else:
            out_rows.append(r)
    return Invoice(**fields, lines=out_lines, entries=tuple(out_rows))

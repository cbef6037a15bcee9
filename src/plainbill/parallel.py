"""The one way plainbill runs work in other processes: a forked pool over a list of items.

Workers are forked, so they inherit everything the parent has loaded (the book, the
template set, the function to run): only the items and the results cross the process
boundary. Results come back in the order of the items, so the outcome is the same as
running `fn` over them in turn, which is what happens with one job, fewer items than
`in_process_below`, or where fork does not exist. An exception in a worker is re-raised
here: it is a bug of plainbill, never hidden.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_WORK: tuple[Callable, Callable | None] | None = None   # (fn, init) of the pool being started


def run_parallel(fn: Callable[[T], R], items: Iterable[T], *, jobs: int = 0,
                 init: Callable[[], None] | None = None, in_process_below: int = 2,
                 on_result: Callable[[R], None] | None = None) -> list[R]:
    """[fn(item) for item in items], over up to `jobs` processes (0: one per CPU).

    `init` runs once in each worker before its first item (or once here when the work
    stays in this process); `on_result` is called here for each result as it arrives
    (a progress bar), in the items' order.
    """
    global _WORK
    items = list(items)
    jobs = min(jobs if jobs > 0 else (os.cpu_count() or 1), len(items))
    if jobs <= 1 or len(items) < in_process_below or "fork" not in multiprocessing.get_all_start_methods():
        if init is not None:
            init()
        return [_report(fn(item), on_result) for item in items]
    chunk = max(1, len(items) // (jobs * 8))
    _WORK = (fn, init)
    try:
        with multiprocessing.get_context("fork").Pool(jobs, _start_worker) as pool:
            results = [_report(pickle.loads(r), on_result) for r in pool.imap(_call, items, chunksize=chunk)]
            pool.close()
            pool.join()   # let the workers finish their clean-up (leaving `with` would terminate them)
    finally:
        _WORK = None
    return results


def _start_worker() -> None:
    init = _WORK[1]
    if init is not None:
        init()


def _call(item) -> bytes:
    # pickled here and unpickled by the caller's own thread: a result that fails to unpickle
    # then raises there, where multiprocessing's result thread would hang the pool instead
    return pickle.dumps(_WORK[0](item), protocol=pickle.HIGHEST_PROTOCOL)


def _report(result, on_result):
    if on_result is not None:
        on_result(result)
    return result

"""plainbill.parallel: the same results, in the same order, in processes or not."""
import os

import pytest

from plainbill.parallel import run_parallel

_SEEN = []


def _square(n):
    return n * n, os.getpid()


def test_results_in_order_from_workers():
    results = run_parallel(_square, range(50), jobs=2)
    assert [r for r, _ in results] == [n * n for n in range(50)]
    assert {pid for _, pid in results} != {os.getpid()}


def test_one_job_runs_here_with_init_once():
    calls = []
    results = run_parallel(lambda n: n + 1, [1, 2, 3], jobs=1, init=lambda: calls.append(1),
                           on_result=_SEEN.append)
    assert results == [2, 3, 4] and calls == [1]


def test_worker_exception_is_raised_here():
    def boom(n):
        raise ValueError(f"bad {n}")

    with pytest.raises(ValueError):
        run_parallel(boom, range(10), jobs=2)


class _Unloadable:
    def __reduce__(self):
        return (_refuse, ())


def _refuse():
    raise RuntimeError("cannot be unpickled")


def _make_unloadable(n):
    return _Unloadable()


def test_a_result_that_cannot_be_unpickled_raises_instead_of_hanging():
    with pytest.raises(RuntimeError, match="cannot be unpickled"):
        run_parallel(_make_unloadable, range(4), jobs=2)

"""Shared test set-up: a stray float anywhere near money fails loudly."""
import decimal

import pytest


@pytest.fixture(autouse=True)
def _trap_floats():
    ctx = decimal.getcontext()
    old = ctx.traps[decimal.FloatOperation]
    ctx.traps[decimal.FloatOperation] = True
    yield
    ctx.traps[decimal.FloatOperation] = old

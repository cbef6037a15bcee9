"""Shared test set-up: a stray float anywhere near money fails loudly; temporary files stay in pytest's folder."""
import decimal

import pytest


@pytest.fixture(autouse=True)
def _trap_floats():
    ctx = decimal.getcontext()
    old = ctx.traps[decimal.FloatOperation]
    ctx.traps[decimal.FloatOperation] = True
    yield
    ctx.traps[decimal.FloatOperation] = old


@pytest.fixture(autouse=True, scope="session")
def _temporary_files_in_the_session_folder(tmp_path_factory):
    """WeasyPrint's font folders (and other temporary files) go under pytest's own temporary
    folder, which pytest prunes: renderers made directly by tests are never cleaned up otherwise."""
    import tempfile

    old = tempfile.tempdir
    tempfile.tempdir = str(tmp_path_factory.mktemp("temp"))
    yield
    tempfile.tempdir = old

"""Real-browser tests: Debian's Chromium driven by Playwright (pip), one browser per test session.

Playwright's own browser download is never used: `executable_path` is the system
Chromium (`chromium` on PATH, or PLAINBILL_CHROMIUM). When it is missing the tests
FAIL, so CI cannot pass without them; set PLAINBILL_NO_BROWSER=1 to skip them on
purpose (a machine without Chromium, by choice).

Both example books (the repository root and examples/freelance) are built once
per session into temporary folders (HTML, no PDF: the PDFs are tested elsewhere)
and served by plainbill's own server (site/serve.py, as built: no reload script)
on 127.0.0.1.
"""
from __future__ import annotations

import threading

import pytest

from browserkit import BOOKS, chromium_path, no_browser


@pytest.fixture(scope="session")
def browser():
    found = no_browser()
    if found is not None and found[0] == "skip":
        pytest.skip(found[1])
    if found is not None:
        pytest.fail(found[1], pytrace=False)
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: ./setup.sh installs it (the test extras)", pytrace=False)
    with sync_playwright() as pw:
        found = pw.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
        yield found
        found.close()


@pytest.fixture(scope="session")
def sites(tmp_path_factory):
    """{book name: (output folder, base URL)}: each example book built and served."""
    from plainbill import pipeline
    from plainbill.site.serve import make_server

    out = {}
    servers = []
    for name, root in BOOKS.items():
        folder = tmp_path_factory.mktemp(f"site-{name}")
        built = pipeline.build(root, out=folder, pdf=False)
        assert built.ok and built.stats is not None, (name, built.problem, built.diagnostics)
        server = make_server(folder)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        out[name] = (folder, f"http://127.0.0.1:{server.server_port}/")
    yield out
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, java_script_enabled=True)
    page = context.new_page()
    yield page
    context.close()

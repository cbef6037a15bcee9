"""The page `plainbill serve` sends reloads itself in a real browser when the book is built
again, and shows the last build's errors in a banner."""
from __future__ import annotations

import threading

import pytest

from plainbill.site.serve import SiteState, make_server

pytestmark = pytest.mark.xdist_group("browser")


def test_a_served_page_reloads_itself_and_shows_build_errors(tmp_path, page):
    (tmp_path / "index.html").write_text('<!DOCTYPE html><html lang="en"><head><title>t</title></head>'
                                         "<body><main><p>first</p></main></body></html>", "utf-8")
    state = SiteState()
    server = make_server(tmp_path, 0, state)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        page.wait_for_function("() => !!document.querySelector('script')")
        page.wait_for_timeout(300)        # the first poll has read the version
        (tmp_path / "index.html").write_text('<!DOCTYPE html><html lang="en"><head><title>t</title></head>'
                                             "<body><main><p>second</p></main></body></html>", "utf-8")
        state.built(True, [])
        page.wait_for_function("() => document.body.innerText.includes('second')", timeout=10_000)
        state.built(False, ["ledger/2026/11.txt:3:1: not a date [bad-date]"])
        banner = page.wait_for_selector("[role=alert]", timeout=10_000)
        assert "ledger/2026/11.txt:3:1" in banner.inner_text()
        state.built(False, [])
        page.wait_for_selector("[role=alert]", state="detached", timeout=10_000)
    finally:
        server.shutdown()
        server.server_close()
    assert errors == []

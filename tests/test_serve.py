"""`plainbill serve`: build, serve on 127.0.0.1, build again when a ledger file is saved, and
the reload script only in the served pages (never in build/)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from plainbill.site.serve import RELOAD_SCRIPT, VERSION_PATH, SiteState, make_server, run_serve, watch_filter

REPO = Path(__file__).resolve().parents[1]
FREELANCE = REPO / "examples" / "freelance"


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def wait_for(predicate, seconds: float = 20.0):
    """Poll (every 50 ms) until predicate() is truthy; its value, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"gave up waiting after {seconds} s")


@pytest.fixture()
def book(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(FREELANCE, root, ignore=shutil.ignore_patterns("build"))
    return root


def test_served_pages_get_the_reload_script_and_built_files_do_not(tmp_path):
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    page = b"<!DOCTYPE html><html><body><p>x</p></body></html>"
    (out / "index.html").write_bytes(page)
    (out / "reports" / "index.html").write_bytes(page)
    (out / "a.svg").write_bytes(b"<svg/>")
    state = SiteState()
    server = make_server(out, 0, state)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        assert server.server_address[0] == "127.0.0.1"
        status, body = get(base + "/index.html")
        assert status == 200 and RELOAD_SCRIPT.encode() in body and body.index(b"<script") < body.index(b"</body>")
        assert RELOAD_SCRIPT.encode() in get(base + "/reports/")[1]
        assert get(base + "/a.svg")[1] == b"<svg/>"
        assert (out / "index.html").read_bytes() == page            # the file itself untouched
        assert json.loads(get(base + VERSION_PATH)[1]) == {"version": 0, "errors": []}
        state.built(True, [])
        state.built(False, ["ledger/x.txt:1:1: bad [code]"])
        assert json.loads(get(base + VERSION_PATH)[1]) == {"version": 2, "errors": ["ledger/x.txt:1:1: bad [code]"]}
        assert get(base + "/../../etc/passwd")[0] == 404
        assert get(base + "/favicon.ico")[0] == 204
    finally:
        server.shutdown()
        server.server_close()
    plain = make_server(out, 0)         # as built: what the browser tests serve
    threading.Thread(target=plain.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{plain.server_port}"
        assert get(base + "/index.html")[1] == page
        assert get(base + VERSION_PATH)[0] == 404
    finally:
        plain.shutdown()
        plain.server_close()


def test_watch_filter_ignores_the_output_folder_and_tool_folders(tmp_path):
    wanted = watch_filter(tmp_path, tmp_path / "build")
    assert wanted(None, str(tmp_path / "ledger" / "2026-11.txt"))
    assert wanted(None, str(tmp_path / "clients" / "acme.yaml"))
    assert not wanted(None, str(tmp_path / "build" / "index.html"))
    assert not wanted(None, str(tmp_path / ".git" / "index"))
    assert not wanted(None, str(tmp_path / "ledger" / ".#2026-11.txt"))
    assert not wanted(None, str(tmp_path / "ledger" / "2026-11.txt~"))


def test_serve_builds_serves_and_builds_again_on_a_saved_change(book, capsys):
    stop = threading.Event()
    ready: list[str] = []
    done: list[int] = []
    thread = threading.Thread(target=lambda: done.append(run_serve(book, port=0, pdf=False, stop=stop,
                                                                   ready=ready.append)), daemon=True)
    thread.start()
    try:
        url = wait_for(lambda: ready and ready[0], 60)
        assert url.startswith("http://127.0.0.1:")
        status, index = get(url)
        assert status == 200 and b"plainbill serve" in index
        assert b"plainbill serve" not in (book / "build" / "index.html").read_bytes()
        assert get(url + "reports/")[0] == 200
        version = json.loads(get(url + VERSION_PATH.lstrip("/"))[1])["version"]
        ledger = sorted((book / "ledger").rglob("*.txt"))[-1]
        before = (book / "build" / "manifest.json").read_bytes()
        ledger.write_text(ledger.read_text("utf-8") + "2026-11-27 2h meccanica-dora consulting @laura Served and rebuilt\n",
                          "utf-8")
        moved = wait_for(lambda: json.loads(get(url + VERSION_PATH.lstrip("/"))[1])["version"] > version, 60)
        assert moved and (book / "build" / "manifest.json").read_bytes() != before
        ledger.write_text(ledger.read_text("utf-8") + "2026-11-28 nonsense\n", "utf-8")
        errors = wait_for(lambda: json.loads(get(url + VERSION_PATH.lstrip("/"))[1])["errors"], 60)
        assert any(ledger.name in e for e in errors)
        assert get(url)[0] == 200              # the last good build is still served
    finally:
        stop.set()
        thread.join(20)
    assert done == [0]
    assert "serve: http://127.0.0.1:" in capsys.readouterr().err


def test_serve_command_refuses_a_folder_that_is_no_book(tmp_path):
    result = subprocess.run([sys.executable, "-m", "plainbill", "serve", str(tmp_path), "--port", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "not a book" in result.stderr and "Traceback" not in result.stderr


def test_serve_port_in_use_is_a_usage_error(book, tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = run_serve(book, port=port, pdf=False, reports=False, stop=threading.Event())
    assert code == 2

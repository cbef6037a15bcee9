"""`plainbill serve`: build, serve the output folder on localhost, build again on every saved change.

The server is the standard library's (`http.server`), bound to 127.0.0.1 only:
it is for reading the firm's reports and invoices while editing the ledger,
not for publishing them. Changes are seen by `watchfiles` (the book's folder,
less the output folder, `.git` and the like); each one runs the same
`pipeline.build` as `plainbill build` and, when it wrote something, moves the
site's *version* on.

The page reloads itself: only in the served response, never in the built
files, each HTML page gets a small script before `</body>` that asks
`/__plainbill__/version` once a second and reloads when the version moved. When
the last build found errors the script shows them in a banner at the top of
the page (the pages stay those of the last good build).
"""
from __future__ import annotations

import http.server
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

VERSION_PATH = "/__plainbill__/version"
IGNORED_PARTS = frozenset({".git", ".hg", ".venv", "venv", "__pycache__", "node_modules", ".pytest_cache"})
RELOAD_SCRIPT = """<script>/* plainbill serve: reload when the book is built again (not in the built files) */
(function () {
  var seen = null, banner = null;
  function show(errors) {
    if (!errors.length) { if (banner) { banner.remove(); banner = null; } return; }
    if (!banner) {
      banner = document.createElement("pre");
      banner.setAttribute("role", "alert");
      banner.style.cssText = "position:fixed;top:0;left:0;right:0;margin:0;padding:8px 12px;z-index:9999;" +
        "background:#fff1f0;color:#8a1c12;border-bottom:2px solid #8a1c12;font:13px monospace;white-space:pre-wrap";
      document.body.appendChild(banner);
    }
    banner.textContent = errors.join("\\n");
  }
  function poll() {
    fetch("%s", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (v) {
      if (seen !== null && v.version !== seen) { location.reload(); return; }
      seen = v.version; show(v.errors); setTimeout(poll, 1000);
    }).catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
</script>
""" % VERSION_PATH


WAITING = (b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>plainbill serve</title></head>'
           b"<body><main><h1>No build yet</h1><p>The book has errors (listed in the terminal); this page "
           b"reloads when they are fixed.</p></main></body></html>\n")


@dataclass
class SiteState:
    """What the server knows of the builds: a version that moves when the output changed, and the
    last build's problems (one line each) while it had some."""

    version: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def built(self, changed: bool, errors: list[str]) -> None:
        with self.lock:
            if changed or errors != self.errors:
                self.version += 1
            self.errors = list(errors)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "errors": self.errors}).encode()


def make_server(out_dir: Path, port: int = 0, state: SiteState | None = None) -> http.server.ThreadingHTTPServer:
    """A server for out_dir on 127.0.0.1 (port 0: a free one, see `server.server_port`).
    With a `state`, HTML pages get the reload script and the version path answers;
    without one the files are served exactly as built."""
    handler = _handler(Path(out_dir).resolve(), state)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def _handler(root: Path, state: SiteState | None) -> type:
    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                          ".svg": "image/svg+xml", ".json": "application/json", ".otf": "font/otf",
                          ".ttf": "font/ttf", ".csv": "text/csv; charset=utf-8",
                          ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8"}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):
            path = self.path.split("?")[0]
            if state is not None and path == VERSION_PATH:
                return self._send(200, "application/json", state.as_json())
            if path == "/favicon.ico" and not (root / "favicon.ico").is_file():
                return self._send(204, "image/x-icon", b"")    # the browser asks on its own: no icon, no error
            if state is not None:
                page = self._page()
                if page is not None:
                    return self._send(200, "text/html; charset=utf-8", _inject(page.read_bytes()))
                if path in ("/", "/index.html"):    # no build yet (the book has errors): a page that waits
                    return self._send(200, "text/html; charset=utf-8", _inject(WAITING))
            return super().do_GET()

        def _page(self) -> Path | None:
            """The HTML file this GET asks for (an index.html for a folder), when it is one."""
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            inside = path.resolve().is_relative_to(root)
            return path if inside and path.suffix == ".html" and path.is_file() else None

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):   # noqa: A002  the terminal shows builds, not every request
            pass

    return Handler


def _inject(page: bytes) -> bytes:
    script = RELOAD_SCRIPT.encode()
    at = page.rfind(b"</body>")
    return page[:at] + script + page[at:] if at >= 0 else page + script


def watch_filter(root: Path, out_dir: Path) -> Callable[[object, str], bool]:
    """watchfiles' filter: a change inside the book, outside the output folder and tool folders."""
    root, out = Path(root).resolve(), Path(out_dir).resolve()

    def wanted(_change, path: str) -> bool:
        p = Path(path)
        if p == out or out in p.parents:
            return False
        try:
            parts = p.relative_to(root).parts
        except ValueError:
            parts = p.parts
        return not any(part in IGNORED_PARTS or part.endswith("~") or part.startswith(".#") for part in parts)

    return wanted


def watch_and_build(root: Path, out_dir: Path, rebuild: Callable[[], None], stop: threading.Event,
                    debounce_ms: int = 200) -> None:
    """Call `rebuild` after every batch of saved changes in the book, until `stop` is set."""
    from watchfiles import watch

    for _changes in watch(root, watch_filter=watch_filter(root, out_dir), stop_event=stop,
                          debounce=debounce_ms, step=50, rust_timeout=500, yield_on_timeout=False):
        rebuild()


# ---------------------------------------------------------------- the command


def build_once(root: Path, out_dir: Path, state: SiteState, options: dict) -> bool:
    """One build as `plainbill build` does it, printed the same way; the state moves on. True when it built."""
    from .. import pipeline
    from ..diagnostics import Severity
    from ..terminal import report, say

    built = pipeline.build(root, out=out_dir, **options)
    diags = list(built.diagnostics or []) + list(built.stats.diagnostics if built.stats else [])
    report(root, diags, "text")
    errors = [f"{d.ref}: {d.message} [{d.code}]" for d in diags if d.severity is Severity.ERROR]
    if built.problem:
        say(f"plainbill: error: {built.problem}", err=True)
        errors.append(built.problem)
    if built.stats is not None:
        say(built.stats.summary(), err=True)
    state.built(bool(built.stats and (built.stats.written or built.stats.removed)), errors)
    return built.stats is not None


def run_serve(root: Path, *, port: int = 8000, out: Path | None = None, pdf: bool = True, reports: bool = True,
              stop: threading.Event | None = None, ready: Callable[[str], None] | None = None) -> int:
    """Build, serve the output folder on 127.0.0.1:port and build again on every change until
    interrupted (or `stop` is set). Exit code 2 when the book or the port cannot be used."""
    from .. import pipeline
    from ..terminal import EXIT_OK, say, usage_error

    problem = pipeline.book_problem(root) or pipeline.output_problem(root, out)
    if problem:
        return usage_error(problem)
    out_dir = Path(out or Path(root) / "build")
    out_dir.mkdir(parents=True, exist_ok=True)
    state = SiteState()
    try:        # the port first: a port in use is said before a build is spent
        server = make_server(out_dir, port, state)
    except OSError as exc:
        return usage_error(f"127.0.0.1:{port}: cannot serve there: {exc.strerror or exc}; choose another --port")
    options = {"pdf": pdf, "reports": reports}
    build_once(root, out_dir, state, options)
    url = f"http://127.0.0.1:{server.server_port}/"
    threading.Thread(target=server.serve_forever, name="plainbill-serve", daemon=True).start()
    say(f"serve: {url} (the reports: {url}reports/); watching {root} for changes, Ctrl-C stops", err=True)
    if ready is not None:
        ready(url)
    stop = stop or threading.Event()
    try:
        watch_and_build(Path(root), out_dir, lambda: build_once(root, out_dir, state, options), stop)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return EXIT_OK

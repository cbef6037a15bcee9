"""The only door WeasyPrint has to the outside: the files of the template set, from memory.

A template (the book may override them) could reference `file:///etc/passwd`,
`../../ledger/...` or an `https://` tracker; the fetcher serves only the
files `template_set()` read (the book's `templates/`, plainbill's own
templates and fonts, under their own paths or under `build/assets/`) and
`data:` URLs. Anything else stops the render with a fatal error, which the
renderer turns into a diagnostic naming the template. It never reads the disk
and never goes to the network.
"""
from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class OutsideBookError(FatalURLFetchingError):
    """A template reached for a file outside the template set, or for the network."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class BookFetcher(URLFetcher):
    """Serves `files` (absolute path -> bytes), `assets` under `assets_dir`, and `data:` URLs."""

    def __init__(self, files: dict[str, bytes], assets_dir: Path, assets: dict[str, bytes]):
        super().__init__(allowed_protocols=("data",))
        self.served = dict(files)
        for name, data in assets.items():
            self.served[posixpath.join(Path(assets_dir).as_posix(), name)] = data

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise OutsideBookError(url, "network access is not allowed at build time")
        path = posixpath.normpath(unquote(parts.path))
        if parts.netloc not in ("", "localhost") or path not in self.served:
            raise OutsideBookError(url, "outside the book's templates/ and plainbill's templates and fonts")
        return _response(url, path, self.served[path])


def _response(url: str, name: str, body: bytes) -> URLFetcherResponse:
    # WeasyPrint ignores a stylesheet that does not come as text/css
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body, headers={"Content-Type": mime})

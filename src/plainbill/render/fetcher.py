"""The only door WeasyPrint has to the outside: files of the book and of plainbill, nothing else.

A template (the book may override them) could reference `file:///etc/passwd`
or an `https://` tracker; the fetcher refuses both with a fatal error that
stops the render, and the renderer turns it into a diagnostic naming the
template. The build's own assets (CSS, fonts) are served from memory, since
they are written to `build/assets/` only after every invoice has rendered.
"""
from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class OutsideBookError(FatalURLFetchingError):
    """A template reached for a file outside the allowed folders, or for the network."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class BookFetcher(URLFetcher):
    """Serves in-memory assets under `assets_dir`, files under `roots`, and `data:` URLs."""

    def __init__(self, roots: list[Path], assets_dir: Path, assets: dict[str, bytes]):
        super().__init__(allowed_protocols=("file", "data"))
        self.roots = [Path(os.path.realpath(r)) for r in roots]
        self.assets_dir = Path(os.path.realpath(assets_dir))
        self.assets = assets

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise OutsideBookError(url, "network access is not allowed at build time")
        path = Path(os.path.realpath(unquote(urlsplit(url).path)))
        name = _relative(path, self.assets_dir)
        if name is not None and name in self.assets:
            return _response(url, name, self.assets[name])
        if not any(_relative(path, root) is not None for root in self.roots):
            raise OutsideBookError(url, "outside the book and plainbill's templates and fonts")
        if not path.is_file():
            raise OutsideBookError(url, "no such file")
        return _response(url, path.name, path.read_bytes())


def _response(url: str, name: str, body: bytes) -> URLFetcherResponse:
    # WeasyPrint ignores a stylesheet that does not come as text/css
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body, headers={"Content-Type": mime})


def _relative(path: Path, root: Path) -> str | None:
    """path relative to root as a posix string, or None when path is not inside root."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None

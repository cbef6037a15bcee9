"""The one fingerprint every cache and the build manifest are keyed by.

`fingerprint(*inputs)` is a SHA-256 over
- every installed file of the plainbill package (code, templates, fonts, schemas:
  all files under its folder but compiled `__pycache__`), by relative path and bytes,
  so any upgrade or local edit of plainbill changes it, whatever its version says;
- the versions of the libraries that shape output (`DEPENDENCIES`) and Python's;
- the inputs given (each one length-prefixed, so two inputs never run together).

The code part is computed once per process (about 3 MB read, a few milliseconds).
Tests change what it sees through `package_files` and `dependency_version`.
"""
from __future__ import annotations

import functools
import hashlib
import os
import sys
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# every library whose behaviour reaches a byte of the output (JSON, HTML, PDF, XML, chart SVG)
DEPENDENCIES = ("weasyprint", "pydyf", "babel", "holidays", "jinja2", "markupsafe", "pyyaml", "tinycss2",
                "cssselect2", "fonttools", "pillow", "pyphen", "cffi", "brotli", "zopfli", "html5lib",
                "tinyhtml5", "webencodings", "matplotlib", "numpy", "lxml")


def package_files() -> list[tuple[str, bytes]]:
    """(path relative to the package folder, bytes) of every installed file, sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(PACKAGE):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in filenames:
            path = Path(dirpath) / name
            out.append((path.relative_to(PACKAGE).as_posix(), path.read_bytes()))
    return sorted(out)


def dependency_version(name: str) -> str:
    """The installed version of a distribution, or "-" when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 of plainbill's files, the output-shaping dependencies' versions and Python's."""
    h = hashlib.sha256(f"python {sys.version}\n".encode())
    for name in DEPENDENCIES:
        h.update(f"{name} {dependency_version(name)}\n".encode())
    for rel, data in package_files():
        h.update(f"{rel} {len(data)}\n".encode("utf-8", "surrogateescape"))
        h.update(data)
    return h.hexdigest()


def fingerprint(*inputs: bytes | str) -> str:
    """SHA-256 of the code fingerprint and these inputs (texts are UTF-8 encoded)."""
    h = hashlib.sha256(code_fingerprint().encode())
    for item in inputs:
        data = item.encode("utf-8", "surrogateescape") if isinstance(item, str) else item
        h.update(b"%d\n" % len(data))
        h.update(data)
    return h.hexdigest()


def forget() -> None:
    """Compute the code part again on next use (tests that change what it sees)."""
    code_fingerprint.cache_clear()

"""The firm's logo (`issuer.logo` in plainbill.yaml): read, checked, and handed to templates.

The logo is an SVG or PNG file under the book's `templates/` folder (so that the
build's input key, which covers `templates/`, changes with it). It is read only
through the book's boundary (`confine.Boundary`: no link leaving the book, no
FIFO, no hidden folder) and reaches every page as a `data:` URL, so an HTML
invoice sent alone still shows it and WeasyPrint fetches nothing. An SVG that
holds a script, an event handler, an entity or a reference to anything but
itself is refused: a logo draws, it never runs or fetches.

`logo_problem` is what `check` reports (code `logo-unusable`, located at the
`logo:` value); `logo_uri(book)` is what templates get as `issuer.logo` (and
what any page of the firm may show: index.html, reports).
"""
from __future__ import annotations

import base64
import errno
import re
from pathlib import PurePosixPath
from xml.etree import ElementTree

from ..confine import Boundary, NotRegular, OutsideBook
from ..diagnostics import Diagnostic, error
from ..model import Book, Settings

MAX_LOGO_BYTES = 1_000_000          # inside every HTML invoice as base64: a logo, not a photo
KINDS = {".svg": "image/svg+xml", ".png": "image/png"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HINT = ("set `issuer.logo` in plainbill.yaml to an SVG or PNG file inside the book's templates/ folder, "
        "e.g. `logo: templates/logo.svg`, or remove the key")


class LogoError(ValueError):
    """Why the logo cannot be used, in words for the message."""


def logo_problem(root: str, settings: Settings) -> Diagnostic | None:
    """The `logo-unusable` diagnostic for the book's logo, or None when it is fine or not set."""
    if not settings.logo:
        return None
    try:
        read_logo(root, settings.logo)
    except LogoError as exc:
        return error("logo-unusable", settings.logo_ref, f"issuer.logo `{settings.logo}`: {exc}", HINT)
    return None


def logo_uri(book: Book) -> str:
    """The logo as a `data:` URL, or "" when there is none (or it is unusable: `check` said so)."""
    logo = book.settings.logo
    if not logo:
        return ""
    try:
        mime, data = read_logo(book.root, logo)
    except LogoError:
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def read_logo(root: str, rel: str) -> tuple[str, bytes]:
    """(MIME type, bytes) of the logo at `rel` in the book at `root`; LogoError when unusable."""
    path = PurePosixPath(rel)
    if path.is_absolute() or "\\" in rel or ".." in path.parts or not path.parts or path.parts[0] != "templates":
        raise LogoError("the logo must be a file inside the book's templates/ folder, given relative to the book")
    mime = KINDS.get(path.suffix.lower())
    if mime is None:
        raise LogoError("not an SVG or PNG file (by its name)")
    try:
        data = Boundary(root).read(rel, limit=MAX_LOGO_BYTES)
    except OutsideBook:
        raise LogoError("it is a link to a file outside the book: it is not read") from None
    except NotRegular:
        raise LogoError("it is not a regular file") from None
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise LogoError("there is no such file in the book") from None
        if exc.errno == errno.EFBIG:   # from the limit
            raise LogoError(f"over the limit of {MAX_LOGO_BYTES:,} bytes") from None
        raise LogoError(f"it cannot be read: {exc.strerror or exc}") from None
    if mime == "image/png":
        if not data.startswith(PNG_MAGIC):
            raise LogoError("not a PNG image (its first bytes are not a PNG signature)")
    else:
        _check_svg(data)
    return mime, data


_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.I)


def _check_svg(data: bytes) -> None:
    """An SVG that only draws: well-formed, <svg> at the root, no script, handler or outside reference."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LogoError(f"not an SVG image: not UTF-8 text (byte {exc.start})") from None
    if "<!ENTITY" in text:
        raise LogoError("the SVG declares entities: a logo has no need of them")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise LogoError(f"not an SVG image: not well-formed XML ({exc})") from None
    if _local(root.tag) != "svg":
        raise LogoError(f"not an SVG image: its root element is <{_local(root.tag)}>, not <svg>")
    for element in root.iter():
        tag = _local(element.tag) if isinstance(element.tag, str) else ""
        if tag in ("script", "foreignObject"):
            raise LogoError(f"the SVG holds a <{tag}>: a logo may only draw")
        for name, value in element.attrib.items():
            name = _local(name)
            if name.lower().startswith("on"):
                raise LogoError(f"the SVG has an event handler ({name}): a logo may only draw")
            if name == "href" and not value.strip().startswith(("#", "data:image/")):
                raise LogoError(f"the SVG refers to {value[:60]!r}: a logo may refer only to its own parts (#id)")
            if name == "style" and (_EXTERNAL_URL.search(value) or "@import" in value):
                raise LogoError("the SVG's style refers to another file: a logo may refer only to its own parts")
        if tag == "style" and element.text and (_EXTERNAL_URL.search(element.text) or "@import" in element.text):
            raise LogoError("the SVG's style refers to another file: a logo may refer only to its own parts")


def _local(name: str) -> str:
    """`{http://www.w3.org/2000/svg}svg` -> `svg`."""
    return name.rsplit("}", 1)[-1]

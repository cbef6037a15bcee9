"""The one Jinja environment, the template folders and the build's static assets.

Templates are looked up first in the book's `templates/` folder, then in
plainbill's own; a book overrides `invoice.html`, `invoice.css` or anything
else by putting a file of the same name there. Files that are not templates
(CSS, images, fonts) are the *assets*, copied to `build/assets/` so that the
HTML invoices are viewable on their own and the PDFs read the same bytes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .. import __version__
from .formatting import FILTERS

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_TEMPLATES = PACKAGE_DIR / "templates"
PACKAGE_FONTS = PACKAGE_DIR / "fonts"
TEMPLATE_SUFFIXES = (".html", ".j2")


@dataclass(frozen=True)
class TemplateSet:
    """Where templates and assets come from, and a hash of everything in them."""

    book_root: Path
    folders: tuple[Path, ...]            # search order: the book's first
    assets: dict[str, bytes]             # name under build/assets/ -> bytes
    key: str                             # hash of templates + assets + versions

    @property
    def fetch_roots(self) -> list[Path]:
        return [self.book_root, PACKAGE_TEMPLATES, PACKAGE_FONTS]


def template_set(book_root: Path) -> TemplateSet:
    """Collect template folders and assets; cheap enough to run on every build."""
    book_root = Path(book_root).resolve()
    folders = tuple(f for f in (book_root / "templates", PACKAGE_TEMPLATES) if f.is_dir())
    assets: dict[str, bytes] = {}
    for font in sorted(PACKAGE_FONTS.iterdir()):
        if font.is_file():
            assets[f"fonts/{font.name}"] = font.read_bytes()
    templates: dict[str, bytes] = {}
    for folder in reversed(folders):          # the book's files win: read last
        # plainbill's own folder: top-level files only (templates/init/ is the `init` scaffold)
        found = folder.glob("*") if folder == PACKAGE_TEMPLATES else folder.rglob("*")
        for path in sorted(p for p in found if p.is_file()):
            name = path.relative_to(folder).as_posix()
            target = templates if path.suffix in TEMPLATE_SUFFIXES else assets
            target[name] = path.read_bytes()
    return TemplateSet(book_root, folders, assets, _key(templates, assets))


def _key(templates: dict[str, bytes], assets: dict[str, bytes]) -> str:
    # WeasyPrint's version changes the PDF bytes, so it is part of the key.
    h = hashlib.sha256(f"plainbill {__version__} weasyprint {_weasyprint_version()}\n".encode())
    for kind, files in (("template", templates), ("asset", assets)):
        for name in sorted(files):
            h.update(f"{kind} {name} {hashlib.sha256(files[name]).hexdigest()}\n".encode())
    return h.hexdigest()


def _weasyprint_version() -> str:
    from importlib.metadata import version

    return version("weasyprint")


def make_environment(templates: TemplateSet) -> jinja2.Environment:
    """Autoescaped, StrictUndefined, with the formatting filters and nothing that computes."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in templates.folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env


def template_path(templates: TemplateSet, filename: str | None) -> str:
    """A template's file as shown in messages: relative to the book, or `<plainbill>/...`."""
    if not filename:
        return "<template>"
    path = Path(filename).resolve()
    for root, shown in ((templates.book_root, ""), (PACKAGE_DIR, "<plainbill>/")):
        try:
            return shown + path.relative_to(root).as_posix()
        except ValueError:
            continue
    return str(path)

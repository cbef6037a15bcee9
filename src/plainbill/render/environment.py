"""The one Jinja environment (a sandbox), the template files and the build's static assets.

Templates are looked up first in the book's `templates/` folder, then in
plainbill's own; a book overrides `invoice.html`, `invoice.css` or anything
else by putting a file of the same name there. The built-in templates are also
there as `plainbill/<name>`, so a book's `invoice.html` can `{% extends
"plainbill/invoice.html" %}` and override one block. Files that are not templates
(CSS, images, fonts) are the *assets*, copied to `build/assets/` so that the
HTML invoices are viewable on their own and the PDFs read the same bytes.

Every file is read once, here, and only when its real path is inside the book
(or inside plainbill's own folders): a link to a file elsewhere is a
diagnostic naming the link, never read. Jinja loads templates from these
bytes and WeasyPrint's fetcher serves only them, so nothing later reads the
disk. Templates run in Jinja's immutable sandbox.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.filters
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from .. import __version__
from ..confine import name_is_safe
from ..diagnostics import Diagnostic, SourceRef, error
from .formatting import FILTERS

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_TEMPLATES = PACKAGE_DIR / "templates"
PACKAGE_FONTS = PACKAGE_DIR / "fonts"
TEMPLATE_SUFFIXES = (".html", ".j2")
INCLUDABLE_ASSETS = (".css", ".svg", ".txt")      # assets a template may also {% include %}
BUILTIN_PREFIX = "plainbill/"         # "plainbill/invoice.html": the built-in template, even when the book has its own
MAX_TEMPLATE_BYTES = 1_000_000       # a template of a megabyte is not an invoice layout
MAX_ASSET_BYTES = 20_000_000         # a font or a logo
MAX_SEQUENCE = 1_000_000             # the longest string or list a template may build by * or **


@dataclass(frozen=True)
class TemplateSet:
    """Where templates and assets come from, their bytes, and a hash of everything in them."""

    book_root: Path
    folders: tuple[Path, ...]            # search order: the book's first
    assets: dict[str, bytes]             # name under build/assets/ -> bytes
    key: str                             # hash of templates + assets + versions
    templates: dict[str, tuple[str, str]] = field(default_factory=dict)   # name -> (text, file name)
    sources: dict[str, bytes] = field(default_factory=dict)     # absolute path of each file read -> bytes
    problems: tuple[Diagnostic, ...] = ()                        # files refused, with where they are
    paths: dict[str, str] = field(default_factory=dict)          # name of each file read -> its path

    def from_book(self, name: str) -> bool:
        """Whether the file `name` (e.g. "invoice.css") is the book's own, not plainbill's."""
        path = self.paths.get(name)
        return path is not None and _inside(Path(path), self.book_root / "templates") is not None

    def book_texts(self) -> dict[str, str]:
        """The book's own template and stylesheet files (relative path -> text), to locate a reference in."""
        out = {}
        folder = self.book_root / "templates"
        for path, data in self.sources.items():
            rel = _inside(Path(path), folder)
            if rel is not None and Path(rel).suffix in (*TEMPLATE_SUFFIXES, ".css", ".svg"):
                out[f"templates/{rel}"] = data.decode("utf-8", errors="replace")
        return dict(sorted(out.items()))


def template_set(book_root: Path) -> TemplateSet:
    """Read every template and asset (the book's win over plainbill's); cheap enough for every build."""
    book_root = Path(os.path.realpath(book_root))
    problems: list[Diagnostic] = []
    book_files = _book_files(book_root, problems)
    folders = tuple(f for f in (book_root / "templates", PACKAGE_TEMPLATES) if f.is_dir())
    assets: dict[str, bytes] = {}
    templates: dict[str, tuple[str, str]] = {}
    sources: dict[str, bytes] = {}
    paths: dict[str, str] = {}
    # plainbill's own folder: top-level files only (templates/init/ is the `init` scaffold)
    package = [(f"fonts/{p.name}", p) for p in sorted(PACKAGE_FONTS.iterdir()) if p.is_file()]
    package += [(p.name, p) for p in sorted(PACKAGE_TEMPLATES.iterdir()) if p.is_file()]
    for name, path in package + book_files:        # the book's files win: read last
        data = _read(path, book_root, problems)
        if data is None:
            continue
        sources[str(path)] = data
        paths[name] = str(path)
        if path.suffix in TEMPLATE_SUFFIXES:
            text = _text(data, path, book_root, problems)
            if text is not None:
                templates[name] = (text, str(path))
        else:
            assets[name] = data
    for name, path in package:           # the built-in ones stay reachable for {% extends %}, whatever the book has
        if path.suffix in (*TEMPLATE_SUFFIXES, ".css") and str(path) in sources:
            templates[BUILTIN_PREFIX + name] = (sources[str(path)].decode("utf-8"), str(path))
    key = _key({n: t.encode() for n, (t, _) in templates.items()}, assets)
    return TemplateSet(book_root, folders, assets, key, templates, sources, tuple(problems), paths)


def _book_files(book_root: Path, problems: list[Diagnostic]) -> list[tuple[str, Path]]:
    """(name, path) of every file under the book's templates/, sorted; links leaving the book refused."""
    folder = book_root / "templates"
    if not os.path.lexists(folder):
        return []
    if _outside_link(folder, book_root, problems) or not folder.is_dir():
        return []
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(folder):       # links to folders are not followed
        here = Path(dirpath)
        for name in sorted(dirnames):
            if (here / name).is_symlink():
                _outside_link(here / name, book_root, problems)
        for name in sorted(filenames):
            path = here / name
            if not name_is_safe(path.relative_to(book_root).as_posix()):
                continue    # the loader's `file-name` error says so; such a name is never read
            if not _outside_link(path, book_root, problems):
                found.append((path.relative_to(folder).as_posix(), path))
    return sorted(found)


def _outside_link(path: Path, book_root: Path, problems: list[Diagnostic]) -> bool:
    """True (and a diagnostic naming the link) when path resolves outside the book."""
    if _inside(Path(os.path.realpath(path)), book_root) is not None:
        return False
    problems.append(error(
        "template-outside-book", SourceRef(_shown(path, book_root), 1, 1),
        f"{_shown(path, book_root)} is a link to a file outside the book: it is not read",
        "templates and assets must be files inside the book; copy the file into templates/ instead of linking it"))
    return True


def _read(path: Path, book_root: Path, problems: list[Diagnostic]) -> bytes | None:
    """A regular file's bytes, or None with a diagnostic (not a file, unreadable, too big)."""
    limit = MAX_TEMPLATE_BYTES if path.suffix in TEMPLATE_SUFFIXES else MAX_ASSET_BYTES
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise OSError("not a regular file")
        if info.st_size > limit:
            raise OSError(f"{info.st_size:,} bytes, over the limit of {limit:,}")
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise OSError(f"over the limit of {limit:,} bytes")
        return data
    except OSError as exc:
        reason = exc.strerror or str(exc)
        problems.append(error("template-unusable", SourceRef(_shown(path, book_root), 1, 1),
                              f"{_shown(path, book_root)} cannot be used as a template or asset: {reason}",
                              "make it a readable file of reasonable size inside templates/, or remove it"))
        return None


def _text(data: bytes, path: Path, book_root: Path, problems: list[Diagnostic]) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(error("template-unusable", SourceRef(_shown(path, book_root), 1, 1),
                              f"{_shown(path, book_root)} is not UTF-8 text (byte {exc.start})",
                              "save the template as UTF-8"))
        return None


def _shown(path: Path, book_root: Path) -> str:
    rel = _inside(path, book_root)
    return rel if rel is not None else str(path)


def _inside(path: Path, root: Path) -> str | None:
    """path relative to root as posix text, or None when it is not inside (no link followed)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None


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


class SetLoader(jinja2.BaseLoader):
    """Templates from a TemplateSet's bytes: nothing read from the disk, no path leaves the set."""

    def __init__(self, templates: TemplateSet):
        self.templates = templates

    def get_source(self, environment, template):
        found = self.templates.templates.get(template)
        if found is None and Path(template).suffix in INCLUDABLE_ASSETS and template in self.templates.assets:
            try:     # a stylesheet or an SVG logo written into the page with {% include %}
                found = self.templates.assets[template].decode("utf-8"), self.templates.paths[template]
            except UnicodeDecodeError:
                found = None
        if found is None:
            raise jinja2.TemplateNotFound(template)
        text, filename = found
        return text, filename, lambda: True

    def list_templates(self):
        return sorted(self.templates.templates)


# a field width or precision of 10,000 or more: "%999999999d", "{:>999999999}"
_HUGE_PERCENT = re.compile(r"%[-#0 +]*(?:\d{5,}|\*|\d*\.(?:\d{5,}|\*))")
_HUGE_FORMAT = re.compile(r"\{[^{}]*:[^{}]*\d{5,}[^{}]*\}")


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, where formatting cannot make a string or number of gigabytes:
    no sequence over MAX_SEQUENCE items by `*`, no power over 100,000 bits, no width of 10,000."""

    intercepted_binops = frozenset(["*", "**", "%"])

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 \
                and abs(left).bit_length() * right > 100_000:
            raise SecurityError("a power this big is not formatting")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_SEQUENCE:
                    raise SecurityError("a string or list this long is not formatting")
        if operator == "%" and isinstance(left, str):
            _check_widths(left, _HUGE_PERCENT)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_widths(value.__self__, _HUGE_FORMAT)
        return wrapped


def _check_widths(text: str, pattern: re.Pattern) -> None:
    if pattern.search(text):
        raise SecurityError("a field width this big is not formatting")


def _format_filter(value, *args, **kwargs):
    """Jinja's `format` filter (printf-style), without widths of 10,000 or more."""
    _check_widths(str(value), _HUGE_PERCENT)
    return jinja2.filters.do_format(value, *args, **kwargs)


def make_environment(templates: TemplateSet) -> jinja2.Environment:
    """Sandboxed, autoescaped, StrictUndefined, with the formatting filters and nothing that computes."""
    env = TemplateSandbox(
        loader=SetLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals.pop("lipsum", None)       # pages of Latin on demand: nothing an invoice needs
    env.globals["book_stylesheet"] = templates.from_book("invoice.css")   # it comes after plainbill's
    env.filters.update(FILTERS)
    env.filters["format"] = _format_filter
    return env


def template_path(templates: TemplateSet, filename: str | None) -> str:
    """A template's file as shown in messages: relative to the book, or `<plainbill>/...`."""
    if not filename:
        return "<template>"
    path = Path(filename)
    for root, shown in ((templates.book_root, ""), (PACKAGE_DIR, "<plainbill>/")):
        rel = _inside(path, root)
        if rel is not None:
            return shown + rel
    return str(path)

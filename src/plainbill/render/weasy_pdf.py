"""What pydyf (WeasyPrint's PDF writer) and WeasyPrint's font embedding do, done cheaper: same bytes.

- pydyf deflates every stream at zlib level 9, about twice the time of
  zlib's own default level 6 for 0.5% smaller files (the fonts are most of
  the bytes). `deflate_at_default_level()` makes the streams of this process
  level 6; the bytes stay deterministic.
- pydyf's `_to_bytes()`, called for every operand of every drawing operator,
  gets a fast path by exact type for bytes, int, float and str (the same bytes).
- Every PDF embeds a subset of each font it uses, cut by HarfBuzz and then
  deflated: about 5% of a render. Invoices of one book mostly use the same
  glyphs of a font (the same labels, digits and names), so
  `reuse_font_subsets()` keeps the last subsets a process cut, by font face
  and glyph set, and their deflated bytes: a PDF whose glyph set of a font
  was seen before embeds the same bytes without cutting or deflating them
  again. A new glyph set is cut as before.

The pydyf paths are installed for pydyf 0.13.0 only, the font subsets for
WeasyPrint 70.0 only (both as pinned); tests compare the PDF bytes with and
without them.
"""
from __future__ import annotations

import zlib

from .patching import install_fast, installed

_KEPT = 64      # font subsets (and deflated streams) a process keeps: a few MB at most


class _Deflate:
    """What pydyf sees as its `zlib` module: the same, with zlib's default level instead of 9."""

    LEVEL = 6

    def compressobj(self, level=LEVEL, *args, **kwargs):
        return zlib.compressobj(self.LEVEL, *args, **kwargs)

    def compress(self, data, level=LEVEL, **kwargs):
        return zlib.compress(data, self.LEVEL, **kwargs)

    def __getattr__(self, name):
        return getattr(zlib, name)


def deflate_at_default_level() -> None:
    """pydyf's streams at zlib level 6 in this process (pydyf hard-codes 9; no option exists)."""
    import pydyf

    if not isinstance(pydyf.zlib, _Deflate):
        pydyf.zlib = _Deflate()


def fast_pdf_operands() -> None:
    """pydyf's _to_bytes() answers bytes, int, float and str by their exact type first (the same bytes)."""
    import pydyf

    general = pydyf._to_bytes
    if getattr(general, "plainbill_fast", False) or pydyf.__version__ != "0.13.0":
        return

    def _to_bytes(item):
        kind = type(item)
        if kind is bytes:
            return item
        if kind is int:
            return str(item).encode("ascii")
        if kind is float:
            return str(int(item)).encode("ascii") if item.is_integer() else f"{item:f}".rstrip("0").encode("ascii")
        if kind is str:
            return item.encode("ascii")
        return general(item)

    install_fast(pydyf, "_to_bytes", _to_bytes)


def reuse_font_subsets() -> None:
    """Font.subset() and pydyf's deflating of a font file answered from what this process did before."""
    import pydyf
    from weasyprint.pdf.fonts import Font
    from weasyprint.text.ffi import ffi

    subset = Font.subset
    if installed(subset) or pydyf.__version__ != "0.13.0":
        return
    subsets: dict = {}

    def reused_subset(self, to_unicode, hinting):
        if not to_unicode:
            return subset(self, to_unicode, hinting)
        # the face is kept alive with the entry, so its address names it while the entry lives
        key = (int(ffi.cast("uintptr_t", self.hb_face)), self.index, tuple(sorted(to_unicode)),
               bool(self.missing), hinting)
        found = subsets.get(key)
        if found is None:
            subset(self, to_unicode, hinting)
            found = subsets[key] = (self.hb_face, self.file_content)
            _bound(subsets)
        self.file_content = found[1]

    install_fast(Font, "subset", reused_subset)

    general = pydyf.Stream.data
    deflated: dict = {}

    def data(self):
        items = self.stream
        if not (self.compress and len(items) == 1 and type(items[0]) is bytes and len(items[0]) >= 4096):
            return general.fget(self)
        content = items[0]
        found = deflated.get(id(content))
        if found is None or found[0] is not content:
            compressor = pydyf.zlib.compressobj(level=9)
            found = deflated[id(content)] = (content, compressor.compress(content) + compressor.flush())
            _bound(deflated)
        extra = pydyf.Dictionary(self.extra.copy())
        extra["Filter"] = "/FlateDecode"
        extra["Length"] = len(found[1])
        return b"\n".join((extra.data, b"stream", found[1], b"endstream"))

    fast = _FastProperty(data)
    fast.__wrapped__ = general
    pydyf.Stream.data = fast


class _FastProperty(property):
    """A property replacing one of pydyf's, marked like the other fast paths."""

    plainbill_fast = True


def _bound(cache: dict) -> None:
    while len(cache) > _KEPT:
        del cache[next(iter(cache))]


def install() -> None:
    deflate_at_default_level()
    fast_pdf_operands()
    reuse_font_subsets()

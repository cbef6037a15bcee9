"""What WeasyPrint is given, made cheaper to digest without changing the page.

Two costs of WeasyPrint 70 that an invoice never needed to pay:

- Its user-agent stylesheet gives *every* element `::marker`, `::footnote-*`
  and `::note-*` pseudo-element styles, so each element had about seven
  computed styles instead of one, and it carries rules for form fields. The
  copy used here keeps every other rule as it is, scopes the marker rule to
  `li` (the only element that is a list item in practice) and leaves out the
  footnote, note and form-field rules. A template that uses `float: footnote`
  still gets footnotes, without the default call and marker styling.
- Whitespace between tags becomes text boxes that the layout creates and then
  throws away (most of them inside tables). `squeeze()` removes it where it
  can never show: before a block or table tag, outside `<pre>`. Whitespace
  between inline elements (a space between two `<span>`s) is kept.

And one cost of pydyf (WeasyPrint's PDF writer): it deflates every stream at
zlib level 9, about twice the time of zlib's own default level 6 for 0.5%
smaller files (the fonts are most of the bytes). `deflate_at_default_level()`
makes the streams of this process level 6; the bytes stay deterministic.
"""
from __future__ import annotations

import re
import zlib
from functools import lru_cache
from importlib.resources import files

_DROPPED_PSEUDO = re.compile(r"^::(footnote-|note-)")
_BLOCK_TAGS = "html|head|body|meta|title|link|div|p|section|h1|h2|h3|table|caption|colgroup|col|thead|tbody|tr|td|th"
# whitespace before a block or table tag (opening or closing): never shown, only boxed
_BEFORE_BLOCK = re.compile(rf">\s+(?=</?(?:{_BLOCK_TAGS})\b)", re.I)
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.S | re.I)


def ua_stylesheet_text() -> str:
    """WeasyPrint's own HTML user-agent stylesheet, minus what an invoice never uses."""
    import weasyprint.css

    kept = []
    for line in (files(weasyprint.css) / "html5_ua.css").read_text("utf-8").splitlines():
        stripped = line.strip()
        if _DROPPED_PSEUDO.match(stripped):
            continue
        if stripped.startswith("::marker"):
            line = "li" + stripped
        kept.append(line)
    text = "\n".join(kept)
    start, end = text.find("/* Form fields */"), text.find("/* Pages */")
    if 0 <= start < end:
        text = text[:start] + text[end:]
    return text


@lru_cache(maxsize=1)
def html_class():
    """A weasyprint.HTML whose user-agent stylesheet is the trimmed one (parsed once per process)."""
    from weasyprint import CSS, HTML

    sheet = CSS(string=ua_stylesheet_text())

    class InvoiceHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [sheet]

    return InvoiceHTML


def squeeze(html: str) -> str:
    """The HTML without whitespace between tags, except inside <pre> (whose spaces are content)."""
    parts = _PRE.split(html)
    return "".join(part if i % 2 else _BEFORE_BLOCK.sub(">", part) for i, part in enumerate(parts))


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

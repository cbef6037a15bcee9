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

- Parsing: WeasyPrint parses HTML with tinyhtml5, a pure-Python HTML5
  parser (about 12 ms of an invoice). The built-in template writes HTML that
  is also well-formed XML once its void tags are closed, with every table's
  `<tbody>` explicit, so `xml_tree()` parses it with expat in a fraction of
  a millisecond into the same element tree (tested against tinyhtml5 on
  every kind of invoice). Anything expat refuses (a book's own template, a
  control character in a description) goes to tinyhtml5 as before.

And one cost of WeasyPrint's computed styles: a property is computed the first
time it is read, by `ComputedStyle.__missing__`, ten thousand times per
invoice. Most reads are of a property the element's rules do not set, which
only inherits the parent's value or takes the initial one, but still went
through the whole general path (logical-property lookup, `calc()` checks).
`fast_computed_styles()` answers those reads directly, and the reads of a
property set by a rule with a plain value (its computer function applied, as
WeasyPrint does), `display` among them, and of `position`, `float`, `page`
and the text decorations when no rule sets them (the steps WeasyPrint's
general path takes for them, in its order). Every other read (`var()`,
`calc()`, `inherit` or `initial` written in a rule, a property also set by
its logical form, the root element) goes to WeasyPrint: the values, and so
the bytes of the PDF, are the same.
These replace WeasyPrint functions by copies that know their
internals: they are installed only for the version they were checked
against (WeasyPrint 70.0, as pinned), and tested to give the
same PDF bytes as the functions they replace.
`fast_percentages()` does the same for the used margins, paddings and widths
of every box (two function calls per property less, same values), and
`fast_normal_flow()` for `Box.is_in_normal_flow()` (five method calls less).
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from xml.etree import ElementTree

from .patching import install_fast, installed

_DROPPED_PSEUDO = re.compile(r"^::(footnote-|note-)")
_BLOCK_TAGS = "html|head|body|meta|title|link|div|p|section|h1|h2|h3|table|caption|colgroup|col|thead|tbody|tr|td|th"
# whitespace before a block or table tag (opening or closing): never shown, only boxed
_BEFORE_BLOCK = re.compile(rf">\s+(?=</?(?:{_BLOCK_TAGS})\b)", re.I)
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.S | re.I)
_VOID_TAG = re.compile(r"<(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b([^<>]*?)/?>", re.I)


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

        @classmethod
        def from_tree(cls, root, base_url: str, url_fetcher):
            """What HTML(string=...) builds after parsing, from an element tree parsed elsewhere."""
            import cssselect2

            document = cls.__new__(cls)
            document.base_url = base_url
            document.url_fetcher = url_fetcher
            document.media_type = "print"
            document.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            document.etree_element = document.wrapper_element.etree_element
            return document

    return InvoiceHTML


def xml_tree(html: str):
    """The element tree of HTML that is well-formed XML once void tags are closed; None otherwise.

    Only for HTML whose tree does not depend on HTML5's repairs (implied `<tbody>`,
    unclosed `<p>`): the built-in template. A `<base>` element is not supported.
    """
    text = _VOID_TAG.sub(r"<\1\2/>", html.replace("<!DOCTYPE html>", "", 1))
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return None
    return None if root.tag != "html" or root.find(".//base") is not None else root


def squeeze(html: str) -> str:
    """The HTML without whitespace between tags, except inside <pre> (whose spaces are content).

    Whitespace after the last tag goes too: an HTML5 parser would put it at the end of <body>.
    """
    parts = _PRE.split(html.rstrip())
    return "".join(part if i % 2 else _BEFORE_BLOCK.sub(">", part) for i, part in enumerate(parts))


def fast_computed_styles() -> None:
    """ComputedStyle answers the common reads without its general path (same values)."""
    from weasyprint.css import ComputedStyle, text_decoration
    from weasyprint.css.computed_values import COMPUTER_FUNCTIONS, PHYSICAL_FUNCTIONS
    from weasyprint.css.functions import check_math
    from weasyprint.css.properties import INHERITED, INITIAL_NOT_COMPUTED, INITIAL_VALUES
    from weasyprint.css.tokens import Pending

    general = ComputedStyle.__missing__
    if installed(general):
        return
    decorations = {key for key in INITIAL_VALUES if key.startswith("text_decoration_")}
    # reads WeasyPrint's general path treats specially: answered below as it does, or left to it
    special = {"display", "float", "position", "page"} | decorations
    inherited = frozenset(INHERITED) - special
    initial = {key: value for key, value in INITIAL_VALUES.items()
               if key not in special and key not in INHERITED and key not in INITIAL_NOT_COMPUTED}
    computed = {key: COMPUTER_FUNCTIONS[key] for key in INITIAL_NOT_COMPUTED
                if key in COMPUTER_FUNCTIONS and key not in special and key not in INHERITED}
    # a physical property (margin_top) may be set by its logical one (margin_block_start)
    logical = {key: frozenset(function(block="ttb", inline=inline) for inline in ("ltr", "rtl"))
               for key, function in PHYSICAL_FUNCTIONS.items()}
    assert not ({"position", "float", "page"} | decorations) & set(INITIAL_NOT_COMPUTED)
    assert "position" not in COMPUTER_FUNCTIONS and "page" not in COMPUTER_FUNCTIONS

    def set_by_rule(self, key, cascaded):
        """A plain value set by a rule (no var(), calc(), inherit or initial, no logical twin set)."""
        value = cascaded[key][0]
        if (key[:2] == "__" or (key in special and key != "display") or isinstance(value, Pending)
                or (value.__class__ is str and value in ("inherit", "initial"))
                or (key in logical and not logical[key].isdisjoint(cascaded)) or check_math(value)):
            return general(self, key)
        if key == "display":
            self["float"]          # WeasyPrint reads it first: display is computed from float and position
            self.specified[key] = value
            if key in self:
                return self[key]
        compute = COMPUTER_FUNCTIONS.get(key)
        if compute is not None:
            value = compute(self, key, value)
        self[key] = value
        return value

    def unset_special(self, key, parent):
        """position, float, page and text decorations no rule sets, as the general path computes them."""
        if key == "float":
            self["position"]
        if key == "position" or key == "float":
            value = self[key] = self.specified[key] = INITIAL_VALUES[key]
        elif key == "page":
            value = self[key] = parent["page"]          # `auto` is the nearest ancestor's page
        else:
            value = INITIAL_VALUES[key]
            compute = COMPUTER_FUNCTIONS.get(key)
            if compute is not None:
                value = compute(self, key, value)
            value = self[key] = text_decoration(key, value, parent[key], False)
        return value

    def __missing__(self, key):
        parent = self.parent_style
        cascaded = self.cascaded
        if parent is None:
            return general(self, key)
        if key in cascaded:
            return set_by_rule(self, key, cascaded)
        if key in inherited:
            value = self[key] = parent[key]
            return value
        if key in logical and not logical[key].isdisjoint(cascaded):
            return general(self, key)
        if key in initial:
            value = self[key] = initial[key]
        elif key in computed:
            value = self[key] = computed[key](self, key, INITIAL_VALUES[key])
        elif key in special and key != "display":
            return unset_special(self, key, parent)
        else:
            return general(self, key)
        return value

    install_fast(ComputedStyle, "__missing__", __missing__)


def fast_normal_flow() -> None:
    """Box.is_in_normal_flow() reading `float` and `position` once instead of through five methods."""
    from weasyprint.formatting_structure.boxes import Box

    general = Box.is_in_normal_flow
    if installed(general):
        return
    floats = ("left", "right", "inline-start", "inline-end", "footnote")

    def is_in_normal_flow(self):
        if "is_floated" in self.__dict__:       # a flex item's is_floated() is overridden
            return general(self)
        style = self.style
        if style["float"] in floats:
            return False
        position = style["position"]
        return position not in ("absolute", "fixed") and position[0] not in ("running()", "note()")

    install_fast(Box, "is_in_normal_flow", is_in_normal_flow)


_SIDES = (("margin_left", 0), ("margin_right", 0), ("margin_top", 2), ("margin_bottom", 2),
          ("padding_left", 0), ("padding_right", 0), ("padding_top", 2), ("padding_bottom", 2),
          ("width", 0), ("min_width", 0), ("max_width", 0))


def fast_percentages() -> None:
    """WeasyPrint's resolve_percentages() with its per-property helper inlined (same used values)."""
    from weasyprint.formatting_structure.boxes import Box, PageBox
    from weasyprint.layout import percent

    general = percent.resolve_percentages
    if installed(general):
        return
    percentage, check_math, adjust_box_sizing = percent.percentage, percent.check_math, percent.adjust_box_sizing
    inf = float("inf")

    def resolve_percentages(box, containing_block):
        if isinstance(containing_block, Box):
            cb_width, cb_height = containing_block.width, containing_block.height
        else:
            cb_width, cb_height = containing_block
        refer = (cb_width, None, cb_height if isinstance(box, PageBox) else cb_width)
        style = box.style
        for name, which in _SIDES:      # _set_used() inlined: 11 properties of every box laid out
            value = style[name]
            if value is None or value == "auto":
                used = 0 if value == "auto" and name == "min_width" else value
            else:
                unit = getattr(value, "unit", None)
                if unit == "%":
                    used = refer[which] * value.value / 100
                elif unit is not None:
                    used = value.value
                else:
                    used = percentage(value, style, refer[which])
                    if used == "auto" and name == "min_width":
                        used = 0
            setattr(box, name, used)
        if cb_height == "auto":
            height = style["height"]
            if height == "auto" or check_math(height) or height.unit == "%":
                box.height = "auto"
            else:
                assert height.unit.lower() == "px"
                box.height = height.value
            _set_used(box, style, "min_height", 0, percentage)
            _set_used(box, style, "max_height", inf, percentage)
        else:
            _set_used(box, style, "height", cb_height, percentage)
            _set_used(box, style, "min_height", cb_height, percentage)
            _set_used(box, style, "max_height", cb_height, percentage)
        collapse = style["border_collapse"] == "collapse"
        for prop in ("border_top_width", "border_right_width", "border_bottom_width", "border_left_width"):
            if not (collapse and hasattr(box, prop)):
                setattr(box, prop, style[prop])
        adjust_box_sizing(box, "width")
        adjust_box_sizing(box, "height")

    install_fast(percent, "resolve_percentages", resolve_percentages, "weasyprint.layout")


def _set_used(box, style, name, refer_to, percentage):
    """resolve_one_percentage() of weasyprint.layout.percent, for plain lengths without a call to percentage()."""
    value = style[name]
    if value is None or value == "auto":
        used = value
    else:
        unit = getattr(value, "unit", None)
        if unit == "%":
            used = refer_to * value.value / 100
        elif unit is not None:
            used = value.value
        else:
            used = percentage(value, style, refer_to)
    if used == "auto" and (name == "min_width" or name == "min_height"):
        used = 0
    setattr(box, name, used)


def install() -> None:
    """The fast paths of this module (for WeasyPrint 70.0 only)."""
    fast_computed_styles()
    fast_percentages()
    fast_normal_flow()

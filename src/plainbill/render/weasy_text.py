"""Faster text in WeasyPrint 70: the same glyphs and PDF bytes, shaped once instead of twice.

WeasyPrint lays a text box out with a Pango layout, then throws the layout
away (`Layout.deactivate`) and, to draw the box, builds a new one from the
same text and shapes it again (`Layout.reactivate`): every line of every
invoice was shaped twice, and its Pango context, font description and
attributes built twice. `keep_text_layouts()` keeps the layout built for the
layout step and draws from it when a new one would be the same:

- same style object, no justification spacing, no letter or word spacing and
  no `overflow-wrap` (their attributes are re-added by each `set_text`, so a
  kept layout may carry more of them than a new one would);
- its text was laid out on one line, so the lines drawn are those laid out
  whether or not a width is set (WeasyPrint draws without one);
- Pango's single-paragraph mode, which drawing switches on, is switched on
  already when the text is set if the text has no paragraph separator (it
  then changes nothing, and switching it later would make Pango lay the text
  out again);
- not drawn with an ellipsis before (that changes the layout's width and text).

Anything else goes to WeasyPrint's own `reactivate`.

Drawing the glyphs is weasy_glyphs.py's. Here too: a layout's Pango context,
font description and features are made once per font (`_layout_maker`),
`fast_line_size()` measures lines into one rectangle, and `fast_strut()`
caches the line height of a font by a tuple of the style values WeasyPrint's
`strut()` formats into a string key (same values, same result).

Like the other fast paths (weasy.py, weasy_glyphs.py, weasy_boxes.py,
weasy_pdf.py), these are installed only for WeasyPrint 70.0 (as pinned) and
are tested to give the same PDF bytes as WeasyPrint's own functions.
"""
from __future__ import annotations

from .patching import install_fast, installed

_STRUT_KEYS = ("font_family", "font_style", "font_stretch", "font_weight", "font_variant_ligatures",
               "font_variant_position", "font_variant_caps", "font_variant_numeric",
               "font_variant_alternates", "font_variant_east_asian", "font_feature_settings",
               "font_variation_settings", "font_language_override", "lang")


# ---------------------------------------------------------------- layouts kept for drawing


def keep_text_layouts() -> None:
    """Text boxes are drawn from the Pango layout they were laid out with, when a new one would be the same."""
    from weasyprint.text import line_break
    from weasyprint.text.ffi import pango

    Layout = line_break.Layout
    if installed(Layout.reactivate):
        return
    setup, set_text, get_first_line, reactivate = (Layout.setup, Layout.set_text, Layout.get_first_line,
                                                   Layout.reactivate)

    made = _layout_maker(setup)

    def fast_setup(self, style):
        made(self, style)
        self.plainbill_single = False        # a new Pango layout: single-paragraph mode off
        self.plainbill_one_line = False      # no lines computed for its text yet
        self.plainbill_ellipsized = False

    def fast_set_text(self, text, justify=False):
        single = not ("\n" in text or "\r" in text or "\u2029" in text)
        if single != self.plainbill_single:
            pango.pango_layout_set_single_paragraph_mode(self.layout, single)
            self.plainbill_single = single
        self.plainbill_one_line = False
        style = self.style
        letter_spacing = style["letter_spacing"]
        plain = self.plainbill_plain = (
            not style["word_spacing"] and (letter_spacing == "normal" or not letter_spacing)
            and style["overflow_wrap"] not in ("anywhere", "break-word"))
        if not plain or (justify and self.justification_spacing):
            return set_text(self, text, justify)
        # WeasyPrint's set_text() when it adds no spacing attributes: the same text, set the same way
        index = text.find("\n")
        if index != -1:
            text = text[:index + 2]     # the first line and one character are all a line needs
        self.text = text
        data = text.encode().replace(b"\x00", b"")
        pango.pango_layout_set_text(self.layout, data, -1)
        if b"\t" in data:
            self.set_tabs()

    def fast_get_first_line(self):
        first_line, index = get_first_line(self)
        self.plainbill_one_line = index is None
        return first_line, index

    def fast_deactivate(self):
        """Keep the Pango objects: drawing may use them (they go with the box)."""

    def fast_reactivate(self, style):
        if not (style is self.__dict__.get("style") and self.plainbill_one_line and self.plainbill_plain
                and not self.justification_spacing and not self.plainbill_ellipsized):
            reactivate(self, style)

    for name, fast in (("setup", fast_setup), ("set_text", fast_set_text), ("get_first_line", fast_get_first_line),
                       ("deactivate", fast_deactivate), ("reactivate", fast_reactivate)):
        fast.__name__ = name
        install_fast(Layout, name, fast)


_SETUP_KEYS = ("direction", "font_language_override", "lang", "font_family", "font_style", "font_stretch",
               "font_weight", "font_size", "font_variant_caps", "font_variation_settings", "text_decoration_line",
               "font_kerning", "font_variant_ligatures", "font_variant_position", "font_variant_numeric",
               "font_variant_alternates", "font_variant_east_asian", "font_feature_settings")


def _layout_maker(general):
    """Layout.setup() with its Pango context, font description, metrics and features made once per font.

    WeasyPrint made a context, a font description and a features attribute for
    every layout; they depend only on the style values in _SETUP_KEYS. A context
    is never changed once made, so layouts can share it (each layout copies the
    font description it is given).
    """
    from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
    from weasyprint.text.ffi import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p
    from weasyprint.text.fonts import font_features, get_font_description

    def make(style):
        font_map = style.font_config.font_map
        context = ffi.gc(pango.pango_font_map_create_context(font_map), gobject.g_object_unref)
        pango.pango_context_set_round_glyph_positions(context, False)
        pango.pango_context_set_base_dir(context, PANGO_DIRECTION[style["direction"]])
        if style["font_language_override"] != "normal":
            lang_p, lang = unicode_to_char_p(LST_TO_ISO.get(
                style["font_language_override"].lower(), style["font_language_override"]))
        elif style["lang"]:
            lang_p, lang = unicode_to_char_p(style["lang"])
        else:
            lang = None
            language = pango.pango_language_get_default()
        if lang:
            language = pango.pango_language_from_string(lang_p)
            pango.pango_context_set_language(context, language)
        assert not isinstance(style["font_family"], str), "font_family should be a list"
        description = get_font_description(style)
        metrics = {"ascent": None, "underline_position": None, "strikethrough_position": None}
        if style["text_decoration_line"] != "none":
            found = ffi.gc(pango.pango_context_get_metrics(context, description, language),
                           pango.pango_font_metrics_unref)
            metrics = {
                "ascent": FROM_UNITS * pango.pango_font_metrics_get_ascent(found),
                "underline_position": FROM_UNITS * pango.pango_font_metrics_get_underline_position(found),
                "strikethrough_position": FROM_UNITS * pango.pango_font_metrics_get_strikethrough_position(found),
                "underline_thickness": FROM_UNITS * pango.pango_font_metrics_get_underline_thickness(found),
                "strikethrough_thickness": FROM_UNITS * pango.pango_font_metrics_get_strikethrough_thickness(found),
            }
        features = font_features(
            style["font_kerning"], style["font_variant_ligatures"], style["font_variant_position"],
            style["font_variant_caps"], style["font_variant_numeric"], style["font_variant_alternates"],
            style["font_variant_east_asian"], style["font_feature_settings"])
        attr = None
        if features:
            features = ",".join(f"{key} {value}" for key, value in features.items()).encode()
            attr = style.font_config.font_features.setdefault(features, pango.pango_attr_font_features_new(features))
        return context, language, description, metrics, attr

    def setup(self, style):
        try:
            key = tuple([style[name] for name in _SETUP_KEYS])
            cache = style.font_config.__dict__.setdefault("plainbill_layouts", {})
            found = cache.get(key)
            if found is None:
                found = cache[key] = make(style)
        except TypeError:        # a style value that cannot be hashed: WeasyPrint's own setup
            return general(self, style)
        context, self.language, description, metrics, attr = found
        self.style = style
        self.first_line_direction = 0
        self.layout = ffi.gc(pango.pango_layout_new(context), gobject.g_object_unref)
        pango.pango_layout_set_auto_dir(self.layout, False)
        pango.pango_layout_set_font_description(self.layout, description)
        self.__dict__.update(metrics)
        if attr is not None:
            attr_list = pango.pango_attr_list_new()
            pango.pango_attr_list_insert(attr_list, attr)
            pango.pango_layout_set_attributes(self.layout, attr_list)

    return setup


def fast_line_size() -> None:
    """line_size() measuring into one PangoRectangle instead of allocating one per line (same values)."""
    from weasyprint.text import line_break
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    general = line_break.line_size
    if installed(general):
        return
    extents = ffi.new("PangoRectangle *")

    def line_size(line, style):
        pango.pango_layout_line_get_extents(line, ffi.NULL, extents)
        width = extents.width * FROM_UNITS
        height = extents.height * FROM_UNITS
        if style["letter_spacing"] != "normal":
            width += style["letter_spacing"]
        return width, height

    install_fast(line_break, "line_size", line_size, "weasyprint.")


# ---------------------------------------------------------------- struts


def fast_strut() -> None:
    """strut() cached by a tuple of the style values WeasyPrint formats into a string key."""
    from weasyprint.text import line_break

    general = line_break.strut
    if installed(general):
        return

    def strut(style):
        if style["font_size"] == 0:
            return 0, 0
        key = tuple([style[name] for name in _STRUT_KEYS]) + (style["font_size"], style["line_height"])
        cache = style.font_config.__dict__.setdefault("plainbill_struts", {})
        try:
            return cache[key]
        except KeyError:
            result = cache[key] = general(style)
        except TypeError:      # a value that cannot be hashed: WeasyPrint's own key
            result = general(style)
        return result

    install_fast(line_break, "strut", strut, "weasyprint.")


def install() -> None:
    """All of the above (for WeasyPrint 70.0 only)."""
    keep_text_layouts()
    fast_line_size()
    fast_strut()

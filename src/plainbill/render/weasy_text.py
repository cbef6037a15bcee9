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

`fast_glyph_runs()` replaces `draw_first_line()`, which read every glyph of
every line through a dozen cffi attribute accesses, by one that reads a run's
glyphs as one buffer of integers and writes the same operators. Runs with
anything unusual (empty or unknown glyphs, vertical offsets, emoji or bitmap
fonts, ellipses) are drawn by WeasyPrint's function.

`fast_strut()` caches the line height of a font by a tuple of the style
values WeasyPrint's `strut()` formats into a string key (same values, same
result), and `fast_float_bounds()` answers `avoid_collisions()` directly for
a left-to-right block with no floats beside it (an invoice has none).

Like the fast paths of weasy.py, these are installed only for WeasyPrint
70.0 (as pinned) and are tested to give the same PDF bytes as WeasyPrint's
own functions.
"""
from __future__ import annotations

import sys

_GLYPH_EMPTY = 0x0FFFFFFF      # pango.PANGO_GLYPH_EMPTY; larger ids carry the "unknown" flag
_STRUT_KEYS = ("font_family", "font_style", "font_stretch", "font_weight", "font_variant_ligatures",
               "font_variant_position", "font_variant_caps", "font_variant_numeric",
               "font_variant_alternates", "font_variant_east_asian", "font_feature_settings",
               "font_variation_settings", "font_language_override", "lang")


def _checked() -> bool:
    import weasyprint

    return weasyprint.__version__ == "70.0"


def _install(module, name: str, fast, everywhere: str = "") -> None:
    """Put `fast` in place of module.name, and in every module under `everywhere` that imported it."""
    general = getattr(module, name)
    fast.plainbill_fast = True
    fast.__wrapped__ = general
    setattr(module, name, fast)
    for module_name, other in list(sys.modules.items()):
        if everywhere and module_name.startswith(everywhere) and getattr(other, name, None) is general:
            setattr(other, name, fast)


def _installed(function) -> bool:
    return getattr(function, "plainbill_fast", False) or not _checked()


# ---------------------------------------------------------------- layouts kept for drawing


def keep_text_layouts() -> None:
    """Text boxes are drawn from the Pango layout they were laid out with, when a new one would be the same."""
    from weasyprint.text import line_break
    from weasyprint.text.ffi import pango

    Layout = line_break.Layout
    if _installed(Layout.reactivate):
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
        self.plainbill_plain = (not style["word_spacing"] and (letter_spacing == "normal" or not letter_spacing)
                                and style["overflow_wrap"] not in ("anywhere", "break-word"))
        set_text(self, text, justify)

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
        fast.plainbill_fast = True
        fast.__wrapped__ = getattr(Layout, name)
        setattr(Layout, name, fast)


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


def keeps_text_layouts() -> bool:
    from weasyprint.text.line_break import Layout

    return getattr(Layout.reactivate, "plainbill_fast", False)


# ---------------------------------------------------------------- glyph runs


def fast_glyph_runs() -> None:
    """draw_first_line() reading each run's glyphs as one buffer (same operators, same bytes)."""
    from weasyprint.draw import text as draw_text_module
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    general = draw_text_module.draw_first_line
    if _installed(general) or ffi.sizeof("PangoGlyphInfo") != 20:
        return
    old_pango = pango.pango_version() < 14802

    def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
        layout = textbox.pango_layout
        if text_overflow == "ellipsis" or block_ellipsis != "none":
            layout.plainbill_ellipsized = True
            return general(stream, textbox, text_overflow, block_ellipsis, matrix)
        if not textbox.text.strip() or textbox.style["font_size"] < 1e-6:
            return []
        if not layout.__dict__.get("plainbill_single", False):
            pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
            layout.plainbill_single = True
        first_line, _ = layout.get_first_line()
        runs = _plain_runs(first_line, stream, textbox.style["font_size"], ffi, old_pango)
        if runs is None:
            return general(stream, textbox, text_overflow, block_ellipsis, matrix)
        stream.set_text_matrix(*matrix.values)
        previous_pango_font = None
        string = ""
        for pango_font, font, font_size, glyph_item, ids, widths, x_offsets in runs:
            if pango_font != previous_pango_font:
                previous_pango_font = pango_font
                if string:
                    stream.show_text(string)
                string = ""
                stream.set_font_size(font.hash, font_size)
            string += "<"
            # a glyph drawn at the same advance and offset in the same font writes the same text
            known = font.__dict__.setdefault("plainbill_glyphs", {}).setdefault(font_size, {})
            keys = list(zip(ids, widths, x_offsets))
            parts = list(map(known.get, keys))
            if None in parts:
                for i, key in enumerate(keys):
                    if parts[i] is None:
                        part = known.get(key)
                        if part is None:
                            part = known[key] = _glyph_operands(
                                stream, font, pango_font, font_size, glyph_item, i, key, layout, FROM_UNITS)
                        parts[i] = part
            string += "".join(parts)
            string = string[:-1] if string[-1] == "<" else string + ">"
        stream.show_text(string)
        return []

    _install(draw_text_module, "draw_first_line", draw_first_line, "weasyprint.draw")


def _plain_runs(first_line, stream, style_font_size, ffi, old_pango):
    """The line's runs as (pango font, font, size, item, glyph ids, widths, x offsets); None if one is unusual."""
    runs = []
    run = first_line.runs[0] if first_line.runs != ffi.NULL else ffi.NULL
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        count = glyphs.num_glyphs
        numbers = memoryview(ffi.buffer(glyphs.glyphs, 20 * count)).cast("i")    # glyph, width, x, y, attr
        ids = numbers[0::5].tolist()
        if ids and (min(ids) < 0 or max(ids) >= _GLYPH_EMPTY) or any(numbers[3::5]):
            return None
        pango_font = glyph_item.item.analysis.font
        font, font_size = stream.add_font(pango_font)
        if font.svg or font.png or font.colr or font.bitmap:
            return None
        if old_pango:
            font_size = style_font_size
        runs.append((pango_font, font, font_size, glyph_item, ids, numbers[1::5].tolist(), numbers[2::5].tolist()))
    return runs


def _glyph_operands(stream, font, pango_font, font_size, glyph_item, i, key, layout, FROM_UNITS) -> str:
    """What WeasyPrint writes for glyph i of a run (offset, glyph id, kerning); maps it to its text first."""
    from weasyprint.text.ffi import pango

    glyph_id, width, x_offset = key
    if glyph_id not in font.to_unicode:
        font.to_unicode[glyph_id] = _glyph_text(glyph_item, i, layout.text.encode())
    offset = x_offset / font_size
    text = f">{-offset}<" if offset else ""
    text += f"{glyph_id:04x}"
    logical_width = font.widths.get(glyph_id)
    if logical_width is None:
        pango.pango_font_get_glyph_extents(pango_font, glyph_id, stream.ink_rect, stream.logical_rect)
        logical_width = font.widths[glyph_id] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
    kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
    if kerning:
        text += f">{int(kerning)}<"
    return text


def _glyph_text(glyph_item, i: int, utf8_text: bytes) -> str:
    """The characters glyph i of a run stands for (WeasyPrint's ToUnicode mapping)."""
    glyphs, item = glyph_item.glyphs, glyph_item.item
    clusters = glyphs.log_clusters
    t1 = clusters[i]
    if item.analysis.level % 2:      # right to left
        t2 = item.length if i == 0 else clusters[i - 1]
    else:
        t2 = item.length if i == glyphs.num_glyphs - 1 else clusters[i + 1]
    return utf8_text[item.offset + t1:item.offset + t2].decode()


# ---------------------------------------------------------------- struts and floats


def fast_strut() -> None:
    """strut() cached by a tuple of the style values WeasyPrint formats into a string key."""
    from weasyprint.text import line_break

    general = line_break.strut
    if _installed(general):
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

    _install(line_break, "strut", strut, "weasyprint.")


def fast_float_bounds() -> None:
    """avoid_collisions() without floats around, left to right: the containing block's content box."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import float as float_module

    general = float_module.avoid_collisions
    if _installed(general):
        return
    LineBox, BlockReplacedBox = boxes.LineBox, boxes.BlockReplacedBox

    def avoid_collisions(context, box, containing_block, outer=True):
        if context.excluded_shapes or containing_block.style["direction"] != "ltr":
            return general(context, box, containing_block, outer)
        position_y = box.position_y if outer else box.border_box_y()
        if box.border_height() == 0 and box.is_floated():
            return 0, position_y, containing_block.width
        assert (isinstance(box, LineBox) or box.is_floated() or box.is_table_wrapper
                or isinstance(box, BlockReplacedBox) or box.establishes_formatting_context())
        # WeasyPrint's arithmetic, step by step: the same floats
        max_left_bound = containing_block.content_box_x()
        max_right_bound = max_left_bound + containing_block.width
        if not outer:
            max_left_bound += box.margin_left
            max_right_bound -= box.margin_right
        available_width = max_right_bound - max_left_bound
        if not outer:
            return max_left_bound - box.margin_left, position_y - box.margin_top, available_width
        return max_left_bound, position_y, available_width

    _install(float_module, "avoid_collisions", avoid_collisions, "weasyprint.layout")


# ---------------------------------------------------------------- drawing boxes


def fast_box_paint() -> None:
    """get_color(), draw_border() and layout_box_backgrounds() answer the common case first.

    - get_color: a computed colour is a Color or the keyword `currentcolor`;
      WeasyPrint compared every Color to that string through Color.__eq__;
    - draw_border: a box with four zero-width borders, no border image and no
      columns draws nothing (WeasyPrint returned the same, after building lists);
    - layout_box_backgrounds: a visible box with no background image, no
      border or mask image, no shadow and a transparent background colour gets
      no background (what WeasyPrint decides after building its layer lists).
    """
    from weasyprint.draw import border as border_module
    from weasyprint.draw import color as color_module
    from weasyprint.formatting_structure.boxes import BlockContainerBox
    from weasyprint.layout import background as background_module
    from weasyprint.layout.percent import resolve_radii_percentages

    get_color = color_module.get_color
    if _installed(get_color):
        return

    def fast_get_color(style, key):
        value = style[key]
        return style["color"] if value.__class__ is str and value == "currentcolor" else value

    draw_border = border_module.draw_border

    def fast_draw_border(stream, box):
        if not (box.border_top_width or box.border_right_width or box.border_bottom_width
                or box.border_left_width):
            style = box.style
            if style["border_image_source"][0] == "none" and not (
                    isinstance(box, BlockContainerBox)
                    and (style["column_width"] != "auto" or style["column_count"] != "auto")):
                return
        return draw_border(stream, box)

    layout_box_backgrounds = background_module.layout_box_backgrounds
    no_image = (("none", None),)

    def fast_layout_box_backgrounds(page, box, get_image_from_uri, layout_children=True, style=None):
        if style is not None or box is page:
            return layout_box_backgrounds(page, box, get_image_from_uri, layout_children, style)
        resolve_radii_percentages(box)
        if layout_children:
            for child in box.all_children():
                fast_layout_box_backgrounds(page, child, get_image_from_uri)
        style = box.style
        if (style["border_image_source"][0] == "none" and style["mask_border_source"][0] == "none"
                and style["visibility"] != "hidden" and style["background_image"] == no_image
                and fast_get_color(style, "background_color").alpha == 0 and not style["box_shadow"]):
            box.background = None
            return
        return layout_box_backgrounds(page, box, get_image_from_uri, False)

    _install(color_module, "get_color", fast_get_color, "weasyprint.")
    _install(border_module, "draw_border", fast_draw_border, "weasyprint.")
    _install(background_module, "layout_box_backgrounds", fast_layout_box_backgrounds, "weasyprint.")


def install() -> None:
    """All of the above (for WeasyPrint 70.0 only)."""
    keep_text_layouts()
    fast_glyph_runs()
    fast_strut()
    fast_float_bounds()
    fast_box_paint()

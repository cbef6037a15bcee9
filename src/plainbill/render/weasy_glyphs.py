"""Faster glyph drawing in WeasyPrint 70: the same PDF operators from fewer Python steps.

`fast_glyph_runs()` replaces `draw_first_line()`, which read every glyph of
every line through a dozen cffi attribute accesses, by one that reads a run's
glyphs as one buffer of integers and writes the same operators; what it
writes for a glyph at a given advance and offset is made once per font and
page. Runs with anything unusual (empty or unknown glyphs, vertical offsets,
emoji or bitmap fonts, ellipses) are drawn by WeasyPrint's function.

`fast_run_fonts()` finds a page's PDF font once per Pango font rather than
once per glyph run.

Installed only for WeasyPrint 70.0 (as pinned), and tested to give the same
PDF bytes as WeasyPrint's own functions.
"""
from __future__ import annotations

from .patching import install_fast, installed

_FROM_UNITS = 1 / 1024          # weasyprint.text.ffi.FROM_UNITS (Pango units per pixel), checked on install
_GLYPH_EMPTY = 0x0FFFFFFF      # pango.PANGO_GLYPH_EMPTY; larger ids carry the "unknown" flag


def fast_glyph_runs() -> None:
    """draw_first_line() reading each run's glyphs as one buffer (same operators, same bytes)."""
    from weasyprint.draw import text as draw_text_module
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    general = draw_text_module.draw_first_line
    if installed(general) or ffi.sizeof("PangoGlyphInfo") != 20 or FROM_UNITS != _FROM_UNITS:
        return
    old_pango = pango.pango_version() < 14802

    def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
        layout = textbox.pango_layout
        # plainbill_ellipsized and plainbill_single are the state weasy_text.py keeps on a layout:
        # an ellipsis changes the layout (never drawn from again), single-paragraph mode is set once
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
                                stream, font, pango_font, font_size, glyph_item, i, key, layout, pango)
                        parts[i] = part
            string += "".join(parts)
            string = string[:-1] if string[-1] == "<" else string + ">"
        stream.show_text(string)
        return []

    install_fast(draw_text_module, "draw_first_line", draw_first_line, "weasyprint.draw")


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


def _glyph_operands(stream, font, pango_font, font_size, glyph_item, i, key, layout, pango) -> str:
    """What WeasyPrint writes for glyph i of a run (offset, glyph id, kerning); maps it to its text first."""
    glyph_id, width, x_offset = key
    if glyph_id not in font.to_unicode:
        font.to_unicode[glyph_id] = _glyph_text(glyph_item, i, layout.text.encode())
    offset = x_offset / font_size
    text = f">{-offset}<" if offset else ""
    text += f"{glyph_id:04x}"
    logical_width = font.widths.get(glyph_id)
    if logical_width is None:
        pango.pango_font_get_glyph_extents(pango_font, glyph_id, stream.ink_rect, stream.logical_rect)
        logical_width = font.widths[glyph_id] = round(stream.logical_rect.width * 1000 * _FROM_UNITS / font_size)
    kerning = logical_width + offset - width * 1000 * _FROM_UNITS / font_size
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


def fast_run_fonts() -> None:
    """Stream.add_font() answered once per Pango font and page instead of once per glyph run.

    WeasyPrint describes the Pango font of every run (a font description made,
    measured and hashed) to find its PDF font. The answer depends only on the
    Pango font, so a page's stream keeps it by the font's address, holding a
    reference to the font so that the address cannot name another one meanwhile.
    """
    from weasyprint.pdf.stream import Stream
    from weasyprint.text.ffi import ffi

    general = Stream.add_font
    if installed(general):
        return
    gobject = _gobject()
    if gobject is None:
        return
    own_ffi, lib = gobject

    def add_font(self, pango_font):
        fonts = self.__dict__.get("plainbill_fonts")
        if fonts is None:
            fonts = self.plainbill_fonts = {}
        address = int(ffi.cast("uintptr_t", pango_font))
        found = fonts.get(address)
        if found is None:
            font, font_size = general(self, pango_font)
            held = own_ffi.gc(lib.g_object_ref(own_ffi.cast("void *", address)), lib.g_object_unref)
            found = fonts[address] = (font, font_size, held)
        return found[0], found[1]

    install_fast(Stream, "add_font", add_font)


def _gobject():
    """g_object_ref/unref through an FFI of our own (WeasyPrint's declares no g_object_ref)."""
    import cffi

    own_ffi = cffi.FFI()
    own_ffi.cdef("void *g_object_ref (void *object); void g_object_unref (void *object);")
    for name in ("libgobject-2.0.so.0", "gobject-2.0", "libgobject-2.0-0"):
        try:
            return own_ffi, own_ffi.dlopen(name)
        except OSError:
            continue
    return None


def install() -> None:
    """All of the above (for WeasyPrint 70.0 only)."""
    fast_glyph_runs()
    fast_run_fonts()

"""Faster boxes in WeasyPrint 70: what it decides for boxes with nothing special, decided first.

Same PDF bytes (tested against WeasyPrint's own functions); installed only for
WeasyPrint 70.0, as pinned. `fast_float_bounds()` answers `avoid_collisions()`
directly for a left-to-right block with no floats beside it (an invoice has
none); `fast_box_paint()` answers colours, empty borders and empty backgrounds;
`fast_document_queries()` finds the metadata and stylesheets of the built-in
template's tree without cssselect2.
"""
from __future__ import annotations

import weakref

from .patching import install_fast, installed


def fast_float_bounds() -> None:
    """avoid_collisions() without floats around, left to right: the containing block's content box."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import float as float_module

    general = float_module.avoid_collisions
    if installed(general):
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

    install_fast(float_module, "avoid_collisions", avoid_collisions, "weasyprint.layout")


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
    if installed(get_color):
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

    install_fast(color_module, "get_color", fast_get_color, "weasyprint.")
    install_fast(border_module, "draw_border", fast_draw_border, "weasyprint.")
    install_fast(background_module, "layout_box_backgrounds", fast_layout_box_backgrounds, "weasyprint.")


# ---------------------------------------------------------------- document queries

_PLAIN_TREES: weakref.WeakSet = weakref.WeakSet()    # roots of trees parsed from the built-in template


def plain_tree(root) -> None:
    """Mark an element tree as the built-in template's: plain lower-case HTML tags, no namespaces."""
    _PLAIN_TREES.add(root)


def fast_document_queries() -> None:
    """get_html_metadata() and find_stylesheets() walking a plain tree with ElementTree's own iterator.

    WeasyPrint finds `<title>`, `<meta>`, `<link>` and `<style>` elements with
    cssselect2 (a selector compiled per document, a wrapper object per element
    visited); in a tree of plain HTML tags the same elements come, in the same
    order, from `Element.iter()`. Other trees (a book's own template, which may
    hold SVG with its own `<style>`) go to WeasyPrint's functions.
    """
    import weasyprint.css
    from weasyprint import html as html_module

    get_html_metadata = html_module.get_html_metadata
    if installed(get_html_metadata):
        return
    wanted = frozenset(("title", "meta", "link"))

    class _Found:
        """What query_all() yields: only `.etree_element` is read."""
        __slots__ = ("etree_element",)

        def __init__(self, element):
            self.etree_element = element

    class _Wrapper:
        __slots__ = ("found",)

        def __init__(self, found):
            self.found = found

        def query_all(self, *selectors):
            return iter(self.found)

    class _Document:
        def __init__(self, html, found):
            self.etree_element = html.etree_element
            self.wrapper_element = _Wrapper(found)
            self.base_url = html.base_url
            self.url_fetcher = html.url_fetcher

    def fast_get_html_metadata(html):
        root = html.etree_element
        if root not in _PLAIN_TREES:
            return get_html_metadata(html)
        found = [_Found(element) for element in root.iter() if element.tag in wanted]
        return get_html_metadata(_Document(html, found))

    find_stylesheets = weasyprint.css.find_stylesheets

    def fast_find_stylesheets(wrapper_element, *args, **kwargs):
        root = wrapper_element.etree_element
        if root in _PLAIN_TREES and next(root.iter("style"), None) is None and next(root.iter("link"), None) is None:
            return iter(())
        return find_stylesheets(wrapper_element, *args, **kwargs)

    install_fast(html_module, "get_html_metadata", fast_get_html_metadata, "weasyprint.")
    install_fast(weasyprint.css, "find_stylesheets", fast_find_stylesheets, "weasyprint.")


def install() -> None:
    """All of the above (for WeasyPrint 70.0 only)."""
    fast_float_bounds()
    fast_box_paint()
    fast_document_queries()

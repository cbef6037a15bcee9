"""Putting faster copies of WeasyPrint's functions in place, for the version they were checked against.

The fast paths of weasy.py, weasy_text.py, weasy_glyphs.py, weasy_boxes.py
and weasy_pdf.py replace WeasyPrint functions by copies that know its
internals. Each is marked `plainbill_fast` with the function it replaces as
`__wrapped__` (tests put those back and compare the PDF bytes), and is
installed only under WeasyPrint 70.0, as pinned.
"""
from __future__ import annotations

import sys


def checked_weasyprint() -> bool:
    import weasyprint

    return weasyprint.__version__ == "70.0"


def install_fast(module, name: str, fast, everywhere: str = "") -> None:
    """Put `fast` in place of module.name (a module's or a class's), and in every module under
    `everywhere` that imported it."""
    general = getattr(module, name)
    fast.plainbill_fast = True
    fast.__wrapped__ = general
    setattr(module, name, fast)
    for module_name, other in list(sys.modules.items()):
        if everywhere and module_name.startswith(everywhere) and getattr(other, name, None) is general:
            setattr(other, name, fast)


def installed(function) -> bool:
    return getattr(function, "plainbill_fast", False) or not checked_weasyprint()

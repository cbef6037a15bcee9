"""Text as the FatturaPA schema takes it: its character ranges and lengths.

Most text fields are `String<N>LatinType` (Basic Latin and Latin-1 Supplement, 1 to N
characters); codes and numbers are `String<N>Type` (Basic Latin only). `Fit` turns any
text into such a value: typographic characters get their plain equivalents (’ -> ',
– -> -, € -> EUR), accents are dropped where Latin-1 has no room for them, runs of
white space become one space, and what is still too long is cut. Every cut is recorded
(`Fit.cuts`), so the caller can warn where it happened.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

PLAIN = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u20ac": "EUR", "\u2022": "-", "\u00b7": "-", "\u2192": "->", "\u00a0": " ",
    "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ",
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0152": "OE", "\u0153": "oe", "\u0131": "i",
}


def _plain_char(ch: str, latin1: bool) -> str:
    limit = 0xFF if latin1 else 0x7F
    if ord(ch) <= limit:
        return ch
    if ch in PLAIN:
        return PLAIN[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and all(ord(c) <= limit for c in base):
        return base
    return "?"


def plain(text: str, latin1: bool = True) -> str:
    """`text` within Latin-1 (or Basic Latin) with its white space folded; never longer in meaning."""
    text = " ".join(text.split())
    if text.isascii():
        return text
    if latin1:
        try:
            text.encode("latin-1")
            return text
        except UnicodeEncodeError:
            pass
    return "".join(_plain_char(c, latin1) for c in text)


@dataclass
class Fit:
    """Fits texts into fields, remembering (field, original, kept) of every text it cut."""

    cuts: list[tuple[str, str, str]] = field(default_factory=list)

    def __call__(self, text: str, size: int, what: str, latin1: bool = True) -> str:
        value = plain(text, latin1)
        if len(value) <= size:
            return value
        kept = value[:size].rstrip()
        self.cuts.append((what, text, kept))
        return kept


def chunks(text: str, size: int) -> list[str]:
    """`text` in pieces of at most `size` characters, cut at spaces where possible (Causale is
    repeatable: a long note is split over several, never cut)."""
    text, out = plain(text), []
    while len(text) > size:
        at = text.rfind(" ", 0, size + 1)
        at = at if at > size // 2 else size
        out.append(text[:at].rstrip())
        text = text[at:].lstrip()
    return out + ([text] if text else [])

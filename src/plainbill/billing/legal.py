"""The legal wording of an invoice: why no VAT is charged, the stamp duty, in Italian first.

An Italian invoice that charges no VAT must say why, with the annotation the law
asks for (art. 21 c. 6 and 6-bis DPR 633/72): "inversione contabile" for a service
to a business in another EU country, "operazione non soggetta" for one outside
the EU, "operazione esente" with its article for an exemption. The Italian text is
the one the Agenzia delle Entrate reads, so it is always printed; a client who
reads another language gets its own text beside it ("Italian / English"). A tax
code's `note` in plainbill.yaml is used when it has one for the language; else the
text for its nature below (docs/billing.md, Legal notes, cites each reference).
"""
from __future__ import annotations

from decimal import Decimal

from .. import i18n
from ..model import TaxCode

SEPARATOR = " / "

# (nature prefix, reverse charge) -> {language: text}; the longest matching prefix wins
_BY_NATURE: dict[tuple[str, bool], dict[str, str]] = {
    ("N2.1", True): {
        "it": "Inversione contabile: operazione non soggetta ad IVA ai sensi dell'art. 7-ter DPR 633/72 "
              "(art. 21 c. 6-bis lett. a DPR 633/72), imposta dovuta dal committente ai sensi "
              "dell'art. 196 della Direttiva 2006/112/CE.",
        "en": "Reverse charge: service not subject to Italian VAT under art. 7-ter DPR 633/72; VAT to be "
              "accounted for by the recipient, Article 196 of Council Directive 2006/112/EC.",
    },
    ("N2.1", False): {
        "it": "Operazione non soggetta ad IVA ai sensi dell'art. 7-ter DPR 633/72 "
              "(art. 21 c. 6-bis lett. b DPR 633/72): committente stabilito fuori dall'Unione europea.",
        "en": "Service not subject to Italian VAT under art. 7-ter DPR 633/72: the recipient is established "
              "outside the European Union.",
    },
    ("N2.2", False): {
        "it": "Operazione non soggetta ad IVA (art. 21 c. 6 DPR 633/72).",
        "en": "Not subject to VAT (art. 21(6) DPR 633/72).",
    },
    ("N3", False): {
        "it": "Operazione non imponibile ai sensi dell'art. 21 c. 6 DPR 633/72.",
        "en": "Zero-rated supply, art. 21(6) DPR 633/72.",
    },
    ("N4", False): {
        "it": "Operazione esente da IVA ai sensi dell'art. 10 DPR 633/72.",
        "en": "VAT exempt under art. 10 DPR 633/72.",
    },
    ("N6", True): {
        "it": "Inversione contabile ai sensi dell'art. 17 DPR 633/72: imposta dovuta dal committente.",
        "en": "Reverse charge under art. 17 DPR 633/72: VAT to be accounted for by the recipient.",
    },
    ("N1", False): {
        "it": "Operazione esclusa dalla base imponibile IVA ai sensi dell'art. 15 DPR 633/72.",
        "en": "Excluded from the VAT base under art. 15 DPR 633/72.",
    },
}

# (nature prefix, reverse charge) -> the short Italian reference the e-invoice's RiferimentoNormativo
# takes (100 characters at most) when the tax code's note is longer
_REFERENCE: dict[tuple[str, bool], str] = {
    ("N2.1", True): "Inversione contabile - art. 7-ter e art. 21 c. 6-bis DPR 633/72; art. 196 Dir. 2006/112/CE",
    ("N2.1", False): "Non soggetta - art. 7-ter e art. 21 c. 6-bis lett. b DPR 633/72",
    ("N2.2", False): "Non soggetta - art. 21 c. 6 DPR 633/72",
    ("N3", False): "Non imponibile - art. 21 c. 6 DPR 633/72",
    ("N4", False): "Esente - art. 10 DPR 633/72",
    ("N6", True): "Inversione contabile - art. 17 DPR 633/72",
    ("N1", False): "Escluso dalla base imponibile - art. 15 c. 1 n. 3 DPR 633/72",
}

_STAMP = {
    "it": "Imposta di bollo di {amount} euro assolta in modo virtuale ai sensi dell'art. 6, comma 2, "
          "del D.M. 17 giugno 2014.",
    "en": "Stamp duty of EUR {amount} paid virtually under art. 6(2) of the Ministerial Decree of 17 June 2014.",
}
STAMP_PREFIX = "Imposta di bollo di "      # how a credit note knows the stamp-duty note among the others

_STAMP_EXCLUDED = {
    "it": "Rimborso dell'imposta di bollo: escluso dalla base imponibile IVA, art. 15 c. 1 n. 3 DPR 633/72 (N1).",
    "en": "Stamp duty re-charged: excluded from the VAT base, art. 15(1)(3) DPR 633/72 (N1).",
}


def both(texts: dict[str, str], language: str) -> str:
    """The Italian text, and the client's beside it when the client reads another language."""
    it = texts.get("it", "")
    own = texts.get(i18n.lang(language), "") if language != "it" else ""
    if not own or own == it:
        return it or own
    return f"{it}{SEPARATOR}{own}" if it else own


def builtin(nature: str, reverse_charge: bool) -> dict[str, str]:
    """The law's wording for a nature code (and reverse charge), {} for one with no default."""
    n = nature.upper()
    for (prefix, rc), texts in sorted(_BY_NATURE.items(), key=lambda kv: -len(kv[0][0])):
        if n.startswith(prefix) and rc == reverse_charge:
            return texts
    if reverse_charge:
        return _BY_NATURE[("N6", True)] if n.startswith("N6") else _BY_NATURE[("N2.1", True)]
    return {}


def reference(nature: str, reverse_charge: bool) -> str:
    """The short Italian legal reference of a nature code, "" for one with none."""
    n = nature.upper()
    for (prefix, rc), text in sorted(_REFERENCE.items(), key=lambda kv: -len(kv[0][0])):
        if n.startswith(prefix) and rc == reverse_charge:
            return text
    return _REFERENCE[("N2.1", True)] if reverse_charge and not n.startswith("N6") else \
        _REFERENCE[("N6", True)] if reverse_charge else ""


def tax_note(tc: TaxCode, language: str) -> str:
    """A tax code's note: the book's own text for each language it gives, the law's wording for
    the others; nothing for a code that charges VAT and says nothing."""
    own = tc.note if isinstance(tc.note, dict) else ({"it": tc.note} if tc.note else {})
    if tc.rate > 0 and not own:
        return ""
    law = builtin(tc.nature, tc.reverse_charge) if tc.rate == 0 or tc.reverse_charge else {}
    texts = {**law, **{k: v for k, v in own.items() if v}}
    # a note only in a language neither Italian nor the client's, with no law to fall back on: as given
    return both(texts, language) or next(iter(own.values()), "")


def stamp_note(language: str, amount: Decimal) -> str:
    """The bollo's annotation: virtual payment on an electronic invoice, with its amount in euro."""
    return both({code: text.format(amount=i18n.number(code, amount)) for code, text in _STAMP.items()}, language)


def stamp_excluded(language: str) -> str:
    return both(_STAMP_EXCLUDED, language)


def is_stamp_note(note: str) -> bool:
    return note.startswith(STAMP_PREFIX)

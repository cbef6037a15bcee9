"""What the SdI rejects that the FatturaPA schema cannot see, checked on the book's files.

`plainbill check` runs these for an Italian issuer (document.applies); each is located at
the field that causes it and names the SdI rejection code it prevents (docs/einvoice.md
lists them). Check digits are warnings: a wrong one is almost surely a typo, but only
the Agenzia's register can say a number exists.
"""
from __future__ import annotations

import re
from typing import Iterator

from ..checks.registry import Context, check
from ..diagnostics import Diagnostic, error, warning
from ..model import Party
from .document import applies

NATURES = frozenset({"N1", "N2.1", "N2.2", "N3.1", "N3.2", "N3.3", "N3.4", "N3.5", "N3.6", "N4", "N5",
                     "N6.1", "N6.2", "N6.3", "N6.4", "N6.5", "N6.6", "N6.7", "N6.8", "N6.9", "N7"})
REGIMES = frozenset(f"RF{n:02d}" for n in range(1, 20) if n != 3)    # the v1.2.2 schema's list
_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)
_CF = re.compile(r"[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]")


def partita_iva_ok(digits: str) -> bool:
    """An Italian VAT number: 11 digits whose last is the Luhn-style check digit."""
    if not re.fullmatch(r"[0-9]{11}", digits):
        return False
    total = 0
    for i, c in enumerate(digits[:10]):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10 == int(digits[10])


def codice_fiscale_ok(code: str) -> bool:
    """A codice fiscale: a person's 16 characters with their check letter, or an entity's 11 digits."""
    code = code.strip().upper()
    if len(code) == 11:
        return partita_iva_ok(code)
    if not _CF.fullmatch(code):
        return False
    total = 0
    for i, c in enumerate(code[:15]):
        value = int(c) if c.isdigit() else ord(c) - 65
        total += value if i % 2 else _ODD[value]
    return chr(65 + total % 26) == code[15]


def _tax_ids(party: Party, who: str) -> Iterator[Diagnostic]:
    vat = "".join(party.vat_number.split()).upper()
    if vat.startswith("IT") and not partita_iva_ok(vat[2:]):
        yield warning("einvoice-tax-id", party.at("vat_number"),
                      f"{who}'s VAT number {vat} is not a valid Partita IVA (11 digits, the last a check digit)",
                      "copy it again from a document of theirs; the SdI rejects an invoice whose "
                      "Partita IVA does not exist (codes 00301, 00305)")
    if party.tax_code and _italian(party) and not codice_fiscale_ok(party.tax_code):
        yield warning("einvoice-tax-id", party.at("tax_code"),
                      f"{who}'s codice fiscale {party.tax_code} is not valid (its check character, or its form)",
                      "a person's has 16 characters, a company's 11 digits; the SdI rejects an invalid one (00306)")


def _italian(party: Party) -> bool:
    country = party.address.country.upper() or party.vat_number[:2].upper() or "IT"
    return country == "IT"


@check("e-invoice: tax codes", ("einvoice-nature", "error"))
def check_natures(ctx: Context) -> Iterator[Diagnostic]:
    """For an Italian issuer: a tax code at 0% names its `nature` and one above 0% does not
    (SdI 00400, 00401, 00429, 00430); the nature is one of the current codes (N1, N2.1, N2.2,
    N3.1-N3.6, N4, N5, N6.1-N6.9, N7), not the generic N2, N3, N6 the SdI refuses since
    2021 (00445); a reverse-charge (N6) code is not used with split payment (00420)."""
    if ctx.settings_broken or not applies(ctx.book):
        return
    for tc in ctx.settings.taxes:
        nature = tc.nature.strip().upper()
        if tc.rate == 0 and not nature:
            yield error("einvoice-nature", tc.ref, f"tax code `{tc.code}` is 0% but names no `nature`",
                        "add the nature code the law gives, e.g. `nature: N2.1` (not subject, art. 7-ter), "
                        "`N4` (exempt, art. 10); the SdI rejects a 0% line without one (00400)")
        elif tc.rate > 0 and nature:
            yield error("einvoice-nature", tc.ref, f"tax code `{tc.code}` charges VAT and also names nature {nature}",
                        "remove `nature`: it is only for operations without VAT (SdI 00401)")
        elif nature and nature not in NATURES:
            yield error("einvoice-nature", tc.ref, f"tax code `{tc.code}`: `{nature}` is not a nature code",
                        "use one of " + ", ".join(sorted(NATURES)) + " (the generic N2, N3, N6 are refused: 00445)")
    n6 = {tc.code for tc in ctx.settings.taxes if tc.nature.upper().startswith("N6")}
    for client in ctx.book.clients:
        if client.split_payment and (client.tax or ctx.settings.default_tax) in n6:
            yield error("einvoice-nature", client.party.at("split_payment"),
                        f"{client.slug}: split payment with a reverse-charge tax code (nature N6)",
                        "a public body under split payment is charged VAT; choose one of the two (SdI 00420)")


@check("e-invoice: parties", ("einvoice-tax-id", "warning"), ("einvoice-recipient", "error"),
       ("einvoice-issuer", "error"))
def check_parties(ctx: Context) -> Iterator[Diagnostic]:
    """For an Italian issuer: check digits of every Italian Partita IVA and codice fiscale
    (warning; SdI 00301, 00305, 00306); the issuer's `fiscal_regime` is a code of the schema
    and its `rea` reads `MI-2098765` (error); a public body's `sdi_code`, when written, is
    its 6-character office code, a business's 7 characters (error; 00311, 00427). What is
    missing rather than wrong (a recipient code, a tax id, an address) is reported when an
    invoice of that client is computed (`build`, `check --full`): see `einvoice-no-recipient`."""
    if ctx.settings_broken or not applies(ctx.book):
        return
    issuer = ctx.settings.issuer
    yield from _tax_ids(issuer, "the issuer")
    regime = issuer.fiscal_regime.strip().upper()
    if regime and regime not in REGIMES:
        yield error("einvoice-issuer", issuer.at("fiscal_regime"), f"fiscal_regime `{regime}` is not a RegimeFiscale code",
                    "RF01 (ordinary), RF02, RF04-RF18, RF19 (forfettario); the schema refuses any other")
    if issuer.rea and not re.fullmatch(r"[A-Za-z]{2}-[A-Za-z0-9]{1,20}", issuer.rea.strip()):
        yield error("einvoice-issuer", issuer.at("rea"), f"rea `{issuer.rea}` is not a province and a number",
                    "write the REA office and number, e.g. rea: MI-2098765")
    if (issuer.share_capital is not None or issuer.sole_shareholder is not None) and not issuer.rea:
        yield error("einvoice-issuer", issuer.at("share_capital" if issuer.share_capital is not None
                                                  else "sole_shareholder"),
                    "share capital and sole shareholder belong to the company register entry, and `rea` is not set",
                    "add `rea: MI-2098765` (office and number) to the issuer")
    for client in ctx.book.clients:
        if client.slug in ctx.stubs:
            continue
        yield from _client(client)


def _client(client) -> Iterator[Diagnostic]:
    party, who = client.party, client.slug
    yield from _tax_ids(party, who)
    if not _italian(party):
        return
    code = party.sdi_code.strip().upper()
    if party.public_administration and code and not re.fullmatch(r"[A-Z0-9]{6}", code):
        yield error("einvoice-recipient", party.at("sdi_code"),
                    f"{who} is a public administration and its `sdi_code` `{code}` is not 6 letters and digits",
                    "a public body's codice univoco ufficio has 6 characters (indicepa.gov.it); SdI 00311, 00427")
    elif not party.public_administration and code and not re.fullmatch(r"[A-Z0-9]{7}", code):
        yield error("einvoice-recipient", party.at("sdi_code"), f"{who}'s `sdi_code` `{code}` is not 7 letters and digits",
                    "a business's codice destinatario has 7 characters (a public body's 6: then set "
                    "`public_administration: true`); SdI 00311, 00427")


def missing(book, client) -> Iterator[Diagnostic]:
    """What an invoice of `client` lacks for the SdI, reported once per client when its invoices
    are computed (warnings: the book still bills): a recipient code (00311; an Italian business
    with neither `sdi_code` nor `pec` gets its invoices in its cassetto fiscale only; a consumer,
    with no VAT number, needs neither), a tax id
    (00417), street, city and five-digit postal code of an Italian client."""
    party, who = client.party, client.slug
    if not _italian(party):
        return
    code = party.sdi_code.strip()
    if party.public_administration and not code:
        yield warning("einvoice-no-recipient", client.ref, f"{who} is a public administration with no `sdi_code`",
                      "ask the body for its codice univoco ufficio (6 characters, on indicepa.gov.it); "
                      "the SdI rejects an FPA12 without it (00311)")
    elif not code and not party.pec and party.vat_number:    # a consumer needs neither (0000000)
        yield warning("einvoice-no-recipient", client.ref, f"{who} has neither `sdi_code` nor `pec`",
                      "its invoices go with code 0000000 to its cassetto fiscale only; ask for its codice "
                      "destinatario or PEC (a consumer needs neither)")
    if not party.vat_number and not party.tax_code:
        yield warning("einvoice-client-id", client.ref, f"{who} is Italian and has neither `vat_number` nor `tax_code`",
                      "a consumer's codice fiscale is enough; the SdI rejects an invoice with neither (00417)")
    yield from _address(party, who)


def _address(party: Party, who: str) -> Iterator[Diagnostic]:
    a = party.address
    missing = [k for k, v in (("street", a.street), ("city", a.city)) if not v.strip()]
    if not re.fullmatch(r"[0-9]{5}", a.postal_code.strip()):
        missing.append("postal_code (5 digits)")
    if missing:
        yield warning("einvoice-address", party.at("address"),
                      f"{who}'s address has no " + ", ".join(missing),
                      "the e-invoice needs street, city and postal code (Sede); placeholders are written instead")


def issuer_missing(book) -> Iterator[Diagnostic]:
    yield from _address(book.settings.issuer, "the issuer")


@check("e-invoice: what an invoice lacks", ("einvoice-no-recipient", "warning"), ("einvoice-client-id", "warning"),
       ("einvoice-address", "warning"), ("einvoice-text-cut", "warning"), ("einvoice-exchange-rate", "warning"))
def check_documented_at_compute(ctx: Context) -> Iterator[Diagnostic]:
    """Found when invoices are computed (`build`, `check --full`), once per client with an
    invoice: `einvoice-no-recipient` (neither `sdi_code` nor `pec`; a public body without its
    office code), `einvoice-client-id` (an Italian client with neither `vat_number` nor
    `tax_code`, SdI 00417), `einvoice-address` (street, city, five-digit postal code),
    `einvoice-text-cut` (a text longer than its FatturaPA field, cut in the XML only; the
    page keeps it whole), `einvoice-exchange-rate` (an invoice in another currency with no
    rate in `exchange_rates` on its date: its XML would not be in euro). Listed here so the reference names them; this check itself
    reports nothing."""
    return iter(())

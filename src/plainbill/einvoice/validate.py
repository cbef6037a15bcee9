"""Validating e-invoices against the official FatturaPA XSD, offline (tests, CI, a user's own checks).

plainbill does not ship the Agenzia's schema: `schema_folder(start)` finds a folder holding
`Schema_del_file_xml_FatturaPA_v1.2.2.xsd` and `xmldsig-core-schema.xsd`, from
$PLAINBILL_FATTURAPA_XSD or as `shared/einvoice/fatturapa` beside the repository (`../shared`,
then one level further up). The XSD imports xmldsig by its W3C address: a resolver maps it
to the local file, and the parser never goes online.
"""
from __future__ import annotations

import os
from pathlib import Path

from lxml import etree

XSD = "Schema_del_file_xml_FatturaPA_v1.2.2.xsd"
XMLDSIG = "xmldsig-core-schema.xsd"
XMLDSIG_URL = "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd"
ENV = "PLAINBILL_FATTURAPA_XSD"


def schema_folder(start: Path) -> Path | None:
    """$PLAINBILL_FATTURAPA_XSD, else the first `<ancestor>/shared/einvoice/fatturapa` above `start`
    (the repository root): `../shared/...` in CI and in /work/main, `../../shared/...` from a worktree."""
    if os.environ.get(ENV):
        folder = Path(os.environ[ENV])
        return folder if (folder / XSD).is_file() else None
    for parent in Path(start).resolve().parents:
        folder = parent / "shared" / "einvoice" / "fatturapa"
        if (folder / XSD).is_file() and (folder / XMLDSIG).is_file():
            return folder
    return None


class _LocalXmldsig(etree.Resolver):
    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder

    def resolve(self, url, pubid, context):
        if url == XMLDSIG_URL:
            return self.resolve_filename(str(self.folder / XMLDSIG), context)
        return None


def load_schema(folder: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalXmldsig(folder))
    return etree.XMLSchema(etree.parse(str(folder / XSD), parser))


def problems(schema: etree.XMLSchema, xml: bytes) -> list[str]:
    """'line N: message' for each way `xml` breaks the schema; empty when valid."""
    try:
        doc = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.msg}"]
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]

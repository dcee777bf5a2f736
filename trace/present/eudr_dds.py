"""A due diligence statement draft as the EU Information System's ``SubmitDdsRequest`` V3 XML,
checked against the V3 schema before anyone gets it (docs/inspector/EXPORTS.md).

The schemas in ``eudr_schema/`` are the acceptance server's of release 8.2.1 (see its SOURCES
note); lxml loads them from the package, never from the network.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no types

from ..domain.eudr import StatementDraft

DDS_NS = "http://ec.europa.eu/tracesnt/certificate/eudr/due-diligence-statement/v3"
COMMON_NS = "http://ec.europa.eu/tracesnt/certificate/eudr/common/v3"
SCHEMA = Path(__file__).parent / "eudr_schema" / "xsd4-due-diligence-statement-v3.xsd"
MEDIA_TYPE = "application/xml"


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA), parser))


def _el(parent: etree._Element, ns: str, name: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        node.text = text
    return node


def _mass(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def to_xml(draft: StatementDraft) -> bytes:
    """The draft as UTF-8 XML (the SOAP body's content; the submitter adds the header)."""
    root = etree.Element(f"{{{DDS_NS}}}SubmitDdsRequest",
                         nsmap={"dds": DDS_NS, "eudrCommon": COMMON_NS})
    _el(root, DDS_NS, "operatorRole", draft.operator_role)
    st = _el(root, DDS_NS, "statement")
    if draft.internal_reference:
        _el(st, DDS_NS, "internalReferenceNumber", draft.internal_reference)
    _el(st, DDS_NS, "activityType", draft.activity)
    if draft.operator_role == "REPRESENTATIVE_OPERATOR":
        rep = _el(st, DDS_NS, "representedOperator")
        if draft.represented_eori:
            ref = _el(rep, COMMON_NS, "operatorReferenceNumber")
            _el(ref, COMMON_NS, "identifierType", "eori")
            _el(ref, COMMON_NS, "identifierValue", draft.represented_eori)
        _el(rep, COMMON_NS, "operatorName", draft.represented_name)
    if draft.country_of_activity:
        _el(st, DDS_NS, "countryOfActivity", draft.country_of_activity)
    if draft.border_cross_country:
        _el(st, DDS_NS, "borderCrossCountry", draft.border_cross_country)
    if draft.comment:
        _el(st, DDS_NS, "comment", draft.comment[:2000])
    for position, commodity in enumerate(draft.commodities, start=1):
        c = _el(st, DDS_NS, "commodities")
        _el(c, DDS_NS, "position", str(position))
        d = _el(c, DDS_NS, "descriptors")
        _el(d, COMMON_NS, "descriptionOfGoods", commodity.description)
        measure = _el(d, COMMON_NS, "goodsMeasure")
        if commodity.net_mass_kg is not None:
            _el(measure, COMMON_NS, "netWeight", _mass(commodity.net_mass_kg))
        _el(c, DDS_NS, "hsHeading", commodity.hs_heading)
        for number, producer in enumerate(commodity.producers, start=1):
            p = _el(c, DDS_NS, "producers")
            _el(p, DDS_NS, "position", str(number))
            _el(p, DDS_NS, "country", producer.country)
            _el(p, DDS_NS, "name", producer.name[:500])
            _el(p, DDS_NS, "geometryGeojson",
                base64.b64encode(producer.geojson.encode()).decode("ascii"))
    _el(st, DDS_NS, "geoLocationConfidential", "true" if draft.confidential else "false")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))


def schema_problems(xml: bytes) -> list[str]:
    """What the V3 schema finds wrong with ``xml`` (empty: valid)."""
    schema = _schema()
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    if schema.validate(etree.fromstring(xml, parser)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]

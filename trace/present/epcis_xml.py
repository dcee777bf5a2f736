"""EPCIS documents (JSON-LD dicts) written as EPCIS 2.0 XML, valid against GS1's XSD.

The inverse of ``capture.xml_document.read_xml``: ``read_xml(to_xml(doc)) == doc`` for the
documents we store and answer (tests/unit/test_epcis_xml.py runs it over GS1's examples).
Standard members are written in the order the XSD's sequences require; a member ``p:name``
whose prefix the document's inline ``@context`` binds becomes an element in that namespace
(objects nest, arrays repeat the element); a member we cannot express in XML (an unbound
prefix, a JSON-LD keyword) is left out rather than written invalid.
"""

from __future__ import annotations

from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no types

from ..capture.xml_document import EPCIS_NS, QUERY_NS, SBDH_NS

_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
_PAIRED = {"bizTransactionList": "bizTransaction", "sourceList": "source",
           "destinationList": "destination"}
_COMMON = ("eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "errorDeclaration",
           "certificationInfo")
_WHY_WHERE = ("bizStep", "disposition", "readPoint", "bizLocation")
_ORDER = {
    "ObjectEvent": _COMMON + ("epcList", "action") + _WHY_WHERE + (
        "bizTransactionList", "quantityList", "sourceList", "destinationList",
        "sensorElementList", "persistentDisposition", "ilmd"),
    "AggregationEvent": _COMMON + ("parentID", "childEPCs", "action") + _WHY_WHERE + (
        "bizTransactionList", "childQuantityList", "sourceList", "destinationList",
        "sensorElementList", "persistentDisposition"),
    "TransactionEvent": _COMMON + ("bizTransactionList", "parentID", "epcList", "action")
    + _WHY_WHERE + ("quantityList", "sourceList", "destinationList", "sensorElementList",
                    "persistentDisposition"),
    "TransformationEvent": _COMMON + ("inputEPCList", "inputQuantityList", "outputEPCList",
                                      "outputQuantityList", "transformationID") + _WHY_WHERE + (
        "bizTransactionList", "sourceList", "destinationList", "sensorElementList",
        "persistentDisposition", "ilmd"),
    "AssociationEvent": _COMMON + ("parentID", "childEPCs", "childQuantityList", "action")
    + _WHY_WHERE + ("bizTransactionList", "sourceList", "destinationList",
                    "sensorElementList", "persistentDisposition"),
}
_SENSOR_ATTRIBUTES = ("sensorMetadata", "sensorReport")
XML_MEDIA_TYPE = "application/xml"
_DOCUMENT_MEMBERS = frozenset(("@context", "type", "schemaVersion", "creationDate",
                               "epcisHeader", "epcisBody"))


def to_xml(doc: dict[str, Any]) -> bytes:
    """``doc`` (an EPCISDocument or EPCISQueryDocument as JSON-LD) as UTF-8 EPCIS 2.0 XML."""
    writer = _Writer(doc)
    return etree.tostring(writer.document(), xml_declaration=True, encoding="UTF-8")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Writer:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        # Prefixes the standard context defines (cbvmda:lotNumber in an ilmd...); XML needs
        # them declared. The GS1 examples write the CBV master data namespace without its ":".
        self.namespaces: dict[str, str] = {"cbvmda": "urn:epcglobal:cbv:mda",
                                           "gs1": "https://gs1.org/voc/",
                                           "cbv": "https://ref.gs1.org/cbv/"}
        context = doc.get("@context")
        for item in context if isinstance(context, list) else [context]:
            if isinstance(item, dict):
                for prefix, iri in item.items():
                    if isinstance(iri, dict):
                        iri = iri.get("@id")
                    if isinstance(iri, str) and not prefix.startswith("@") and ":" not in prefix:
                        self.namespaces[prefix] = iri

    def _qname(self, key: str) -> str | None:
        """The Clark name of member ``key``: ``p:x`` in its namespace, or None when unbound."""
        if ":" not in key:
            return None
        prefix, local = key.split(":", 1)
        ns = self.namespaces.get(prefix)
        if ns is None or not local or not _is_ncname(local):
            return None
        return f"{{{ns}}}{local}"

    def document(self) -> etree._Element:
        doc = self.doc
        query = doc.get("type") == "EPCISQueryDocument"
        used = _prefixes_used(doc)
        nsmap = {"epcisq" if query else "epcis": QUERY_NS if query else EPCIS_NS,
                 **{p: ns for p, ns in self.namespaces.items()
                    if p in used and p not in ("epcis", "epcisq") and _is_ncname(p)}}
        if query:
            nsmap["epcis"] = EPCIS_NS
        root = etree.Element(f"{{{QUERY_NS if query else EPCIS_NS}}}"
                             f"{'EPCISQueryDocument' if query else 'EPCISDocument'}",
                             nsmap=nsmap)
        root.set("schemaVersion", str(doc.get("schemaVersion", "2.0")))
        root.set("creationDate", str(doc.get("creationDate", "")))
        for key, value in doc.items():  # id, instanceIdentifier, sender...: attributes
            if key not in _DOCUMENT_MEMBERS and not isinstance(value, (dict, list)):
                name = self._qname(key) if ":" in key else key
                if name is not None and (":" in key or _is_ncname(key)):
                    root.set(name, _text(value))
        header = doc.get("epcisHeader")
        if isinstance(header, dict):
            self._header(etree.SubElement(root, "EPCISHeader"), header)
        body: dict[str, Any] = doc["epcisBody"] if isinstance(doc.get("epcisBody"), dict) else {}
        body_element = etree.SubElement(root, "EPCISBody")
        if query:
            results = body.get("queryResults") or {}
            qr = etree.SubElement(body_element, f"{{{QUERY_NS}}}QueryResults")
            etree.SubElement(qr, "queryName").text = str(results.get("queryName", ""))
            if results.get("subscriptionID") is not None:
                etree.SubElement(qr, "subscriptionID").text = str(results["subscriptionID"])
            events = (results.get("resultsBody") or {}).get("eventList", [])
            self._events(etree.SubElement(etree.SubElement(qr, "resultsBody"), "EventList"),
                         events)
        else:
            events = body.get("eventList")
            if events is None and isinstance(body.get("event"), dict):
                events = [body["event"]]
            self._events(etree.SubElement(body_element, "EventList"), events or [])
        return root

    def _header(self, parent: etree._Element, header: dict[str, Any]) -> None:
        sbdh = header.get("sbdh:StandardBusinessDocumentHeader")
        if isinstance(sbdh, dict) and self.namespaces.get("sbdh") == SBDH_NS:
            self._extension(parent, "sbdh:StandardBusinessDocumentHeader", sbdh)
        master = header.get("epcisMasterData")
        if not isinstance(master, dict):
            return
        md = etree.SubElement(etree.SubElement(parent, "extension"), "EPCISMasterData")
        vocabularies = etree.SubElement(md, "VocabularyList")
        for vocabulary in master.get("vocabularyList") or []:
            v = etree.SubElement(vocabularies, "Vocabulary", type=str(vocabulary.get("type", "")))
            items = etree.SubElement(v, "VocabularyElementList")
            for item in vocabulary.get("vocabularyElementList") or []:
                e = etree.SubElement(items, "VocabularyElement", id=str(item.get("id", "")))
                for attribute in item.get("attributes") or []:
                    a = etree.SubElement(e, "attribute", id=str(attribute.get("id", "")))
                    value = attribute.get("attribute")
                    if isinstance(value, dict):
                        for key, sub in value.items():
                            self._member(a, key, sub)
                    elif value is not None:
                        a.text = _text(value)
                if item.get("children"):
                    children = etree.SubElement(e, "children")
                    for child in item["children"]:
                        etree.SubElement(children, "id").text = str(child)

    def _events(self, parent: etree._Element, events: list[Any]) -> None:
        for event in events:
            if isinstance(event, dict) and event.get("type") in _ORDER:
                self._event(parent, event)

    def _event(self, parent: etree._Element, event: dict[str, Any]) -> None:
        kind = event["type"]
        element = etree.SubElement(parent, kind)
        for name in _ORDER[kind]:
            if name in event and event[name] is not None:
                self._standard(element, name, event[name])
        for key, value in event.items():
            if ":" in key and not key.startswith("@"):
                self._member(element, key, value)

    def _standard(self, parent: etree._Element, name: str, value: Any) -> None:
        if name in _EPC_LISTS:
            lst = etree.SubElement(parent, name)
            for epc in value:
                etree.SubElement(lst, "epc").text = _text(epc)
        elif name in _QUANTITY_LISTS:
            lst = etree.SubElement(parent, name)
            for q in value:
                e = etree.SubElement(lst, "quantityElement")
                etree.SubElement(e, "epcClass").text = _text(q.get("epcClass", ""))
                if "quantity" in q:
                    etree.SubElement(e, "quantity").text = _text(q["quantity"])
                    if "uom" in q:
                        etree.SubElement(e, "uom").text = _text(q["uom"])
        elif name in _PAIRED:
            lst = etree.SubElement(parent, name)
            item = _PAIRED[name]
            for pair in value:
                if not isinstance(pair, dict):
                    continue
                e = etree.SubElement(lst, item)
                if "type" in pair:
                    e.set("type", _text(pair["type"]))
                e.text = _text(pair.get(item, ""))
        elif name in ("readPoint", "bizLocation"):
            e = etree.SubElement(parent, name)
            etree.SubElement(e, "id").text = _text(value.get("id", ""))
            self._extensions(e, value)
        elif name == "persistentDisposition":
            e = etree.SubElement(parent, name)
            for part in ("unset", "set"):
                for disposition in value.get(part) or []:
                    etree.SubElement(e, part).text = _text(disposition)
        elif name == "sensorElementList":
            lst = etree.SubElement(parent, name)
            for sensor in value:
                self._sensor_element(etree.SubElement(lst, "sensorElement"), sensor)
        elif name == "ilmd":
            self._extensions(etree.SubElement(parent, name), value)
        elif name == "errorDeclaration":
            e = etree.SubElement(parent, name)
            for part in ("declarationTime", "reason"):
                if part in value:
                    etree.SubElement(e, part).text = _text(value[part])
            if value.get("correctiveEventIDs"):
                ids = etree.SubElement(e, "correctiveEventIDs")
                for event_id in value["correctiveEventIDs"]:
                    etree.SubElement(ids, "correctiveEventID").text = _text(event_id)
            self._extensions(e, value)
        elif name == "certificationInfo" and isinstance(value, list):
            if value:
                etree.SubElement(parent, name).text = _text(value[0])
        else:
            etree.SubElement(parent, name).text = _text(value)

    def _sensor_element(self, parent: etree._Element, sensor: dict[str, Any]) -> None:
        metadata = sensor.get("sensorMetadata")
        if isinstance(metadata, dict):
            self._attributes(etree.SubElement(parent, "sensorMetadata"), metadata)
        for report in sensor.get("sensorReport") or []:
            self._attributes(etree.SubElement(parent, "sensorReport"), report)
        self._extensions(parent, sensor)

    def _attributes(self, element: etree._Element, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if ":" in key:
                qname = self._qname(key)
                if qname is not None:
                    element.set(qname, _text(value))
            elif not key.startswith("@"):
                element.set(key, _text(value))

    def _extensions(self, parent: etree._Element, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if ":" in key and not key.startswith("@"):
                self._member(parent, key, value)

    def _member(self, parent: etree._Element, key: str, value: Any) -> None:
        """Extension member ``key`` (``p:name``) under ``parent``; arrays repeat it."""
        if isinstance(value, list):
            for item in value:
                self._member(parent, key, item)
            return
        self._extension(parent, key, value)

    def _extension(self, parent: etree._Element, key: str, value: Any) -> None:
        qname = self._qname(key) if ":" in key else (key if _is_ncname(key) else None)
        if qname is None:
            return
        element = etree.SubElement(parent, qname)
        if isinstance(value, dict):
            leaf = "#text" in value  # text with attributes: the other members are attributes
            for sub_key, sub in value.items():
                if sub_key == "#text":
                    element.text = _text(sub)
                elif leaf and not isinstance(sub, (dict, list)):
                    name = self._qname(sub_key) if ":" in sub_key else sub_key
                    if name is not None and (":" in sub_key or _is_ncname(sub_key)):
                        element.set(name, _text(sub))
                elif not sub_key.startswith("@"):
                    self._member(element, sub_key, sub)
        elif value is not None:
            element.text = _text(value)


def _prefixes_used(value: Any, found: set[str] | None = None) -> set[str]:
    """The prefixes of the ``p:name`` members anywhere in ``value``."""
    found = set() if found is None else found
    if isinstance(value, dict):
        for key, sub in value.items():
            if ":" in key and not key.startswith("@"):
                found.add(key.split(":", 1)[0])
            _prefixes_used(sub, found)
    elif isinstance(value, list):
        for sub in value:
            _prefixes_used(sub, found)
    return found


def _is_ncname(name: str) -> bool:
    try:
        etree.QName(name)
    except ValueError:
        return False
    return ":" not in name and bool(name)

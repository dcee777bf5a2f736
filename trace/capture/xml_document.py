"""EPCIS 2.0 XML documents read as the JSON-LD dict the JSON path captures.

``read_xml(raw)`` turns an ``epcis:EPCISDocument`` or ``epcisq:EPCISQueryDocument`` into the
dict that the same document written in JSON-LD parses to (EPCIS 2.0 §9, the XML/JSON binding):

- events: the element name is ``type``; ``extension`` / ``baseExtension`` wrappers (EPCIS 1.x
  style, still allowed by the 2.0 XSD) are dissolved into the event;
- lists of identifiers (``epcList/epc``, ``correctiveEventIDs/correctiveEventID``,
  ``persistentDisposition/set``) become JSON arrays; quantity elements, ``bizTransaction`` /
  ``source`` / ``destination`` (``type`` attribute + text) and sensor elements (attributes)
  become objects, numbers and booleans typed as the XSD types them;
- an element or attribute in any other namespace (a user extension) becomes a member
  ``prefix:localName``, and its namespace is bound to that prefix in an inline ``@context``
  object, exactly as a JSON-LD document declares its extensions. Nested extension elements
  become objects (a repeated name becomes an array); a leaf is its text;
- identifiers are kept as written (URN or Digital Link): canonicalising them is capture's job.

Parsing is safe: no DTD (a ``<!DOCTYPE`` is refused, so no entity of any kind, hence no XML
bomb), no network, no external file, libxml2's limits on depth and size kept. Anything that is
not a well-formed EPCIS document raises ``ValidationFailed`` with the line and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no types

from ..domain.errors import Problem, ValidationFailed
from ..domain.json_types import JsonObject

EPCIS_NS = "urn:epcglobal:epcis:xsd:2"
EPCIS_1_NS = "urn:epcglobal:epcis:xsd:1"
QUERY_NS = "urn:epcglobal:epcis-query:xsd:2"
QUERY_1_NS = "urn:epcglobal:epcis-query:xsd:1"
MASTERDATA_NS = "urn:epcglobal:epcis-masterdata:xsd:2"
SBDH_NS = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
REPOSITORY_X = "https://repository-x.example.com/"  # the reference hash tool's ignoreFields
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
# Namespaces of the standard itself: never an extension, never bound in the @context.
_STANDARD_NS = frozenset((EPCIS_NS, EPCIS_1_NS, QUERY_NS, QUERY_1_NS, MASTERDATA_NS, XSI_NS,
                          "http://www.w3.org/XML/1998/namespace"))
EVENT_TYPES = frozenset(("ObjectEvent", "AggregationEvent", "TransactionEvent",
                         "TransformationEvent", "AssociationEvent", "QuantityEvent"))

_EPC_LISTS = frozenset(("epcList", "childEPCs", "inputEPCList", "outputEPCList"))
_QUANTITY_LISTS = frozenset(("quantityList", "childQuantityList", "inputQuantityList",
                             "outputQuantityList"))
_PAIRED_LISTS = {"bizTransactionList": "bizTransaction", "sourceList": "source",
                 "destinationList": "destination"}
_PLACES = frozenset(("readPoint", "bizLocation"))
_WRAPPERS = frozenset(("extension", "baseExtension"))
_SENSOR_NUMBERS = frozenset(("value", "minValue", "maxValue", "meanValue", "sDev", "percRank",
                             "percValue"))
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          dtd_validation=False, huge_tree=False, remove_comments=True,
                          remove_pis=True)


def looks_like_xml(raw: bytes | str) -> bool:
    """Whether ``raw`` starts (after a BOM and white space) with ``<``: XML, not JSON."""
    if isinstance(raw, str):
        return raw.lstrip("\ufeff \t\r\n").startswith("<")
    data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    return data.lstrip(b" \t\r\n").startswith(b"<")


def _refuse(message: str, line: int | None = None) -> ValidationFailed:
    where = f" (line {line})" if line and f"line {line}" not in message else ""
    return ValidationFailed(f"malformed EPCIS XML: {message}{where}",
                            [Problem("$", message + where)])


def parse_xml(raw: bytes | bytearray | memoryview | str) -> etree._Element:
    """The root element of ``raw``. :raises ValidationFailed: not well-formed, or has a DTD."""
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if isinstance(raw, str) and data.lstrip().startswith(b"<?xml"):
        # a str has no bytes encoding any more: drop the declaration's encoding="..."
        data = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data, count=1)
    try:
        tree = etree.fromstring(data, _PARSER).getroottree()
    except etree.XMLSyntaxError as exc:
        raise _refuse(_syntax_message(exc), exc.lineno) from None
    docinfo = tree.docinfo
    dtd = docinfo.internalDTD
    if docinfo.system_url or docinfo.public_id or (dtd is not None and (
            any(True for _ in dtd.iterentities()) or any(True for _ in dtd.iterelements()))):
        # A bare <!DOCTYPE name> (as in GS1's own examples) declares nothing and is allowed.
        raise _refuse("a document type definition (<!DOCTYPE> with declarations or an external "
                      "DTD) is not allowed: EPCIS XML needs none, and entities are used to "
                      "attack parsers")
    return tree.getroot()


def _syntax_message(exc: etree.XMLSyntaxError) -> str:
    text = str(exc.msg or exc)
    return re.sub(r",? line \d+, column \d+$", "", text).strip() or "not well-formed XML"


def read_xml(raw: bytes | bytearray | memoryview | str) -> JsonObject:
    """The JSON-LD form of the EPCIS XML document in ``raw``.

    :raises ValidationFailed: not well-formed XML, a DTD, or a root that is not an EPCIS
        document (the message names what was found).
    """
    return document_to_json(parse_xml(raw))


def document_to_json(root: etree._Element) -> JsonObject:
    qname = etree.QName(root)
    if qname.localname == "EPCISDocument" and qname.namespace in (EPCIS_NS, EPCIS_1_NS):
        kind = "EPCISDocument"
    elif qname.localname == "EPCISQueryDocument" and qname.namespace in (QUERY_NS, QUERY_1_NS):
        kind = "EPCISQueryDocument"
    else:
        raise _refuse(f"the root element is {{{qname.namespace or ''}}}{qname.localname}; "
                      f"expected epcis:EPCISDocument ({EPCIS_NS}) or "
                      f"epcisq:EPCISQueryDocument ({QUERY_NS})", root.sourceline)
    reader = _Reader()
    doc: JsonObject = {"type": kind}
    for name, value in root.attrib.items():
        if not name.startswith("{"):
            doc[name] = value
        elif etree.QName(name).namespace not in _STANDARD_NS:
            doc[reader.key(name, root)] = value
    body: JsonObject | None = None
    for child in root:
        if not isinstance(child.tag, str):
            continue
        local, ns = _split(child.tag)
        if ns is None and local == "EPCISHeader":
            doc["epcisHeader"] = reader.header(child)
        elif ns is None and local == "EPCISBody":
            body = reader.body(child, kind)
        elif ns is None and local == "extension":
            doc.update(reader.members(child))
        elif ns is not None and ns not in _STANDARD_NS:
            reader.add(doc, reader.key(child.tag, child), reader.extension_or_ignore_list(child))
    if body is None:
        raise _refuse(f"the {kind} has no EPCISBody", root.sourceline)
    doc["epcisBody"] = body
    bindings = {prefix: ns for ns, prefix in reader.prefixes.items()}
    context: Any = [EPCIS_CONTEXT, bindings] if bindings else EPCIS_CONTEXT
    return {"@context": context, **doc}


def _split(tag: str) -> tuple[str, str | None]:
    if tag[0] == "{":
        ns, local = tag[1:].split("}", 1)
        return local, ns
    return tag, None


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def _number(text: str) -> int | float | str:
    try:
        return int(text) if _INTEGER.match(text) else float(text)
    except ValueError:
        return text  # the schema check says what is wrong with it


class _Reader:
    """One document's conversion; remembers which prefix each extension namespace got."""

    def __init__(self) -> None:
        self.prefixes: dict[str, str] = {}  # namespace IRI -> prefix

    def key(self, tag: str, element: etree._Element) -> str:
        local, ns = _split(tag)
        if ns is None:
            return local
        prefix = self.prefixes.get(ns)
        if prefix is None:
            taken = set(self.prefixes.values())
            wanted = next((p for p, uri in element.nsmap.items() if uri == ns and p), None)
            prefix = wanted if wanted and wanted not in taken else None
            n = 1
            while prefix is None or prefix in taken:
                prefix, n = f"ns{n}", n + 1
            self.prefixes[ns] = prefix
        return f"{prefix}:{local}"

    @staticmethod
    def add(target: JsonObject, key: str, value: Any) -> None:
        if key in target:
            existing = target[key]
            if isinstance(existing, list) and getattr(existing, "_repeated", False):
                existing.append(value)
            else:
                target[key] = _Repeated([existing, value])
        else:
            target[key] = value

    # -- extensions --------------------------------------------------------------------
    def extension(self, element: etree._Element) -> Any:
        """A user extension element: its text if a leaf, else an object of its children."""
        children = [c for c in element if isinstance(c.tag, str)]
        attributes = {name: value for name, value in element.attrib.items()
                      if not (name.startswith("{")
                              and etree.QName(name).namespace in _STANDARD_NS)}
        if not children and not attributes:
            return element.text.strip() if element.text and element.text.strip() else (
                element.text or "")
        out: JsonObject = {}
        for name, value in attributes.items():
            out[self.key(name, element)] = value
        for child in children:
            self.add(out, self.key(child.tag, child), self.extension(child))
        if not children and _text(element):
            out["#text"] = _text(element)
        return _plain(out)

    def members(self, element: etree._Element,
                standard: Callable[[str, etree._Element], Any] | None = None) -> JsonObject:
        """The children of ``element`` as members; ``standard(local, child)`` maps the
        non-namespaced ones (default: their text)."""
        out: JsonObject = {}
        for name, value in element.attrib.items():
            if name.startswith("{") and etree.QName(name).namespace not in _STANDARD_NS:
                out[self.key(name, element)] = value
        for child in element:
            if not isinstance(child.tag, str):
                continue
            local, ns = _split(child.tag)
            if ns is not None:
                if ns not in _STANDARD_NS:
                    self.add(out, self.key(child.tag, child), self.extension(child))
            elif local in _WRAPPERS:
                for key, value in self.members(child, standard).items():
                    self.add(out, key, value)
            elif standard is not None:
                self.add(out, local, standard(local, child))
            else:
                self.add(out, local, _text(child))
        return _plain(out)

    # -- document parts ----------------------------------------------------------------
    def body(self, element: etree._Element, kind: str) -> JsonObject:
        body: JsonObject = {}
        for child in element:
            if not isinstance(child.tag, str):
                continue
            local, ns = _split(child.tag)
            if ns is None and local == "EventList":
                body["eventList"] = self.events(child)
            elif local == "QueryResults" and ns in (QUERY_NS, QUERY_1_NS):
                body["queryResults"] = self.query_results(child)
            elif ns is not None and ns not in _STANDARD_NS:
                self.add(body, self.key(child.tag, child), self.extension(child))
            elif ns is None and local == "extension":
                body.update(self.members(child))
            else:
                raise _refuse(f"unexpected element {local} in the EPCISBody of an {kind}",
                              child.sourceline)
        if kind == "EPCISDocument" and "eventList" not in body:
            body["eventList"] = []
        if kind == "EPCISQueryDocument" and "queryResults" not in body:
            raise _refuse("the EPCISQueryDocument's EPCISBody has no QueryResults",
                          element.sourceline)
        return body

    def query_results(self, element: etree._Element) -> JsonObject:
        out: JsonObject = {}
        for child in element:
            if not isinstance(child.tag, str):
                continue
            local, ns = _split(child.tag)
            if local == "resultsBody" and ns is None:
                events = child.find("EventList")
                out["resultsBody"] = {"eventList": self.events(events)
                                      if events is not None else []}
            elif ns is None and local in ("queryName", "subscriptionID"):
                out[local] = _text(child)
            elif ns is not None and ns not in _STANDARD_NS:
                self.add(out, self.key(child.tag, child), self.extension_or_ignore_list(child))
        return out

    def extension_or_ignore_list(self, element: etree._Element) -> Any:
        """A document-level extension; the reference tool's ``<repository-x:ignoreFields>``
        (one empty element per field) becomes its JSON form, the array of the fields' names."""
        if _split(element.tag) == ("ignoreFields", REPOSITORY_X):
            return [self.key(c.tag, c) if _split(c.tag)[1] is not None else _split(c.tag)[0]
                    for c in element if isinstance(c.tag, str)]
        return self.extension(element)

    def events(self, element: etree._Element) -> list[Any]:
        events: list[Any] = []
        for child in element:
            if not isinstance(child.tag, str):
                continue
            local, ns = _split(child.tag)
            if ns is None and local == "extension":  # EPCIS 1.x: TransformationEvent there
                events.extend(self.events(child))
            elif ns is None and local in EVENT_TYPES:
                events.append(self.event(child, local))
            else:
                raise _refuse(f"{local} is not an EPCIS event (expected one of "
                              f"{', '.join(sorted(EVENT_TYPES - {'QuantityEvent'}))})",
                              child.sourceline)
        return events

    def event(self, element: etree._Element, kind: str) -> JsonObject:
        event: JsonObject = {"type": kind}
        event.update(self.members(element, self._standard))
        return event

    def _standard(self, local: str, child: etree._Element) -> Any:
        if local in _EPC_LISTS:
            return [_text(c) for c in child if c.tag == "epc"]
        if local in _QUANTITY_LISTS:
            return [self._quantity(c) for c in child if c.tag == "quantityElement"]
        if local in _PAIRED_LISTS:
            item = _PAIRED_LISTS[local]
            return [self._pair(c, item) for c in child if c.tag == item]
        if local in _PLACES or local == "ilmd":
            return self.members(child)
        if local == "persistentDisposition":
            out: JsonObject = {}
            for c in child:
                if c.tag in ("set", "unset"):
                    out.setdefault(c.tag, []).append(_text(c))
            return out
        if local == "sensorElementList":
            return [self._sensor_element(c) for c in child if c.tag == "sensorElement"]
        if local == "errorDeclaration":
            return self.members(child, self._error_member)
        if local == "quantity":  # QuantityEvent (EPCIS 1.x)
            return _number(_text(child))
        return _text(child)

    @staticmethod
    def _error_member(local: str, child: etree._Element) -> Any:
        if local == "correctiveEventIDs":
            return [_text(c) for c in child if c.tag == "correctiveEventID"]
        return _text(child)

    def _quantity(self, element: etree._Element) -> JsonObject:
        out = self.members(element)
        if out.get("quantity") == "":  # <quantity xsi:nil="true"/>: no quantity
            del out["quantity"]
        elif "quantity" in out and isinstance(out["quantity"], str):
            out["quantity"] = _number(out["quantity"])
        return out

    @staticmethod
    def _pair(element: etree._Element, item: str) -> JsonObject:
        out: JsonObject = {}
        if "type" in element.attrib:
            out["type"] = element.attrib["type"]
        out[item] = _text(element)
        return out

    def _sensor_element(self, element: etree._Element) -> JsonObject:
        return self.members(element, self._sensor_member)

    def _sensor_member(self, local: str, child: etree._Element) -> Any:
        # Attributes are read on any child, not only on the two the 2.0 XSD names: GS1's
        # pre-ratification examples write <sensorMetaData …/>, and its attributes are data.
        if local not in ("sensorMetadata", "sensorReport") and not child.attrib:
            return _text(child)
        out: JsonObject = {}
        for name, value in child.attrib.items():
            if name.startswith("{"):
                if etree.QName(name).namespace not in _STANDARD_NS:
                    out[self.key(name, child)] = value
            elif name in _SENSOR_NUMBERS:
                out[name] = _number(value)
            elif name == "booleanValue":
                out[name] = value.strip() in ("true", "1")
            else:
                out[name] = value
        return _SensorReport(out) if local == "sensorReport" else out

    # -- header --------------------------------------------------------------------------
    def header(self, element: etree._Element) -> JsonObject:
        out: JsonObject = {}
        for child in element.iter():
            if not isinstance(child.tag, str):
                continue
            if _split(child.tag) == ("EPCISMasterData", None):
                lists = child.find("VocabularyList")
                out["epcisMasterData"] = {"vocabularyList": [
                    self._vocabulary(v) for v in (lists if lists is not None else [])
                    if v.tag == "Vocabulary"]}
                break
        for child in element:
            if isinstance(child.tag, str) and _split(child.tag)[1] not in (None, *_STANDARD_NS):
                self.add(out, self.key(child.tag, child), self.extension(child))
        return out

    def _vocabulary(self, element: etree._Element) -> JsonObject:
        out: JsonObject = {}
        if "type" in element.attrib:
            out["type"] = element.attrib["type"]
        items = element.find("VocabularyElementList")
        out["vocabularyElementList"] = [
            self._vocabulary_element(e) for e in (items if items is not None else [])
            if e.tag == "VocabularyElement"]
        return out

    def _vocabulary_element(self, element: etree._Element) -> JsonObject:
        out: JsonObject = {"id": element.attrib.get("id", "")}
        attributes: list[JsonObject] = []
        for child in element:
            if child.tag == "attribute":
                nested = [c for c in child if isinstance(c.tag, str)]
                value: Any = (self.members(child) if nested else _text(child))
                attributes.append({"id": child.attrib.get("id", ""), "attribute": value})
            elif child.tag == "children":
                out["children"] = [_text(c) for c in child if c.tag == "id"]
        if attributes:
            out["attributes"] = attributes
        return out


class _Repeated(list):  # type: ignore[type-arg]
    """A member written more than once: becomes a JSON array."""

    _repeated = True


class _SensorReport(dict):  # type: ignore[type-arg]
    """A sensorReport: always in an array, even alone."""


def _plain(out: JsonObject) -> JsonObject:
    """Turns the markers of ``add`` back into plain lists/dicts (sensorReport → array)."""
    for key, value in out.items():
        if isinstance(value, _Repeated):
            out[key] = [dict(v) if isinstance(v, _SensorReport) else v for v in value]
        elif isinstance(value, _SensorReport):
            out[key] = [dict(value)]
    return out

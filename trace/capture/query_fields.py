"""The members of an EPCIS 2.0 event that the SimpleEventQuery's pattern families look up.

One event gives a list of ``(key, text, num)`` rows, which the store keeps in one narrow,
indexed table (``store.event_fields``): equality looks at ``text``, ranges at ``num`` (a
number, or a date-time as seconds since 1970 UTC). ``key`` says what the row is:

=========================  ==========================================================
key                        the member
=========================  ==========================================================
``quantity``               a quantity element of any list: num = quantity, text = uom
``pd.set`` ``pd.unset``    persistentDisposition set / unset (CBV web URI)
``transformationID``       text
``bt:<type>``              bizTransaction of that type (bare CBV word or the type URI)
``src:<type>``             source / destination of that type (value canonicalised)
``dst:<type>``
``ed``                     the event carries an errorDeclaration
``ed.time``                its declarationTime (num)
``ed.reason``              its reason (CBV web URI)
``ed.corrective``          one of its correctiveEventIDs
``sensor``                 the event has a sensorElementList
``sm.<attr>``              a sensorMetadata attribute (time, startTime, deviceID...)
``sr.<attr>``              a sensorReport attribute (type, stringValue, percRank...)
``sr.<attr>|<uom>``        a measured sensorReport number (value, minValue... percValue)
``<level>|<name>``         an extension member (user vocabulary), see below
=========================  ==========================================================

Extension members are named by their **expanded IRI** (the prefix bound in the document's
inline ``@context``, or one of the standard context's prefixes) — ``example:temperature``
under ``example = https://ns.example.com/epcis/`` is
``https://ns.example.com/epcis/temperature`` — so that two documents using different prefixes
for one namespace are queried alike. A name whose prefix no context binds is kept as written.
``level`` is where the member sits: ``x`` (top level of the event), ``ilmd``, ``ed`` (inside
errorDeclaration), ``rp``/``bl`` (inside readPoint / bizLocation), ``se``/``sm``/``sr`` (on a
sensorElement, its sensorMetadata, a sensorReport); the same with ``i`` appended
(``xi``, ``ilmdi``...) for members nested at any depth inside one of those (``INNER``).

The readPoint and bizLocation ids are not here: ``events`` holds them canonical
(``read_point``, ``biz_location``, indexed by organisation), and ``WD_`` reads them there
(migration 0012 took the rows of earlier versions out).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..domain.vocabulary import CBVMDA_NS, CBVMDA_PREFIX, cbv_uri, cbv_word

Row = tuple[str, str | None, float | None]

TEXT_MAX = 300  # longer texts are cut: indexes stay within every database's key size

# Prefixes the standard EPCIS 2.0 context binds that events use for extension members.
STANDARD_PREFIXES: dict[str, str] = {
    CBVMDA_PREFIX: CBVMDA_NS,
    "gs1": "https://gs1.org/voc/",
    "cbv": "https://ref.gs1.org/cbv/",
    "epcis": "https://ref.gs1.org/epcis/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}

# Members of the event itself (EPCIS 2.0 JSON schema); every other member is an extension.
EVENT_MEMBERS = frozenset({
    "type", "eventID", "eventTime", "eventTimeZoneOffset", "recordTime", "errorDeclaration",
    "certificationInfo", "action", "bizStep", "disposition", "persistentDisposition",
    "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList",
    "sensorElementList", "ilmd", "epcList", "quantityList", "parentID", "childEPCs",
    "childQuantityList", "inputEPCList", "inputQuantityList", "outputEPCList",
    "outputQuantityList", "transformationID",
})
QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList",
                  "outputQuantityList")
SENSOR_METADATA = frozenset({"time", "startTime", "endTime", "deviceID", "deviceMetadata",
                             "rawData", "dataProcessingMethod", "bizRules"})
SENSOR_REPORT = frozenset({
    "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod",
    "time", "microorganism", "chemicalSubstance", "value", "component", "stringValue",
    "booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue",
    "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem"})
TIME_ATTRS = frozenset({"time", "startTime", "endTime"})
# Attributes whose number is measured in the report's uom (``EQ_value_<uom>``...).
MEASURED = frozenset({"value", "minValue", "maxValue", "meanValue", "sDev", "percValue"})
NUMBER_ATTRS = MEASURED | {"percRank"}
GS1_VOC = ("https://gs1.org/voc/", "http://gs1.org/voc/", "gs1:")

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# How a text either pattern matches begins (``\d``: any Unicode decimal digit, as
# ``str.isdecimal``): any other text is neither, and no pattern is tried.
_SIGNS = frozenset("+-.")


def instant(text: str) -> float | None:
    """A date-time with a zone as seconds since 1970 UTC; None for anything else."""
    if not _DATE_TIME.match(text):
        return None
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    return value.astimezone(UTC).timestamp()


def measurement_type(value: str) -> str:
    """A sensor type as the bare word of GS1's MeasurementType (``gs1:Temperature`` →
    ``Temperature``); any other URI unchanged."""
    for prefix in GS1_VOC:
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


def expand(name: str, prefixes: Mapping[str, str]) -> str:
    """``prefix:local`` → the IRI its prefix is bound to + local; otherwise ``name``."""
    if name.startswith(("http://", "https://", "urn:")):
        return name
    prefix, sep, local = name.partition(":")
    if not sep:
        return name
    ns = prefixes.get(prefix) or STANDARD_PREFIXES.get(prefix)
    return ns + local if ns else name


def _text(value: str) -> str:
    return value[:TEXT_MAX]


def scalar_row(key: str, value: Any) -> Row | None:
    """The row of one scalar JSON value (None for null)."""
    if isinstance(value, dict) and "@value" in value:  # a JSON-LD value object
        value = value["@value"]
    if isinstance(value, bool):
        return (key, "true" if value else "false", None)
    if isinstance(value, int | float):
        number = float(value)
        return (key, None, number if math.isfinite(number) else None)
    if isinstance(value, str):
        return (key, _text(value), number_of(value))
    return None


def number_of(text: str) -> float | None:
    """The number a text stands for, if any: a decimal (``"20"``: documents converted from XML
    carry numbers as text) or a date-time (seconds since 1970 UTC)."""
    first = text[:1]
    if not (first.isdecimal() or first in _SIGNS):
        return None
    when = instant(text)
    if when is not None:
        return when
    if not _DECIMAL.match(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


Keys = dict[tuple[str, str], str]


class _Collector:
    def __init__(self, prefixes: Mapping[str, str], keys: Keys | None = None) -> None:
        self.prefixes = prefixes
        self.rows: list[Row] = []
        # (level, member name) -> row key: shared by the events of one document (one
        # ``prefixes``), so that each name is expanded once per document.
        self.keys: Keys = {} if keys is None else keys

    def add(self, key: str, text: str | None, num: float | None = None) -> None:
        self.rows.append((key, _text(text) if text is not None else None, num))

    def extension(self, level: str, name: str, value: Any) -> None:
        """One extension member and (as ``<level>i``) everything nested inside it."""
        if name[:1] == "@":
            return
        key = self.keys.get((level, name))
        if key is None:
            key = self.keys[(level, name)] = f"{level}|{expand(name, self.prefixes)}"
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, dict) and "@value" not in item:
                self.rows.append((key, None, None))  # it exists; its members are INNER
                inner = level if level[-1:] == "i" else level + "i"
                for k, v in item.items():
                    self.extension(inner, k, v)
            else:
                row = scalar_row(key, item)
                if row is not None:
                    self.rows.append(row)

    def extensions_of(self, level: str, obj: Any, known: frozenset[str]) -> None:
        if isinstance(obj, dict):
            for name, value in obj.items():
                if name not in known:
                    self.extension(level, name, value)


def _typed(prefix: str, kind: str, items: Any, key: str, canon: Callable[[str], str]
           ) -> list[Row]:
    rows: list[Row] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        value, type_ = item.get(key), item.get("type")
        if not isinstance(value, str):
            continue
        word = cbv_word(kind, type_) if isinstance(type_, str) else None
        type_key = word or (type_ if isinstance(type_, str) else "")
        rows.append((f"{prefix}:{type_key}", _text(canon(value.strip())), None))
    return rows


_PLACES = {"readPoint": "rp", "bizLocation": "bl"}
_TYPED = {"bizTransactionList": ("bt", "bizTransaction", "bizTransaction"),
          "sourceList": ("src", "sourceDest", "source"),
          "destinationList": ("dst", "sourceDest", "destination")}
_ID_ONLY = frozenset({"id"})
_DECLARED = frozenset({"declarationTime", "reason", "correctiveEventIDs"})


def query_fields(event: Mapping[str, Any], prefixes: Mapping[str, str],
                 canonicalise: Callable[[str], str], keys: Keys | None = None) -> list[Row]:
    """The rows of ``event`` (captured in a document whose inline ``@context`` binds
    ``prefixes``); ``canonicalise`` is the GS1 key canonicaliser (gs1.canonical). ``keys``:
    a dict kept across the events of one document (the same ``prefixes``), which caches the
    extension members' expanded names.

    One pass over the event's members (capture runs this for every event it stores)."""
    c = _Collector(prefixes, keys)
    for member, value in event.items():
        if member not in EVENT_MEMBERS:
            c.extension("x", member, value)
        elif member in QUANTITY_LISTS:
            for q in value or ():
                if isinstance(q, dict) and isinstance(q.get("quantity"), int | float):
                    uom = q.get("uom")
                    c.add("quantity", uom if isinstance(uom, str) else "", float(q["quantity"]))
        elif member in _PLACES:
            # The id is in the events row (read_point / biz_location); only extensions here.
            if isinstance(value, dict) and len(value) > 1:
                c.extensions_of(_PLACES[member], value, _ID_ONLY)
        elif member == "ilmd":
            c.extensions_of("ilmd", value, frozenset())
        elif member in _TYPED:
            prefix, kind, key = _TYPED[member]
            c.rows += _typed(prefix, kind, value, key, str if prefix == "bt" else canonicalise)
        elif member == "persistentDisposition" and isinstance(value, dict):
            for part in ("set", "unset"):
                for v in value.get(part) or ():
                    if isinstance(v, str):
                        c.add(f"pd.{part}", cbv_uri("disposition", v))
        elif member == "transformationID" and isinstance(value, str):
            c.add("transformationID", value)
        elif member == "errorDeclaration" and isinstance(value, dict):
            _declaration(c, value)
        elif member == "sensorElementList":
            _sensors(c, value)
    return c.rows


def _declaration(c: _Collector, declaration: Mapping[str, Any]) -> None:
    c.add("ed", None)
    when = declaration.get("declarationTime")
    if isinstance(when, str):
        c.add("ed.time", None, instant(when))
    if isinstance(declaration.get("reason"), str):
        c.add("ed.reason", cbv_uri("errorReason", declaration["reason"]))
    for corrective in declaration.get("correctiveEventIDs") or ():
        if isinstance(corrective, str):
            c.add("ed.corrective", corrective)
    c.extensions_of("ed", declaration, _DECLARED)


def _sensors(c: _Collector, elements: Any) -> None:
    if not isinstance(elements, list) or not elements:
        return
    c.add("sensor", None)
    for element in elements:
        if not isinstance(element, dict):
            continue
        metadata = element.get("sensorMetadata")
        if isinstance(metadata, dict):
            for name, value in metadata.items():
                if name in SENSOR_METADATA:
                    _attr(c, "sm", name, value, None)
            c.extensions_of("sm", metadata, SENSOR_METADATA)
        for report in element.get("sensorReport") or ():
            if not isinstance(report, dict):
                continue
            uom = report.get("uom") if isinstance(report.get("uom"), str) else ""
            for name, value in report.items():
                if name in SENSOR_REPORT:
                    _attr(c, "sr", name, value, uom)
            c.extensions_of("sr", report, SENSOR_REPORT)
        c.extensions_of("se", element, frozenset({"sensorMetadata", "sensorReport"}))


def _attr(c: _Collector, level: str, name: str, value: Any, uom: str | None) -> None:
    key = f"{level}.{name}"
    if name in TIME_ATTRS and isinstance(value, str):
        c.add(key, None, instant(value))
    elif name in MEASURED and isinstance(value, int | float) and not isinstance(value, bool):
        # The unit is part of the name: `GT_value_CEL` reads only Celsius in the number index.
        c.add(f"{key}|{uom or ''}", uom, float(value))
    elif name in NUMBER_ATTRS and isinstance(value, int | float) \
            and not isinstance(value, bool):
        c.add(key, None, float(value))
    elif name == "type" and isinstance(value, str):
        c.add(key, measurement_type(value))
    elif name == "hexBinaryValue" and isinstance(value, str):
        c.add(key, value.upper())
    elif isinstance(value, bool):
        c.add(key, "true" if value else "false")
    elif isinstance(value, str):
        c.add(key, value)

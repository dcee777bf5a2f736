"""Version and format negotiation for every endpoint of the EPCIS REST binding, in one place.

Applied to the binding's blueprints (``apply``): before each request, the client's GS1 headers
are checked against what we speak, and anything we cannot honour is a 406
(``epcisException:NotAcceptableException``, an RFC 7807 problem); after it, every answer carries
the version headers the binding requires. ``OPTIONS`` answers with ``discovery``.

What we speak:

- EPCIS 2.0.0 and CBV 2.0.0 only. ``GS1-EPCIS-Version`` / ``GS1-CBV-Version`` on a request
  (the version of the document sent) must be 2.0 (any patch level); ``GS1-EPCIS-Min``/``-Max``
  and ``GS1-CBV-Min``/``-Max`` (the versions the client accepts) must include 2.0.0.
- ``GS1-Extensions``: none. A request that names an extension is refused (406): we would not
  honour it, and a silent answer without it could be misread.
- ``GS1-EPC-Format``: events come back with their identifiers as captured
  (``Never_Translates``, also our answer to ``No_Preference`` and to no header at all: a
  signed event's body is never rewritten behind the client's back), or all as GS1 Digital
  Links on ``Always_GS1_Digital_Link`` (URNs converted, the way the query matches them).
  ``Always_EPC_URN`` is refused (406): we keep no Digital-Link-to-URN writer.
- ``GS1-CBV-XML-Format``: every value of the binding is accepted; it only applies to XML
  answers (the XML writer's business), JSON-LD keeps CBV values as captured.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import NotAcceptable

from ..gs1.canonical import canonicalise
from .deps import settings

EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"
_SUPPORTED = (2, 0)  # major, minor: every 2.0.x
EPC_FORMATS = ("No_Preference", "Always_GS1_Digital_Link", "Always_EPC_URN", "Never_Translates")
CBV_XML_FORMATS = ("No_Preference", "Always_Web_URI", "Always_URN", "Never_Translates")
AS_CAPTURED = "Never_Translates"
DIGITAL_LINK = "Always_GS1_Digital_Link"
VENDOR_VERSION = "tracechain"
_VERSION = re.compile(r"^\s*(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?\s*$")


def _version(header: str, value: str) -> tuple[int, int, int]:
    m = _VERSION.match(value)
    if m is None:
        raise NotAcceptable(f"{header}: {value!r} is not a version such as 2.0.0")
    return int(m[1]), int(m[2]), int(m[3] or 0)


def check_request() -> None:
    """The client's GS1 headers, checked; the EPC format chosen kept for ``epc_format``.

    :raises NotAcceptable: a version, extension or format we do not speak.
    """
    headers = request.headers
    for name, ours in (("GS1-EPCIS-Version", EPCIS_VERSION), ("GS1-CBV-Version", CBV_VERSION)):
        value = headers.get(name)
        if value is not None and _version(name, value)[:2] != _SUPPORTED:
            raise NotAcceptable(f"{name} {value} is not supported: this repository speaks "
                                f"{ours} only")
    for kind, ours in (("EPCIS", EPCIS_VERSION), ("CBV", CBV_VERSION)):
        ours_v = _version("ours", ours)
        low, high = headers.get(f"GS1-{kind}-Min"), headers.get(f"GS1-{kind}-Max")
        if low is not None and _version(f"GS1-{kind}-Min", low) > ours_v:
            raise NotAcceptable(f"GS1-{kind}-Min {low} is above the {kind} version we speak "
                                f"({ours})")
        if high is not None and _version(f"GS1-{kind}-Max", high)[:2] < _SUPPORTED:
            raise NotAcceptable(f"GS1-{kind}-Max {high} is below the {kind} version we speak "
                                f"({ours})")
    extensions = [e.strip() for e in headers.get("GS1-Extensions", "").split(",") if e.strip()]
    if extensions:
        raise NotAcceptable(f"GS1-Extensions: this repository supports no extension "
                            f"({', '.join(extensions)[:200]})")
    fmt = headers.get("GS1-EPC-Format", "").strip() or None
    if fmt is not None and fmt not in EPC_FORMATS:
        raise NotAcceptable(f"GS1-EPC-Format must be one of {', '.join(EPC_FORMATS)}")
    if fmt == "Always_EPC_URN":
        raise NotAcceptable("GS1-EPC-Format Always_EPC_URN is not supported: ask for "
                            "Always_GS1_Digital_Link, or Never_Translates (as captured)")
    g.epc_format = DIGITAL_LINK if fmt == DIGITAL_LINK else AS_CAPTURED
    xml_fmt = headers.get("GS1-CBV-XML-Format", "").strip()
    if xml_fmt and xml_fmt not in CBV_XML_FORMATS:
        raise NotAcceptable(f"GS1-CBV-XML-Format must be one of {', '.join(CBV_XML_FORMATS)}")


def epc_format() -> str:
    """``Never_Translates`` (identifiers as captured) or ``Always_GS1_Digital_Link``."""
    return g.get("epc_format", AS_CAPTURED)


def answer_headers(response: Response) -> Response:
    """The headers the binding requires on every answer."""
    response.headers.setdefault("GS1-EPCIS-Version", EPCIS_VERSION)
    response.headers.setdefault("GS1-CBV-Version", CBV_VERSION)
    response.headers.setdefault("GS1-EPC-Format", epc_format())
    response.headers.setdefault("GS1-Vendor-Version", VENDOR_VERSION)
    if response.status_code == 413:  # too large: say what the limits are
        for name, value in limits().items():
            response.headers.setdefault(name, value)
    return response


def limits() -> dict[str, str]:
    """The capture limits, as ``GS1-EPCIS-Capture-Limit`` (events) and
    ``GS1-EPCIS-Capture-File-Size-Limit`` (bytes) say them."""
    out = {"GS1-EPCIS-Capture-Limit": str(settings().capture_limit)}
    size = current_app.config.get("MAX_CONTENT_LENGTH")
    if size:
        out["GS1-EPCIS-Capture-File-Size-Limit"] = str(size)
    return out


def discovery(methods: str) -> Response:
    """The answer to ``OPTIONS``: 204, ``Allow`` and what we speak."""
    response = current_app.response_class(status=204)
    response.headers.update({
        "Allow": methods, "GS1-EPCIS-Version": EPCIS_VERSION, "GS1-EPCIS-Min": EPCIS_VERSION,
        "GS1-EPCIS-Max": EPCIS_VERSION, "GS1-CBV-Version": CBV_VERSION,
        "GS1-CBV-Min": CBV_VERSION, "GS1-CBV-Max": CBV_VERSION,
        "GS1-EPC-Format": "Never_Translates, Always_GS1_Digital_Link",
        "GS1-CBV-XML-Format": ", ".join(CBV_XML_FORMATS), "GS1-Vendor-Version": VENDOR_VERSION,
        **limits()})
    return response


def own_options(view: Any) -> Any:
    """A view whose path answers ``OPTIONS`` with its own route (``discovery``), not Flask's
    automatic one. (flask-smorest drops ``provide_automatic_options``; Flask reads it from the
    view.) Put it under ``@blp.route``."""
    view.provide_automatic_options = False
    return view


def apply(blp: Blueprint) -> None:
    """Negotiation before, and the required headers after, every request of ``blp``."""
    blp.before_request(check_request)
    blp.after_request(answer_headers)


# --- GS1-EPC-Format: Always_GS1_Digital_Link ------------------------------------------------

_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList",
                   "outputQuantityList")


def as_digital_links(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` with every GS1 key (EPCs, classes, parent, places, sources and destinations)
    written as its canonical GS1 Digital Link; anything else as it was."""
    out = dict(event)
    for key in _EPC_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [canonicalise(v) for v in out[key]]
    for key in _QUANTITY_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [{**q, "epcClass": canonicalise(q["epcClass"])}
                        if isinstance(q, dict) and "epcClass" in q else q for q in out[key]]
    if isinstance(out.get("parentID"), str):
        out["parentID"] = canonicalise(out["parentID"])
    for key in ("readPoint", "bizLocation"):
        place = out.get(key)
        if isinstance(place, dict) and isinstance(place.get("id"), str):
            out[key] = {**place, "id": canonicalise(place["id"])}
    for key, member in (("sourceList", "source"), ("destinationList", "destination")):
        if isinstance(out.get(key), list):
            out[key] = [{**s, member: canonicalise(s[member])}
                        if isinstance(s, dict) and isinstance(s.get(member), str) else s
                        for s in out[key]]
    return out


def events_in_format(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``events`` as the request's ``GS1-EPC-Format`` asks."""
    if epc_format() == DIGITAL_LINK:
        return [as_digital_links(e) for e in events]
    return events

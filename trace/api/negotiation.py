"""EPCIS documents in and out of HTTP: which media type a request body is, and which one an
answer is written in (JSON-LD or XML, by ``Content-Type`` and ``Accept``).

Every EPCIS endpoint reads its document with ``read_epcis_document`` and answers with
``epcis_response``, so that a format is added here once and every endpoint speaks it.

An XML body is turned into the JSON-LD document it stands for (capture/xml_document.py) and
from there follows exactly the path a JSON body follows: same validation, same hashes, same
seals, and the JSON-LD form is what is stored (docs/XML_AND_HASH.md says why).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from werkzeug.exceptions import NotAcceptable, UnsupportedMediaType

from ..capture.document import parse_json
from ..capture.nesting import check_depth
from ..capture.xml_document import read_xml
from .media import JSON_TYPES, XML_TYPES, read_body

JSON_LD = "application/ld+json"
XML = "application/xml"
# What an EPCIS answer can be written in, in our order of preference (JSON-LD first: it is
# what every existing client gets without an Accept header).
ANSWER_TYPES = (JSON_LD, "application/json", XML, "text/xml")


def read_epcis_document() -> object:
    """The EPCIS document in the request body, parsed (an XML document as its JSON-LD form).

    :raises UnsupportedMediaType: the body is not in a media type we read.
    :raises ValidationFailed: the body is not well-formed (or not an EPCIS XML document).
    """
    mimetype = request.mimetype
    if mimetype in JSON_TYPES:
        return parse_json(read_body())
    if mimetype in XML_TYPES:
        document = read_xml(read_body())
        check_depth(document)  # :raises ValidationFailed: as deep as JSON may not be
        return document
    raise UnsupportedMediaType(
        f"send the document as {' or '.join(JSON_TYPES + XML_TYPES)}, "
        f"not {mimetype or 'nothing'}")


def answer_type() -> str:
    """The media type the request's ``Accept`` prefers among ANSWER_TYPES.

    No ``Accept`` (or ``*/*``) gives JSON-LD, as before XML was offered.
    :raises NotAcceptable: ``Accept`` allows none of them.
    """
    accept = request.accept_mimetypes
    if not accept:
        return JSON_LD
    best = accept.best_match(ANSWER_TYPES)
    if best is None:
        raise NotAcceptable(
            f"this answer can be {', '.join(ANSWER_TYPES)}; the Accept header allows none")
    return best


def document_type() -> str:
    """What EPCIS documents sent later on this request's behalf are written as (a
    subscription's deliveries, a WebSocket's frames): XML if ``Accept`` prefers it, else
    JSON-LD. :raises NotAcceptable: ``Accept`` allows neither."""
    return XML if answer_type() in (XML, "text/xml") else JSON_LD


def epcis_response(document: dict[str, Any], status: int = 200) -> Response:
    """``document`` (an EPCISDocument or EPCISQueryDocument as JSON-LD) in the media type the
    request accepts: JSON-LD (the default) or EPCIS 2.0 XML.

    :raises NotAcceptable: the request's ``Accept`` allows neither.
    """
    wanted = answer_type()
    if wanted in (XML, "text/xml"):
        from ..present.epcis_xml import to_xml

        response: Response = current_app.response_class(to_xml(document), mimetype=wanted)
    else:
        response = current_app.json.response(document)  # type: ignore[assignment]
    response.headers["Vary"] = "Accept"
    response.status_code = status
    return response

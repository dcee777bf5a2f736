"""EPCIS documents in and out of HTTP: which media type a request body is, and which one an
answer is written in (JSON-LD or XML, by ``Content-Type`` and ``Accept``).

Every EPCIS endpoint reads its document with ``read_epcis_document`` and answers with
``epcis_response``, so that a format is added here once and every endpoint speaks it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from werkzeug.exceptions import UnsupportedMediaType

from ..capture.document import parse_json
from .media import JSON_TYPES, read_body

JSON_LD = "application/ld+json"


def read_epcis_document() -> object:
    """The EPCIS document in the request body, parsed.

    :raises UnsupportedMediaType: the body is not in a media type we read.
    :raises ValidationFailed: the body is not well-formed.
    """
    if request.mimetype not in JSON_TYPES:
        raise UnsupportedMediaType(
            f"send the document as {' or '.join(JSON_TYPES)}, not {request.mimetype or 'nothing'}")
    return parse_json(read_body())


def epcis_response(document: dict[str, Any], status: int = 200) -> Response:
    """``document`` (an EPCISDocument or EPCISQueryDocument as JSON-LD) in the media type the
    request accepts."""
    response = current_app.json.response(document)
    response.status_code = status
    return response

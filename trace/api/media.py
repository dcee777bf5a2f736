"""Request bodies: the media types we accept and the size limit."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import UnsupportedMediaType

JSON_TYPES = ("application/json", "application/ld+json")


def require_json_body() -> bytes:
    """The raw body of a JSON / JSON-LD request (413 above MAX_CONTENT_LENGTH, via Werkzeug)."""
    if request.mimetype not in JSON_TYPES:
        raise UnsupportedMediaType(
            f"send the document as {' or '.join(JSON_TYPES)}, not {request.mimetype or 'nothing'}")
    return request.get_data(cache=False)

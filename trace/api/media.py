"""Request bodies: the media types we accept and the size limit."""

from __future__ import annotations

from flask import g, request
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

JSON_TYPES = ("application/json", "application/ld+json")
XML_TYPES = ("application/xml", "text/xml")  # EPCIS 2.0 XML binding (EPCIS endpoints only)
_CHUNK = 1 << 20


def require_json_body() -> bytes:
    """The raw body of a JSON / JSON-LD request; 413 above MAX_CONTENT_LENGTH however it is sent.

    With a Content-Length, Werkzeug refuses an oversized body before reading it. A streamed body
    (``Transfer-Encoding: chunked``, which gunicorn ends and marks ``wsgi.input_terminated``) has
    no length to check: Werkzeug then reads up to the limit and stops there *silently*, and the
    truncated document would be parsed (a confusing "malformed JSON"). Read it ourselves instead,
    one byte past the limit, so that over the limit is a 413.
    """
    if request.mimetype not in JSON_TYPES:
        raise UnsupportedMediaType(
            f"send the document as {' or '.join(JSON_TYPES)}, not {request.mimetype or 'nothing'}")
    return read_body()


def read_body() -> bytes:
    """The request's body, read once (413 over MAX_CONTENT_LENGTH; see require_json_body)."""
    if "request_body" not in g:
        g.request_body = _read_body()
    return g.request_body


def _read_body() -> bytes:
    limit = request.max_content_length
    if (request.content_length is not None or limit is None
            or "wsgi.input_terminated" not in request.environ):
        return request.get_data(cache=False)
    return _read_at_most(request.environ["wsgi.input"], limit)


def _read_at_most(stream, limit: int) -> bytes:
    """The whole stream. :raises RequestEntityTooLarge: it holds more than ``limit`` bytes."""
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        part = stream.read(min(_CHUNK, limit + 1 - size))
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
    raise RequestEntityTooLarge(f"the body is larger than {limit} bytes")

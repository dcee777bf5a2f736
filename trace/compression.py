"""gzip and brotli for every text answer (HTML, JSON, CSS, JS, SVG, XML): flask-compress.

A phone on a slow 3G link pays for every byte; text compresses to a fifth or less. What is
left alone on purpose:

- streamed answers (``Response`` over a generator) and the WebSocket upgrade: compressing
  them would hold chunks back (``COMPRESS_STREAMS = False``; an upgrade is not a 2xx);
- binary answers (PNG, PDF): already compressed, not in the list of types;
- small answers (< 500 bytes): the headers would cost more than the saving.

Files sent from disk (``send_from_directory``: our static assets, Swagger UI's) stream by
default, so ``_buffer_small_files`` reads the text ones into memory first (they are small and
cached by browsers) to have them compressed as well. ``Vary: Accept-Encoding`` goes on every
answer; a strong ETag gets the coding appended (``"abc:br"``), so a cache never hands one
coding's bytes to a client that asked for another, and conditional requests still answer 304.
"""

from __future__ import annotations

from flask import Flask, Response
from flask_compress import Compress

TEXT_TYPES = [
    "text/html", "text/css", "text/plain", "text/xml", "text/javascript", "text/csv",
    "application/javascript", "application/json", "application/ld+json",
    "application/problem+json", "application/geo+json", "application/xml",
    "application/manifest+json", "image/svg+xml",
]
BUFFER_AT_MOST = 4 * 1024 * 1024  # a file sent from disk larger than this keeps streaming


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", TEXT_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    Compress(app)
    # After Compress's hook is registered, so that Flask runs it first.
    app.after_request(_buffer_small_files)


def _buffer_small_files(response: Response) -> Response:
    if (response.direct_passthrough and response.mimetype in TEXT_TYPES
            and response.status_code == 200 and response.content_length is not None
            and response.content_length <= BUFFER_AT_MOST):
        response.direct_passthrough = False
        response.set_data(response.get_data())
    return response

"""WebSocket subscriptions to a named query (the binding's ``GET …/events`` with
``Upgrade: websocket``): checked as plain HTTP first, then the connection is upgraded and each
new matching event is pushed as an EPCISQueryDocument: a text frame of JSON-LD, or of EPCIS 2.0
XML when the handshake's ``Accept`` prefers XML.

simple-websocket takes the connection over from the WSGI server: Werkzeug's (``--dev``, tests) or
gunicorn's. Under gunicorn a connection holds one worker thread for as long as it lasts, so it
needs threaded workers (``TRACE_THREADS`` > 1): a sync worker would serve nobody else meanwhile
and be killed by gunicorn's timeout; we answer 503 there instead.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import Response, request
from werkzeug.exceptions import ServiceUnavailable

from ..app_services import app_services
from ..domain.actor import Actor
from ..services.subscriptions.deliverer import document_bytes
from ..services.subscriptions.stream import documents, open_stream
from .deps import settings, uow
from .negotiation import document_type

POLL_SECONDS = 0.5


def serve_subscription(name: str, actor: Actor) -> Response:
    headers = {k.lower(): v for k, v in request.headers.items()}
    stream = open_stream(name, request.args, headers, actor, uow())
    environ = request.environ
    if "gunicorn.socket" in environ and not environ.get("wsgi.multithread"):
        raise ServiceUnavailable("WebSocket subscriptions need threaded workers: the operator "
                                 "sets TRACE_THREADS above 1 (or use a webhook subscription)")
    from simple_websocket import ConnectionClosed, Server  # type: ignore[import-untyped]

    media_type = document_type()
    ws = Server(environ, ping_interval=25)
    new_uow = app_services().unit_of_work
    batch = settings().delivery_batch
    try:
        while ws.connected:
            for doc in documents(stream, new_uow, batch, datetime.now(UTC)):
                ws.send(document_bytes(doc, media_type).decode())
            # Waiting on receive notices a close at once; anything the client sends is ignored.
            deadline = time.monotonic() + POLL_SECONDS
            while ws.connected and time.monotonic() < deadline:
                ws.receive(timeout=max(0.0, deadline - time.monotonic()))
    except ConnectionClosed:
        pass
    finally:
        try:
            ws.close()
        except Exception:  # noqa: BLE001, S110 - already closed by the other side
            pass
    return _Upgraded(ws.mode)


class _Upgraded(Response):
    """What the view answers once the WebSocket is over: nothing more for the server to write
    (the socket was the WebSocket's; gunicorn is told to stop, as flask-sock does)."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self._mode = mode

    def __call__(self, environ, start_response):
        if self._mode == "gunicorn":
            raise StopIteration()
        if self._mode == "werkzeug":
            return super().__call__(environ, start_response)
        return []

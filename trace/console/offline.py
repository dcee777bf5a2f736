"""The offline queue's server side (docs/console/OFFLINE.md): the page that lists what waits on
this phone (``/app/waiting``: a shell the JavaScript fills from IndexedDB) and the service
worker (``/app/sw.js``, scope ``/app/``) that opens the console's pages without signal.

The queue itself lives in the browser (``web/static/console/offline.js``); the server's part of
"stored exactly once" is the recording forms' idempotency key.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from flask import Blueprint, Response, request

from . import web

SERVICE_WORKER = "sw.js"


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/waiting", "waiting", waiting)
    bp.add_url_rule("/sw.js", "service_worker", service_worker)
    bp.after_request(_service_worker_headers)  # runs after the console's own _finish


@web.signed_in
def waiting() -> Any:
    """Every signed-in user has a queue on their phone (an inspector's is empty): no policy
    question; the page shows only what this browser holds for this user."""
    return web.render("waiting.html")


def service_worker() -> Response:
    """The worker's script. Public (it holds no data; it learns whose page it keeps from each
    page's ``X-Console-User`` header) and never cached, so a new version reaches the phone on
    the next visit with signal."""
    source = (resources.files("tracechain.web") / "static" / "console" / SERVICE_WORKER)
    return Response(source.read_bytes(), mimetype="text/javascript")


def _service_worker_headers(response: Response) -> Response:
    if request.endpoint == "console.service_worker":
        response.headers["Cache-Control"] = "no-cache"
        response.headers["Service-Worker-Allowed"] = "/app/"
    return response

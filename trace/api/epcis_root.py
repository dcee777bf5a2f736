"""The EPCIS REST binding at the root as well as under ``/epcis``.

The binding's base URL is ``/epcis`` (``/epcis/capture``, ``/epcis/events``…). A client that
expects the standard's paths at the root (``/capture``, ``/events``, ``/eventTypes``, ``/epcs``,
``/bizSteps``, ``/bizLocations``, ``/readPoints``, ``/dispositions``, ``/queries``,
``/nextPageToken``) is served the same operations: this WSGI wrapper hands such a request on
under ``/epcis`` before Flask routes it, so there is one implementation, one set of rules and
one description (the answers' links name the ``/epcis`` paths). ``/`` itself is the home page
for a browser; a client asking for JSON (``Accept: application/json`` or
``application/ld+json`` preferred to HTML) gets the binding's list of top-level resources, and
``OPTIONS /`` its discovery answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

PREFIX = "/epcis"
ROOT_RESOURCES = frozenset({"capture", "events", "eventTypes", "epcs", "bizSteps",
                            "bizLocations", "readPoints", "dispositions", "queries",
                            "nextPageToken"})
_JSON = ("application/json", "application/ld+json")


def _wants_binding_root(environ: dict[str, Any]) -> bool:
    if environ.get("REQUEST_METHOD") == "OPTIONS":
        return True
    accept = parse_accept_header(environ.get("HTTP_ACCEPT"), MIMEAccept)
    return accept.best_match(["text/html", *_JSON]) in _JSON


def binding_path(environ: dict[str, Any]) -> str | None:
    """The ``/epcis`` path a root request stands for; None: not one of the binding's."""
    path = environ.get("PATH_INFO") or "/"
    if path == "/":
        return PREFIX + "/" if _wants_binding_root(environ) else None
    first = path[1:].split("/", 1)[0]
    return PREFIX + path if first in ROOT_RESOURCES else None


class EpcisAtRoot:
    """WSGI middleware: the binding's root paths handed on under ``/epcis``."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        path = binding_path(environ)
        if path is not None:
            environ = {**environ, "PATH_INFO": path}
        return self.app(environ, start_response)

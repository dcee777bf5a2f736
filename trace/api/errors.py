"""The one mapping from exceptions to HTTP answers: JSON for the API, HTML for pages.

The JSON shape is an RFC 7807 problem, ``application/problem+json``: ``type`` (on the EPCIS
REST binding, the binding's exception, e.g. ``epcisException:ValidationException``; elsewhere
``about:blank``), ``title`` (the reason phrase), ``status`` (the integer), ``detail``,
``instance`` (the request's path); and, as extension members, what clients read before:
``code`` (= ``status``), ``message`` (= ``detail``) and ``errors``, the problems (JSONPath,
message, event index) when we know them.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template_string, request
from werkzeug.exceptions import HTTPException

from ..domain.errors import (
    Conflict,
    Forbidden,
    InvalidIdentifier,
    NotFound,
    Text,
    TooLarge,
    TraceError,
    Unauthenticated,
    Unavailable,
    ValidationFailed,
    in_language,
)

STATUS = {
    ValidationFailed: 400,
    InvalidIdentifier: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    Unavailable: 503,
}
# The reason phrases, as Texts so that `make messages` extracts them into api.po.
_PHRASES = {400: Text("Bad Request"), 401: Text("Unauthorized"), 403: Text("Forbidden"),
            404: Text("Not Found"), 409: Text("Conflict"), 413: Text("Payload Too Large"),
            415: Text("Unsupported Media Type"), 422: Text("Unprocessable Entity"),
            429: Text("Too Many Requests"), 502: Text("Bad Gateway"),
            503: Text("Service Unavailable")}
_PHRASES.update({405: Text("Method Not Allowed"), 406: Text("Not Acceptable"),
                 414: Text("URI Too Long"), 500: Text("Internal Server Error"),
                 501: Text("Not Implemented")})
PROBLEM_JSON = "application/problem+json"
EPCIS_PREFIX = "/epcis"
# The EPCIS REST binding's exception for an answer's status (see epcis_exception).
_EPCIS_TYPES = {401: "SecurityException", 403: "SecurityException",
                404: "NoSuchResourceException", 406: "NotAcceptableException",
                409: "ResourceAlreadyExistsException", 414: "URITooLongException",
                415: "UnsupportedMediaTypeException"}

_PAGE = """<!doctype html><html lang="{{ lang }}"><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{{ status }}</title>
<body style="font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">
<h1>{{ status }} {{ phrase }}</h1><p>{{ message }}</p></body></html>"""


def on_epcis_binding() -> bool:
    """Whether the request is one of the EPCIS REST binding's (served under ``/epcis``, and at
    the root through ``epcis_root``, which hands them on under ``/epcis``)."""
    path = request.path
    return path == EPCIS_PREFIX or path.startswith(EPCIS_PREFIX + "/")


def epcis_exception(status: int) -> str:
    """The problem ``type`` of an EPCIS answer: the binding's exception for ``status``.

    A 400 is a ``ValidationException`` for a document sent (capture) and a
    ``QueryParameterException`` for a query; a 413 is ``CaptureLimitExceededException`` for a
    capture and ``QueryTooLargeException`` for a query; 5xx are ``ImplementationException``.
    """
    sending = request.method in ("POST", "PUT")
    if status == 400:
        name = "ValidationException" if sending else "QueryParameterException"
    elif status == 413:
        name = "CaptureLimitExceededException" if sending else "QueryTooLargeException"
    elif status >= 500:
        name = "ImplementationException"
    else:
        name = _EPCIS_TYPES.get(status, "")
    return f"epcisException:{name}" if name else "about:blank"


def reader_language() -> str:
    """The language of the request's reader for error messages: the best of
    ``Accept-Language`` among ours, else English (the API's language before it had others)."""
    from ..present.i18n import negotiate

    return negotiate(None, request.accept_languages if request.headers.get(
        "Accept-Language") else None)


def api_catalogue(lang: str):
    """The ``api`` catalogue of ``lang`` (English, or none for that language: the ids)."""
    from babel.support import NullTranslations

    from ..present.i18n import translations

    try:
        return translations(lang, "api")
    except OSError:
        return NullTranslations()


def _translated(errors: list | dict | None, gettext) -> list | dict | None:
    if not isinstance(errors, list):
        return errors
    return [{**e, "message": in_language(e["message"], gettext)}
            if isinstance(e, dict) and isinstance(e.get("message"), str) else e for e in errors]


def problem(status: int, message: str, errors: list | dict | None = None,
            lang: str = "en") -> dict:
    """The RFC 7807 body of an error answer (see the module's docstring), in ``lang``."""
    gettext = api_catalogue(lang).gettext
    message = in_language(message, gettext)
    body: dict = {"type": epcis_exception(status) if on_epcis_binding() else "about:blank",
                  "title": in_language(_PHRASES.get(status, Text("Error")), gettext),
                  "status": status, "detail": message,
                  "instance": request.path, "code": status, "message": message}
    errors = _translated(errors, gettext)
    if errors:
        body["errors"] = errors
    return body


def _wants_json() -> bool:
    path = request.path
    if path.startswith(("/api/", "/epcis/")) or on_epcis_binding():
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json"


def error_response(status: int, message: str, errors: list | dict | None = None,
                   headers: dict | None = None):
    lang = reader_language()
    if _wants_json():
        response = current_app.json.response(problem(status, message, errors, lang))
        response.mimetype = PROBLEM_JSON
    else:
        gettext = api_catalogue(lang).gettext
        response = current_app.response_class(
            render_template_string(_PAGE, status=status, lang=lang,
                                   phrase=in_language(_PHRASES.get(status, ""), gettext),
                                   message=in_language(message, gettext)), mimetype="text/html")
    response.status_code = status
    response.headers["Content-Language"] = lang
    response.vary.add("Accept-Language")
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def _status(exc: TraceError) -> int:
    from ..anchor.errors import ChainError, ChainIdMismatch, ChainUnavailable, ContractMissing

    if isinstance(exc, ChainUnavailable | ChainIdMismatch | ContractMissing):
        return 503  # our chain is down or misconfigured: try again later
    if isinstance(exc, ChainError):
        return 502  # the chain answered something we cannot use
    return next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)


def _trace_error(exc: TraceError):
    status = _status(exc)
    headers = {"WWW-Authenticate": 'Bearer realm="tracechain"'} if status == 401 else None
    return error_response(status, exc.message, [p.as_dict() for p in exc.problems], headers)


def _http_error(exc: HTTPException):
    errors = None
    data = getattr(exc, "data", None)
    if isinstance(data, dict) and "messages" in data:  # webargs/marshmallow validation
        from .cooperative.blueprint import request_problems

        errors = [p.as_dict() for p in request_problems(data["messages"])]
    message = exc.description or exc.name
    if isinstance(data, dict) and data.get("message"):
        message = data["message"]
    return error_response(exc.code or 500, message, errors)


def _database_refused(exc: Exception):
    """The last line: a value the validation let through but the database cannot hold (a
    string longer than its column on PostgreSQL, a number beyond 64 bits). The transaction
    was rolled back, so nothing changed; the fix belongs in the validation, which names the
    field, but the caller gets a 400 rather than a 500 meanwhile."""
    current_app.logger.warning("database refused a value: %s", exc)
    return error_response(400, "a value is too long or too large to be stored", [
        {"path": "$", "message": str(getattr(exc, "orig", exc)).splitlines()[0]}])


def init_app(app: Flask) -> None:
    from sqlalchemy.exc import DataError

    app.register_error_handler(TraceError, _trace_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DataError, _database_refused)
    app.register_error_handler(OverflowError, _database_refused)  # SQLite: int beyond 64 bits

"""The Blueprint every /api/v1 resource uses: request validation errors are 400s in our shape.

webargs answers a body that fails its marshmallow schema with 422 and its own message layout.
Raising `ValidationFailed` instead sends it through the one error mapping (`api/errors.py`), so
a missing field looks like any other bad input: ``{code: 400, message, errors: [{path,
message}]}`` with JSONPaths into what the caller sent.
"""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from ...domain.errors import Problem, ValidationFailed
from ..auth import current_actor, writer

_LOCATIONS = {"json": "$", "query": "$.query", "querystring": "$.query", "path": "$.path",
              "view_args": "$.path", "form": "$", "json_or_form": "$", "headers": "$.headers"}


def _flatten(messages, path: str) -> list[Problem]:
    if isinstance(messages, dict):
        out = []
        for key, value in messages.items():
            step = f"[{key}]" if isinstance(key, int) or str(key).isdigit() else f".{key}"
            if key == "_schema":
                step = ""
            out.extend(_flatten(value, path + step))
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [Problem(path, m.rstrip(".")) for m in messages]
    if isinstance(messages, list):
        return [p for i, m in enumerate(messages) for p in _flatten(m, f"{path}[{i}]")]
    return [Problem(path, str(messages))]


def request_problems(messages) -> list[Problem]:
    """marshmallow/webargs error messages as Problems with JSONPaths."""
    if isinstance(messages, dict) and messages and set(messages) <= set(_LOCATIONS):
        return [p for loc, m in messages.items() for p in _flatten(m, _LOCATIONS[loc])]
    return _flatten(messages, "$")


class _Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400

    def handle_error(self, error: ma.ValidationError, req, schema, *, error_status_code,
                     error_headers):
        problems = request_problems(error.messages)
        first = problems[0] if problems else Problem("$", "invalid request")
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationFailed(f"invalid request: {first.path}: {first.message}{more}", problems)

    def _raw_load_json(self, req):
        """The body, parsed as the EPCIS capture parses it: orjson (numbers beyond 64 bits are
        malformed), and no deeper than the store can write back (nesting.MAX_DEPTH)."""
        from webargs import core
        from webargs.flaskparser import is_json_request

        from ...capture.document import parse_json
        from ..media import read_body

        if not is_json_request(req):
            return core.missing
        raw = read_body()
        return parse_json(raw) if raw.strip() else core.missing

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        raise ValidationFailed(f"malformed JSON: {error}", [Problem("$", str(error))])


def _authenticate() -> None:
    """Who is calling is settled before the body is read: 401 and 403 come before a 400."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        current_actor()
    else:
        writer()


class ApiBlueprint(Blueprint):
    """Every request is authenticated; reading needs any token, writing a member's or admin's."""

    ARGUMENTS_PARSER = _Parser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(_authenticate)

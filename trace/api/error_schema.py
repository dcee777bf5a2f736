"""The one error shape, as the OpenAPI description states it: an RFC 7807 problem
(``application/problem+json``: ``type``, ``title``, ``status``, ``detail``, ``instance``) that
keeps the members clients read before (``code``, ``message``, ``errors: [{path, message,
eventIndex?, eventID?}]``) as extension members (see ``errors.py``, which writes it)."""

from __future__ import annotations

import http

import marshmallow as ma
from flask_smorest import Api
from flask_smorest.utils import prepare_response

PROBLEM_JSON = "application/problem+json"


class ProblemSchema(ma.Schema):
    path = ma.fields.String(required=True, metadata={"description": "JSONPath into the request"})
    message = ma.fields.String(required=True)
    eventIndex = ma.fields.Integer(metadata={"description": "index in epcisBody.eventList"})
    eventID = ma.fields.String()


class ErrorSchema(ma.Schema):
    type = ma.fields.String(required=True, metadata={
        "description": "the problem type: an EPCIS exception (`epcisException:…`) on the EPCIS "
                       "REST binding, `about:blank` elsewhere"})
    title = ma.fields.String(required=True, metadata={"description": "short summary"})
    status = ma.fields.Integer(required=True, metadata={"description": "the HTTP status code"})
    detail = ma.fields.String(metadata={"description": "what went wrong, for this request"})
    instance = ma.fields.String(metadata={"description": "the path of the request"})
    code = ma.fields.Integer(required=True, metadata={
        "description": "the HTTP status code (as `status`; kept for older clients)"})
    message = ma.fields.String(required=True, metadata={
        "description": "as `detail` (kept for older clients)"})
    errors = ma.fields.List(ma.fields.Nested(ProblemSchema))


class ProblemApi(Api):
    """flask-smorest's Api, describing every error response as ``application/problem+json``."""

    ERROR_SCHEMA = ErrorSchema

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if not 100 <= status < 200 and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec,
                             PROBLEM_JSON if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

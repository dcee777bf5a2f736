"""The one error shape, as the OpenAPI description states it: ``{code, status, message,
errors: [{path, message, eventIndex?, eventID?}]}`` (see ``errors.py``, which writes it)."""

from __future__ import annotations

import marshmallow as ma


class ProblemSchema(ma.Schema):
    path = ma.fields.String(required=True, metadata={"description": "JSONPath into the request"})
    message = ma.fields.String(required=True)
    eventIndex = ma.fields.Integer(metadata={"description": "index in epcisBody.eventList"})
    eventID = ma.fields.String()


class ErrorSchema(ma.Schema):
    code = ma.fields.Integer(required=True, metadata={"description": "the HTTP status code"})
    status = ma.fields.String(required=True, metadata={"description": "its reason phrase"})
    message = ma.fields.String(required=True)
    errors = ma.fields.List(ma.fields.Nested(ProblemSchema))

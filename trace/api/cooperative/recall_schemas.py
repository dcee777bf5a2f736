"""Request and response bodies of recalls (camelCase on the wire)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...services.recalls import REASON_MAX, REASON_MIN


class RecallCreateSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=REASON_MIN,
                                                                   max=REASON_MAX),
                           metadata={"example": "Salmonella found in the retained sample"})


class RecallSchema(Schema):
    id = fields.Integer()
    uri = fields.String(metadata={"description": "the recalled lot's GS1 Digital Link"})
    gtin = fields.String(allow_none=True)
    lot = fields.String(allow_none=True)
    reason = fields.String()
    organisation_id = fields.Integer(data_key="organisationId", allow_none=True,
                                     metadata={"description": "who recalled it"})
    organisation_name = fields.String(data_key="organisationName", allow_none=True)
    created_at = fields.DateTime(data_key="createdAt")
    recorded_by = fields.Integer(data_key="recordedBy", allow_none=True,
                                 metadata={"description": "the user who recorded it"})
    active = fields.Boolean()
    lifted_at = fields.DateTime(data_key="liftedAt", allow_none=True)
    lifted_by = fields.Integer(data_key="liftedBy", allow_none=True)


class LotRecallsSchema(Schema):
    uri = fields.String()
    gtin = fields.String()
    lot = fields.String()
    recalled = fields.Boolean(metadata={
        "description": "an active recall covers this lot, its own or one of a lot it was made "
                       "from"})
    recalls = fields.List(fields.Nested(RecallSchema), metadata={
        "description": "this lot's own recalls, newest first, lifted ones included"})
    inherited = fields.List(fields.Nested(RecallSchema), metadata={
        "description": "active recalls of the lots this one was made from"})

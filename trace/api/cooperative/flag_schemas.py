"""Bodies of unusual-record flags (camelCase on the wire)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...services.lots.plausibility import NOTE_MAX, NOTE_MIN


class FlagQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(["open", "reviewed"]),
                           metadata={"description": "only open (not reviewed) or reviewed flags"})


class FlagNoteCreateSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=NOTE_MIN, max=NOTE_MAX),
                         metadata={"example": "Two plots were harvested into one lot by mistake"})


class FlagNoteSchema(Schema):
    text = fields.String()
    at = fields.String(metadata={"description": "when it was recorded (UTC)"})


class FlagSchema(Schema):
    id = fields.String(metadata={"example": "harvest-yield-42"})
    rule = fields.String(metadata={"description": "harvest-yield or transformation-yield"})
    eventID = fields.String(allow_none=True)
    organisationId = fields.Integer(allow_none=True)
    measured = fields.Float(metadata={"description": "t/ha in the season, or output/input"})
    low = fields.Float(allow_none=True)
    high = fields.Float()
    unit = fields.String()
    about = fields.String()
    explanation = fields.Nested(FlagNoteSchema, allow_none=True, metadata={
        "description": "the organisation's latest explanation"})
    review = fields.Nested(FlagNoteSchema, allow_none=True, metadata={
        "description": "an inspector's latest review"})
    status = fields.String(metadata={"description": "open, or reviewed by an inspector"})

"""Request and response bodies of the inspector's actions (issue #12; camelCase on the wire)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...domain.inspection_events import (
    KINDS,
    NOTE_MAX,
    REASON_MAX,
    REASON_MIN,
    RESULTS,
    SAMPLE_MAX,
)


class InspectionCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={
        "description": "inspection (bizStep inspecting), sample (sampling) or result "
                       "(inspecting, disposition conformant for pass, non_conformant for fail)"})
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_MAX))
    result = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(RESULTS))
    sampleId = fields.String(load_default="", validate=validate.Length(max=SAMPLE_MAX))
    report = fields.String(load_default=None, allow_none=True, metadata={
        "description": "SHA-256 of a lab report your authority uploaded "
                       "(POST /app/evidence... or the console's form): attached as tc:evidence"})


class InspectionRecordedSchema(Schema):
    eventID = fields.String(attribute="event_id")
    eventHash = fields.String(attribute="event_hash")
    kind = fields.String()


class HoldReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=REASON_MIN,
                                                                   max=REASON_MAX),
                           metadata={"example": "Aflatoxin above the limit in sample S-12"})


class HoldSchema(Schema):
    id = fields.Integer()
    gtin = fields.String(allow_none=True)
    lot = fields.String(allow_none=True)
    uri = fields.String()
    reason = fields.String()
    organisation = fields.String(allow_none=True)
    since = fields.DateTime()
    eventID = fields.String(attribute="event_id", allow_none=True)
    active = fields.Boolean()
    releasedAt = fields.DateTime(attribute="released_at", allow_none=True)
    releaseReason = fields.String(attribute="release_reason", allow_none=True)
    releaseEventID = fields.String(attribute="release_event_id", allow_none=True)


class AffectedSchema(Schema):
    uri = fields.String()
    kind = fields.String()
    gtin = fields.String(allow_none=True)
    lot = fields.String(allow_none=True)
    holder = fields.String(allow_none=True)
    inTransitTo = fields.String(attribute="in_transit_to", allow_none=True)
    thisLot = fields.Boolean(attribute="this_lot")

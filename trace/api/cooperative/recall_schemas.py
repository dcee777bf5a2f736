"""Request and response bodies of recalls (camelCase on the wire)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from ...domain.recall_notice import CLASSES, CONTACT_MAX, ORDERED_BY_MAX, TEXT_MAX
from ...services.lots.recalls import REASON_MAX, REASON_MIN

_TEXT: dict[str, Any] = {"validate": validate.Length(max=TEXT_MAX), "load_default": None,
                         "allow_none": True}


class RecallCreateSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=REASON_MIN,
                                                                   max=REASON_MAX),
                           metadata={"example": "Salmonella found in the retained sample"})
    recallClass = fields.String(load_default=None, allow_none=True,
                                validate=validate.OneOf(CLASSES), metadata={
        "description": "I: may cause serious illness (the default); II: temporary or minor "
                       "illness; III: unlikely to cause illness"})
    orderedBy = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=ORDERED_BY_MAX), metadata={
        "description": "who ordered it, as the consumer should read it (default: your "
                       "organisation's name)"})
    reasonVi = fields.String(**_TEXT, metadata={"description": "the reason in Vietnamese "
                                                               "(with reasonEn)"})
    reasonEn = fields.String(**_TEXT, metadata={"description": "the reason in English "
                                                               "(with reasonVi)"})
    actionVi = fields.String(**_TEXT, metadata={
        "description": "what the consumer should do, in Vietnamese (with actionEn)",
        "example": "Không sử dụng; mang sản phẩm trả lại nơi mua để được hoàn tiền."})
    actionEn = fields.String(**_TEXT, metadata={
        "description": "what the consumer should do, in English (with actionVi)",
        "example": "Do not use it; return it to the shop for a refund."})
    contact = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=CONTACT_MAX),
                            metadata={"example": "Hotline 0233 3 861 234"})


class RecallLiftSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=REASON_MIN,
                                                                   max=REASON_MAX),
                           metadata={"description": "why the recall is lifted (required since "
                                                    "issue #12; recorded in the lift's EPCIS "
                                                    "event)",
                                     "example": "Re-tested: Salmonella not detected"})


class RecallTextsSchema(Schema):
    vi = fields.String(allow_none=True)
    en = fields.String(allow_none=True)


class RecallNoticeSchema(Schema):
    recallClass = fields.String()
    orderedBy = fields.String(allow_none=True)
    byAuthority = fields.Boolean(metadata={"description": "an inspector or admin ordered it"})
    reasons = fields.Nested(RecallTextsSchema)
    actions = fields.Nested(RecallTextsSchema)
    contact = fields.String(allow_none=True)


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
    notice = fields.Nested(RecallNoticeSchema, metadata={
        "description": "what the consumer page says about it"})


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

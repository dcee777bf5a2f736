"""Request and response bodies of a product's resolver links (camelCase on the wire)."""

from __future__ import annotations

from marshmallow import Schema, fields


class LinkCreateSchema(Schema):
    link_type = fields.String(required=True, data_key="linkType", metadata={
        "description": "a GS1 Web vocabulary link type (https://ref.gs1.org/voc/), e.g. "
                       "`gs1:pip`, `gs1:instructions`, `gs1:certificationInfo`, "
                       "`gs1:recallStatus`", "example": "gs1:pip"})
    href = fields.String(required=True, metadata={
        "description": "where the link leads: an absolute https or http URL (at most 1000 "
                       "characters)", "example": "https://camlo.example/tieu-den"})
    title = fields.String(required=True, metadata={"description": "1-200 characters",
                                                   "example": "Tiêu đen Cam Lộ"})
    lot = fields.String(load_default=None, metadata={
        "description": "a lot of the product (AI 10, decoded) the link is for; none: the "
                       "product and all its lots"})
    language = fields.String(load_default=None, metadata={"description": "vi, en, en-GB...",
                                                          "example": "vi"})
    media_type = fields.String(data_key="mediaType", load_default=None,
                               metadata={"example": "text/html"})


class LinkSchema(Schema):
    id = fields.Integer()
    gtin = fields.String()
    lot = fields.String(allow_none=True)
    link_type = fields.String(data_key="linkType")
    href = fields.String()
    title = fields.String()
    language = fields.String(allow_none=True)
    media_type = fields.String(data_key="mediaType", allow_none=True)
    organisation_id = fields.Integer(data_key="organisationId")

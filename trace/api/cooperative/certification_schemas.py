"""Request and response bodies of certifications (camelCase on the wire)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

_GLN = {"description": "an organisation's GLN (13 digits)", "example": "8936100000010"}


class CertificationCreateSchema(Schema):
    scheme = fields.String(required=True, validate=validate.Length(min=1, max=100),
                           metadata={"example": "VietGAP"})
    code = fields.String(required=True, validate=validate.Length(min=1, max=100),
                         metadata={"description": "the certificate number",
                                   "example": "VG-QT-2024-0153"})
    issuer = fields.String(load_default=None, validate=validate.Length(max=200))
    valid_until = fields.Date(data_key="validUntil", load_default=None,
                              metadata={"description": "last day it is valid (ISO date); "
                                        "past it the consumer page stops showing it"})
    url = fields.Url(load_default=None, schemes={"http", "https"},
                     validate=validate.Length(max=500),
                     metadata={"description": "where the certificate can be checked"})
    organisation = fields.String(load_default=None, metadata={
        **_GLN, "description": "admins only: whose certificate; members record their own"})


class CertificationQuerySchema(Schema):
    organisation = fields.String(load_default=None, metadata={
        **_GLN, "description": "inspectors and admins: one organisation's only"})


class CertificationSchema(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer(data_key="organisationId")
    organisation_gln = fields.String(data_key="organisationGln")
    organisation_name = fields.String(data_key="organisationName")
    scheme = fields.String()
    code = fields.String()
    issuer = fields.String(allow_none=True)
    valid_until = fields.Date(data_key="validUntil", allow_none=True)
    url = fields.String(allow_none=True)
    expired = fields.Boolean(metadata={"description": "past validUntil: not on the consumer "
                                       "page"})
    self_declared = fields.Boolean(data_key="selfDeclared", metadata={
        "description": "no issuer, or the holder itself: the consumer page says "
                       "'self-declared'"})

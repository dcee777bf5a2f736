"""Request and response bodies of the cooperative steps (camelCase on the wire).

Types and presence are checked here; what depends on stored data (plots, product kinds, what is
left of a lot) is checked by the use cases, which the demo and the CLI call directly.
"""

from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate

from ...domain.products import MASS_UNITS, PROCESS_STEPS
from ...services.cooperative.logistics import TRANSACTION_TYPES, Transaction
from ...services.cooperative.step_recording import LotAmount
from ..fields import Id

_POSITIVE = validate.Range(min=0, min_inclusive=False)
_TIME = {"description": "when it happened, with its UTC offset (default: now, +07:00)",
         "example": "2025-03-10T07:30:00.000+07:00"}


class LotAmountSchema(Schema):
    gtin = fields.String(required=True, metadata={"example": "08936100010019"})
    lot = fields.String(required=True, validate=validate.Length(min=1, max=20))
    quantity = fields.Float(required=True, validate=_POSITIVE)
    unit = fields.String(load_default=None, validate=validate.OneOf(list(MASS_UNITS)),
                         metadata={"description": "UN/ECE Rec 20 code; default KGM"})

    @post_load
    def _make(self, data, **_):
        return LotAmount(**data)


class OptionalAmountSchema(LotAmountSchema):
    """Shipping and receiving may name whole lots, without a quantity."""

    quantity = fields.Float(load_default=None, validate=_POSITIVE)


class TransactionSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(TRANSACTION_TYPES))
    id = fields.String(required=True, validate=validate.Length(min=1, max=200),
                       metadata={"description": "document number (or a URI)"})

    @post_load
    def _make(self, data, **_):
        return Transaction(**data)


class HarvestSchema(Schema):
    plot_id = Id(data_key="plotId", required=True)
    gtin = fields.String(required=True)
    lot = fields.String(required=True, validate=validate.Length(min=1, max=20))
    quantity = fields.Float(required=True, validate=_POSITIVE)
    unit = fields.String(load_default=None, validate=validate.OneOf(list(MASS_UNITS)))
    harvest_date = fields.Date(data_key="harvestDate", load_default=None)
    variety = fields.String(load_default=None)
    attributes = fields.Dict(keys=fields.String(), load_default=dict)
    event_time = fields.AwareDateTime(data_key="eventTime", load_default=None, metadata=_TIME)


class TransformationSchema(Schema):
    process = fields.String(required=True, validate=validate.OneOf(list(PROCESS_STEPS)))
    inputs = fields.List(fields.Nested(LotAmountSchema), required=True,
                         validate=validate.Length(min=1))
    outputs = fields.List(fields.Nested(LotAmountSchema), required=True,
                          validate=validate.Length(min=1))
    attributes = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "attributes of the outputs, e.g. {\"moisture_pct\": 12.5}"})
    event_time = fields.AwareDateTime(data_key="eventTime", load_default=None, metadata=_TIME)


class PackingSchema(Schema):
    sscc = fields.String(required=True, metadata={"example": "389361000000000012"})
    lots = fields.List(fields.Nested(LotAmountSchema), required=True,
                       validate=validate.Length(min=1))
    event_time = fields.AwareDateTime(data_key="eventTime", load_default=None, metadata=_TIME)


class UnpackingSchema(Schema):
    sscc = fields.String(required=True)
    lots = fields.List(fields.Nested(OptionalAmountSchema), load_default=list,
                       metadata={"description": "what to take out; none: everything"})
    event_time = fields.AwareDateTime(data_key="eventTime", load_default=None, metadata=_TIME)


class _MovementSchema(Schema):
    lots = fields.List(fields.Nested(OptionalAmountSchema), load_default=list)
    ssccs = fields.List(fields.String(), load_default=list)
    transactions = fields.List(fields.Nested(TransactionSchema), load_default=list)
    event_time = fields.AwareDateTime(data_key="eventTime", load_default=None, metadata=_TIME)


class ShipmentSchema(_MovementSchema):
    to_gln = fields.String(data_key="toGln", required=True,
                           metadata={"description": "the receiving organisation's GLN"})


class ReceiptSchema(_MovementSchema):
    pass


class StepResultSchema(Schema):
    event_id = fields.String(data_key="eventID")
    event_hash = fields.String(data_key="eventHash",
                               metadata={"description": "CBV 2.0 event hash (ni:///sha-256;…)"})
    event = fields.Dict(metadata={"description": "the EPCIS 2.0 event as GET /epcis/events "
                                  "returns it"})

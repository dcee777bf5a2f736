"""Request and response bodies of serialised items and label sheets (camelCase on the wire)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...present import label_pdf as drawing
from ...present import qr
from ...services.cooperative.label_sheets import MAX_LABELS, MAX_NET_TEXT
from ...services.cooperative.serials import MAX_SERIALS
from ..fields import Count

_TIME = {"description": "when the items were commissioned, with its UTC offset (default: now, "
         "+07:00)", "example": "2025-03-20T08:00:00.000+07:00"}


class MintSchema(Schema):
    count = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_SERIALS),
                           metadata={"description": f"how many items, 1 to {MAX_SERIALS}",
                                     "example": 500})
    event_time = fields.AwareDateTime(data_key="eventTime", load_default=None, metadata=_TIME)


class SerialSchema(Schema):
    serial = fields.String(metadata={"example": "7KD3MNPQRS"})
    uri = fields.String(metadata={"description": "canonical GS1 Digital Link of the item"})
    link = fields.String(metadata={"description": "its Digital Link on this resolver: what "
                                   "the QR code holds"})
    event_id = fields.String(data_key="eventID", metadata={
        "description": "the commissioning event that minted it"})


class SerialsSchema(Schema):
    gtin = fields.String()
    lot = fields.String()
    count = fields.Integer()
    event_id = fields.String(data_key="eventID", allow_none=True, metadata={
        "description": "minting: the commissioning event recorded (listing: null)"})
    event_hash = fields.String(data_key="eventHash", allow_none=True, metadata={
        "description": "minting: its CBV 2.0 event hash (listing: null)"})
    serials = fields.List(fields.Nested(SerialSchema))


def _mm(bounds: tuple[float, float], default: float, what: str, **kwargs):
    low, high = bounds
    return fields.Float(load_default=default, validate=validate.Range(low, high), metadata={
        "description": f"{what}, {low:g} to {high:g} mm (default {default:g})"}, **kwargs)


class LabelQuerySchema(Schema):
    width = _mm(drawing.WIDTHS, drawing.DEFAULT_WIDTH, "label width")
    height = _mm(drawing.HEIGHTS, drawing.DEFAULT_HEIGHT, "label height")
    gap_x = _mm(drawing.GAPS, 0.0, "gap between columns", data_key="gapX")
    gap_y = _mm(drawing.GAPS, 0.0, "gap between rows", data_key="gapY")
    count = fields.Integer(load_default=None, validate=validate.Range(1, MAX_LABELS), metadata={
        "description": "copies of the lot's label (default: one page); with serials=true, at "
                       f"most this many serials (at most {MAX_LABELS} labels per PDF)"})
    serials = fields.Boolean(load_default=False, metadata={
        "description": "one label per minted serial (the item's Digital Link) instead"})
    start = Count(load_default=0, metadata={
        "description": "serials=true: index of the first serial printed (in minting order)"})
    ec = fields.String(load_default="M", validate=validate.OneOf(list(qr.ERROR_CORRECTION)),
                       metadata={"description": "QR error correction: L 7%, M 15%, Q 25%, H 30%"})
    net = fields.String(load_default=None, validate=validate.Length(1, MAX_NET_TEXT), metadata={
        "description": "net weight of one bag or item, e.g. '500 g' (default: none printed; "
                       "never the whole lot's quantity)", "example": "500 g"})
    best_before = fields.Date(load_default=None, data_key="bestBefore", metadata={
        "description": "best-before date printed on each label (not before the lot's date)",
        "example": "2026-12-31"})
    lang = fields.String(load_default=None, validate=validate.OneOf(["vi", "en"]), metadata={
        "description": "print dates in this reader's format (vi: 31/12/2026, en: 1 Mar 2026) "
                       "and write the link under the rest; unset: ISO dates, no link text"})

"""The steps cooperatives log. Each answers 201 with the recorded EPCIS event and its hash;
the event is stored like any capture, so GET /epcis/events returns it too."""

from __future__ import annotations

from flask import request

from ...services.cooperative import logistics, submissions
from ...services.cooperative import lot_making as steps
from ..auth import writer
from ..deps import capture_settings, uow
from .blueprint import ApiBlueprint
from .step_schemas import (
    HarvestSchema,
    PackingSchema,
    ReceiptSchema,
    ShipmentSchema,
    StepResultSchema,
    TransformationSchema,
    UnpackingSchema,
)

# Exactly once (docs/console/RECORDING.md): a retry with the same key stores nothing new and is
# answered 200 with the first sending's event.
IDEMPOTENCY = {"in": "header", "name": "Idempotency-Key", "required": False,
               "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{8,100}$"},
               "description": "A key you make for this step (a UUID). Sent again with the same "
                              "key (a retry after a lost answer), the step is not recorded "
                              "twice: the answer is 200 with the event the first sending "
                              "recorded. A refused sending stores nothing, so its key may be "
                              "sent again. A key another user already used: 409."}


def _once(kind: str, do):
    actor = writer()
    outcome = submissions.once(actor, request.headers.get("Idempotency-Key"), kind, "", do,
                               uow())
    result = submissions.recorded_step(actor, outcome, uow())
    return (result, 200) if outcome.repeated else result


blp = ApiBlueprint("steps", __name__, url_prefix="/api/v1",
                   description="Cooperative steps, recorded as EPCIS 2.0 events")


@blp.route("/harvests", methods=["POST"])
@blp.arguments(HarvestSchema)
@blp.response(201, StepResultSchema)
@blp.doc(parameters=[IDEMPOTENCY])
def harvest(args):
    """Log a harvest batch from one of your plots (a new lot, commissioned)."""
    return _once("harvest", lambda: steps.record_harvest(
        steps.Harvest(**args), writer(), capture_settings(), uow()))


@blp.route("/transformations", methods=["POST"])
@blp.arguments(TransformationSchema)
@blp.response(201, StepResultSchema)
@blp.doc(parameters=[IDEMPOTENCY])
def transformation(args):
    """Log a process step (drying, grading, hulling, roasting...): input lots to new lots."""
    return _once("transformation", lambda: steps.record_transformation(
        steps.Transformation(**args), writer(), capture_settings(), uow()))


@blp.route("/packings", methods=["POST"])
@blp.arguments(PackingSchema)
@blp.response(201, StepResultSchema)
@blp.doc(parameters=[IDEMPOTENCY])
def packing(args):
    """Pack lots into a logistic unit named by its SSCC."""
    return _once("packing", lambda: logistics.record_packing(
        logistics.Packing(**args), writer(), capture_settings(), uow()))


@blp.route("/unpackings", methods=["POST"])
@blp.arguments(UnpackingSchema)
@blp.response(201, StepResultSchema)
@blp.doc(parameters=[IDEMPOTENCY])
def unpacking(args):
    """Take lots (or everything) out of a logistic unit."""
    return _once("unpacking", lambda: logistics.record_unpacking(
        logistics.Unpacking(**args), writer(), capture_settings(), uow()))


@blp.route("/shipments", methods=["POST"])
@blp.arguments(ShipmentSchema)
@blp.response(201, StepResultSchema)
@blp.doc(parameters=[IDEMPOTENCY])
def shipment(args):
    """Ship lots or logistic units to another organisation (in transit until received)."""
    return _once("shipment", lambda: logistics.record_shipment(
        logistics.Shipment(**args), writer(), capture_settings(), uow()))


@blp.route("/receipts", methods=["POST"])
@blp.arguments(ReceiptSchema)
@blp.response(201, StepResultSchema)
@blp.doc(parameters=[IDEMPOTENCY])
def receipt(args):
    """Receive goods shipped to your organisation: they move into its custody."""
    return _once("receipt", lambda: logistics.record_receipt(
        logistics.Receipt(**args), writer(), capture_settings(), uow()))

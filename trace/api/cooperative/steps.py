"""The steps cooperatives log. Each answers 201 with the recorded EPCIS event and its hash;
the event is stored like any capture, so GET /epcis/events returns it too."""

from __future__ import annotations

from ...services.cooperative import logistics
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

blp = ApiBlueprint("steps", __name__, url_prefix="/api/v1",
                   description="Cooperative steps, recorded as EPCIS 2.0 events")


@blp.route("/harvests", methods=["POST"])
@blp.arguments(HarvestSchema)
@blp.response(201, StepResultSchema)
def harvest(args):
    """Log a harvest batch from one of your plots (a new lot, commissioned)."""
    return steps.record_harvest(steps.Harvest(**args), writer(), capture_settings(), uow())


@blp.route("/transformations", methods=["POST"])
@blp.arguments(TransformationSchema)
@blp.response(201, StepResultSchema)
def transformation(args):
    """Log a process step (drying, grading, hulling, roasting...): input lots to new lots."""
    return steps.record_transformation(steps.Transformation(**args), writer(),
                                       capture_settings(), uow())


@blp.route("/packings", methods=["POST"])
@blp.arguments(PackingSchema)
@blp.response(201, StepResultSchema)
def packing(args):
    """Pack lots into a logistic unit named by its SSCC."""
    return logistics.record_packing(logistics.Packing(**args), writer(), capture_settings(),
                                    uow())


@blp.route("/unpackings", methods=["POST"])
@blp.arguments(UnpackingSchema)
@blp.response(201, StepResultSchema)
def unpacking(args):
    """Take lots (or everything) out of a logistic unit."""
    return logistics.record_unpacking(logistics.Unpacking(**args), writer(),
                                      capture_settings(), uow())


@blp.route("/shipments", methods=["POST"])
@blp.arguments(ShipmentSchema)
@blp.response(201, StepResultSchema)
def shipment(args):
    """Ship lots or logistic units to another organisation (in transit until received)."""
    return logistics.record_shipment(logistics.Shipment(**args), writer(), capture_settings(),
                                     uow())


@blp.route("/receipts", methods=["POST"])
@blp.arguments(ReceiptSchema)
@blp.response(201, StepResultSchema)
def receipt(args):
    """Receive goods shipped to your organisation: they move into its custody."""
    return logistics.record_receipt(logistics.Receipt(**args), writer(), capture_settings(),
                                    uow())

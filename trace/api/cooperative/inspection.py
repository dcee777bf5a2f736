"""The inspector's actions (issue #12, docs/inspector/ACTIONS.md): inspection records, holds and
their release, and what a recall of a lot reaches. The services ask ``domain.policy``: members
get a 403 (only inspectors and admins record these)."""

from __future__ import annotations

from flask.views import MethodView

from ...domain.inspection_events import InspectionFacts
from ...services.inspection import holds, inspection_records, recall_impact
from ..auth import current_actor
from ..deps import acting_organisation, keyring, uow
from .inspection_schemas import (
    AffectedSchema,
    HoldReasonSchema,
    HoldSchema,
    InspectionCreateSchema,
    InspectionRecordedSchema,
)
from .recalls import AnyCallerBlueprint

blp = AnyCallerBlueprint("inspection", __name__, url_prefix="/api/v1/inspect/lots",
                         description="The inspector's actions: inspections, samples, results, "
                                     "holds and their release")


@blp.route("/<gtin>/<path:lot>/inspections", methods=["POST"])
@blp.arguments(InspectionCreateSchema)
@blp.response(201, InspectionRecordedSchema)
def record_inspection(args, gtin: str, lot: str):
    """Record an inspection, a sample taken or a result (inspectors, admins)."""
    facts = InspectionFacts(args["kind"], args["note"], args["result"], args["sampleId"])
    return inspection_records.record_inspection(
        gtin, lot, facts, acting_organisation(current_actor()), uow(), keyring(),
        report_sha256=args["report"])


@blp.route("/<gtin>/<path:lot>/hold")
class LotHold(MethodView):
    @blp.arguments(HoldReasonSchema)
    @blp.response(201, HoldSchema)
    def post(self, args, gtin: str, lot: str):
        """Put the lot (and every lot made from it) on hold (inspectors, admins)."""
        return holds.hold_lot(gtin, lot, args["reason"], acting_organisation(current_actor()),
                              uow(), keyring())


@blp.route("/<gtin>/<path:lot>/release", methods=["POST"])
@blp.arguments(HoldReasonSchema)
@blp.response(200, HoldSchema)
def release(args, gtin: str, lot: str):
    """Release the lot's active hold; a reason is required (inspectors, admins)."""
    return holds.release_hold(gtin, lot, args["reason"], acting_organisation(current_actor()),
                              uow(), keyring())


@blp.route("/<gtin>/<path:lot>/holds", methods=["GET"])
@blp.response(200, HoldSchema(many=True))
def lot_holds(gtin: str, lot: str):
    """The lot's holds, released ones included (inspectors, admins)."""
    return holds.lot_holds(gtin, lot, current_actor(), uow())


@blp.route("/<gtin>/<path:lot>/affected", methods=["GET"])
@blp.response(200, AffectedSchema(many=True))
def affected(gtin: str, lot: str):
    """The lot and every lot and container a recall or hold of it reaches, with where each is."""
    return recall_impact.affected_lots(gtin, lot, current_actor(), uow())

"""Recalling a lot, lifting the recall, and a lot's recall history.

Inspectors may recall (authorities order recalls) though they record nothing else, so this
blueprint authenticates every method with `current_actor()` instead of `ApiBlueprint`'s
`writer()` for writes; the service decides who may recall which lot.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from ...services.lots import recalls
from ..auth import current_actor
from ..deps import acting_organisation, keyring, uow
from .blueprint import ApiBlueprint
from .recall_schemas import LotRecallsSchema, RecallCreateSchema, RecallLiftSchema, RecallSchema


def _authenticate() -> None:
    """Who is calling is settled before the body is read: a 401 comes before a 400."""
    current_actor()


class AnyCallerBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiBlueprint.ARGUMENTS_PARSER  # body errors as 400s in our shape

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(_authenticate)


blp = AnyCallerBlueprint("recalls", __name__, url_prefix="/api/v1/lots",
                          description="Recalls: a lot called back, with everything made from it")


@blp.route("/<gtin>/<path:lot>/recall")
class LotRecall(MethodView):
    @blp.arguments(RecallCreateSchema)
    @blp.response(201, RecallSchema)
    def post(self, args, gtin: str, lot: str):
        """Recall a lot, and so every lot made from it (holder, maker, inspectors, admins)."""
        reason = args.pop("reason")
        return recalls.recall_lot(gtin, lot, reason, acting_organisation(current_actor()), uow(),
                                  notice=args, keyring=keyring())

    @blp.arguments(RecallLiftSchema, location="query", as_kwargs=True)
    @blp.response(200, RecallSchema)
    def delete(self, gtin: str, lot: str, reason: str | None = None):
        """Lift the lot's active recall; it stays in the lot's history. ``reason`` (required)
        is recorded in the lift's EPCIS event."""
        return recalls.lift_recall(gtin, lot, acting_organisation(current_actor()), uow(),
                                   reason=reason, keyring=keyring())


@blp.route("/<gtin>/<path:lot>/recalls", methods=["GET"])
@blp.response(200, LotRecallsSchema)
def lot_recalls(gtin: str, lot: str):
    """The lot's recalls, lifted ones included, and the active recalls of what it was made
    from."""
    return recalls.lot_recalls(gtin, lot, current_actor(), uow())

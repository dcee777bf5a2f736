"""What organisations hold: their lots and what is left of each."""

from __future__ import annotations

from ...services.lots.stock import get_lot, list_lots
from ..auth import current_actor
from ..deps import uow
from .blueprint import ApiBlueprint
from .schemas import LotSchema

blp = ApiBlueprint("stock", __name__, url_prefix="/api/v1/lots",
                   description="Lots and what is left of them")


@blp.route("", methods=["GET"])
@blp.response(200, LotSchema(many=True))
def lots():
    """The lots your organisation holds (inspectors and admins: every lot)."""
    return list_lots(current_actor(), uow())


@blp.route("/<gtin>/<path:lot>", methods=["GET"])
@blp.response(200, LotSchema)
def lot(gtin: str, lot: str):
    """One lot: product, quantity and what is left, holder, container and plot."""
    return get_lot(gtin, lot, current_actor(), uow())

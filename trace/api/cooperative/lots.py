"""Lots and their lineage."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from ...services.lineage import trace_lot
from ..auth import current_actor
from ..deps import uow

blp = Blueprint("lots", __name__, url_prefix="/api/v1/lots", description="Lots and lineage")


@blp.route("/<gtin>/<path:lot>/trace", methods=["GET"])
@blp.doc(parameters=[{"name": "direction", "in": "query", "required": False,
                      "schema": {"type": "string", "enum": ["back", "forward"],
                                 "default": "back"}}])
def trace(gtin: str, lot: str):
    """The lineage graph of a lot: lots, events, organisations and plots, to any depth."""
    actor = current_actor()
    return trace_lot(gtin, lot, request.args.get("direction", "back"), actor, uow())

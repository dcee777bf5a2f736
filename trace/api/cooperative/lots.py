"""Lots and their lineage."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from ...services.lots.lineage import trace_lot
from ..auth import current_actor
from ..deps import uow

blp = Blueprint("lots", __name__, url_prefix="/api/v1/lots", description="Lots and lineage")
_LIST = {"type": "array", "items": {"type": "object"}}
_GRAPH = {"type": "object", "required": ["root", "direction", "lots", "links", "events",
                                         "organisations", "plots"],
          "properties": {"root": {"type": "object", "properties": {
              "gtin": {"type": "string"}, "lot": {"type": "string"}, "uri": {"type": "string"}}},
              "direction": {"type": "string", "enum": ["back", "forward"]},
              "lots": _LIST, "links": _LIST, "events": _LIST, "organisations": _LIST,
              "plots": _LIST}}


@blp.route("/<gtin>/<path:lot>/trace", methods=["GET"])
@blp.doc(parameters=[{"name": "direction", "in": "query", "required": False,
                      "schema": {"type": "string", "enum": ["back", "forward"],
                                 "default": "back"}}],
         responses={"200": {"description": "The lineage graph", "content": {
             "application/json": {"schema": _GRAPH}}},
             "400": {"description": "Not a GTIN, or an unknown direction"},
             "403": {"description": "Your organisation has no part in this lineage"},
             "404": {"description": "No such lot"}})
def trace(gtin: str, lot: str):
    """The lineage graph of a lot: lots, events, organisations and plots, to any depth."""
    actor = current_actor()
    return trace_lot(gtin, lot, request.args.get("direction", "back"), actor, uow())

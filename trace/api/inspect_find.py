"""The JSON twin of the inspector's lot search (issue #12, docs/inspector/FIND.md):
``GET /api/v1/inspect/lots`` with the console page's filters, for machines. Inspectors and
admins only; errors in the API's one shape (``{code, message, errors: [{path, message}]}``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields

from ..domain.viewer_time import zone
from ..services.inspection import find_lots
from .auth import current_actor
from .cooperative.recalls import AnyCallerBlueprint
from .deps import uow

blp = AnyCallerBlueprint("inspect", __name__, url_prefix="/api/v1/inspect",
                         description="Inspectors: find any lot (issue #12)")


def _text(description: str, **extra: Any) -> fields.String:
    return fields.String(load_default=None, metadata={"description": description, **extra})


class LotSearchQuerySchema(Schema):
    """Every filter is optional; texts match as literal, case-insensitive substrings. Checked
    by the use case (``services.inspection.find_lots.read_query``), as the console page is."""

    gtin = _text("GTIN-8/12/13/14 (check digit verified)")
    code = _text("part of the lot code (case-insensitive; % and _ are literal)",
                 example="g550")
    organisation = _text("organisation id: holds the lot or recorded the event that made it")
    farmer = _text("part of the farmer's name (harvest lots)")
    plot = _text("part of the plot's code (harvest lots)")
    place = _text("part of the commune or province (harvest lots)")
    product = _text("GTIN-14 of a registered product")
    event_type = _text("an event naming the lot is of this type",
                       enum=list(find_lots.EVENT_TYPES))
    biz_step = _text("an event naming the lot has this CBV business step (word or URI)")
    from_ = fields.String(data_key="from", load_default=None, metadata={
        "description": "an event naming the lot at or after: a date (Vietnam's time) or an "
                       "instant with its offset"})
    to = _text("... and before: a date (its whole day included) or an instant with its offset")
    sort = _text("sort key", enum=list(find_lots.SORTS))
    order = _text("asc or desc", enum=["asc", "desc"])
    page = _text("page, from 1")
    limit = _text(f"results per page, 1 to {find_lots.MAX_LIMIT} (default 50)")


class FoundLotSchema(Schema):
    gtin = fields.String()
    lot = fields.String(attribute="code")
    uri = fields.String(metadata={"description": "the lot's GS1 Digital Link"})
    dossier = fields.String(metadata={"description": "the dossier page on the console"})
    product = fields.Method("_product")
    holder = fields.String(allow_none=True)
    inTransitTo = fields.String(attribute="in_transit_to", allow_none=True)
    quantity = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    firstEventTime = fields.Method("_first", metadata={"description": "ISO 8601, UTC"})
    lastEventTime = fields.Method("_last", metadata={"description": "ISO 8601, UTC"})
    recalled = fields.Boolean()
    held = fields.Boolean()

    def _product(self, lot: find_lots.FoundLot) -> dict[str, str | None]:
        return {"vi": lot.product_vi, "en": lot.product_en}

    def _first(self, lot: find_lots.FoundLot) -> str | None:
        return _iso(lot.first)

    def _last(self, lot: find_lots.FoundLot) -> str | None:
        return _iso(lot.last)


def _iso(value: datetime | None) -> str | None:
    from ..services.verification.records import utc_iso

    return utc_iso(value)


class LotSearchSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()
    perPage = fields.Integer(attribute="per_page")
    order = fields.String(metadata={"description": "the sort key, then the lot's row id: "
                                                   "pages are stable"})
    lots = fields.List(fields.Nested(FoundLotSchema))


@blp.route("/lots")
class Lots(MethodView):
    @blp.arguments(LotSearchQuerySchema, location="query")
    @blp.response(200, LotSearchSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Find lots (inspectors and admins): the console's lot search, as JSON."""
        actor = current_actor()
        from ..domain import policy

        policy.require_search_everything(actor)  # a 403 before any 400
        raw = {("from" if k == "from_" else k): v for k, v in args.items() if v is not None}
        query, page = find_lots.read_query(raw, zone(None))
        found = find_lots.find_lots(actor, query, page, uow())
        return {"total": found.total, "page": found.page, "pages": found.pages,
                "per_page": found.per_page,
                "order": f"{query.sort} {'desc' if query.descending else 'asc'}, then id",
                "lots": found.lots}

"""Unusual records: what the plausibility rules flag, and what people said about them.

Members see their organisation's flags and explain them; inspectors and admins see every flag
and review them. Inspectors write nothing else, so like recalls this blueprint authenticates
every method with ``current_actor()``; the service decides who may note on which flag.
"""

from __future__ import annotations

from flask.views import MethodView

from ...services.lots import plausibility
from ..auth import current_actor
from ..deps import plausibility_limits, uow
from .flag_schemas import FlagNoteCreateSchema, FlagQuerySchema, FlagSchema
from .recalls import AnyCallerBlueprint

blp = AnyCallerBlueprint("flags", __name__, url_prefix="/api/v1/flags",
                         description="Unusual harvests and transformations (not refusals)")


@blp.route("")
class Flags(MethodView):
    @blp.arguments(FlagQuerySchema, location="query")
    @blp.response(200, FlagSchema(many=True))
    def get(self, args):
        """Unusual records: your organisation's (inspectors and admins: everyone's)."""
        return plausibility.list_flags(current_actor(), plausibility_limits(), uow(),
                                       args["status"])


@blp.route("/<flag_id>/notes", methods=["POST"])
@blp.arguments(FlagNoteCreateSchema)
@blp.response(201, FlagSchema)
def add_note(args, flag_id: str):
    """Explain a flag (its organisation) or review it (inspectors, admins); a reviewed flag no
    longer keeps the consumer page's headline from being green."""
    return plausibility.add_note(flag_id, args["text"], current_actor(), plausibility_limits(),
                                 uow())

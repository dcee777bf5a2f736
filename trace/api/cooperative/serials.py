"""Serialised items of a lot: mint serial numbers (one commissioning event), list them."""

from __future__ import annotations

from flask.views import MethodView

from ...services.cooperative import serials
from ..auth import current_actor, writer
from ..deps import capture_settings, settings, uow
from .blueprint import ApiBlueprint
from .serial_schemas import MintSchema, SerialsSchema

blp = ApiBlueprint("serials", __name__, url_prefix="/api/v1/lots",
                   description="Serialised items of a lot (GS1 AI 21), each with its own QR code")


@blp.route("/<gtin>/<path:lot>/serials")
class LotSerials(MethodView):
    @blp.arguments(MintSchema)
    @blp.response(201, SerialsSchema)
    def post(self, args, gtin: str, lot: str):
        """Mint `count` serialised items of a lot your organisation holds (1 to 10,000 a call).

        Records one EPCIS ObjectEvent (ADD, bizStep commissioning) listing the items' Digital
        Links `/01/<GTIN-14>/21/<serial>`, its ILMD naming the lot (`cbvmda:lotNumber`); the
        items trace back through the lot's lineage. Serials are 10 random characters
        (2-9, A-Z without I, L, O): unguessable, so labels cannot be cloned by counting.
        """
        return serials.mint_serials(serials.Minting(gtin, lot, **args), writer(),
                                    capture_settings(), settings().public_base_url,
                                    uow())

    @blp.response(200, SerialsSchema)
    def get(self, gtin: str, lot: str):
        """The serialised items minted of a lot, in the order minted."""
        return serials.list_serials(gtin, lot, current_actor(),
                                    settings().public_base_url, uow())

"""What anyone may download without an account: the audit pack behind a consumer page.

A consumer page's verdict is only worth something if anyone can check it without us, so the
proofs it rests on are public: the lot's lineage back to the farms (never forward: where a lot
went after is the buyers' business), each event's hash with its signature or capture seal,
Merkle proof and anchoring transaction, and each lot's history against the anchored lot state.
The events' content (order numbers, quantities of intermediate lots, partners' data) is not:
the public pack shows of each event only what the consumer page shows (its kind, step and
time); members and inspectors download the full pack.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from ..domain.errors import NotFound
from ..services.verification.audit_pack import audit_pack
from .cooperative.blueprint import ApiBlueprint
from .deps import chain_reader, uow, verification_caches
from .enumeration import budget, client_address
from .errors import error_response
from .verification import pack_download

# Not an ApiBlueprint: no token needed. Its argument parser still answers 400 in our shape.
blp = Blueprint("public", __name__, url_prefix="/api/v1/public",
                description="Public downloads behind the consumer pages (no token)")
blp.ARGUMENTS_PARSER = ApiBlueprint.ARGUMENTS_PARSER


@blp.route("/lots/<gtin>/<path:lot>/audit-pack", methods=["GET"])
@blp.doc(security=[], responses={
    "200": {"description": "The audit pack of the lot's lineage back to the farms; check it "
                           "with `tracechain verify-pack FILE --rpc URL`"},
    "400": {"description": "A malformed GTIN"}, "404": {"description": "No such lot"},
    "429": {"description": "Too many unknown lots looked up from your address; see "
                           "Retry-After"}})
def public_audit_pack(gtin: str, lot: str):
    """Download the records behind a lot's consumer page, to check them without us."""
    wait = budget().retry_after(client_address())
    if wait is not None:
        return error_response(429, "too many unknown codes looked up from your address; try "
                              f"again in {wait} s", headers={"Retry-After": str(wait),
                                                             "Access-Control-Allow-Origin": "*"})
    try:
        pack = audit_pack(gtin, lot, uow(), direction="back", caches=verification_caches(),
                          reader=chain_reader(), view="public")
    except NotFound:
        budget().charge(client_address())  # enumeration shows as unknown lots
        raise
    response = pack_download(pack)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response

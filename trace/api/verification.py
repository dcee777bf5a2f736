"""Verification: proofs, verdicts and audit packs (/api/v1).

Inspectors and admins may check anything; members, the events and lineages their organisation
takes part in. The chain reader is the one ``create_app`` configured
(``app_services().chain_reader``); without one, answers say "no chain configured".
"""

from __future__ import annotations

import re

from flask import jsonify
from marshmallow import Schema, fields, validate

from ..services.verification.audit_pack import audit_pack
from ..services.verification.records import DIRECTIONS
from ..services.verification.verdicts import (
    event_proof,
    require_event_access,
    require_lot_access,
    verify_event,
    verify_lot,
)
from .auth import current_actor
from .cooperative.blueprint import ApiBlueprint
from .deps import chain_reader, uow, verification_caches

blp = ApiBlueprint("verification", __name__, url_prefix="/api/v1",
                   description="Verify records: event hashes, signatures, Merkle proofs, anchors")



class DeclarationSchema(Schema):
    errorDeclaration = fields.Boolean(load_default=False, metadata={  # noqa: N815 (wire name)
        "description": "answer for the event's error declaration (which shares its eventID) "
                       "instead of the event"})


class FreshSchema(DeclarationSchema):
    fresh = fields.Boolean(load_default=False, metadata={
        "description": "ask the chain now, instead of trusting our record of confirmed anchors"})


class LotVerifySchema(FreshSchema):
    direction = fields.String(load_default="back", validate=validate.OneOf(DIRECTIONS), metadata={
        "description": "back: where it came from; forward: where it went; both"})


class DirectionSchema(Schema):
    direction = fields.String(load_default="back", validate=validate.OneOf(DIRECTIONS))


def blueprints() -> list:
    return [blp]


@blp.route("/events/<path:event_id>/proof", methods=["GET"])
@blp.arguments(DeclarationSchema, location="query")
@blp.doc(responses={"200": {"description": "The event, its hash, signature, Merkle proof and "
                            "anchoring transaction"},
                    "404": {"description": "No such event (or declaration), or not visible to "
                                           "you"}})
def proof(args, event_id: str):
    """Everything needed to check one event yourself (URL-encode `?` in hash eventIDs)."""
    declaration = args["errorDeclaration"]
    require_event_access(event_id, current_actor(), uow(), declaration=declaration)
    return jsonify(event_proof(event_id, uow(), caches=verification_caches(),
                               declaration=declaration))


@blp.route("/verify/event/<path:event_id>", methods=["GET"])
@blp.arguments(FreshSchema, location="query")
@blp.doc(responses={"200": {"description": "The verdict: verified, pending, not-on-chain, "
                            "unknown-signer, bad-signature or altered, with each check's reason"},
                    "404": {"description": "No such event (or declaration), or not visible "
                                           "to you"}})
def event_verdict(args, event_id: str):
    """Verify one event: its hash, signature, signer registration and anchor."""
    declaration = args["errorDeclaration"]
    require_event_access(event_id, current_actor(), uow(), declaration=declaration)
    result = verify_event(event_id, uow(), chain_reader(), fresh=args["fresh"],
                          caches=verification_caches(), declaration=declaration)
    return jsonify({**result.as_dict(), "fresh": args["fresh"]})


@blp.route("/verify/lot/<gtin>/<path:lot>", methods=["GET"])
@blp.arguments(LotVerifySchema, location="query")
@blp.doc(responses={"200": {"description": "The lot's verdict (the worst of its lineage) and "
                            "every event's"},
                    "403": {"description": "Your organisation takes no part in this lineage"},
                    "404": {"description": "No such lot"}})
def lot_verdict(args, gtin: str, lot: str):
    """Verify every event of a lot's lineage."""
    require_lot_access(gtin, lot, current_actor(), uow(), args["direction"])
    result = verify_lot(gtin, lot, uow(), chain_reader(), fresh=args["fresh"],
                        direction=args["direction"], caches=verification_caches())
    return jsonify({**result.as_dict(), "fresh": args["fresh"]})


@blp.route("/lots/<gtin>/<path:lot>/audit-pack", methods=["GET"])
@blp.arguments(DirectionSchema, location="query")
@blp.doc(responses={"200": {"description": "The audit pack, as a download; check it with "
                            "`tracechain verify-pack FILE --rpc URL`"},
                    "403": {"description": "Your organisation takes no part in this lineage"},
                    "404": {"description": "No such lot"}})
def lot_audit_pack(args, gtin: str, lot: str):
    """Download everything needed to check a lot's lineage offline, against the chain."""
    require_lot_access(gtin, lot, current_actor(), uow(), args["direction"])
    return pack_download(audit_pack(gtin, lot, uow(), direction=args["direction"],
                                    caches=verification_caches(), reader=chain_reader()))


def pack_download(pack: dict):
    response = jsonify(pack)
    lot_key = pack["lot"]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"audit-pack-{lot_key['gtin']}-{lot_key['lot']}")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response

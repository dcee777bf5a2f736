"""The audit pack of a lot: everything needed to check its lineage offline, without us.

One JSON document: an ``EPCISDocument`` of every event of the lineage, each as captured (with its
eventID), and per event its hash, pre-hash, signature, signer, organisation, the ``@context`` it
was captured with, and its Merkle proof, batch root and anchoring transaction. ``tracechain
verify-pack FILE --rpc URL`` (or anyone's own tools) checks it against the chain.

What a pack cannot prove is completeness: the chain anchors events, not lineages, so an event left
out of a pack is not detectable from the pack alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .query import merge_contexts
from .verification import VerificationCaches, anchor_record
from .verification_records import check_direction, lineage_records, utc_iso

FORMAT = "tracechain-audit-pack"
VERSION = 1


def audit_pack(gtin: str, lot: str, uow, *, direction: str = "back",
               caches: VerificationCaches | None = None) -> dict:
    """The audit pack of a lot's lineage (``direction`` as for ``verify_lot``).

    :raises ValidationFailed: a malformed GTIN or direction. :raises NotFound: no such lot.
    """
    check_direction(direction)
    caches = caches or VerificationCaches()
    with uow:
        s = uow.session
        key, recs = lineage_records(s, gtin, lot, direction)
        anchors = [anchor_record(s, rec, caches.trees) for rec in recs]
    events, contexts, entries = [], [], []
    for rec, anchor in zip(recs, anchors, strict=True):
        event = rec.event()
        if isinstance(event, dict):
            event.setdefault("eventID", rec.event_id)
        events.append(event)
        contexts.append(rec.context_json())
        entries.append({
            "eventID": rec.event_id, "eventHash": rec.event_hash, "prehash": rec.prehash,
            "signature": rec.signature, "signer": rec.signer,
            "organisation": {"gln": rec.gln, "name": rec.organisation_name} if rec.gln else None,
            "captureID": rec.capture_id, "@context": rec.context_json(),
            "eventTime": utc_iso(rec.event_time), "anchor": anchor,
        })
    now = _now()
    # merge_contexts gives an event whose prefixes clash with the document's its own @context,
    # which would change its hash: it works on copies, and each entry keeps its exact @context.
    usable = [(dict(e), c) for e, c in zip(events, contexts, strict=True) if isinstance(e, dict)]
    document = {"@context": merge_contexts([e for e, _ in usable], [c for _, c in usable]),
                "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": now,
                "epcisBody": {"eventList": events}}
    chains = sorted({(a["chainId"], a["contract"]) for a in anchors
                     if a and a["chainId"] is not None}, key=str)
    return {
        "format": FORMAT, "version": VERSION, "generatedAt": now,
        "lot": {"gtin": key.gtin, "lot": key.lot, "uri": key.uri}, "direction": direction,
        "chains": [{"chainId": c, "contract": a} for c, a in chains],
        "howToVerify": ("tracechain verify-pack THIS_FILE --rpc <JSON-RPC URL of the chain>: "
                        "re-hashes every event (GS1 CBV 2.0), checks each signature and the "
                        "signer registry, each Merkle proof (OpenZeppelin StandardMerkleTree) "
                        "and each root on chain (TraceAnchor.anchorOf)"),
        "epcisDocument": document,
        "events": entries,
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

"""The audit pack of a lot: everything needed to check its lineage offline, without us.

One JSON document (format ``tracechain-audit-pack``, version 2):

- ``events``: per event its hash, signature or capture seal (with the event's Merkle proof in the
  capture), organisation, time, the lots it names with the lots it made each from, and its
  anchoring (Merkle proof, batch root, transaction, block);
- ``captures``: each capture seal's statement fields and signature;
- ``state``: the latest lot state the chain anchored (its root, and the proof of its leaf in the
  anchored batch); ``lots``: per lot of the lineage, its entry in that state with its proof and
  the events of its history in order — so that an event removed from the pack, or one added to
  it, breaks a history the chain commits to;
- ``epcisDocument``: the events as captured (the **full** pack, for members and inspectors, so
  that every hash can be recomputed). The **public** pack leaves the events' content out (order
  numbers, quantities of intermediate lots, partners' data are not for anyone who guesses a lot
  code): it proves that the history is complete, signed and anchored, not what each event says.

``tracechain verify-pack FILE --rpc URL`` (or anyone's own tools) checks it against the chain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from ...domain.commitments import StateTree, lot_key, state_leaf
from ...domain.evidence import references
from ...domain.merkle import hex32
from ...store import anchor_batches as batches
from ..epcis.query import merge_contexts
from ..ports import ChainReader, UnitOfWork
from .anchored_state import StateView
from .corrections import correction_of, corrections, pack_key
from .lineage_records import Lineage, walk
from .records import Record, check_direction, find_lot, utc_iso
from .verdicts import VerificationCaches, anchor_record, seal_record

FORMAT = "tracechain-audit-pack"
VERSION = 2
VIEWS = ("full", "public")


def audit_pack(gtin: str, lot: str, uow: UnitOfWork, *, direction: str = "back",
               caches: VerificationCaches | None = None, reader: ChainReader | None = None,
               view: str = "full") -> dict[str, Any]:
    """The audit pack of a lot's lineage (``direction`` as for ``verify_lot``).

    :raises ValidationFailed: a malformed GTIN or direction. :raises NotFound: no such lot.
    """
    check_direction(direction)
    caches = caches or VerificationCaches()
    public = view == "public"
    with uow:
        key, _ = find_lot(uow, gtin, lot)
        lineage = walk(uow, key.uri, direction)
        recs = lineage.ordered()
        state = caches.chain.state(uow, reader, caches.trees) if reader is not None else None
        anchors = [anchor_record(uow, rec, caches.trees) for rec in recs]
        seals = [seal_record(uow, rec) for rec in recs]
        state_part = _state(uow, state, caches) if state is not None else None
    captures, entries, events, contexts = {}, [], [], []
    fixes = corrections(recs)
    for rec, anchor, seal in zip(recs, anchors, seals, strict=True):
        named = lineage.lots.get(rec.id)
        entry: dict[str, Any] = {
            "eventID": rec.event_id, "eventHash": rec.event_hash,
            "signature": rec.signature, "signer": rec.signer,
            "organisation": {"gln": rec.gln, "name": rec.organisation_name} if rec.gln else None,
            "captureID": rec.capture_id, "eventTime": utc_iso(rec.event_time),
            "lots": {u: sorted(named.sources_of(u)) for u in sorted(named.named)}
            if named is not None else {},
            "seal": {"capture": seal["capture"], "proof": seal["proof"]} if seal else None,
            "anchor": anchor,
        }
        declared = correction_of(rec)
        if declared is not None:  # an error declaration (its own key in the pack)
            entry["declaration"] = True
            entry["errorDeclaration"] = declared
            # False: it declares an event recorded elsewhere, which no pack holds.
            entry["declaresRecordedEvent"] = rec.declares_pk is not None
        elif rec.id in fixes:
            entry["correctedBy"] = fixes[rec.id]
        if seal:
            captures[seal["capture"]] = {k: seal[k] for k in (
                "organisation", "user", "recordedAt", "count", "root", "signature", "signer")}
        if not public:
            entry["prehash"] = rec.prehash
            entry["@context"] = rec.context_json()
            event = rec.event()
            if isinstance(event, dict):
                event.setdefault("eventID", rec.event_id)
            events.append(event)
            contexts.append(rec.context_json())
        else:
            entry["view"] = _public_view(rec)
        entries.append(entry)
    now = _now()
    chains = sorted({(a["chainId"], a["contract"]) for a in anchors
                     if a and a["chainId"] is not None}, key=str)
    pack = {
        "format": FORMAT, "version": VERSION, "view": view, "generatedAt": now,
        "lot": {"gtin": key.gtin, "lot": key.lot, "uri": key.uri}, "direction": direction,
        "chains": [{"chainId": c, "contract": a} for c, a in chains],
        "howToVerify": ("tracechain verify-pack THIS_FILE --rpc <JSON-RPC URL of the chain>: "
                        "checks each signature or capture seal and the signer registry, each "
                        "Merkle proof (OpenZeppelin StandardMerkleTree) and each root on chain "
                        "(TraceAnchor.anchorOf), that each lot's history is the one the "
                        "chain's lot state commits to"
                        + ("" if public else ", and re-hashes every event (GS1 CBV 2.0)")),
        "state": state_part,
        "lots": _lots(lineage, recs, state, entries),
        "captures": captures,
        "events": entries,
    }
    if not public:
        # merge_contexts gives an event whose prefixes clash with the document's its own
        # @context, which would change its hash: it works on copies, and each entry keeps its
        # exact @context.
        usable = [(dict(e), c) for e, c in zip(events, contexts, strict=True)
                  if isinstance(e, dict)]
        pack["epcisDocument"] = {
            "@context": merge_contexts([e for e, _ in usable], [c for _, c in usable]),
            "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": now,
            "epcisBody": {"eventList": events}}
        pack["evidence"] = evidence_files(events)  # docs/console/EVIDENCE.md
    return pack


def evidence_files(events: list[Any]) -> list[dict[str, Any]]:
    """The evidence files the events reference (``tc:evidence``): each once, with its SHA-256
    (the file's bytes must hash to it) and the eventIDs naming it. The references are in the
    events' bodies, so their hashes (and seals, and anchors) cover them."""
    files: dict[str, dict[str, Any]] = {}
    for event in events:
        if not isinstance(event, dict):
            continue
        for ref in references(event):
            entry = files.setdefault(ref.sha256, {
                "sha256": ref.sha256, "mediaType": ref.media_type, "size": ref.size,
                "name": ref.name, "kind": ref.kind, "eventIDs": []})
            if event.get("eventID") not in entry["eventIDs"]:
                entry["eventIDs"].append(event.get("eventID"))
    return list(files.values())


def _state(uow: UnitOfWork, state: StateView,
           caches: VerificationCaches) -> dict[str, Any] | None:
    if state.error is not None or state.batch_id is None or state.tree is None:
        return {"error": state.error or "nothing is anchored yet"}
    batch = batches.batch(uow, state.batch_id)
    assert batch is not None, "the state's batch was just read"
    root = hex32(batch.root)
    assert root is not None, "the state's batch root rebuilt its tree"
    ledger = caches.trees.ledger(uow, batch.id, root)
    assert ledger.tree is not None, "the state's batch tree rebuilt its root"
    leaf = state_leaf(state.tree.root)
    return {"batch": batch.id, "root": batch.root, "stateRoot": "0x" + state.tree.root.hex(),
            "leafProof": ["0x" + p.hex() for p in ledger.tree.proof(leaf)],
            "chainId": batch.chain_id, "contract": batch.contract}


def _lots(lineage: Lineage, recs: list[Record], state: StateView | None,
          entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_pk = {r.id: r for r in recs}
    out = []
    for uri in sorted(lineage.uris):
        key = lot_key(uri)
        entry = state.tree.get(key) if state is not None and state.tree is not None else None
        covered: list[str] = []
        waiting: list[str] = []
        pks = sorted(lineage.naming.get(uri, []), key=lambda p: (
            by_pk[p].batch_id is None, by_pk[p].batch_id or 0, p) if p in by_pk else (True, 0, p))
        for pk in pks:
            rec = by_pk.get(pk)
            if rec is None:
                continue
            committed = (rec.batch_id is not None and state is not None
                         and state.batch_id is not None and rec.batch_id <= state.batch_id)
            (covered if committed else waiting).append(
                pack_key(rec.event_id, correction_of(rec) is not None))
        # (an entry is only found in a state's tree)
        proof = cast(StateTree, state.tree).proof(key) if entry is not None and state else None
        out.append({"uri": uri, "count": entry.count if entry else 0,
                    "head": "0x" + entry.head.hex() if entry else None,
                    "proof": ["0x" + p.hex() for p in proof] if proof is not None else None,
                    "history": covered, "pending": waiting})
    return out


def _public_view(rec: Record) -> dict:
    """What the consumer page shows of an event: its kind, step and time, nothing else."""
    event = rec.event()
    if not isinstance(event, dict):
        return {}
    return {k: event.get(k) for k in ("type", "action", "bizStep", "eventTime",
                                      "eventTimeZoneOffset") if event.get(k) is not None}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

"""Verifying records: is each event what its organisation signed and what was anchored on chain?

    verify_event(event_id, uow, chain_reader, fresh=False)   one event's verdict and its checks
    verify_lot(gtin, lot, uow, chain_reader, fresh=False)    every event of a lot's lineage
    event_proof(event_id, uow)                               everything to check an event oneself

The rules are ``domain.verification``'s; this module gathers the facts. A confirmed anchor is a
fact: the batch row's record of it (block, time) is used without asking the chain, unless
``fresh``, which asks the chain for the root and the signer. Signer registrations can be revoked,
so they are asked of the chain, and kept for a short time (``evidence.SignerRegistry``). Without a
chain reader, nothing reads as verified: the answer says "no chain configured".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC

from ..domain.actor import Actor
from ..domain.errors import Forbidden, NotFound
from ..domain.merkle import event_hash_bytes, hex32
from ..domain.verification import (
    ANCHORED,
    ANCHORING,
    FROM_RECORD,
    NO_CHAIN,
    UNBATCHED,
    AnchorFacts,
    ChainFacts,
    EventFacts,
    RegistryFacts,
    Verdict,
    anchored_value,
    lot_verdict,
    verdict,
)
from .batch_trees import BatchTrees, Ledger
from .evidence import (
    SignerRegistry,
    ask_chain,
    chain_where,
    hash_facts,
    reader_address,
    signature_facts,
)
from .ports import ChainReader
from .verification_records import (
    Record,
    captured_with,
    check_direction,
    displaced,
    find_lot,
    lineage_events,
    lineage_lots,
    lineage_records,
    lots_named_by,
    organisations_in,
    record_by_event_id,
    utc_iso,
)


@dataclass
class VerificationCaches:
    """What one process keeps between requests: verified batch trees, signer registrations."""

    trees: BatchTrees = field(default_factory=BatchTrees)
    signers: SignerRegistry = field(default_factory=SignerRegistry)


@dataclass(frozen=True)
class EventVerification:
    event_id: str
    event_hash: str
    organisation: str | None  # GLN
    event_time: str | None
    verdict: Verdict

    def as_dict(self) -> dict:
        return {"eventID": self.event_id, "eventHash": self.event_hash,
                "organisation": self.organisation, "eventTime": self.event_time,
                **self.verdict.as_dict()}


@dataclass(frozen=True)
class LotVerification:
    gtin: str
    lot: str
    uri: str
    direction: str
    verdict: Verdict
    events: tuple[EventVerification, ...]

    def as_dict(self) -> dict:
        counts: dict[str, int] = {}
        for e in self.events:
            counts[e.verdict.status] = counts.get(e.verdict.status, 0) + 1
        return {"lot": {"gtin": self.gtin, "lot": self.lot, "uri": self.uri},
                "direction": self.direction, "status": self.verdict.status,
                "reason": self.verdict.reason, "counts": counts,
                "events": [e.as_dict() for e in self.events]}


# --- use cases ------------------------------------------------------------------------------------

def verify_event(event_id: str, uow, chain_reader: ChainReader | None, *, fresh: bool = False,
                 caches: VerificationCaches | None = None) -> EventVerification:
    """The verdict on one event. :raises NotFound: no such event."""
    caches = caches or VerificationCaches()
    with uow:
        rec = record_by_event_id(uow.session, event_id)
        return _verify(uow.session, rec, chain_reader, caches, fresh)


def verify_lot(gtin: str, lot: str, uow, chain_reader: ChainReader | None, *,
               fresh: bool = False, direction: str = "back",
               caches: VerificationCaches | None = None) -> LotVerification:
    """The verdict on every event of a lot's lineage, and the worst of them for the lot.

    ``direction``: ``back`` (where it came from: what a consumer needs), ``forward`` (where it
    went: a recall), or ``both``.

    :raises ValidationFailed: a malformed GTIN or direction. :raises NotFound: no such lot.
    """
    check_direction(direction)
    caches = caches or VerificationCaches()
    with uow:
        s = uow.session
        key, recs = lineage_records(s, gtin, lot, direction)
        results = tuple(_verify(s, rec, chain_reader, caches, fresh) for rec in recs)
    overall = lot_verdict((r.event_id, r.verdict) for r in results)
    return LotVerification(key.gtin, key.lot, key.uri, direction, overall, results)


def verify_records(session, recs: list[Record], reader: ChainReader | None,
                   caches: VerificationCaches) -> tuple[Verdict, list[EventVerification]]:
    """The verdict on events already read (``records``), and the worst of them: what
    ``verify_lot`` does, for a caller that gathered the lineage itself."""
    results = [_verify(session, rec, reader, caches, False) for rec in recs]
    return lot_verdict((r.event_id, r.verdict) for r in results), results


def event_proof(event_id: str, uow, *, caches: VerificationCaches | None = None) -> dict:
    """Everything needed to check one event without us: the event as captured and its
    ``@context``, its hash and pre-hash, signature and signer, and its Merkle proof, root and
    anchoring transaction. :raises NotFound: no such event."""
    caches = caches or VerificationCaches()
    with uow:
        rec = record_by_event_id(uow.session, event_id)
        anchor = anchor_record(uow.session, rec, caches.trees)
    event = rec.event()
    if isinstance(event, dict):
        event.setdefault("eventID", rec.event_id)
    return {"eventID": rec.event_id, "event": event, "@context": rec.context_json(),
            "eventHash": rec.event_hash, "prehash": rec.prehash, "signature": rec.signature,
            "signer": rec.signer,
            "organisation": {"gln": rec.gln, "name": rec.organisation_name} if rec.gln else None,
            "leaf": _leaf_hex(rec.event_hash), "anchor": anchor}


# --- who may ----------------------------------------------------------------------------------

def require_event_access(event_id: str, actor: Actor, uow) -> None:
    """Inspectors and admins see every event; a member, its organisation's events and those of
    lineages it takes part in. :raises NotFound: no such event, or not visible to the actor."""
    if actor.reads_everything:
        return
    with uow:
        s = uow.session
        rec = record_by_event_id(s, event_id)
        if rec.organisation_id == actor.organisation_id:
            return
        for lot_id in lots_named_by(s, rec.id):
            lots = lineage_lots(s, lot_id, "both")
            if actor.organisation_id in organisations_in(s, lots, lineage_events(s, lots)):
                return
    raise NotFound(f"no event with eventID {event_id}")


def require_lot_access(gtin: str, lot: str, actor: Actor, uow, direction: str = "back") -> None:
    """As for ``lineage.trace_lot``: members only for lineages their organisation takes part in.

    :raises Forbidden: it does not. :raises NotFound: no such lot.
    """
    check_direction(direction)
    if actor.reads_everything:
        return
    with uow:
        s = uow.session
        _, lot_id = find_lot(s, gtin, lot)
        lots = lineage_lots(s, lot_id, direction)
        if actor.organisation_id in organisations_in(s, lots, lineage_events(s, lots)):
            return
    raise Forbidden("your organisation holds no lot and recorded no event in this lineage")


# --- gathering the facts of one event ---------------------------------------------------------

def _verify(session, rec: Record, reader: ChainReader | None, caches: VerificationCaches,
            fresh: bool) -> EventVerification:
    hashed = hash_facts(rec.event(), rec.context_json(), rec.event_hash, rec.prehash,
                        captured_with=lambda: captured_with(session, rec))
    signed = signature_facts(rec.event_hash, rec.signature, rec.signer, rec.signing_address)
    registry = (caches.signers.lookup(reader, rec.signer, fresh=fresh)
                if rec.signer and rec.signature else RegistryFacts(False))
    anchor, chain = _anchoring(session, rec, anchored_value(hashed), reader, caches, fresh)
    facts = EventFacts(rec.gln, hashed, signed, registry, anchor, chain)
    return EventVerification(rec.event_id, rec.event_hash, rec.gln, utc_iso(rec.event_time),
                             verdict(facts))


def _anchoring(session, rec: Record, value: bytes | None, reader: ChainReader | None,
               caches: VerificationCaches, fresh: bool) -> tuple[AnchorFacts, ChainFacts]:
    none = ChainFacts(NO_CHAIN)
    if rec.batch_id is None:
        problem = displaced(session, rec)
        return AnchorFacts(UNBATCHED, problem=problem, problem_code="batch-link-removed"), none
    label = f"batch {rec.batch_id}"
    if not rec.batch_found:
        return AnchorFacts(ANCHORED, label, problem=f"{label}, which the event names, does not "
                           "exist", problem_code="no-batch"), none
    if rec.batch_status != "confirmed":
        return AnchorFacts(ANCHORING, label), none
    root = hex32(rec.root)
    if root is None:
        return AnchorFacts(ANCHORED, label, problem=f"the recorded root of {label} is not a "
                           "32-byte hex value: it was changed", problem_code="records-broken"), none
    ledger = caches.trees.ledger(session, rec.batch_id, root, rec.leaf_count or 0)
    facts = _position(ledger, rec, value, label, root)
    if reader is None:
        return facts, none
    if fresh:
        return facts, ask_chain(reader, root, chain_id=rec.chain_id, contract=rec.contract)
    where = chain_where(rec.chain_id, rec.contract)
    reading = reader_address(reader)  # None: out of reach now; our record still stands
    if rec.contract and reading and rec.contract.lower() != reading.lower():
        return facts, ChainFacts(FROM_RECORD, error=f"anchored with contract {rec.contract}, but "
                                 f"the chain reader reads contract {reading}", where=where)
    if rec.block_number is None:
        return facts, ChainFacts(FROM_RECORD, anchored=False, where=where)
    block_time = rec.block_time
    timestamp = None if block_time is None else int(
        (block_time if block_time.tzinfo else block_time.replace(tzinfo=UTC)).timestamp())
    return facts, ChainFacts(FROM_RECORD, anchored=True, leaf_count=rec.leaf_count,
                             block_number=rec.block_number, timestamp=timestamp, where=where)


def _position(ledger: Ledger, rec: Record, value: bytes | None, label: str,
              root: bytes) -> AnchorFacts:
    """The event's place in its batch's tree, and its proof; or what is wrong with it."""
    def broken(problem: str, code: str) -> AnchorFacts:
        return AnchorFacts(ANCHORED, label, root, rec.leaf_count, problem=problem,
                           problem_code=code)

    if ledger.tree is None:
        return broken(ledger.note, "records-broken")
    if rec.leaf_count != len(ledger.tree):
        return broken(f"{label} records {rec.leaf_count} leaves, but its tree has "
                      f"{len(ledger.tree)}: its records were changed", "leaf-count")
    position = ledger.position(value) if value is not None else None
    if position is None:
        return broken(f"the event's hash is not one of the {len(ledger.tree)} leaves anchored "
                      f"under the root of {label}", "not-a-leaf")
    if rec.leaf_index != position:
        return broken(f"its leaf index is {rec.leaf_index}, but its hash is leaf {position} of "
                      f"{label}: the leaf index was changed", "leaf-index")
    return AnchorFacts(ANCHORED, label, root, rec.leaf_count, tuple(ledger.tree.proof(position)))


def anchor_record(session, rec: Record, trees: BatchTrees) -> dict | None:
    """The anchoring of an event as the proof endpoint and the audit pack give it."""
    if rec.batch_id is None:
        return None
    out = {"batch": rec.batch_id, "status": rec.batch_status if rec.batch_found else "missing",
           "root": rec.root, "leafIndex": rec.leaf_index, "leafCount": rec.leaf_count,
           "proof": None, "txHash": rec.tx_hash, "blockNumber": rec.block_number,
           "blockTime": utc_iso(rec.block_time), "chainId": rec.chain_id,
           "contract": rec.contract}
    root = hex32(rec.root) if rec.batch_found else None
    value = _bytes32_of_hash(rec.event_hash)
    if root is None or value is None:
        return out
    ledger = trees.ledger(session, rec.batch_id, root, rec.leaf_count or 0)
    position = ledger.position(value)
    if position is None:
        out["proofProblem"] = ledger.note or "the event's recorded hash is not a leaf of its batch"
    else:
        out["proof"] = ["0x" + p.hex() for p in ledger.tree.proof(position)]
    return out


def _bytes32_of_hash(event_hash: str) -> bytes | None:
    try:
        return event_hash_bytes(event_hash)
    except ValueError:
        return None


def _leaf_hex(event_hash: str) -> str | None:
    value = _bytes32_of_hash(event_hash)
    return None if value is None else "0x" + value.hex()

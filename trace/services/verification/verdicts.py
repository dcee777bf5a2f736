"""Verifying records: is each event what its organisation signed and what was anchored on chain?

    verify_event(event_id, uow, chain_reader, fresh=False)   one event's verdict and its checks
    verify_lot(gtin, lot, uow, chain_reader, fresh=False)    a lot's lineage: events and histories
    event_proof(event_id, uow)                               everything to check an event oneself

The rules are ``domain.verification``'s; this module gathers the facts, trusting no stored fact
the chain or a signature does not confirm: a signature covers each event (its own, or its
capture's seal); every stored fact of an anchoring (root, batch link, leaf index, block, time,
transaction) is compared with what the chain says (asked once per root and process: an anchored
root does not change; ``fresh`` asks again); and each lot's history is rebuilt from the records
and compared with the latest lot state the chain anchored (``anchored_state``). Signer
registrations can be revoked, so they are asked of the chain and kept for a short time
(``evidence.SignerRegistry``). Without a chain reader, nothing reads as verified.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from ...domain import policy
from ...domain.actor import Actor
from ...domain.commitments import capture_root
from ...domain.errors import NotFound
from ...domain.merkle import event_hash_bytes, hex32
from ...domain.verification import (
    ALTERED,
    ANCHORED,
    ANCHORING,
    FROM_CHAIN,
    NO_CHAIN,
    UNBATCHED,
    AnchorFacts,
    ChainFacts,
    Check,
    EventFacts,
    HashFacts,
    HistoryFacts,
    RegistryFacts,
    SignatureFacts,
    Verdict,
    anchored_value,
    check_history,
    lot_verdict,
    verdict,
    worst_of,
)
from ...store import capture_jobs as jobs
from ..anchoring.lot_state import lots_of
from ..ports import AnchorFact, ChainReader, UnitOfWork
from ..signatures.seal_checks import Seal, SealChecks, timestamp
from .anchored_state import ChainAnchors, StateView
from .batch_trees import BatchTrees, Ledger
from .corrections import correction_of, corrections
from .declaration_checks import declaration_check
from .evidence import (
    CHAIN_FAILURES,
    SignerRegistry,
    chain_where,
    hash_facts,
    signature_facts,
    wrong_place,
)
from .lineage_records import Lineage, _load, displaced, histories, walk
from .records import (
    Record,
    captured_with,
    check_direction,
    find_lot,
    lineage_events,
    lineage_lots,
    lots_named_by,
    organisations_in,
    record_by_event_id,
    utc_iso,
)


@dataclass
class VerificationCaches:
    """What one process keeps between requests: verified batch trees, checked capture seals,
    signer registrations, and what the chain said about anchored roots and the latest state."""

    trees: BatchTrees = field(default_factory=BatchTrees)
    signers: SignerRegistry = field(default_factory=SignerRegistry)
    seals: SealChecks = field(default_factory=SealChecks)
    chain: ChainAnchors = field(default_factory=ChainAnchors)
    # Re-hash results by the stored texts they come from (an edit is a new key, never stale).
    hashes: dict[tuple[Any, ...], HashFacts] = field(default_factory=dict)
    # Verified verdicts by everything they rest on (the record as read, its seal, its signer's
    # registration as cached, the chain reader): a changed fact is a new key, never a stale one.
    verified: dict[tuple[Any, ...], EventVerification] = field(default_factory=dict)
    histories: dict[Any, HistoryFacts] = field(default_factory=dict)

    def hash_facts(self, uow: UnitOfWork, rec: Record) -> HashFacts:
        key = (rec.event_hash, rec.prehash, rec.body, rec.context)
        found = self.hashes.get(key)
        if found is None:
            found = hash_facts(rec.event(), rec.context_json(), rec.event_hash, rec.prehash,
                               captured_with=lambda: captured_with(uow, rec))
            if len(self.hashes) > 50_000:
                self.hashes.clear()
            self.hashes[key] = found
        return found


@dataclass(frozen=True)
class EventVerification:
    event_id: str
    event_hash: str
    organisation: str | None  # GLN
    event_time: str | None
    verdict: Verdict
    # An event declared erroneous: what its declaration says (``corrections.correction_of``);
    # an error declaration: the same, as it declares it.
    corrected_by: dict[str, Any] | None = None
    declares: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"eventID": self.event_id, "eventHash": self.event_hash,
               "organisation": self.organisation, "eventTime": self.event_time,
               **self.verdict.as_dict()}
        if self.corrected_by is not None:
            out["correctedBy"] = self.corrected_by
        if self.declares is not None:
            out["errorDeclaration"] = self.declares
        return out


@dataclass(frozen=True)
class LotVerification:
    gtin: str
    lot: str
    uri: str
    direction: str
    verdict: Verdict
    events: tuple[EventVerification, ...]
    histories: tuple[Check, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for e in self.events:
            counts[e.verdict.status] = counts.get(e.verdict.status, 0) + 1
        return {"lot": {"gtin": self.gtin, "lot": self.lot, "uri": self.uri},
                "direction": self.direction, "status": self.verdict.status,
                "reason": self.verdict.reason, "counts": counts,
                "histories": [c.as_dict() for c in self.histories],
                "events": [e.as_dict() for e in self.events]}


# --- use cases ------------------------------------------------------------------------------------

def verify_event(event_id: str, uow: UnitOfWork, chain_reader: ChainReader | None, *,
                 fresh: bool = False, caches: VerificationCaches | None = None,
                 declaration: bool = False) -> EventVerification:
    """The verdict on one event (or, ``declaration``, on its error declaration, which shares
    its eventID), its place in the histories of the lots it names included.

    :raises NotFound: no such event (or declaration)."""
    caches = caches or VerificationCaches()
    with uow:
        rec = record_by_event_id(uow, event_id, declaration=declaration)
        named = lots_of(rec.body, rec.context)
        lineage = Lineage(set())
        if named is not None:
            lineage.uris = set(named.named)
            _load(uow, lineage, lineage.uris)
        lineage.records[rec.id], lineage.lots[rec.id] = rec, named
        checked = _check(uow, lineage, chain_reader, caches, fresh, [rec])
    return checked.events[0]


def verify_lot(gtin: str, lot: str, uow: UnitOfWork, chain_reader: ChainReader | None, *,
               fresh: bool = False, direction: str = "back",
               caches: VerificationCaches | None = None) -> LotVerification:
    """The verdict on every event of a lot's lineage and on each of its lots' histories, and the
    worst of them for the lot.

    ``direction``: ``back`` (where it came from: what a consumer needs), ``forward`` (where it
    went: a recall), or ``both``.

    :raises ValidationFailed: a malformed GTIN or direction. :raises NotFound: no such lot.
    """
    check_direction(direction)
    caches = caches or VerificationCaches()
    with uow:
        key, _ = find_lot(uow, gtin, lot)
        lineage = walk(uow, key.uri, direction)
        checked = _check(uow, lineage, chain_reader, caches, fresh, lineage.ordered())
    return LotVerification(key.gtin, key.lot, key.uri, direction, checked.verdict,
                           tuple(checked.events), tuple(checked.histories))


@dataclass
class Checked:
    verdict: Verdict
    events: list[EventVerification]
    histories: list[Check]


def verify_lineage(uow: UnitOfWork, lineage: Lineage, reader: ChainReader | None,
                   caches: VerificationCaches, fresh: bool = False) -> Checked:
    """The verdicts on a lineage already walked (``lineage_records.walk``), events in the order
    they happened: what ``verify_lot`` does, for a caller that walked it itself."""
    return _check(uow, lineage, reader, caches, fresh, lineage.ordered())


def _check(uow: UnitOfWork, lineage: Lineage, reader: ChainReader | None,
           caches: VerificationCaches, fresh: bool, recs: list[Record]) -> Checked:
    state = caches.chain.state(uow, reader, caches.trees, fresh)
    batch_ids = {r.id: r.batch_id if r.batch_found or r.batch_id is None else -1
                 for r in lineage.records.values()}
    facts = histories(lineage, state, batch_ids, caches.histories)
    checks = [check_history(h) for h in facts]
    broken = {h.uri for h, c in zip(facts, checks, strict=True) if c.code == "events-missing"}
    seals = caches.seals.of_captures(uow, {r.capture_id for r in recs if not r.signature})
    results = []
    registrations: dict[str, RegistryFacts] = {}  # signer -> registration, asked once per call
    for rec in recs:
        moved = None
        if rec.batch_id is None:
            moved = _displaced(rec, lineage, state, batch_ids, broken)
        results.append(_verify(uow, rec, reader, caches, fresh, seals, state, moved,
                               registrations))
    fixes = corrections(lineage.records.values())
    results = [replace(result, corrected_by=fixes.get(rec.id),
                       declares=correction_of(rec))
               for rec, result in zip(recs, results, strict=True)]
    overall = lot_verdict(((r.event_id, r.verdict) for r in results), checks)
    return Checked(overall, results, checks)


def _displaced(rec: Record, lineage: Lineage, state: StateView,
               batch_ids: dict[int, int | None], broken: set[str]) -> str | None:
    named = lineage.lots.get(rec.id)
    for uri in sorted(named.named if named else ()):
        if uri not in broken:
            continue
        recs = [lineage.records[p] for p in lineage.naming.get(uri, []) if p in lineage.records]
        if displaced(uri, recs, lineage.lots, state, batch_ids, rec.id):
            return (f"it was anchored (the anchored history of {uri} includes it), but its "
                    "link to its batch was removed")
    return None


def event_proof(event_id: str, uow: UnitOfWork, *, caches: VerificationCaches | None = None,
                declaration: bool = False) -> dict[str, Any]:
    """Everything needed to check one event (or, ``declaration``, its error declaration)
    without us: the event as captured and its ``@context``, its hash and pre-hash, signature or
    capture seal, and its Merkle proof, root and anchoring transaction.

    :raises NotFound: no such event (or declaration)."""
    caches = caches or VerificationCaches()
    with uow:
        rec = record_by_event_id(uow, event_id, declaration=declaration)
        anchor = anchor_record(uow, rec, caches.trees)
        seal = seal_record(uow, rec)
    event = rec.event()
    if isinstance(event, dict):
        event.setdefault("eventID", rec.event_id)
    out = {"eventID": rec.event_id, "event": event, "@context": rec.context_json(),
           "eventHash": rec.event_hash, "prehash": rec.prehash, "signature": rec.signature,
           "signer": rec.signer or (seal or {}).get("signer"), "seal": seal,
           "organisation": {"gln": rec.gln, "name": rec.organisation_name} if rec.gln else None,
           "leaf": _leaf_hex(rec.event_hash), "anchor": anchor}
    if rec.declaration:
        # eventHash is then the declaration hash (docs/CORRECTIONS.md): the CBV hash of the
        # prehash, then sha256(tag || that || sha256(canonical errorDeclaration)).
        out["errorDeclaration"] = True
    return out


def seal_record(uow: UnitOfWork, rec: Record) -> dict[str, Any] | None:
    """The capture seal covering an event, with the event's Merkle proof in the capture."""
    if rec.signature is not None:
        return None
    row = jobs.seal_record(uow, rec.capture_id)
    if row is None or row.seal_signature is None:
        return None
    out: dict[str, Any] = {
        "capture": row.id, "organisation": row.gln, "user": row.user_id or 0,
        "recordedAt": timestamp(row.created_at), "root": row.seal_root,
        "signature": row.seal_signature, "signer": row.seal_signer, "count": None,
        "proof": None}
    data = bytes(row.seal_leaves or b"")
    values = [data[i:i + 32] for i in range(0, len(data), 32)] if len(data) % 32 == 0 else []
    out["count"] = len(values)
    value = _bytes32_of_hash(rec.event_hash)
    try:
        tree = capture_root(values)
        if value is not None:  # (an event hash that is not 32 bytes has no proof)
            out["proof"] = ["0x" + p.hex() for p in tree.proof(value)]
    except (ValueError, TypeError):
        pass
    return out


# --- who may ----------------------------------------------------------------------------------

def require_event_access(event_id: str, actor: Actor, uow: UnitOfWork, *,
                         declaration: bool = False) -> None:
    """Who may see an event's proof and verdict (``policy.may_verify_event``): inspectors and
    admins; a member, its organisation's events and those of lineages it takes part in.

    :raises NotFound: no such event, or not visible to the actor."""
    if policy.reads_everything(actor):
        return
    with uow:
        rec = record_by_event_id(uow, event_id, declaration=declaration)
        if policy.may_read_event(actor, rec.organisation_id, rec.notice):
            return
        for lot_id in lots_named_by(uow, rec.id):
            lots = lineage_lots(uow, lot_id, "both")
            if policy.may_verify_event(actor, rec.organisation_id,
                                       organisations_in(uow, lots, lineage_events(uow, lots))):
                return
    raise NotFound(f"no event with eventID {event_id}")


def require_lot_access(gtin: str, lot: str, actor: Actor, uow: UnitOfWork,
                       direction: str = "back") -> None:
    """Who may verify a lot or download its full audit pack (``policy.require_read_lineage``).

    :raises Forbidden: the actor's organisation takes no part in the lineage.
    :raises NotFound: no such lot.
    """
    check_direction(direction)
    if policy.reads_everything(actor):
        return
    with uow:
        _, lot_id = find_lot(uow, gtin, lot)
        lots = lineage_lots(uow, lot_id, direction)
        policy.require_read_lineage(actor, organisations_in(uow, lots,
                                                            lineage_events(uow, lots)))


# --- gathering the facts of one event ---------------------------------------------------------

def _verify(uow: UnitOfWork, rec: Record, reader: ChainReader | None,
            caches: VerificationCaches, fresh: bool, seals: dict[str, Seal],
            state: StateView | None = None, moved: str | None = None,
            registrations: dict[str, RegistryFacts] | None = None) -> EventVerification:
    registrations = {} if registrations is None else registrations

    def registration(signer: str) -> RegistryFacts:
        if signer not in registrations:
            registrations[signer] = caches.signers.lookup(reader, signer, fresh=fresh)
        return registrations[signer]

    seal = seals.get(rec.capture_id) if rec.signature is None else None
    signer = rec.signer if rec.signature is not None else getattr(seal, "signer", None)
    memo: tuple[Any, ...] | None = None
    if not fresh and moved is None:
        memo = (rec, seal, registration(signer) if signer else None, id(reader))
        found = caches.verified.get(memo)
        if found is not None:
            return found
    hashed = caches.hash_facts(uow, rec)
    if rec.signature is not None:
        signed = signature_facts(rec.event_hash, rec.signature, rec.signer, rec.signing_address)
    elif rec.capture_id in seals:
        signed = seals[rec.capture_id].facts(rec.event_hash, rec.gln, rec.signing_address)
    else:
        signed = SignatureFacts(None, None)
    registry = (registration(signed.signer)
                if signed.signer and signed.signature else RegistryFacts(False))
    anchor, chain = _anchoring(uow, rec, anchored_value(hashed), reader, caches, fresh)
    if moved is not None:
        anchor = AnchorFacts(UNBATCHED, problem=moved, problem_code="batch-link-removed",
                             problem_status=ALTERED)
    facts = EventFacts(rec.gln, hashed, signed, registry, anchor, chain)
    judged = verdict(facts)
    declared = declaration_check(uow, rec, rec.event())
    if declared is not None:  # an error declaration: its link to the event it declares too
        judged = worst_of([*judged.checks, declared])
    result = EventVerification(rec.event_id, rec.event_hash, rec.gln, utc_iso(rec.event_time),
                               judged)
    if memo is not None and result.verdict.verified:
        if len(caches.verified) > 50_000:
            caches.verified.clear()
        caches.verified[memo] = result
    return result


def _anchoring(uow: UnitOfWork, rec: Record, value: bytes | None, reader: ChainReader | None,
               caches: VerificationCaches, fresh: bool) -> tuple[AnchorFacts, ChainFacts]:
    """Where the event is in the anchoring flow, and every stored fact of its anchoring (root,
    batch link, leaf index, block, time, transaction) compared with what the chain says."""
    none = ChainFacts(NO_CHAIN)
    if rec.batch_id is None:
        return AnchorFacts(UNBATCHED), none
    label = f"batch {rec.batch_id}"
    if not rec.batch_found:
        return AnchorFacts(ANCHORED, label, problem=f"{label}, which the event names, does not "
                           "exist", problem_code="no-batch", problem_status=ALTERED), none
    root = hex32(rec.root)
    if root is None:
        return AnchorFacts(ANCHORED, label, problem=f"the recorded root of {label} is not a "
                           "32-byte hex value: it was changed", problem_code="records-broken",
                           problem_status=ALTERED), none
    where = chain_where(rec.chain_id, rec.contract)
    fact = None
    if reader is not None:
        try:
            mismatch = wrong_place(reader, rec.chain_id, rec.contract)
            if mismatch is not None:
                return AnchorFacts(ANCHORED, label), ChainFacts(FROM_CHAIN, error=mismatch,
                                                                 where=where)
            fact = caches.chain.anchor_of(reader, root, fresh)
        except CHAIN_FAILURES as exc:
            return (AnchorFacts(ANCHORED, label),
                    ChainFacts(FROM_CHAIN, error=f"the chain could not be asked ({exc})",
                               where=where))
    if fact is None and rec.batch_status != "confirmed":
        return AnchorFacts(ANCHORING, label), none
    ledger = caches.trees.ledger(uow, rec.batch_id, root, rec.leaf_count or 0)
    facts = _position(ledger, rec, value, label, root)
    if reader is None:
        return facts, none
    if fact is None:
        return facts, ChainFacts(FROM_CHAIN, anchored=False, where=where)
    chain = ChainFacts(FROM_CHAIN, anchored=True, leaf_count=fact.leaf_count,
                       block_number=fact.block_number, timestamp=fact.timestamp, where=where)
    return facts, replace(chain, mismatch=_record_mismatch(rec, fact, reader, caches, fresh))


def _record_mismatch(rec: Record, fact: AnchorFact, reader: ChainReader,
                     caches: VerificationCaches, fresh: bool) -> str | None:
    """Why our record of an anchoring differs from the chain's, if it does."""
    label = f"batch {rec.batch_id}"
    if rec.batch_status == "confirmed":
        if rec.block_number != fact.block_number:
            return (f"our record puts {label} in block {rec.block_number}, the chain in block "
                    f"{fact.block_number}: the record was changed")
        recorded = timestamp(rec.block_time) if rec.block_time is not None else None
        if recorded != fact.timestamp:
            return (f"our record of {label}'s anchoring time differs from the chain's "
                    f"({_iso(fact.timestamp)}): the record was changed")
    if rec.leaf_count is not None and rec.leaf_count != fact.leaf_count:
        return (f"our record says {label} has {rec.leaf_count} leaves, the chain "
                f"{fact.leaf_count}: the record was changed")
    if rec.tx_hash:
        try:
            receipt = caches.chain.receipt(reader, rec.tx_hash, fresh)
        except CHAIN_FAILURES:
            receipt = None
        if receipt is not None and (receipt.block_number != fact.block_number or (
                getattr(receipt, "root", None) not in (None, hex32(rec.root)))):
            return (f"the transaction recorded for {label} ({rec.tx_hash}) is not the one that "
                    "anchored its root: the record was changed")
        if receipt is None and rec.batch_status == "confirmed":
            return (f"the chain knows no transaction {rec.tx_hash}, recorded as anchoring "
                    f"{label}: the record was changed")
    return None


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def _position(ledger: Ledger, rec: Record, value: bytes | None, label: str,
              root: bytes) -> AnchorFacts:
    """The event's place in its batch's tree, and its proof; or what is wrong with it."""
    def broken(problem: str, code: str) -> AnchorFacts:
        return AnchorFacts(ANCHORED, label, root, rec.leaf_count, problem=problem,
                           problem_code=code, problem_status=ALTERED)

    if ledger.tree is None:
        return broken(ledger.note, "records-broken")
    if rec.leaf_count is not None and rec.leaf_count != len(ledger.tree):
        return broken(f"{label} records {rec.leaf_count} leaves, but its tree has "
                      f"{len(ledger.tree)}: its records were changed", "leaf-count")
    position = ledger.position(value) if value is not None else None
    if position is None:
        return broken(f"the event's hash is not one of the {len(ledger.tree)} leaves anchored "
                      f"under the root of {label}", "not-a-leaf")
    if rec.leaf_index != position:
        return broken(f"its leaf index is {rec.leaf_index}, but its hash is leaf {position} of "
                      f"{label}: the leaf index was changed", "leaf-index")
    return AnchorFacts(ANCHORED, label, root, rec.leaf_count, ledger.proof(position))


def anchor_record(uow: UnitOfWork, rec: Record, trees: BatchTrees) -> dict[str, Any] | None:
    """The anchoring of an event as the proof endpoint and the audit pack give it."""
    if rec.batch_id is None:
        return None
    out: dict[str, Any] = {
        "batch": rec.batch_id, "status": rec.batch_status if rec.batch_found else "missing",
        "root": rec.root, "leafIndex": rec.leaf_index, "leafCount": rec.leaf_count,
        "proof": None, "txHash": rec.tx_hash, "blockNumber": rec.block_number,
        "blockTime": utc_iso(rec.block_time), "chainId": rec.chain_id,
        "contract": rec.contract}
    root = hex32(rec.root) if rec.batch_found else None
    value = _bytes32_of_hash(rec.event_hash)
    if root is None or value is None:
        return out
    ledger = trees.ledger(uow, rec.batch_id, root, rec.leaf_count or 0)
    position = ledger.position(value)
    if position is None:
        out["proofProblem"] = ledger.note or "the event's recorded hash is not a leaf of its batch"
    else:
        assert ledger.tree is not None  # a position is only found in a tree
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

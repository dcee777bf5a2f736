"""Checking an audit pack against the chain, trusting nothing but the pack's contents and the chain.

No database and no configuration. Per event: its hash recomputed from the event in the pack's
EPCIS document (a public pack withholds the content: said so, not re-hashed), its signature or
capture seal recovered, its signer looked up in the contract's registry, its Merkle proof
followed to its root and the root asked of the chain. Per lot of the lineage: its entry proven
in the lot state the chain anchored, and its history — the pack's events, in order — rebuilt to
that entry's head, so an event left out of the pack, added to it, or bound to another lot reads
``incomplete``. The verdicts come from the same rules as the server's
(``domain.verification``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from ...domain.commitments import (
    LotState,
    chain_head,
    declaration_event_hash,
    lot_key,
    sources_digest,
    state_leaf,
)
from ...domain.event_lots import EventLots
from ...domain.merkle import event_hash_bytes, hex32, verify
from ...domain.verification import (
    ALTERED,
    ANCHORED,
    ANCHORING,
    INCOMPLETE,
    NO_CHAIN,
    NOT_ON_CHAIN,
    UNBATCHED,
    VERIFIED,
    AnchorFacts,
    ChainFacts,
    Check,
    EventFacts,
    HashFacts,
    HistoryFacts,
    RegistryFacts,
    SignatureFacts,
    Verdict,
    check_history,
    verdict,
    worst_of,
)
from ..anchoring.lot_state import lots_of
from ..ports import ChainReader
from ..signatures.seal_checks import check_seal_proof
from .audit_pack import FORMAT, VERSION
from .corrections import pack_key
from .evidence import SignerRegistry, ask_chain, hash_facts, signature_facts


class UnusablePack(ValueError):
    """The file is not an audit pack this version can check; the message says what is wrong."""


@dataclass(frozen=True)
class PackResult:
    event_id: str
    verdict: Verdict


@dataclass(frozen=True)
class PackCheck:
    events: list[PackResult]
    histories: list[Check]
    as_of: str  # what the lot state the histories were checked against is, in words
    withheld: int = 0  # events whose content a public pack leaves out

    @property
    def verified(self) -> bool:
        return bool(self.events) and all(r.verdict.verified for r in self.events) and all(
            c.status == VERIFIED for c in self.histories)


def contracts_of(pack: dict[str, Any], override: str | None = None) -> set[str]:
    """The contract addresses the pack's anchored events name (or ``override`` if any do)."""
    found: set[Any] = {(e.get("anchor") or {}).get("contract") for e in _entries(pack)}
    state = pack.get("state")
    if isinstance(state, dict):
        found.add(state.get("contract"))
    found.discard(None)
    return {override} if override and found else cast(set[str], found)


def check_pack(pack: dict[str, Any], reader_for: Callable[[str], ChainReader], *,
               contract: str | None = None) -> PackCheck:
    """Every event's verdict and every lot history's check. ``reader_for(address)``: the chain
    reader of the contract at ``address``; ``contract`` overrides the address the pack names.

    :raises UnusablePack: the pack is malformed (nothing is checked then).
    """
    entries = _entries(pack)
    public = pack.get("view") == "public"
    doc_events = {} if public else _document_events(pack.get("epcisDocument"))
    doc_context = {} if public else pack["epcisDocument"].get("@context", [])
    by_capture: dict[str | None, list[dict[str, Any]]] = {}
    for entry in entries:
        event = doc_events.get(_key(entry))
        if event is not None and isinstance(entry.get("captureID"), str):
            by_capture.setdefault(entry["captureID"], []).append(event)
    captures = (cast(dict[Any, Any], pack["captures"]) if isinstance(pack.get("captures"), dict)
                else {})
    signers = SignerRegistry()
    roots: dict[tuple, ChainFacts] = {}
    results = []
    by_key = {_key(e): e for e in entries}
    for entry in entries:
        event = doc_events.get(_key(entry))
        facts = _facts(entry, event, entry.get("@context", doc_context), public,
                       by_capture.get(entry.get("captureID")), captures, reader_for, contract,
                       signers, roots)
        judged = verdict(facts)
        if entry.get("declaration") is True and event is not None:
            judged = worst_of([*judged.checks, _declaration_link(entry, event, by_key)])
        results.append(PackResult(_key(entry), judged))
    listed = set(by_key)
    for event_id in doc_events:
        if event_id not in listed:
            results.append(PackResult(event_id, Verdict(
                NOT_ON_CHAIN, "the pack has no hash, signature or proof for this event")))
    histories, as_of = _histories(pack, entries, doc_events, doc_context, reader_for, contract)
    return PackCheck(results, histories, as_of, len(entries) if public else 0)


def _facts(entry: dict[str, Any], event: dict[str, Any] | None, context: Any, public: bool,
           group: list[dict[str, Any]] | None, captures: dict[Any, Any],
           reader_for: Callable[[str], ChainReader], contract: str | None,
           signers: SignerRegistry, roots: dict[tuple[Any, ...], ChainFacts]) -> EventFacts:
    stored = entry["eventHash"]
    prehash = entry.get("prehash") if isinstance(entry.get("prehash"), str) else None
    if public:
        hashed = _withheld(stored)
    elif event is None:
        hashed = HashFacts(stored, prehash, error="it is missing from the pack's EPCIS document")
    else:
        hashed = hash_facts(event, context, stored, prehash, captured_with=lambda: group)
    organisation = entry.get("organisation") or {}
    gln = organisation.get("gln") if isinstance(organisation, dict) else None
    signed = _signature(entry, stored, gln, captures)
    anchor = entry.get("anchor")
    if not isinstance(anchor, dict):
        return EventFacts(gln, hashed, signed, RegistryFacts(False, error="not anchored yet"),
                          AnchorFacts(UNBATCHED))
    label = f"batch {anchor.get('batch')}"
    address = contract or anchor.get("contract")
    reader = reader_for(address) if isinstance(address, str) else None
    registry = (signers.lookup(reader, signed.signer)
                if reader is not None and signed.signer and signed.signature
                else RegistryFacts(False, error="the pack names no contract"))
    if anchor.get("status") != "confirmed":
        return EventFacts(gln, hashed, signed, registry, AnchorFacts(ANCHORING, label))
    root, proof = hex32(anchor.get("root")), _proof(anchor.get("proof"))
    leaf_count = anchor.get("leafCount") if isinstance(anchor.get("leafCount"), int) else None
    facts = AnchorFacts(ANCHORED, label, root, leaf_count, proof)
    if root is None or proof is None:
        facts = AnchorFacts(ANCHORED, label, root, leaf_count, problem=(
            anchor.get("proofProblem") or f"the pack has no well-formed root and Merkle proof "
            f"for the event in {label}"), problem_code="no-proof")
    if reader is None or root is None:
        return EventFacts(gln, hashed, signed, registry, facts, ChainFacts(NO_CHAIN))
    chain_id = anchor.get("chainId") if isinstance(anchor.get("chainId"), int) else None
    key = (reader.address.lower(), root, chain_id)
    if key not in roots:
        roots[key] = ask_chain(reader, root, chain_id=chain_id)
    chain = roots[key]
    if chain.anchored and isinstance(anchor.get("blockNumber"), int) \
            and anchor["blockNumber"] != chain.block_number:
        from dataclasses import replace

        chain = replace(chain, mismatch=f"the pack puts {label} in block "
                        f"{anchor['blockNumber']}, the chain in block {chain.block_number}")
    return EventFacts(gln, hashed, signed, registry, facts, chain)


def _withheld(stored: str) -> HashFacts:
    """A public pack leaves the content out: the hash is taken as given, and judged by what
    signs, anchors and chains it."""
    return HashFacts(stored, None, stored, None)


def _signature(entry: dict[str, Any], stored: str, gln: str | None,
               captures: dict[Any, Any]) -> SignatureFacts:
    signature = entry.get("signature") if isinstance(entry.get("signature"), str) else None
    if signature is not None:
        signer = entry.get("signer") if isinstance(entry.get("signer"), str) else None
        return signature_facts(stored, signature, signer)
    seal = entry.get("seal")
    if not isinstance(seal, dict):
        return SignatureFacts(None, None)
    capture = captures.get(seal.get("capture"))
    if not isinstance(capture, dict):
        return SignatureFacts(None, None)
    return check_seal_proof(str(seal.get("capture")), capture, stored, _proof(seal.get("proof")),
                            gln)


def _histories(pack: dict[str, Any], entries: list[dict[str, Any]],
               doc_events: dict[str, dict[str, Any]], doc_context: Any,
               reader_for: Callable[[str], ChainReader], contract: str | None
               ) -> tuple[list[Check], str]:
    by_id = {_key(e): e for e in entries}
    lots = cast(list[Any], pack["lots"]) if isinstance(pack.get("lots"), list) else []
    state, problem, status, as_of = _state(pack, reader_for, contract)
    claimed_uri = (pack.get("lot") or {}).get("uri")
    checks: list[Check] = []
    in_histories: set[str] = set()
    lineage = {lot.get("uri") for lot in lots if isinstance(lot, dict)}
    for lot in lots:
        if not isinstance(lot, dict) or not isinstance(lot.get("uri"), str):
            continue
        uri = lot["uri"]
        history = [i for i in lot.get("history") or () if isinstance(i, str)]
        pending = [i for i in lot.get("pending") or () if isinstance(i, str)]
        in_histories.update(history, pending)
        if problem is not None:
            checks.append(check_history(HistoryFacts(uri, None, (0, bytes(32)),
                                                     state_error=problem,
                                                     state_error_status=status)))
            continue
        issues, steps = [], []
        for event_id in history:
            entry = by_id.get(event_id)
            if entry is None:
                issues.append(f"event {event_id} of its history is missing from the pack")
                continue
            sources = (entry.get("lots") or {}).get(uri)
            if not isinstance(sources, list):
                issues.append(f"event {event_id} does not name this lot")
                continue
            named = _body_lots(doc_events.get(event_id), entry, doc_context)
            if named is not None and (uri not in named.named
                                      or sorted(named.sources_of(uri)) != sorted(sources)):
                issues.append(f"event {event_id}'s content does not name this lot as the pack "
                              "says")
            missing = [s for s in sources if s not in lineage]
            if missing and pack.get("direction") in ("back", "both"):
                issues.append(f"lot {missing[0]}, from which it was made by event {event_id}, "
                              "is missing from the pack")
            try:
                steps.append((event_hash_bytes(entry["eventHash"]), sources_digest(sources)))
            except ValueError:
                issues.append(f"event {event_id}'s hash is malformed")
        committed = _entry(lot, state)
        head, count = chain_head(lot_key(uri), steps)
        checks.append(check_history(HistoryFacts(uri, committed, (count, head), len(pending),
                                                 tuple(issues))))
    if claimed_uri not in lineage:
        checks.append(Check("history", INCOMPLETE, f"the pack gives no history of the lot it "
                            f"is about ({claimed_uri})", "no-history"))
    for event_id in by_id:
        if event_id not in in_histories:
            checks.append(Check("history", INCOMPLETE, f"event {event_id} belongs to the "
                                "history of no lot of the pack: it was added to it",
                                "foreign-event"))
    return checks, as_of


def _entry(lot: dict[str, Any], state: bytes | None) -> tuple[int, bytes] | None:
    """The lot's (count, head) if the pack proves it in the anchored state; None otherwise."""
    count, head, proof = lot.get("count"), hex32(lot.get("head")), _proof(lot.get("proof"))
    if state is None or not isinstance(count, int) or head is None or proof is None:
        return None
    entry = LotState(lot_key(lot["uri"]), count, head)
    return (count, head) if verify(state, entry.value, proof) else None


def _state(pack: dict[str, Any], reader_for: Callable[[str], ChainReader],
           contract: str | None) -> tuple[bytes | None, str | None, str, str]:
    """(state root, why it cannot be used, status, what it is as of)."""
    state = pack.get("state")
    if not isinstance(state, dict) or state.get("error"):
        why = state.get("error") if isinstance(state, dict) else "the pack has no lot state"
        return None, why, NOT_ON_CHAIN, "no lot state"
    root, state_root = hex32(state.get("root")), hex32(state.get("stateRoot"))
    proof = _proof(state.get("leafProof"))
    if root is None or state_root is None or proof is None:
        return None, "the pack's lot state is malformed", ALTERED, "no lot state"
    if not verify(root, state_leaf(state_root), proof):
        return None, "the pack's lot state is not the one its batch anchored", ALTERED, \
            "no lot state"
    address = contract or state.get("contract")
    reader = reader_for(address) if isinstance(address, str) else None
    if reader is None:
        return None, "the pack names no contract", NOT_ON_CHAIN, "no lot state"
    chain_id = state.get("chainId") if isinstance(state.get("chainId"), int) else None
    facts = ask_chain(reader, root, chain_id=chain_id)
    if facts.error or not facts.anchored:
        return None, facts.error or f"the lot state's batch root 0x{root.hex()} is not anchored",\
            NOT_ON_CHAIN, "no lot state"
    as_of = f"the lot state anchored in block {facts.block_number}"
    since = getattr(reader, "anchored_since", None)
    if callable(since):
        try:
            newer = [r for r, _ in since(facts.block_number) if r != root]
        except Exception:  # noqa: BLE001 - only for the note below
            newer = []
        if newer:
            as_of += (f"; {len(newer)} batches were anchored since: events after that are "
                      "not covered by this pack")
    return state_root, None, VERIFIED, as_of


def _body_lots(event: Any, entry: dict[str, Any], context: Any) -> EventLots | None:
    if not isinstance(event, dict):
        return None
    return lots_of(event, entry.get("@context", context))


def _entries(pack: Any) -> list[dict[str, Any]]:
    if not isinstance(pack, dict):
        raise UnusablePack("it is not a JSON object")
    if pack.get("format") != FORMAT:
        raise UnusablePack(f"it is not a {FORMAT} (format is {pack.get('format')!r})")
    if pack.get("version") != VERSION:
        raise UnusablePack(f"it is version {pack.get('version')!r}; this tool reads version "
                           f"{VERSION}")
    entries = pack.get("events")
    if not isinstance(entries, list):
        raise UnusablePack("it has no list of events")
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("eventID"), str) \
                or not isinstance(entry.get("eventHash"), str):
            raise UnusablePack(f"events[{i}] has no eventID and eventHash")
        if _key(entry) in seen:
            raise UnusablePack(f"event {_key(entry)} is listed twice")
        seen.add(_key(entry))
    return entries


def _document_events(document: Any) -> dict[str, dict[str, Any]]:
    body = document.get("epcisBody") if isinstance(document, dict) else None
    events = body.get("eventList") if isinstance(body, dict) else None
    if not isinstance(events, list):
        raise UnusablePack("it has no epcisDocument with an epcisBody.eventList")
    out: dict[str, dict] = {}
    for i, event in enumerate(events):
        if not isinstance(event, dict) or not isinstance(event.get("eventID"), str):
            raise UnusablePack(f"epcisDocument event {i} has no eventID")
        key = pack_key(event["eventID"], "errorDeclaration" in event)
        if key in out:
            raise UnusablePack(f"event {key} is twice in the epcisDocument")
        out[key] = event
    return out


def _key(entry: dict[str, Any]) -> str:
    return pack_key(entry["eventID"], entry.get("declaration") is True)


def _declaration_link(entry: dict[str, Any], event: dict[str, Any],
                      by_key: dict[str, dict[str, Any]]) -> Check:
    """An error declaration of the pack: it must repeat an event of the pack, recorded by the
    same organisation (its hash binds its declaration to that event's CBV 2.0 hash)."""
    declared = by_key.get(entry["eventID"])
    if declared is None and entry.get("declaresRecordedEvent") is False:
        return Check("declaration", VERIFIED, f"it declares event {entry['eventID']}, which "
                     "is recorded elsewhere (the server's verdict checks none is recorded there)")
    if declared is None:
        return Check("declaration", INCOMPLETE, f"the event it declares ({entry['eventID']}) "
                     "is missing from the pack", "declared-missing")
    try:
        expected = declaration_event_hash(declared["eventHash"], event.get("errorDeclaration"))
    except ValueError:
        expected = None
    if expected != entry["eventHash"]:
        return Check("declaration", ALTERED, f"it does not repeat event {entry['eventID']} of "
                     "the pack (its hash does not bind it to that event's)", "declaration-link")
    if (declared.get("organisation") or {}).get("gln") != \
            (entry.get("organisation") or {}).get("gln"):
        return Check("declaration", ALTERED, f"event {entry['eventID']} was recorded by another "
                     "organisation than the one that declared it erroneous",
                     "declaration-foreign")
    return Check("declaration", VERIFIED, f"it declares event {entry['eventID']}, which it "
                 "repeats exactly, recorded by the same organisation")


def _proof(value: Any) -> tuple[bytes, ...] | None:
    if not isinstance(value, list):
        return None
    nodes = [hex32(v) for v in value]
    return None if any(n is None for n in nodes) else tuple(cast(list[bytes], nodes))

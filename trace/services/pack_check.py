"""Checking an audit pack against the chain, trusting nothing but the pack's events and the chain.

No database and no configuration: every hash is recomputed from the events in the pack's EPCIS
document, every signature recovered, every signer looked up in the contract's registry, every
Merkle proof followed to its root and every root asked of the chain. The verdicts come from the
same rules as the server's (``domain.verification``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..domain.merkle import hex32
from ..domain.verification import (
    ANCHORED,
    ANCHORING,
    NO_CHAIN,
    NOT_ON_CHAIN,
    UNBATCHED,
    AnchorFacts,
    ChainFacts,
    EventFacts,
    HashFacts,
    RegistryFacts,
    Verdict,
    verdict,
)
from .audit_pack import FORMAT, VERSION
from .evidence import SignerRegistry, ask_chain, hash_facts, signature_facts
from .ports import ChainReader


class UnusablePack(ValueError):
    """The file is not an audit pack this version can check; the message says what is wrong."""


@dataclass(frozen=True)
class PackResult:
    event_id: str
    verdict: Verdict


def contracts_of(pack: dict, override: str | None = None) -> set[str]:
    """The contract addresses the pack's anchored events name (or ``override`` if any do)."""
    found = {(e.get("anchor") or {}).get("contract") for e in _entries(pack)}
    found.discard(None)
    return {override} if override and found else found


def check_pack(pack: dict, reader_for: Callable[[str], ChainReader], *,
               contract: str | None = None) -> list[PackResult]:
    """One verdict per event of the pack. ``reader_for(address)``: the chain reader of the
    contract at ``address``; ``contract`` overrides the address each event names.

    :raises UnusablePack: the pack is malformed (nothing is checked then).
    """
    entries = _entries(pack)
    document = pack.get("epcisDocument")
    doc_events = _document_events(document)
    doc_context = document.get("@context", [])
    by_capture: dict[str, list[dict]] = {}
    for entry in entries:
        event = doc_events.get(entry["eventID"])
        if event is not None and isinstance(entry.get("captureID"), str):
            by_capture.setdefault(entry["captureID"], []).append(event)
    signers = SignerRegistry()
    roots: dict[tuple, ChainFacts] = {}
    results = []
    for entry in entries:
        event = doc_events.get(entry["eventID"])
        results.append(PackResult(entry["eventID"], verdict(_facts(
            entry, event, entry.get("@context", doc_context),
            by_capture.get(entry.get("captureID")), reader_for, contract, signers, roots))))
    listed = {e["eventID"] for e in entries}
    for event_id in doc_events:
        if event_id not in listed:
            results.append(PackResult(event_id, Verdict(
                NOT_ON_CHAIN, "the pack has no hash, signature or proof for this event")))
    return results


def _facts(entry, event, context, group, reader_for, contract, signers, roots) -> EventFacts:
    stored = entry["eventHash"]
    prehash = entry.get("prehash") if isinstance(entry.get("prehash"), str) else None
    if event is None:
        hashed = HashFacts(stored, prehash, error="it is missing from the pack's EPCIS document")
    else:
        hashed = hash_facts(event, context, stored, prehash, captured_with=lambda: group)
    signed = signature_facts(stored, _text(entry.get("signature")), _text(entry.get("signer")))
    organisation = entry.get("organisation") or {}
    gln = organisation.get("gln") if isinstance(organisation, dict) else None
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
    return EventFacts(gln, hashed, signed, registry, facts, roots[key])


def _entries(pack) -> list[dict]:
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
        if entry["eventID"] in seen:
            raise UnusablePack(f"event {entry['eventID']} is listed twice")
        seen.add(entry["eventID"])
    return entries


def _document_events(document) -> dict[str, dict]:
    body = document.get("epcisBody") if isinstance(document, dict) else None
    events = body.get("eventList") if isinstance(body, dict) else None
    if not isinstance(events, list):
        raise UnusablePack("it has no epcisDocument with an epcisBody.eventList")
    out: dict[str, dict] = {}
    for i, event in enumerate(events):
        if not isinstance(event, dict) or not isinstance(event.get("eventID"), str):
            raise UnusablePack(f"epcisDocument event {i} has no eventID")
        if event["eventID"] in out:
            raise UnusablePack(f"event {event['eventID']} is twice in the epcisDocument")
        out[event["eventID"]] = event
    return out


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def _proof(value) -> tuple[bytes, ...] | None:
    if not isinstance(value, list):
        return None
    nodes = [hex32(v) for v in value]
    return None if any(n is None for n in nodes) else tuple(nodes)

"""Gathering the facts a verdict needs from an event, its signature and the chain — no database.

Shared by the server's verification (``services.verification.verdicts``) and the offline check of
an audit pack (``services.verification.pack_check``), so that both judge by the very same facts
and rules.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from eth_utils import is_address

from ...domain.commitments import declaration_event_hash
from ...domain.errors import TraceError
from ...domain.verification import (
    FROM_CHAIN,
    NO_CHAIN,
    ChainFacts,
    HashFacts,
    Registration,
    RegistryFacts,
    SignatureFacts,
)
from ...hash import EventHash, hash_document
from ...hash.vocabulary import uses_simple_context
from ...sign.signatures import recover_signer
from ..ports import AnchorFact, ChainReader

log = logging.getLogger(__name__)

# A chain reader that fails raises one of these: ChainError (a TraceError) from the web3 adapter,
# or a plain connection error from anything simpler.
CHAIN_FAILURES = (TraceError, OSError)


def one_event_document(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The event alone in an EPCIS document with its capture document's ``@context``."""
    return {"@context": context, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2000-01-01T00:00:00.000Z", "epcisBody": {"eventList": [event]}}


def hash_facts(event: Any, context: Any, stored_hash: str, stored_prehash: str | None, *,
               captured_with: Callable[[], Sequence[dict[str, Any]] | None] | None = None
               ) -> HashFacts:
    """Re-hash ``event`` as it was hashed at capture.

    The CBV 2.0 hash replaces bare vocabulary words document-wide (EVENT_HASH.md §5), so an event
    can hash differently alone than among the events it was captured with. When the event alone
    does not give ``stored_hash``, ``captured_with()`` (if given) returns those events, in capture
    order and including this one, and the event is hashed among them too.
    """
    if not isinstance(event, dict):
        return HashFacts(stored_hash, stored_prehash, error="the event is not a JSON object")
    try:
        [alone] = hash_document(one_event_document(event, context))
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        return HashFacts(stored_hash, stored_prehash, error=_one_line(exc))
    found = alone
    try:
        committed_hash(event, alone)  # :raises ValueError: errorDeclaration is not an object
    except ValueError as exc:
        return HashFacts(stored_hash, stored_prehash, error=_one_line(exc))
    group: Sequence[dict[str, Any]] | None = None
    # Before issue #10, documents in GS1's simple context were hashed with the full context's
    # vocabulary; hashes stored then are re-checked by those rules (docs/XML_AND_HASH.md).
    for legacy in (False, True) if uses_simple_context(context) else (False,):
        if committed_hash(event, found).id == stored_hash:
            break
        if legacy:
            try:
                [alone] = hash_document(one_event_document(event, context), legacy_vocabulary=True)
            except (ValueError, TypeError, KeyError, RecursionError):
                continue
            if committed_hash(event, alone).id == stored_hash:
                found = alone
                break
        if captured_with is not None:
            group = captured_with() if group is None else group
            if group and len(group) > 1:
                try:
                    hashes = hash_document(documents_of(group, context), legacy_vocabulary=legacy)
                except (ValueError, TypeError, KeyError, RecursionError):
                    hashes = []
                for e, h in zip(group, hashes, strict=False):
                    if e == event and committed_hash(event, h).id == stored_hash:
                        found = h
                        break
    if "errorDeclaration" not in event:
        return HashFacts(stored_hash, stored_prehash, found.id, found.prehash)
    # An error declaration: its pre-hash is the declared event's (CBV 2.0 leaves the
    # declaration out), and its recorded hash the declaration hash over it.
    if stored_prehash is not None and _ni(stored_prehash) != found.id:
        return HashFacts(stored_hash, stored_prehash, error=(
            "the recorded pre-hash does not hash to the declared event's CBV 2.0 hash: the "
            "pre-hash was changed"))
    return HashFacts(stored_hash, None, committed_hash(event, found).id, found.prehash)


def committed_hash(event: dict[str, Any], cbv: EventHash) -> EventHash:
    """The hash an event is stored, sealed and anchored under: its CBV 2.0 hash, or for an
    error declaration the declaration hash over it (``commitments.declaration_event_hash``).

    :raises ValueError: the ``errorDeclaration`` member is not a JSON object."""
    if "errorDeclaration" not in event:
        return cbv
    return EventHash(declaration_event_hash(cbv.id, event["errorDeclaration"]), cbv.prehash)


def _ni(prehash: str) -> str:
    return "ni:///sha-256;" + hashlib.sha256(prehash.encode()).hexdigest() + "?ver=CBV2.0"


def signature_facts(event_hash: str, signature: str | None, signer: str | None,
                    organisation_key: str | None = None) -> SignatureFacts:
    """Whose key made ``signature`` over ``event_hash``; a malformed one says why."""
    if signature is None:
        return SignatureFacts(None, signer, organisation_key=organisation_key)
    try:
        recovered = recover_signer(event_hash, signature)
    except ValueError as exc:
        return SignatureFacts(signature, signer, error=_one_line(exc),
                              organisation_key=organisation_key)
    return SignatureFacts(signature, signer, recovered, organisation_key=organisation_key)


class SignerRegistry:
    """The chain's signer registry as this process sees it: each answer is kept ``ttl`` seconds.

    Registrations change rarely but can be revoked at any time, so they are not stored facts like
    a confirmed anchor; a short cache spares the node one call per event of a lineage. ``fresh``
    asks the chain again. When the chain fails, the last answer (even expired) is used if any,
    and the node is left alone for ``retry_after`` seconds, so that pages do not each wait for
    a node that is down (``fresh`` asks it all the same). Answers are kept per reader object
    (one per application): a lazy reader may not even know its contract address yet.
    """

    def __init__(self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = 10_000, retry_after: float = 10.0):
        self.ttl = ttl
        self.retry_after = retry_after
        self._clock = clock
        self._max = max_entries
        self._entries: dict[tuple[int, str], tuple[float, Registration | None]] = {}
        self._down: dict[int, tuple[float, str]] = {}  # reader → (ask again after, why)

    def lookup(self, reader: ChainReader | None, address: str, *,
               fresh: bool = False) -> RegistryFacts:
        if reader is None:
            return RegistryFacts(False, error="no chain configured")
        if not is_address(address):
            return RegistryFacts(False, error=f"the recorded signer {address!r} is not an address")
        key = (id(reader), address.lower())
        now = self._clock()
        cached = self._entries.get(key)
        if cached is not None and not fresh and cached[0] > now:
            return RegistryFacts(True, cached[1])
        down = self._down.get(key[0])
        if down is not None and down[0] > now and not fresh:
            return self._failed(cached, down[1])
        try:
            fact = reader.signer_of(address)
        except CHAIN_FAILURES as exc:
            log.warning("signer registry lookup of %s failed: %s", address, exc)
            self._down[key[0]] = (now + self.retry_after, _one_line(exc))
            return self._failed(cached, _one_line(exc))
        self._down.pop(key[0], None)
        registration = None if fact is None else Registration(
            bytes(fact.organisation), bool(fact.active), int(fact.registered_at),
            int(fact.revoked_at) if fact.revoked_at else None)
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[key] = (now + self.ttl, registration)
        return RegistryFacts(True, registration)

    @staticmethod
    def _failed(cached: tuple[float, Registration | None] | None, why: str) -> RegistryFacts:
        if cached is not None:
            return RegistryFacts(True, cached[1])
        return RegistryFacts(False, error=f"the chain could not be asked ({why})")


def reader_address(reader: ChainReader) -> str | None:
    """The contract ``reader`` reads, or None when it cannot say (a lazy reader whose chain is
    out of reach)."""
    try:
        return reader.address
    except CHAIN_FAILURES:
        return None


def chain_where(chain_id: int | None, contract: str | None) -> str:
    parts = [f"chain {chain_id}" if chain_id is not None else "",
             f"contract {contract}" if contract else ""]
    return ", ".join(p for p in parts if p)


def ask_chain(reader: ChainReader | None, root: bytes, *, chain_id: int | None = None,
              contract: str | None = None) -> ChainFacts:
    """What the chain says about ``root`` now. ``chain_id``/``contract``: where it was anchored,
    as recorded; a reader of another contract or chain cannot confirm it."""
    if reader is None:
        return ChainFacts(NO_CHAIN)
    where = chain_where(chain_id, contract or reader_address(reader))
    try:
        mismatch = wrong_place(reader, chain_id, contract)
        if mismatch is not None:
            return ChainFacts(FROM_CHAIN, error=mismatch, where=where)
        fact: AnchorFact | None = reader.anchor_of(root)
    except CHAIN_FAILURES as exc:
        return ChainFacts(FROM_CHAIN, error=f"the chain could not be asked ({_one_line(exc)})",
                          where=where)
    if fact is None:
        return ChainFacts(FROM_CHAIN, anchored=False, where=where)
    return ChainFacts(FROM_CHAIN, anchored=True, leaf_count=fact.leaf_count,
                      block_number=fact.block_number, timestamp=fact.timestamp, where=where)


def wrong_place(reader: ChainReader, chain_id: int | None, contract: str | None) -> str | None:
    """Why ``reader`` cannot confirm an anchor recorded on ``chain_id`` at ``contract``, if so.

    :raises ChainError: (or OSError) the reader cannot reach its chain.
    """
    if contract and contract.lower() != reader.address.lower():
        return (f"anchored with contract {contract}, but the chain reader reads contract "
                f"{reader.address}")
    if chain_id is not None and reader.chain_id != chain_id:
        return f"anchored on chain {chain_id}, but the chain reader is on chain {reader.chain_id}"
    return None


def documents_of(events: Sequence[dict[str, Any]], context: Any) -> dict[str, Any]:
    """The events in one EPCIS document with their capture document's ``@context``."""
    doc = one_event_document({}, context)
    doc["epcisBody"]["eventList"] = list(events)
    return doc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__

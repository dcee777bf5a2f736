"""Whether a record is what its organisation signed and what was anchored: the verdict rules.

A verdict is reached from plain facts that someone else gathered (from our database and the chain,
or from an audit pack and the chain): the event as re-hashed now, its signature, the chain's
signer registry, its Merkle proof and what the chain says about the root. Four checks, each with a
status and a plain reason; the event's status is the worst of them, in this order of precedence:

    altered > incomplete > bad-signature > unsigned > unknown-signer > not-on-chain > pending
    > verified

``altered`` wins because it is about the record itself: a bad signature or a missing anchor are
consequences of it. ``unsigned``: no signature covers the record, so it did not come through an
authenticated capture. ``incomplete``: a lot's history as the records show it is not the one the
chain's latest lot state commits to (an event or a lineage link was removed, added or moved).
A lot's verdict is the worst of its lineage's events and of its lots' histories. Only
``verified`` is green; ``pending`` is only an event waiting for its first anchoring round.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache

from .identity import gln_of, organisation_id_bytes
from .json_types import JsonObject
from .merkle import event_hash_bytes, verify

VERIFIED = "verified"
PENDING = "pending"
NOT_ON_CHAIN = "not-on-chain"
UNKNOWN_SIGNER = "unknown-signer"
UNSIGNED = "unsigned"
BAD_SIGNATURE = "bad-signature"
INCOMPLETE = "incomplete"
ALTERED = "altered"
STATUSES = (VERIFIED, PENDING, NOT_ON_CHAIN, UNKNOWN_SIGNER, UNSIGNED, BAD_SIGNATURE, INCOMPLETE,
            ALTERED)  # best first
_RANK = {status: rank for rank, status in enumerate(STATUSES)}

# What an anchor is known from: asked of the chain just now, our record of a confirmed anchoring
# transaction, or nothing (no chain configured).
FROM_CHAIN, FROM_RECORD, NO_CHAIN = "chain", "record", "none"
# Where an event is in the anchoring flow.
UNBATCHED, ANCHORING, ANCHORED = "unbatched", "anchoring", "anchored"


@dataclass(frozen=True)
class Check:
    """One check's outcome; ``code`` names the rule that decided it, for programs."""

    name: str  # hash | signature | signer | anchor
    status: str
    reason: str
    code: str = "ok"

    def as_dict(self) -> JsonObject:
        return {"check": self.name, "status": self.status, "code": self.code,
                "reason": self.reason}


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str
    checks: tuple[Check, ...] = ()

    @property
    def verified(self) -> bool:
        return self.status == VERIFIED

    def as_dict(self) -> JsonObject:
        return {"status": self.status, "reason": self.reason,
                "checks": [c.as_dict() for c in self.checks]}


# --- the facts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class HashFacts:
    """The recorded hash and pre-hash, and what the recorded event re-hashes to now."""

    stored_hash: str
    stored_prehash: str | None
    recomputed_hash: str | None = None
    recomputed_prehash: str | None = None
    error: str | None = None  # why the recorded event could not be re-hashed


@dataclass(frozen=True)
class SignatureFacts:
    """The recorded signature and signer, and whose key made that signature over the recorded
    hash (``kind`` "event") or over the capture statement that covers it (``kind`` "seal")."""

    signature: str | None
    signer: str | None
    recovered: str | None = None
    error: str | None = None  # the signature is malformed
    organisation_key: str | None = None  # the organisation's signing address today, if known
    kind: str = "event"
    problem: str | None = None  # the seal does not cover the event as recorded: why
    problem_code: str = "seal-mismatch"


@dataclass(frozen=True)
class Registration:
    """The chain's signer registry entry of an address (``revoked_at`` None while active)."""

    organisation: bytes
    active: bool
    registered_at: int
    revoked_at: int | None = None


@dataclass(frozen=True)
class RegistryFacts:
    """What the chain's signer registry says about the signer (``checked`` False: not asked)."""

    checked: bool
    registration: Registration | None = None
    error: str | None = None


@dataclass(frozen=True)
class AnchorFacts:
    """Where the event is in the anchoring flow, and the Merkle proof of it.

    ``problem``: the anchoring records were found broken while gathering the facts (a changed
    batch link or leaf index, a batch whose records no longer rebuild its root); ``problem_code``
    says which, for programs.
    """

    state: str  # UNBATCHED | ANCHORING | ANCHORED
    batch: str = ""  # how reasons name the batch, e.g. "batch 7"
    root: bytes | None = None
    leaf_count: int | None = None
    proof: tuple[bytes, ...] | None = None
    problem: str | None = None
    problem_code: str = "records-broken"
    problem_status: str = NOT_ON_CHAIN


@dataclass(frozen=True)
class ChainFacts:
    """What is known about the root on chain, and from where (``source``)."""

    source: str  # FROM_CHAIN | FROM_RECORD | NO_CHAIN
    anchored: bool = False
    leaf_count: int | None = None
    block_number: int | None = None
    timestamp: int | None = None
    error: str | None = None  # the chain could not be asked, or is not the one anchored on
    where: str = ""  # e.g. "chain 31337, contract 0x…", for reasons
    mismatch: str | None = None  # our anchoring record differs from what the chain says


@dataclass(frozen=True)
class EventFacts:
    organisation_gln: str | None
    hash: HashFacts
    signature: SignatureFacts
    registry: RegistryFacts
    anchor: AnchorFacts
    chain: ChainFacts = field(default_factory=lambda: ChainFacts(NO_CHAIN))


# --- the rules -----------------------------------------------------------------------------------

def verdict(facts: EventFacts) -> Verdict:
    """The verdict on one event: its four checks and the worst of them."""
    checks = [check_hash(facts.hash),
              check_signature(facts.signature, facts.anchor.state),
              check_signer(facts.registry, facts.signature, facts.organisation_gln,
                           facts.anchor.state),
              check_anchor(facts.anchor, facts.chain, anchored_value(facts.hash))]
    present = _rewritten([c for c in checks if c is not None])
    return worst_of(present)


def worst_of(checks: Sequence[Check]) -> Verdict:
    """The worst check decides; among equals, the first (hash, signature, signer, anchor)."""
    worst = checks[0]
    for c in checks[1:]:
        if _RANK[c.status] > _RANK[worst.status]:
            worst = c
    if worst.status == VERIFIED:
        anchor = next((c for c in checks if c.name == "anchor"), None)
        summary = "the record is intact, signed by its organisation's registered key"
        return Verdict(VERIFIED, summary + (f", and {anchor.reason}" if anchor else ""),
                       tuple(checks))
    return Verdict(worst.status, worst.reason, tuple(checks))


def worse(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


def lot_verdict(verdicts: Iterable[tuple[str, Verdict]],
                histories: Sequence[Check] = ()) -> Verdict:
    """A lot's verdict: the worst of its lineage's events and of its lots' histories
    (``check_history``), with the first such event or lot named."""
    verdicts = list(verdicts)
    if not verdicts and not histories:
        return Verdict(PENDING, "no events are recorded for this lineage yet")
    status = VERIFIED
    for _, v in verdicts:
        status = worse(status, v.status)
    history_status = VERIFIED
    for c in histories:
        history_status = worse(history_status, c.status)
    total, ok = len(verdicts), sum(v.verified for _, v in verdicts)
    if worse(status, history_status) == VERIFIED:
        return Verdict(VERIFIED, f"all {total} events of the lineage are verified, and the "
                       f"history of each of its {len(histories)} lots is complete",
                       tuple(histories))
    if _RANK[history_status] > _RANK[status]:
        first = next(c for c in histories if c.status == history_status)
        return Verdict(history_status, first.reason, tuple(histories))
    event_id, worst = next((e, v) for e, v in verdicts if v.status == status)
    return Verdict(status, f"{ok} of {total} events verified; event {event_id}: {worst.reason}",
                   tuple(histories))


@dataclass(frozen=True)
class HistoryFacts:
    """One lot's history: as the latest anchored lot state commits to it, and as recomputed
    from the records now (``problems``: records naming the lot that cannot be part of it)."""

    uri: str
    committed: tuple[int, bytes] | None  # (count, head); None: the state has no entry for it
    recomputed: tuple[int, bytes]  # from the records anchored up to that state
    pending: int = 0  # events naming it that wait for their first anchoring round
    problems: tuple[str, ...] = ()
    state_error: str | None = None  # the latest state could not be established: why
    state_error_status: str = NOT_ON_CHAIN


def check_history(h: HistoryFacts) -> Check:
    """Whether a lot's history, as the records show it, is the one the chain's state commits."""
    name = "history"
    if h.state_error is not None:
        return Check(name, h.state_error_status, f"the history of {h.uri} cannot be checked: "
                     f"{h.state_error}", "state-unchecked")
    if h.problems:
        return Check(name, INCOMPLETE, f"{h.uri}: {h.problems[0]}", "foreign-record")
    count, head = h.committed or (0, bytes(32))
    got_count, got_head = h.recomputed
    if got_count < count:
        return Check(name, INCOMPLETE, f"the anchored history of {h.uri} has {count} events, the "
                     f"records hold {got_count}: an event, or the record linking it to this lot, "
                     "was removed", "events-missing")
    if got_count > count:
        return Check(name, INCOMPLETE, f"the anchored history of {h.uri} has {count} events, the "
                     f"records show {got_count} as anchored: an event was added to it, or moved "
                     "into one of its batches", "events-added")
    if got_head != head:
        return Check(name, INCOMPLETE, f"the history of {h.uri} does not chain to its anchored "
                     "head: an event of it was replaced or reordered, or a lineage link changed",
                     "head-mismatch")
    waiting = f"; {h.pending} more wait for anchoring" if h.pending else ""
    return Check(name, VERIFIED, f"{h.uri}: all {count} anchored events are there{waiting}")


def check_hash(h: HashFacts) -> Check:
    name = "hash"
    try:
        event_hash_bytes(h.stored_hash)
    except ValueError:
        return Check(name, ALTERED, f"the recorded hash {h.stored_hash!r} is not a CBV 2.0 event "
                     "hash: it was changed", "hash-malformed")
    if h.error is not None or h.recomputed_hash is None:
        return Check(name, ALTERED, f"the recorded event cannot be re-hashed "
                     f"({h.error or 'no event'}): it was changed", "not-rehashable")
    if h.recomputed_hash != h.stored_hash:
        return Check(name, ALTERED, f"the recorded event re-hashes to {h.recomputed_hash}, not "
                     f"to its recorded hash {h.stored_hash}: the event or its hash was changed",
                     "hash-mismatch")
    if h.stored_prehash is not None and _ni(h.stored_prehash) != h.stored_hash:
        return Check(name, ALTERED, "the recorded pre-hash does not hash to the recorded hash: "
                     "the pre-hash was changed", "prehash-mismatch")
    return Check(name, VERIFIED, "the event re-hashes to its recorded hash (CBV 2.0)")


def check_signature(s: SignatureFacts, anchor_state: str = ANCHORED) -> Check:
    """Whether the organisation's key signed this record, per event or by its capture's seal."""
    name = "signature"
    if s.signature is None:
        return Check(name, UNSIGNED, "no signature covers this record: it was not stored by an "
                     "authenticated capture", "unsigned")
    if s.error is not None:
        return Check(name, BAD_SIGNATURE, f"the recorded signature is malformed: {s.error}",
                     "malformed")
    if s.problem is not None:
        return Check(name, BAD_SIGNATURE, s.problem, s.problem_code)
    if s.signer is None:
        return Check(name, BAD_SIGNATURE, "no signer address is recorded", "no-signer")
    if s.recovered is None or s.recovered.lower() != s.signer.lower():
        what = ("the capture seal was made by" if s.kind == "seal" else "the signature is by")
        extra = (": the capture's record (organisation, user, time or event hashes) was "
                 "changed" if s.kind == "seal" else "")
        return Check(name, BAD_SIGNATURE, f"{what} {s.recovered}, not by the recorded signer "
                     f"{s.signer}{extra}", "wrong-signer")
    how = "sealed at capture by" if s.kind == "seal" else "signed by"
    return Check(name, VERIFIED, f"{how} {s.signer}")


def check_signer(r: RegistryFacts, s: SignatureFacts, gln: str | None,
                 anchor_state: str = ANCHORED) -> Check | None:
    """Whether the signer is registered on chain, active, for the event's organisation.

    None when there is no signer to ask about (the signature check already says why).
    """
    name = "signer"
    if s.signer is None or s.signature is None:
        return None
    if gln is None:
        return Check(name, UNKNOWN_SIGNER, "the event names no organisation to check its signer "
                     "against", "no-organisation")
    if not r.checked:
        if s.organisation_key is not None and s.organisation_key.lower() != s.signer.lower():
            return Check(name, BAD_SIGNATURE, f"{s.signer} is not the signing key of organisation "
                         f"{gln} ({s.organisation_key}), and the chain's signer registry could "
                         "not be asked", "not-organisation-key")
        # Before anchoring, nothing is expected on chain yet: not a warning.
        status = NOT_ON_CHAIN if anchor_state == ANCHORED else PENDING
        return Check(name, status, f"the signer registry could not be checked: "
                     f"{r.error or 'no chain configured'}", "registry-unchecked")
    reg = r.registration
    if reg is None:
        if anchor_state == UNBATCHED:  # signers are registered by the first anchoring round
            return Check(name, PENDING, f"{s.signer} is to be registered on chain with the "
                         "event's first anchoring round", "not-registered-yet")
        return Check(name, UNKNOWN_SIGNER, f"{s.signer} is not registered on chain as a signer",
                     "not-registered")
    if reg.organisation != organisation_id_bytes(gln):
        return Check(name, UNKNOWN_SIGNER, f"{s.signer} is registered on chain for organisation "
                     f"{gln_of(reg.organisation)!r}, not for {gln}", "other-organisation")
    if not reg.active or reg.revoked_at:
        when = f" on {_time(reg.revoked_at)}" if reg.revoked_at else ""
        return Check(name, UNKNOWN_SIGNER, f"{s.signer}'s registration for organisation {gln} "
                     f"was revoked on chain{when}", "revoked")
    return Check(name, VERIFIED, f"{s.signer} is registered on chain for organisation {gln} "
                 f"since {_time(reg.registered_at)}")


def check_anchor(a: AnchorFacts, c: ChainFacts, value: bytes | None) -> Check:
    """Whether the Merkle proof leads from ``value`` (the event's hash) to a root on chain."""
    name = "anchor"
    if a.problem is not None:
        return Check(name, a.problem_status, a.problem, a.problem_code)
    if a.state == UNBATCHED:
        return Check(name, PENDING, "not anchored yet: waiting for the next anchoring batch",
                     "not-batched")
    if a.state == ANCHORING:
        return Check(name, PENDING, f"{a.batch} is being anchored; its transaction is not "
                     "confirmed yet", "anchoring")
    if a.root is None or a.proof is None:
        return Check(name, NOT_ON_CHAIN, f"there is no Merkle proof of the event in {a.batch}",
                     "no-proof")
    if value is None or not _proven(a.root, value, a.proof):
        return Check(name, NOT_ON_CHAIN, f"the Merkle proof does not lead from the event's hash "
                     f"to the root 0x{a.root.hex()} of {a.batch}", "proof-fails")
    if c.source == NO_CHAIN:
        return Check(name, NOT_ON_CHAIN, f"no chain configured: the anchoring of {a.batch} "
                     "cannot be checked", "no-chain")
    if c.error is not None:
        return Check(name, NOT_ON_CHAIN, c.error, "chain-error")
    if c.mismatch is not None:
        return Check(name, ALTERED, c.mismatch, "record-mismatch")
    if not c.anchored:
        return Check(name, NOT_ON_CHAIN, f"the root 0x{a.root.hex()} of {a.batch} is not "
                     f"anchored on {c.where or 'chain'}", "root-not-anchored")
    if c.leaf_count is not None and a.leaf_count is not None and c.leaf_count != a.leaf_count:
        return Check(name, NOT_ON_CHAIN, f"the chain records {c.leaf_count} events under the "
                     f"root of {a.batch}, its records say {a.leaf_count}", "leaf-count")
    source = "checked on chain just now" if c.source == FROM_CHAIN else \
        "as the chain said when first asked"
    where = f"{c.where}; " if c.where else ""
    return Check(name, VERIFIED, f"anchored in {a.batch}, block {c.block_number}, on "
                 f"{_time(c.timestamp)} ({where}{source})")


# Anchor failures that are about this event's hash, not about the chain being out of reach.
_HASH_NOT_ANCHORED = frozenset(("proof-fails", "not-a-leaf", "records-broken"))


def _rewritten(checks: list[Check]) -> list[Check]:
    """A record re-hashes consistently, yet its hash is neither the one signed nor one anchored:
    the event, its hash and its pre-hash were all rewritten together. That is an alteration,
    not merely a bad signature."""
    by = {c.name: c for c in checks}
    sig, anchor, hashed = by.get("signature"), by.get("anchor"), by.get("hash")
    if (hashed is not None and hashed.status == VERIFIED and sig is not None
            and sig.code in ("wrong-signer", "seal-mismatch") and anchor is not None
            and anchor.code in _HASH_NOT_ANCHORED):
        rewritten = replace(hashed, status=ALTERED, code="rewritten", reason=(
            "the event re-hashes to its recorded hash, but that hash is neither the one its "
            "organisation signed nor one anchored on chain: the record was rewritten"))
        return [rewritten if c is hashed else c for c in checks]
    return checks


@lru_cache(maxsize=65_536)
def _proven(root: bytes, value: bytes, proof: tuple[bytes, ...]) -> bool:
    """``merkle.verify``, remembered: the same root, value and proof always give the same answer."""
    return verify(root, value, tuple(proof))


def anchored_value(h: HashFacts) -> bytes | None:
    """The hash whose anchoring is judged: the event's own, recomputed; the recorded one if the
    event cannot be re-hashed."""
    for candidate in (h.recomputed_hash, h.stored_hash):
        try:
            return event_hash_bytes(candidate)
        except ValueError:
            continue
    return None


def _ni(prehash: str) -> str:
    return "ni:///sha-256;" + hashlib.sha256(prehash.encode()).hexdigest() + "?ver=CBV2.0"


def _time(timestamp: int | None) -> str:
    if timestamp is None:
        return "an unknown time"
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")

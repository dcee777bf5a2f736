"""The verdict rules, from plain facts: no database, no chain, no keys."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from tracechain.domain.identity import organisation_id_bytes
from tracechain.domain.merkle import MerkleTree, event_hash_bytes
from tracechain.domain.verification import (
    ALTERED,
    ANCHORED,
    ANCHORING,
    BAD_SIGNATURE,
    FROM_CHAIN,
    FROM_RECORD,
    NO_CHAIN,
    NOT_ON_CHAIN,
    PENDING,
    STATUSES,
    UNBATCHED,
    UNKNOWN_SIGNER,
    UNSIGNED,
    VERIFIED,
    AnchorFacts,
    ChainFacts,
    EventFacts,
    HashFacts,
    Registration,
    RegistryFacts,
    SignatureFacts,
    Verdict,
    lot_verdict,
    verdict,
)

GLN = "8930000000019"
SIGNER = "0x" + "ab" * 20
OTHER = "0x" + "cd" * 20
PREHASH = "eventType=ObjectEventeventTime=2025-02-10T00:30:00.000Z"
HASH = "ni:///sha-256;" + hashlib.sha256(PREHASH.encode()).hexdigest() + "?ver=CBV2.0"
NEIGHBOURS = [hashlib.sha256(bytes([i])).digest() for i in range(4)]
TREE = MerkleTree([event_hash_bytes(HASH), *NEIGHBOURS])


def facts(**changes) -> EventFacts:
    """A verified event's facts, with ``changes`` (hash=…, signature=…, …) applied."""
    base = EventFacts(
        GLN,
        HashFacts(HASH, PREHASH, HASH, PREHASH),
        SignatureFacts("0x" + "11" * 65, SIGNER, SIGNER),
        RegistryFacts(True, Registration(organisation_id_bytes(GLN), True, 1_700_000_000)),
        AnchorFacts(ANCHORED, "batch 7", TREE.root, 5, tuple(TREE.proof(0))),
        ChainFacts(FROM_RECORD, anchored=True, leaf_count=5, block_number=42,
                   timestamp=1_700_000_100, where="chain 31337"),
    )
    return replace(base, **changes)


def judge(**changes) -> Verdict:
    return verdict(facts(**changes))


def check(v: Verdict, name: str):
    return next(c for c in v.checks if c.name == name)


def test_an_intact_signed_anchored_event_is_verified():
    v = judge()
    assert v.status == VERIFIED and v.verified
    assert [c.name for c in v.checks] == ["hash", "signature", "signer", "anchor"]
    assert "block 42" in v.reason and "as the chain said when first asked" in v.reason
    fresh = judge(chain=ChainFacts(FROM_CHAIN, anchored=True, leaf_count=5, block_number=42,
                                   timestamp=1))
    assert fresh.verified and "checked on chain just now" in fresh.reason


@pytest.mark.parametrize("hashed, code", [
    (HashFacts("sha256:nonsense", PREHASH, HASH, PREHASH), "hash-malformed"),
    (HashFacts(HASH, PREHASH, error="not JSON"), "not-rehashable"),
    (HashFacts(HASH, PREHASH, "ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0", "x"), "hash-mismatch"),
    (HashFacts(HASH, PREHASH + " ", HASH, PREHASH), "prehash-mismatch"),
])
def test_a_record_that_does_not_rehash_is_altered(hashed, code):
    v = judge(hash=hashed)
    assert v.status == ALTERED and check(v, "hash").code == code


@pytest.mark.parametrize("signed, state, status, code", [
    (SignatureFacts(None, None), UNBATCHED, UNSIGNED, "unsigned"),
    (SignatureFacts(None, None), ANCHORED, UNSIGNED, "unsigned"),
    (SignatureFacts(None, SIGNER), UNBATCHED, UNSIGNED, "unsigned"),
    (SignatureFacts("0x" + "11" * 65, SIGNER, SIGNER, kind="seal", problem="not covered"),
     ANCHORED, BAD_SIGNATURE, "seal-mismatch"),
    (SignatureFacts("0x" + "11" * 65, SIGNER, OTHER, kind="seal"), ANCHORED, BAD_SIGNATURE,
     "wrong-signer"),
    (SignatureFacts("0x" + "11" * 65, SIGNER, SIGNER, kind="seal"), ANCHORED, VERIFIED, "ok"),
    (SignatureFacts("0x12", SIGNER, error="65 bytes expected"), ANCHORED, BAD_SIGNATURE,
     "malformed"),
    (SignatureFacts("0x" + "11" * 65, None, SIGNER), ANCHORED, BAD_SIGNATURE, "no-signer"),
    (SignatureFacts("0x" + "11" * 65, SIGNER, OTHER), ANCHORED, BAD_SIGNATURE, "wrong-signer"),
    (SignatureFacts("0x" + "11" * 65, SIGNER.upper().replace("0X", "0x"), SIGNER), ANCHORED,
     VERIFIED, "ok"),
])
def test_signature_rules(signed, state, status, code):
    anchor = facts().anchor if state == ANCHORED else AnchorFacts(state)
    v = judge(signature=signed, anchor=anchor)
    assert check(v, "signature").code == code
    assert check(v, "signature").status == status


@pytest.mark.parametrize("registry, code", [
    (RegistryFacts(True, None), "not-registered"),
    (RegistryFacts(True, Registration(organisation_id_bytes("8930000000026"), True, 1)),
     "other-organisation"),
    (RegistryFacts(True, Registration(organisation_id_bytes(GLN), False, 1, 1_700_000_500)),
     "revoked"),
])
def test_a_signer_not_registered_for_the_organisation_is_unknown(registry, code):
    v = judge(registry=registry)
    assert v.status == UNKNOWN_SIGNER and check(v, "signer").code == code
    if code == "other-organisation":
        assert "8930000000026" in v.reason


def test_an_unchecked_registry_is_a_warning_once_anchored_and_pending_before():
    unchecked = RegistryFacts(False, error="no chain configured")
    v = judge(registry=unchecked, chain=ChainFacts(NO_CHAIN))
    assert v.status == NOT_ON_CHAIN and "no chain configured" in v.reason
    v = judge(registry=unchecked, anchor=AnchorFacts(UNBATCHED))
    assert v.status == PENDING
    # Without the registry, a signer who is not the organisation's key is a bad signature.
    v = judge(registry=unchecked, signature=SignatureFacts("0x" + "11" * 65, SIGNER, SIGNER,
                                                           organisation_key=OTHER))
    assert v.status == BAD_SIGNATURE and check(v, "signer").code == "not-organisation-key"


@pytest.mark.parametrize("anchor, chain, status, code", [
    (AnchorFacts(UNBATCHED), None, PENDING, "not-batched"),
    (AnchorFacts(ANCHORING, "batch 7"), None, PENDING, "anchoring"),
    (AnchorFacts(UNBATCHED, problem="its batch link was removed",
                 problem_code="batch-link-removed"), None, NOT_ON_CHAIN, "batch-link-removed"),
    (AnchorFacts(ANCHORED, "batch 7", TREE.root, 5, None), None, NOT_ON_CHAIN, "no-proof"),
    (AnchorFacts(ANCHORED, "batch 7", TREE.root, 5, tuple(TREE.proof(1))), None, NOT_ON_CHAIN,
     "proof-fails"),
    (None, ChainFacts(NO_CHAIN), NOT_ON_CHAIN, "no-chain"),
    (None, ChainFacts(FROM_CHAIN, error="the chain could not be asked"), NOT_ON_CHAIN,
     "chain-error"),
    (None, ChainFacts(FROM_CHAIN, anchored=False), NOT_ON_CHAIN, "root-not-anchored"),
    (None, ChainFacts(FROM_CHAIN, anchored=True, leaf_count=6, block_number=1, timestamp=1),
     NOT_ON_CHAIN, "leaf-count"),
])
def test_anchor_rules(anchor, chain, status, code):
    changes = {}
    if anchor is not None:
        changes["anchor"] = anchor
    if chain is not None:
        changes["chain"] = chain
    v = judge(**changes)
    assert (check(v, "anchor").status, check(v, "anchor").code) == (status, code)
    if anchor is not None and anchor.state == UNBATCHED and anchor.problem is None:
        assert v.status == PENDING  # unsigned, unbatched: simply waiting


def test_the_recomputed_hash_is_what_the_proof_is_followed_from():
    # The recorded hash is the anchored one, but the event now re-hashes to something else.
    other = "ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0"
    v = judge(hash=HashFacts(HASH, PREHASH, other, "x"))
    assert check(v, "anchor").code == "proof-fails"
    assert v.status == ALTERED


def test_precedence_altered_then_bad_signature_then_unknown_signer_then_not_on_chain():
    altered = HashFacts(HASH, PREHASH + "!", HASH, PREHASH)
    bad = SignatureFacts("0x12", SIGNER, error="malformed")
    unknown = RegistryFacts(True, None)
    off_chain = ChainFacts(FROM_CHAIN, anchored=False)
    assert judge(hash=altered, signature=bad, registry=unknown, chain=off_chain).status == ALTERED
    assert judge(signature=bad, registry=unknown, chain=off_chain).status == BAD_SIGNATURE
    assert judge(registry=unknown, chain=off_chain).status == UNKNOWN_SIGNER
    assert judge(chain=off_chain).status == NOT_ON_CHAIN
    assert STATUSES.index(NOT_ON_CHAIN) > STATUSES.index(PENDING)


def test_a_hash_neither_signed_nor_anchored_means_the_record_was_rewritten():
    wrong = SignatureFacts("0x" + "11" * 65, SIGNER, OTHER)
    unproven = AnchorFacts(ANCHORED, "batch 7", TREE.root, 5, problem="not a leaf",
                           problem_code="not-a-leaf")
    v = judge(signature=wrong, anchor=unproven)
    assert v.status == ALTERED and check(v, "hash").code == "rewritten"
    # A wrong signature alone, or with a chain that cannot be asked, is only a bad signature.
    assert judge(signature=wrong).status == BAD_SIGNATURE
    assert judge(signature=wrong, chain=ChainFacts(NO_CHAIN)).status == BAD_SIGNATURE


def test_a_lot_is_as_good_as_the_worst_event_of_its_lineage():
    ok, off = judge(), judge(chain=ChainFacts(FROM_CHAIN, anchored=False))
    bad = judge(hash=HashFacts(HASH, PREHASH, error="gone"))
    assert lot_verdict([("a", ok), ("b", ok)]).status == VERIFIED
    v = lot_verdict([("a", ok), ("b", off), ("c", bad), ("d", bad)])
    assert v.status == ALTERED and v.reason.startswith("1 of 4 events verified; event c:")
    assert lot_verdict([("a", ok), ("b", off)]).status == NOT_ON_CHAIN
    assert lot_verdict([]).status == PENDING

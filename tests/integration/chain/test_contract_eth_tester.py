"""TraceAnchor on web3's in-process eth-tester (py-evm): every function, role and refusal."""

from __future__ import annotations

import pytest

from tests.integration.chain.chain_support import (
    ANCHORER_ROLE,
    REGISTRAR_ROLE,
    MerkleTree,
    leaf_hash,
    random_address,
    random_bytes32,
    reverts,
    send,
)

ZERO32 = b"\x00" * 32
ZERO_ADDRESS = "0x" + "00" * 20
ADMIN_ROLE = ZERO32


@pytest.fixture
def w3(tester_w3):
    return tester_w3


@pytest.fixture
def acct(tester_accounts):
    return tester_accounts


@pytest.fixture(scope="module")
def contract(tester_contract, tester_accounts):
    """The session's deployment, with the anchorer and registrar roles given to their own keys."""
    fns, admin = tester_contract.functions, tester_accounts.deployer
    for role, holder in ((ANCHORER_ROLE, tester_accounts.anchorer),
                         (REGISTRAR_ROLE, tester_accounts.registrar)):
        if not fns.hasRole(role, holder).call():
            send(fns.grantRole(role, holder), admin)
    return tester_contract


# --- roles --------------------------------------------------------------------------------------

def test_role_constants_and_deployer_roles(contract, acct):
    fns = contract.functions
    assert fns.ANCHORER_ROLE().call() == ANCHORER_ROLE
    assert fns.REGISTRAR_ROLE().call() == REGISTRAR_ROLE
    for role in (ADMIN_ROLE, ANCHORER_ROLE, REGISTRAR_ROLE):
        assert fns.hasRole(role, acct.deployer).call()
        assert not fns.hasRole(role, acct.stranger).call()


def test_only_the_admin_grants_roles(contract, acct):
    with reverts(contract, "AccessControlUnauthorizedAccount", acct.stranger, ADMIN_ROLE):
        contract.functions.grantRole(ANCHORER_ROLE, acct.stranger).transact({"from": acct.stranger})
    assert not contract.functions.hasRole(ANCHORER_ROLE, acct.stranger).call()


# --- anchor -------------------------------------------------------------------------------------

def test_anchor_records_block_time_submitter_and_leaf_count(w3, contract, acct):
    root = random_bytes32()
    assert contract.functions.anchorOf(root).call() == [0, 0, ZERO_ADDRESS, 0]
    assert not contract.functions.isAnchored(root).call()

    receipt = send(contract.functions.anchor(root, 7), acct.anchorer)

    block = w3.eth.get_block(receipt.blockNumber)
    assert contract.functions.anchorOf(root).call() == [
        receipt.blockNumber, block.timestamp, acct.anchorer, 7]
    assert contract.functions.isAnchored(root).call()
    (event,) = contract.events.Anchored().process_receipt(receipt)
    assert event.address == contract.address
    assert dict(event.args) == {"root": root, "submitter": acct.anchorer, "leafCount": 7,
                                "blockNumber": receipt.blockNumber, "timestamp": block.timestamp}


def test_anchor_by_deployer_who_holds_the_role_too(contract, acct):
    root = random_bytes32()
    send(contract.functions.anchor(root, 1), acct.deployer)
    assert contract.functions.anchorOf(root).call()[2] == acct.deployer


def test_anchor_by_a_stranger_is_refused(contract, acct):
    root = random_bytes32()
    with reverts(contract, "AccessControlUnauthorizedAccount", acct.stranger, ANCHORER_ROLE):
        contract.functions.anchor(root, 1).transact({"from": acct.stranger})
    assert not contract.functions.isAnchored(root).call()


def test_a_root_is_anchored_once(contract, acct):
    root = random_bytes32()
    first = send(contract.functions.anchor(root, 3), acct.anchorer)
    with reverts(contract, "RootAlreadyAnchored", root):
        contract.functions.anchor(root, 5).transact({"from": acct.deployer})
    assert contract.functions.anchorOf(root).call()[0] == first.blockNumber  # unchanged
    assert contract.functions.anchorOf(root).call()[3] == 3


def test_zero_root_and_zero_leaf_count_are_refused(contract, acct):
    with reverts(contract, "ZeroRoot"):
        contract.functions.anchor(ZERO32, 1).transact({"from": acct.anchorer})
    with reverts(contract, "ZeroLeafCount"):
        contract.functions.anchor(random_bytes32(), 0).transact({"from": acct.anchorer})


# --- signer registry ----------------------------------------------------------------------------

def test_register_and_revoke_a_signer(w3, contract, acct):
    signer, org = random_address(), random_bytes32()
    assert contract.functions.signerOf(signer).call() == [ZERO32, False, 0, 0]

    registered = send(contract.functions.registerSigner(signer, org), acct.registrar)
    registered_at = w3.eth.get_block(registered.blockNumber).timestamp
    assert contract.functions.signerOf(signer).call() == [org, True, registered_at, 0]
    (event,) = contract.events.SignerRegistered().process_receipt(registered)
    assert dict(event.args) == {"signer": signer, "organisation": org}

    revoked = send(contract.functions.revokeSigner(signer), acct.registrar)
    revoked_at = w3.eth.get_block(revoked.blockNumber).timestamp
    assert contract.functions.signerOf(signer).call() == [org, False, registered_at, revoked_at]
    (event,) = contract.events.SignerRevoked().process_receipt(revoked)
    assert dict(event.args) == {"signer": signer, "organisation": org}


def test_signer_registry_is_for_the_registrar_only(contract, acct):
    signer = random_address()
    fns = contract.functions
    with reverts(contract, "AccessControlUnauthorizedAccount", acct.stranger, REGISTRAR_ROLE):
        fns.registerSigner(signer, random_bytes32()).transact({"from": acct.stranger})
    # The anchoring key cannot vouch for signers either: the roles are separate.
    with reverts(contract, "AccessControlUnauthorizedAccount", acct.anchorer, REGISTRAR_ROLE):
        fns.registerSigner(signer, random_bytes32()).transact({"from": acct.anchorer})
    send(fns.registerSigner(signer, random_bytes32()), acct.registrar)
    with reverts(contract, "AccessControlUnauthorizedAccount", acct.stranger, REGISTRAR_ROLE):
        fns.revokeSigner(signer).transact({"from": acct.stranger})
    assert fns.signerOf(signer).call()[1] is True


def test_register_refusals(contract, acct):
    fns, signer = contract.functions, random_address()
    with reverts(contract, "ZeroSignerAddress"):
        fns.registerSigner(ZERO_ADDRESS, random_bytes32()).transact({"from": acct.registrar})
    with reverts(contract, "ZeroOrganisation"):
        fns.registerSigner(signer, ZERO32).transact({"from": acct.registrar})

    send(fns.registerSigner(signer, random_bytes32()), acct.registrar)
    with reverts(contract, "SignerAlreadyRegistered", signer):
        fns.registerSigner(signer, random_bytes32()).transact({"from": acct.registrar})
    # Nor after revocation: a revoked key never becomes valid again.
    send(fns.revokeSigner(signer), acct.registrar)
    with reverts(contract, "SignerAlreadyRegistered", signer):
        fns.registerSigner(signer, random_bytes32()).transact({"from": acct.registrar})


def test_revoke_refusals(contract, acct):
    fns, signer = contract.functions, random_address()
    with reverts(contract, "SignerNotRegistered", signer):
        fns.revokeSigner(signer).transact({"from": acct.registrar})
    send(fns.registerSigner(signer, random_bytes32()), acct.registrar)
    send(fns.revokeSigner(signer), acct.registrar)
    with reverts(contract, "SignerAlreadyRevoked", signer):
        fns.revokeSigner(signer).transact({"from": acct.registrar})


# --- verifyEvent --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def anchored_tree(contract, tester_accounts):
    """Five event hashes in one anchored OpenZeppelin tree."""
    hashes = [random_bytes32() for _ in range(5)]
    tree = MerkleTree.of(hashes)
    send(contract.functions.anchor(tree.root, len(hashes)), tester_accounts.anchorer)
    return hashes, tree


def test_verify_event_accepts_every_leaf_of_an_anchored_tree(contract, anchored_tree):
    hashes, tree = anchored_tree
    for event_hash in hashes:
        assert contract.functions.verifyEvent(tree.root, event_hash, tree.proof(event_hash)).call()


def test_verify_event_rejects_a_wrong_proof(contract, anchored_tree):
    (first, second, *_), tree = anchored_tree
    verify = contract.functions.verifyEvent
    assert not verify(tree.root, first, tree.proof(second)).call()
    tampered = tree.proof(first)
    tampered[0] = random_bytes32()
    assert not verify(tree.root, first, tampered).call()
    assert not verify(tree.root, first, []).call()


def test_verify_event_rejects_a_hash_not_in_the_tree(contract, anchored_tree):
    (first, *_), tree = anchored_tree
    assert not contract.functions.verifyEvent(tree.root, random_bytes32(), tree.proof(first)).call()
    # Nor can an inner node pass for an event: leaves are hashed twice, nodes once.
    assert not contract.functions.verifyEvent(tree.root, tree.root, []).call()


def test_verify_event_rejects_a_root_not_anchored(contract):
    hashes = [random_bytes32() for _ in range(3)]
    tree = MerkleTree.of(hashes)
    assert not contract.functions.verifyEvent(tree.root, hashes[0], tree.proof(hashes[0])).call()


def test_single_leaf_tree_verifies_with_an_empty_proof(contract, acct):
    event_hash = random_bytes32()
    tree = MerkleTree.of([event_hash])
    assert tree.root == leaf_hash(event_hash) and tree.proof(event_hash) == []
    send(contract.functions.anchor(tree.root, 1), acct.anchorer)
    assert contract.functions.verifyEvent(tree.root, event_hash, []).call()
    assert not contract.functions.verifyEvent(tree.root, random_bytes32(), []).call()

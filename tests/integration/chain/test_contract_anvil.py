"""TraceAnchor on a real JSON-RPC node (anvil): the essential checks, over HTTP, including a
transaction signed locally with eth-account as the production client will send them."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3.exceptions import ContractCustomError

from tests.integration.chain.chain_support import (
    ANCHORER_ROLE,
    MerkleTree,
    load_artifact,
    random_address,
    random_bytes32,
    reverts,
    send,
)

# anvil's first dev account: a well-known key, public in Foundry's documentation. Never fund it
# on a real network.
ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
# Regression bounds, well above what the calls cost today (contracts/README.md gives the figures).
MAX_ANCHOR_GAS = 100_000
MAX_REGISTER_GAS = 100_000
ZERO32 = b"\x00" * 32


@pytest.fixture
def w3(anvil_w3):
    return anvil_w3


@pytest.fixture
def acct(anvil_accounts):
    return anvil_accounts


@pytest.fixture
def contract(anvil_contract):
    return anvil_contract


def test_deployed_code_is_the_artifact(w3, contract):
    assert w3.eth.chain_id == 31337
    assert w3.eth.get_code(contract.address).to_0x_hex() == load_artifact()["deployedBytecode"]


def test_anchor(w3, contract, acct):
    root = random_bytes32()
    receipt = send(contract.functions.anchor(root, 12), acct.deployer)
    assert receipt.gasUsed < MAX_ANCHOR_GAS

    timestamp = w3.eth.get_block(receipt.blockNumber).timestamp
    assert contract.functions.anchorOf(root).call() == [
        receipt.blockNumber, timestamp, acct.deployer, 12]
    (event,) = contract.events.Anchored().process_receipt(receipt)
    assert dict(event.args) == {"root": root, "submitter": acct.deployer, "leafCount": 12,
                                "blockNumber": receipt.blockNumber, "timestamp": timestamp}


def test_refusals_arrive_as_contract_custom_errors(contract, acct):
    root = random_bytes32()
    send(contract.functions.anchor(root, 1), acct.deployer)
    with reverts(contract, "RootAlreadyAnchored", root):
        contract.functions.anchor(root, 1).transact({"from": acct.deployer})
    with reverts(contract, "AccessControlUnauthorizedAccount", acct.stranger, ANCHORER_ROLE):
        contract.functions.anchor(random_bytes32(), 1).transact({"from": acct.stranger})
    # A real node reports the revert data, and web3 raises its typed exception for it.
    with pytest.raises(ContractCustomError):
        contract.functions.anchor(ZERO32, 1).call({"from": acct.deployer})


def test_signer_registry(w3, contract, acct):
    signer, org = random_address(), random_bytes32()
    registered = send(contract.functions.registerSigner(signer, org), acct.deployer)
    assert registered.gasUsed < MAX_REGISTER_GAS
    registered_at = w3.eth.get_block(registered.blockNumber).timestamp
    assert contract.functions.signerOf(signer).call() == [org, True, registered_at, 0]
    (event,) = contract.events.SignerRegistered().process_receipt(registered)
    assert dict(event.args) == {"signer": signer, "organisation": org}

    with reverts(contract, "SignerAlreadyRegistered", signer):
        contract.functions.registerSigner(signer, org).transact({"from": acct.deployer})

    revoked = send(contract.functions.revokeSigner(signer), acct.deployer)
    revoked_at = w3.eth.get_block(revoked.blockNumber).timestamp
    assert contract.functions.signerOf(signer).call() == [org, False, registered_at, revoked_at]
    (event,) = contract.events.SignerRevoked().process_receipt(revoked)
    assert dict(event.args) == {"signer": signer, "organisation": org}


def test_verify_event(contract, acct):
    hashes = [random_bytes32() for _ in range(6)]
    tree = MerkleTree.of(hashes)
    verify = contract.functions.verifyEvent
    assert not verify(tree.root, hashes[0], tree.proof(hashes[0])).call()  # not anchored yet

    send(contract.functions.anchor(tree.root, len(hashes)), acct.deployer)
    for event_hash in hashes:
        assert verify(tree.root, event_hash, tree.proof(event_hash)).call()
    assert not verify(tree.root, hashes[0], tree.proof(hashes[1])).call()
    assert not verify(tree.root, random_bytes32(), tree.proof(hashes[0])).call()

    single = random_bytes32()
    send(contract.functions.anchor(MerkleTree.of([single]).root, 1), acct.deployer)
    assert verify(MerkleTree.of([single]).root, single, []).call()


def test_locally_signed_transaction(w3, contract):
    """The production path: sign with a key held by the service, send the raw transaction."""
    account = Account.from_key(ANVIL_KEY_0)
    root = random_bytes32()
    tx = contract.functions.anchor(root, 2).build_transaction({
        "from": account.address,
        "nonce": w3.eth.get_transaction_count(account.address, "pending"),
    })
    signed = account.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt.status == 1
    assert contract.functions.anchorOf(root).call()[2:] == [account.address, 2]

"""The TraceAnchor client (tracechain.anchor.contract) on web3's in-process eth-tester: deploy,
anchor in crash-safe steps, reads, the signer registry, and the typed errors."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3 import Web3

from tests.integration.chain.chain_support import random_address, random_bytes32
from tracechain.anchor import deployment
from tracechain.anchor.contract import AnchorContract, load_artifact
from tracechain.anchor.errors import (
    ChainError,
    ChainIdMismatch,
    ContractMissing,
    NonceAlreadyUsed,
    NotAuthorised,
    RootAlreadyAnchored,
    TransactionFailed,
)
from tracechain.anchor.provider import make_eth_tester_web3
from tracechain.domain.merkle import MerkleTree

MAX_ANCHOR_GAS = 100_000  # a regression bound; contracts/README.md gives the measured figure


@pytest.fixture(scope="module")
def w3(tester_w3) -> Web3:
    return tester_w3


@pytest.fixture(scope="module")
def funded(w3):
    """A fresh local account with 1 ETH from eth-tester's unlocked first account."""

    def make():
        account = Account.create()
        w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": account.address,
                                 "value": 10**18})
        return account

    return make


@pytest.fixture(scope="module")
def admin(funded):
    return funded()


@pytest.fixture(scope="module")
def client(w3, admin) -> AnchorContract:
    return AnchorContract.deploy(w3, admin)


def anchor(client: AnchorContract, root: bytes, leaf_count: int = 1):
    tx = client.build_anchor_tx(root, leaf_count)
    assert client.send_raw(tx.raw) == tx.tx_hash
    return tx, client.receipt(tx.tx_hash)


def test_deploy(w3, client, admin):
    assert w3.eth.get_code(client.address).to_0x_hex() == load_artifact()["deployedBytecode"]
    assert not w3.eth.get_code(client.address, client.deployed_block - 1)
    assert w3.eth.get_code(client.address, client.deployed_block)
    for role in ("DEFAULT_ADMIN_ROLE", "ANCHORER_ROLE", "REGISTRAR_ROLE"):
        assert client.has_role(role, admin.address)
    client.check(w3.eth.chain_id)  # no error


def test_anchor_in_steps(w3, client, admin):
    root = random_bytes32()
    tx = client.build_anchor_tx(root, 12)
    assert client.receipt(tx.tx_hash) is None  # signed, not sent: unknown to the node
    assert client.anchor_of(root) is None
    assert tx.nonce == w3.eth.get_transaction_count(admin.address)

    assert client.send_raw(tx.raw) == tx.tx_hash
    receipt = client.receipt(tx.tx_hash)
    block = w3.eth.get_block(receipt.block_number)
    assert (receipt.status, receipt.error) == (1, None)
    assert (receipt.root, receipt.submitter, receipt.leaf_count) == (root, admin.address, 12)
    assert receipt.block_time.timestamp() == block.timestamp
    assert receipt.gas_used < MAX_ANCHOR_GAS

    fact = client.anchor_of(root)
    assert (fact.root, fact.block_number, fact.timestamp, fact.submitter, fact.leaf_count) == (
        root, receipt.block_number, block.timestamp, admin.address, 12)


def test_sending_the_same_signed_transaction_again_is_harmless(w3, client, admin):
    tx, receipt = anchor(client, random_bytes32())
    nonce = w3.eth.get_transaction_count(admin.address)
    for _ in range(2):
        assert client.send_raw(tx.raw) == tx.tx_hash
        assert client.send_raw(bytes.fromhex(tx.raw[2:])) == tx.tx_hash
    assert w3.eth.get_transaction_count(admin.address) == nonce  # nothing else was sent
    assert client.receipt(tx.tx_hash) == receipt


def test_pending_then_mined():
    w3 = make_eth_tester_web3()  # its own chain: mining is switched off here
    account = Account.create()
    w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": account.address, "value": 10**18})
    client = AnchorContract.deploy(w3, account)
    tester = w3.provider.ethereum_tester
    tester.disable_auto_mine_transactions()
    tx = client.build_anchor_tx(random_bytes32(), 3)
    assert client.send_raw(tx.raw) == tx.tx_hash
    assert client.receipt(tx.tx_hash) is None  # pending
    assert client.send_raw(tx.raw) == tx.tx_hash  # still pending: harmless too
    tester.mine_blocks(1)
    assert client.receipt(tx.tx_hash).status == 1


def test_a_root_is_anchored_once(client):
    root = random_bytes32()
    first, _ = anchor(client, root)
    with pytest.raises(RootAlreadyAnchored) as info:
        client.build_anchor_tx(root, 1)
    assert info.value.root == root


def test_a_reverted_transaction_has_status_0_and_its_error(client):
    root = random_bytes32()
    # Both signed before either is mined, so the estimate of the second does not fail yet.
    first = client.build_anchor_tx(root, 1)
    second = client.build_anchor_tx(root, 1, nonce=first.nonce + 1)
    client.send_raw(first.raw)
    client.send_raw(second.raw)
    receipt = client.receipt(second.tx_hash)
    assert (receipt.status, receipt.error, receipt.root) == (0, "RootAlreadyAnchored", None)
    assert client.anchor_of(root).block_number == client.receipt(first.tx_hash).block_number


def test_a_signed_transaction_whose_nonce_was_taken_can_never_be_sent(client):
    stale = client.build_anchor_tx(random_bytes32(), 1)
    anchor(client, random_bytes32())  # takes the same nonce
    with pytest.raises(NonceAlreadyUsed):
        client.send_raw(stale.raw)
    assert client.confirmed_nonce() > stale.nonce
    assert client.receipt(stale.tx_hash) is None


def test_roles(w3, client, funded):
    stranger = funded()
    theirs = AnchorContract.from_web3(w3, client.address, stranger)
    with pytest.raises(NotAuthorised) as info:
        theirs.build_anchor_tx(random_bytes32(), 1)
    assert (info.value.account, info.value.role) == (stranger.address, "ANCHORER_ROLE")
    with pytest.raises(NotAuthorised):
        theirs.grant_role("ANCHORER_ROLE", stranger.address)
    client.grant_role("ANCHORER_ROLE", stranger.address)
    assert anchor(theirs, random_bytes32())[1].submitter == stranger.address
    with pytest.raises(ValueError, match="unknown role"):
        client.grant_role("OWNER", stranger.address)


def test_signer_registry(w3, client, funded):
    signer, organisation = random_address(), random_bytes32()
    assert client.signer_of(signer) is None
    tx_hash = client.register_signer(signer, organisation)
    registered_at = w3.eth.get_block(w3.eth.get_transaction_receipt(tx_hash).blockNumber).timestamp
    fact = client.signer_of(signer)
    assert (fact.address, fact.organisation, fact.active, fact.registered_at, fact.revoked_at) == (
        signer, organisation, True, registered_at, None)

    client.revoke_signer(signer)
    fact = client.signer_of(signer)
    assert not fact.active and fact.revoked_at >= fact.registered_at
    with pytest.raises(TransactionFailed) as info:
        client.revoke_signer(signer)
    assert info.value.reason == "SignerAlreadyRevoked"
    with pytest.raises(TransactionFailed) as info:
        client.register_signer(signer, organisation)  # a revoked key never comes back
    assert info.value.reason == "SignerAlreadyRegistered"

    stranger = AnchorContract.from_web3(w3, client.address, funded())
    with pytest.raises(NotAuthorised) as info:
        stranger.register_signer(random_address(), organisation)
    assert info.value.role == "REGISTRAR_ROLE"


def test_verify_event(client):
    hashes = [random_bytes32() for _ in range(5)]
    tree = MerkleTree(hashes)
    assert not client.verify_event(tree.root, hashes[0], tree.proof(0))  # not anchored yet
    anchor(client, tree.root, len(hashes))
    for i, event_hash in enumerate(hashes):
        assert client.verify_event(tree.root, event_hash, tree.proof(i))
    assert not client.verify_event(tree.root, random_bytes32(), tree.proof(0))
    assert not client.verify_event(tree.root, hashes[0], tree.proof(1))


def test_wrong_chain(w3, client):
    with pytest.raises(ChainIdMismatch) as info:
        client.check(31337)
    assert "31337" in str(info.value) and str(w3.eth.chain_id) in str(info.value)


def test_no_contract_at_the_address(w3):
    missing = AnchorContract.from_web3(w3, random_address())
    with pytest.raises(ContractMissing, match="tracechain chain deploy"):
        missing.check(w3.eth.chain_id)
    with pytest.raises(ContractMissing):
        missing.anchor_of(random_bytes32())


def test_writing_needs_an_account_with_funds(w3, client):
    with pytest.raises(ChainError, match="TRACE_ANCHOR_KEYSTORE"):
        AnchorContract.from_web3(w3, client.address).build_anchor_tx(random_bytes32(), 1)
    with pytest.raises(TransactionFailed, match="cannot pay for gas"):
        AnchorContract.deploy(w3, Account.create())


def test_ensure_deployed_deploys_once(tmp_path, w3, funded):
    account, said = funded(), []
    address = deployment.ensure_deployed(tmp_path, w3, account, say=said.append)
    assert said and "deployed TraceAnchor at " + address in said[-1]
    remembered = deployment.load(tmp_path)
    assert (remembered.address, remembered.chain_id, remembered.deployer) == (
        address, w3.eth.chain_id, account.address)
    assert w3.eth.get_code(address)

    said.clear()
    assert deployment.ensure_deployed(tmp_path, w3, account, say=said.append) == address
    assert said == []

    # A remembered address without code (a wiped chain): deploy again, and say so.
    deployment.save(tmp_path, deployment.Deployment(
        remembered.rpc_url, remembered.chain_id, random_address(), 1, account.address))
    again = deployment.ensure_deployed(tmp_path, w3, account, say=said.append)
    assert again != address and "any more" in said[0]
    assert deployment.load(tmp_path).address == again

"""Node errors become typed chain errors, from both shapes: a JSON-RPC node's (anvil: web3's
ContractCustomError / Web3RPCError) and web3's in-process eth-tester's (TransactionFailed with
the raw revert data in its message / eth-utils ValidationError). No chain: small fakes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests
from eth_abi import encode
from eth_tester.exceptions import TransactionFailed as EthTesterRevert
from eth_utils import keccak
from eth_utils.exceptions import ValidationError
from web3 import Web3
from web3.exceptions import ContractCustomError, TransactionNotFound, Web3RPCError

from tracechain.anchor import node_errors
from tracechain.anchor.contract import AnchorContract, load_artifact
from tracechain.anchor.errors import (
    ChainError,
    ChainUnavailable,
    NonceAlreadyUsed,
    NotAuthorised,
    RootAlreadyAnchored,
    TransactionFailed,
)
from tracechain.domain.errors import TraceError

ABI = load_artifact()["abi"]
ROOT = bytes(range(32))
ACCOUNT = "0x" + "11" * 20
ANCHORER_ROLE = keccak(text="ANCHORER_ROLE")


def revert(signature: str, types: list[str], values: list) -> bytes:
    return keccak(text=signature)[:4] + encode(types, values)


ALREADY = revert("RootAlreadyAnchored(bytes32)", ["bytes32"], [ROOT])
UNAUTHORISED = revert("AccessControlUnauthorizedAccount(address,bytes32)",
                      ["address", "bytes32"], [ACCOUNT, ANCHORER_ROLE])
ZERO_COUNT = revert("ZeroLeafCount()", [], [])


def anvil_shape(data: bytes) -> ContractCustomError:
    return ContractCustomError("0x" + data.hex(), "0x" + data.hex())


def eth_tester_shape(data: bytes) -> EthTesterRevert:
    return EthTesterRevert(f"execution reverted: {data!r}")


SHAPES = [anvil_shape, eth_tester_shape]


@pytest.mark.parametrize("shape", SHAPES)
def test_root_already_anchored(shape):
    error = node_errors.from_node(ABI, shape(ALREADY))
    assert isinstance(error, RootAlreadyAnchored) and error.root == ROOT


@pytest.mark.parametrize("shape", SHAPES)
def test_missing_role_names_account_and_role(shape):
    error = node_errors.from_node(ABI, shape(UNAUTHORISED))
    assert isinstance(error, NotAuthorised)
    assert (error.account, error.role) == (Web3.to_checksum_address(ACCOUNT), "ANCHORER_ROLE")


@pytest.mark.parametrize("shape", SHAPES)
def test_other_custom_errors_carry_their_name(shape):
    error = node_errors.from_node(ABI, shape(ZERO_COUNT))
    assert isinstance(error, TransactionFailed) and error.reason == "ZeroLeafCount"
    signer = revert("SignerAlreadyRegistered(address)", ["address"], [ACCOUNT])
    error = node_errors.from_node(ABI, shape(signer))
    assert error.reason == "SignerAlreadyRegistered"
    assert Web3.to_checksum_address(ACCOUNT) in error.message


def test_revert_data_in_a_dict_and_standard_errors():
    dict_shape = ContractCustomError("reverted", {"data": "0x" + ALREADY.hex()})
    assert isinstance(node_errors.from_node(ABI, dict_shape), RootAlreadyAnchored)
    text = revert("Error(string)", ["string"], ["no"])
    assert node_errors.decode_revert(ABI, text) == ("Error", ("no",))
    assert node_errors.decode_revert(ABI, revert("Panic(uint256)", ["uint256"], [0x11])) == (
        "Panic", (0x11,))


@pytest.mark.parametrize("exc", [
    ContractCustomError("execution reverted", None),
    ContractCustomError("0xdeadbeef", "0xdeadbeef"),
    EthTesterRevert("execution reverted"),
])
def test_reverts_without_a_known_error_still_fail_typed(exc):
    error = node_errors.from_node(ABI, exc)
    assert type(error) is TransactionFailed and error.reason is None


@pytest.mark.parametrize("exc", [
    requests.ConnectionError("refused"), requests.Timeout("slow"), ConnectionError("reset"),
    TimeoutError(), requests.HTTPError("502 Bad Gateway"),
])
def test_no_answer_is_chain_unavailable(exc):
    error = node_errors.from_node(ABI, exc)
    assert isinstance(error, ChainUnavailable)
    assert "catch up" in error.message
    assert isinstance(error, TraceError)


def test_translated_passes_programming_errors_through():
    with pytest.raises(KeyError):
        with node_errors.translated(ABI):
            raise KeyError("a bug, not the node")
    with pytest.raises(ChainError, match="answered with an error"):
        with node_errors.translated(ABI):
            raise Web3RPCError("{'code': -32601, 'message': 'method not found'}")


@pytest.mark.parametrize(("message", "kind"), [
    ("{'code': -32003, 'message': 'nonce too low'}", node_errors.NONCE_TOO_LOW),  # anvil
    ("{'code': -32003, 'message': 'transaction already imported'}", node_errors.KNOWN),  # anvil
    ("{'code': -32000, 'message': 'already known'}", node_errors.KNOWN),  # geth
    ("{'code': -32000, 'message': 'NONCE_TOO_LOW'}", node_errors.NONCE_TOO_LOW),  # besu
    ("{'code': -32000, 'message': 'replacement transaction underpriced'}",
     node_errors.REPLACEMENT),
    ("{'code': -32000, 'message': 'insufficient funds for gas * price + value'}",
     node_errors.NO_FUNDS),
    ("{'code': -32000, 'message': 'intrinsic gas too low'}", None),
])
def test_node_refusals(message, kind):
    assert node_errors.refusal(Web3RPCError(message)) == kind


@pytest.mark.parametrize(("message", "kind"), [
    ("Invalid transaction nonce: Expected 2, but got 1", node_errors.NONCE_TOO_LOW),
    ("Invalid transaction nonce: Expected 2, but got 5", node_errors.NONCE_TOO_HIGH),
    ("Sender b'..' cannot afford txn gas 1 with account balance 0", node_errors.NO_FUNDS),
])
def test_eth_tester_refusals(message, kind):
    assert node_errors.refusal(ValidationError(message)) == kind


# --- the client's send and receipt paths over a fake node ----------------------------------------

class FakeEth:
    """Just what AnchorContract.send_raw / receipt / build_anchor_tx touch."""

    chain_id = 31337
    max_priority_fee = 1
    gas_price = 1

    def __init__(self, send_error=None, known=(), estimate_error=None):
        self.send_error, self.known, self.estimate_error = send_error, set(known), estimate_error
        self.sent = []

    def send_raw_transaction(self, raw):
        if self.send_error is not None:
            raise self.send_error
        self.sent.append(raw)
        return Web3.keccak(raw)

    def get_transaction(self, tx_hash):
        if tx_hash not in self.known:
            raise TransactionNotFound(f"Transaction with hash: {tx_hash!r} not found.")
        return {"hash": tx_hash}

    def get_transaction_receipt(self, tx_hash):
        raise TransactionNotFound("pending")

    def estimate_gas(self, tx):
        if self.estimate_error is not None:
            raise self.estimate_error
        return 60_000

    def get_transaction_count(self, address, block):
        return 7

    def get_block(self, which):
        return {"baseFeePerGas": 10, "timestamp": 0}


def client(eth: FakeEth) -> AnchorContract:
    from eth_account import Account

    address = Web3.to_checksum_address("0x" + "ab" * 20)
    contract = Web3().eth.contract(address=address, abi=ABI)  # for encoding only: no I/O
    return AnchorContract(SimpleNamespace(eth=eth), contract, Account.create())


RAW = "0x02f8" + "00" * 40
RAW_HASH = "0x" + keccak(bytes.fromhex(RAW[2:])).hex()


@pytest.mark.parametrize("error", [
    Web3RPCError("{'code': -32003, 'message': 'transaction already imported'}"),
    Web3RPCError("{'code': -32000, 'message': 'already known'}"),
])
def test_resending_a_pending_transaction_is_not_an_error(error):
    assert client(FakeEth(send_error=error)).send_raw(RAW) == RAW_HASH


@pytest.mark.parametrize("error", [
    Web3RPCError("{'code': -32003, 'message': 'nonce too low'}"),
    ValidationError("Invalid transaction nonce: Expected 8, but got 7"),
])
def test_resending_a_mined_transaction_is_not_an_error(error):
    assert client(FakeEth(send_error=error, known=[RAW_HASH])).send_raw(RAW) == RAW_HASH


@pytest.mark.parametrize("error", [
    Web3RPCError("{'code': -32003, 'message': 'nonce too low'}"),
    Web3RPCError("{'code': -32000, 'message': 'replacement transaction underpriced'}"),
    ValidationError("Invalid transaction nonce: Expected 8, but got 7"),
])
def test_a_nonce_taken_by_another_transaction(error):
    with pytest.raises(NonceAlreadyUsed) as info:
        client(FakeEth(send_error=error)).send_raw(RAW)
    assert info.value.tx_hash == RAW_HASH


def test_send_failures_are_typed():
    funds = Web3RPCError("{'code': -32003, 'message': 'insufficient funds for gas'}")
    with pytest.raises(TransactionFailed) as info:
        client(FakeEth(send_error=funds)).send_raw(RAW)
    assert info.value.reason == node_errors.NO_FUNDS
    with pytest.raises(ChainUnavailable):
        client(FakeEth(send_error=requests.ConnectionError("refused"))).send_raw(RAW)


def test_receipt_is_none_while_pending():
    assert client(FakeEth()).receipt(RAW_HASH) is None


def test_build_maps_a_refused_estimate():
    with pytest.raises(RootAlreadyAnchored):
        client(FakeEth(estimate_error=anvil_shape(ALREADY))).build_anchor_tx(ROOT, 3)
    with pytest.raises(RootAlreadyAnchored):
        client(FakeEth(estimate_error=eth_tester_shape(ALREADY))).build_anchor_tx(ROOT, 3)
    with pytest.raises(NotAuthorised):
        client(FakeEth(estimate_error=anvil_shape(UNAUTHORISED))).build_anchor_tx(ROOT, 3)


def test_build_falls_back_to_a_fixed_gas_limit_when_the_node_cannot_estimate():
    odd = Web3RPCError("{'code': -32601, 'message': 'the method eth_estimateGas does not exist'}")
    tx = client(FakeEth(estimate_error=odd)).build_anchor_tx(ROOT, 3)
    assert tx.nonce == 7
    decoded = _decode(tx.raw)
    assert decoded["gas"] == AnchorContract.ANCHOR_GAS_FALLBACK
    estimated = _decode(client(FakeEth()).build_anchor_tx(ROOT, 3).raw)
    assert estimated["gas"] == 60_000 * 120 // 100  # the estimate plus a 20% margin
    assert (estimated["maxFeePerGas"], estimated["maxPriorityFeePerGas"]) == (2 * 10 + 1, 1)


def test_a_chain_without_base_fee_gets_a_legacy_transaction():
    class LegacyEth(FakeEth):
        gas_price = 5

        def get_block(self, which):
            return {"timestamp": 0}

    import rlp
    from hexbytes import HexBytes

    raw = HexBytes(client(LegacyEth()).build_anchor_tx(ROOT, 3).raw)
    assert raw[0] >= 0xC0  # an RLP list, not a typed (EIP-2718) transaction
    _nonce, gas_price, *_ = rlp.decode(raw)
    assert int.from_bytes(gas_price) == 5


def _decode(raw: str) -> dict:
    from eth_account import Account
    from eth_account.typed_transactions import TypedTransaction
    from hexbytes import HexBytes

    data = HexBytes(raw)
    assert Account.recover_transaction(data)  # well signed
    return TypedTransaction.from_bytes(data).as_dict()

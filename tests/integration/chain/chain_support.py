"""Helpers for the TraceAnchor chain tests: the artifact, deployment, revert decoding, and a tiny
OpenZeppelin StandardMerkleTree for single ``bytes32`` values (test-local on purpose: the product's
Merkle code is tested against the contract, not built from these lines)."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_abi import decode as abi_decode
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError

REPO = Path(__file__).resolve().parents[3]
CONTRACTS = REPO / "contracts"
ARTIFACT = CONTRACTS / "build" / "TraceAnchor.json"
ANCHORER_ROLE = keccak(text="ANCHORER_ROLE")
REGISTRAR_ROLE = keccak(text="REGISTRAR_ROLE")


def load_artifact() -> dict:
    return json.loads(ARTIFACT.read_text(encoding="utf-8"))


def require_tool(available: bool, reason: str) -> None:
    """Skip when a tool is missing locally; under CI=true that is a failure, never a skip."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def contracts_node_modules() -> Path:
    """contracts/node_modules, installed from the lock file with `npm ci` when it is missing."""
    node_modules = CONTRACTS / "node_modules"
    if not node_modules.is_dir():
        npm = shutil.which("npm")
        require_tool(npm is not None and shutil.which("node") is not None,
                     "node/npm are not installed: cannot install contracts/node_modules")
        proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CONTRACTS,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=600)
        if proc.returncode:
            pytest.fail(f"`npm ci` in contracts/ exited {proc.returncode}:\n"
                        f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}", pytrace=False)
    return node_modules


def deploy(w3: Web3, deployer: str) -> Contract:
    artifact = load_artifact()
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    tx_hash = factory.constructor().transact({"from": deployer})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt.status == 1
    return w3.eth.contract(address=receipt.contractAddress, abi=artifact["abi"])


def send(contract_fn, sender: str):
    """Transact and wait; the receipt of a mined, successful transaction."""
    w3 = contract_fn.w3
    receipt = w3.eth.wait_for_transaction_receipt(contract_fn.transact({"from": sender}))
    assert receipt.status == 1, receipt
    return receipt


def _revert_data(exc: BaseException) -> bytes:
    if isinstance(exc, ContractLogicError):  # JSON-RPC nodes (anvil): ContractCustomError
        data = exc.data if isinstance(exc.data, str) else exc.data.get("data", "")
        return bytes.fromhex(data.removeprefix("0x"))
    # web3's EthereumTesterProvider maps only Panic and OffchainLookup reverts; a custom error
    # arrives as eth_tester's TransactionFailed("execution reverted: b'<raw revert data>'").
    message = str(exc.args[0])
    prefix = "execution reverted: "
    assert message.startswith(prefix), message
    return ast.literal_eval(message[len(prefix):])


def decode_custom_error(abi: list[dict], data: bytes) -> tuple[str, tuple]:
    for item in abi:
        if item["type"] != "error":
            continue
        types = [i["type"] for i in item["inputs"]]
        if keccak(text=f"{item['name']}({','.join(types)})")[:4] == data[:4]:
            values = abi_decode(types, data[4:])
            # eth_abi decodes addresses in lower case; web3 gives accounts checksummed.
            return item["name"], tuple(Web3.to_checksum_address(v) if t == "address" else v
                                       for t, v in zip(types, values, strict=True))
    raise AssertionError(f"revert data {data.hex()} matches no error in the ABI")


@contextlib.contextmanager
def reverts(contract: Contract, error: str, *args) -> Iterator[None]:
    """Expect the block to revert with the custom error ``error(*args)`` of ``contract``."""
    from eth_tester.exceptions import TransactionFailed

    with pytest.raises((ContractLogicError, TransactionFailed)) as info:
        yield
    got = decode_custom_error(contract.abi, _revert_data(info.value))
    assert got == (error, args), f"reverted with {got}, expected {(error, args)}"


def random_bytes32() -> bytes:
    return os.urandom(32)


def random_address() -> str:
    return Web3.to_checksum_address(os.urandom(20))


# --- OpenZeppelin StandardMerkleTree, leaf encoding ["bytes32"] -------------------------------

def leaf_hash(value: bytes) -> bytes:
    # abi.encode(bytes32) is the value itself; StandardMerkleTree hashes the encoding twice.
    return keccak(keccak(value))


def _hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(min(a, b) + max(a, b))


@dataclass
class MerkleTree:
    """The tree as StandardMerkleTree.of(values, ["bytes32"]) lays it out: leaves sorted by hash,
    stored right to left at the end of one array, each node's children at 2i+1 and 2i+2."""

    nodes: list[bytes]
    index_of_leaf: dict[bytes, int]

    @classmethod
    def of(cls, values: list[bytes]) -> MerkleTree:
        leaves = sorted(leaf_hash(v) for v in values)
        size = 2 * len(leaves) - 1
        nodes = [b""] * size
        index_of_leaf = {}
        for i, leaf in enumerate(leaves):
            nodes[size - 1 - i] = leaf
            index_of_leaf[leaf] = size - 1 - i
        for i in range(size - 1 - len(leaves), -1, -1):
            nodes[i] = _hash_pair(nodes[2 * i + 1], nodes[2 * i + 2])
        return cls(nodes, index_of_leaf)

    @property
    def root(self) -> bytes:
        return self.nodes[0]

    def proof(self, value: bytes) -> list[bytes]:
        i, proof = self.index_of_leaf[leaf_hash(value)], []
        while i > 0:
            proof.append(self.nodes[i + 1 if i % 2 else i - 1])
            i = (i - 1) // 2
        return proof

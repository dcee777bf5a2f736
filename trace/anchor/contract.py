"""The client of one deployed TraceAnchor contract (``services.ports.AnchorChain`` on web3).

Anchoring is split into steps so that the caller can store each result before the next one, and a
process that dies anywhere can carry on without ever sending two different transactions for one
batch: ``build_anchor_tx`` signs locally (nothing leaves the machine), ``send_raw`` sends those
exact bytes and may be repeated, ``receipt`` says whether they are mined (None while pending).

Node errors are raised as ``tracechain.anchor.errors`` types (see ``node_errors``); transient
connection failures were already retried by the provider (``provider.make_web3``).
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any, cast

from eth_account.signers.local import LocalAccount
from eth_typing import ABI, ChecksumAddress, HexStr
from eth_utils import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import (
    BadFunctionCallOutput,
    TimeExhausted,
    TransactionIndexingInProgress,
    TransactionNotFound,
)
from web3.logs import DISCARD
from web3.types import TxParams

from ..services.ports import AnchorFact, AnchorReceipt, SignedTx
from . import node_errors
from .errors import (
    ChainError,
    ChainIdMismatch,
    ContractMissing,
    NonceAlreadyUsed,
    TransactionFailed,
)
from .node_errors import ROLES, translated

log = logging.getLogger(__name__)


@functools.cache
def load_artifact() -> dict:
    """The compiled TraceAnchor artifact shipped in the package: abi, bytecode, deployedBytecode."""
    text = files("tracechain.anchor").joinpath("abi", "TraceAnchor.json").read_text("utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class SignerFact:
    """The registry's record of a signing address; ``revoked_at`` is None while it is active."""

    address: str
    organisation: bytes
    active: bool
    registered_at: int
    revoked_at: int | None


@dataclass(frozen=True)
class AnchorTxReceipt(AnchorReceipt):
    """A mined anchor transaction, with its ``Anchored`` event decoded when it succeeded."""

    root: bytes | None = None
    submitter: str | None = None
    leaf_count: int | None = None


class AnchorContract:
    """TraceAnchor at one address, read with ``w3`` and written with ``account`` (a local key).

    Making one does no I/O; the first call that needs the node does. Every method raises
    ``ChainUnavailable`` when the node does not answer.
    """

    ANCHOR_GAS_FALLBACK = 150_000  # anchor() costs ~72k; used only when the node cannot estimate
    WRITE_GAS_FALLBACK = 150_000  # registerSigner ~71k, revokeSigner ~33k, grantRole ~52k
    GAS_MARGIN_PERCENT = 20
    NONCE_ATTEMPTS = 3  # for the registrar's build-send-wait writes
    WAIT_TIMEOUT = 120.0  # seconds the registrar's writes and deploy wait to be mined

    def __init__(self, w3: Web3, contract: Contract | type[Contract],
                 account: LocalAccount | None = None):
        """``contract``: a deployed one, or (only to deploy) its factory, which has no address."""
        self.w3 = w3
        self.account = account
        self._contract = contract
        self._chain_id: int | None = None
        self.deployed_block: int | None = None  # set by deploy()

    @classmethod
    def from_web3(cls, w3: Web3, address: str,
                  account: LocalAccount | None = None) -> AnchorContract:
        """The client of the contract at ``address``; ``account`` is needed only to write."""
        abi = load_artifact()["abi"]
        return cls(w3, w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi), account)

    @classmethod
    def deploy(cls, w3: Web3, account: LocalAccount) -> AnchorContract:
        """Deploy a new TraceAnchor from ``account`` (it gets every role) and wait for it.

        :raises TransactionFailed: the node refused it or it reverted.
        :raises ChainError: not mined within ``WAIT_TIMEOUT`` seconds.
        """
        artifact = load_artifact()
        factory = cls(w3, w3.eth.contract(abi=artifact["abi"]), account)
        receipt = factory._send_and_wait(None, artifact["bytecode"], fallback_gas=None)
        deployed = cls.from_web3(w3, receipt["contractAddress"], account)
        deployed.deployed_block = receipt["blockNumber"]
        return deployed

    @property
    def address(self) -> ChecksumAddress:
        return self._contract.address

    @property
    def abi(self) -> ABI:
        return self._contract.abi

    @property
    def chain_id(self) -> int:
        """The node's chain id (asked once, then remembered)."""
        if self._chain_id is None:
            with translated(self.abi):
                self._chain_id = self.w3.eth.chain_id
        return self._chain_id

    def check(self, expected_chain_id: int | None = None) -> None:
        """Refuse to work with the wrong chain or an address without the contract.

        :raises ChainIdMismatch: the node is on another chain than ``expected_chain_id``.
        :raises ContractMissing: no code at the address (a wiped chain, a wrong address).
        :raises ChainUnavailable: the node does not answer.
        """
        self._chain_id = None
        actual = self.chain_id
        if expected_chain_id is not None and actual != expected_chain_id:
            raise ChainIdMismatch(expected_chain_id, actual)
        with translated(self.abi):
            code = self.w3.eth.get_code(self.address)
        if not code:
            raise ContractMissing(self.address, actual)

    # --- reads ----------------------------------------------------------------------------------

    def anchor_of(self, root: bytes) -> AnchorFact | None:
        """Where and when ``root`` was anchored, or None if it never was.

        :raises ContractMissing: no contract at the address.
        """
        block, timestamp, submitter, leaf_count = self._call("anchorOf", root)
        if int(submitter, 16) == 0:
            return None
        return AnchorFact(root, block, timestamp, submitter, leaf_count)

    def signer_of(self, address: str) -> SignerFact | None:
        """The registry's record of a signing address, or None if it was never registered.

        :raises ContractMissing: no contract at the address.
        """
        address = Web3.to_checksum_address(address)
        organisation, active, registered_at, revoked_at = self._call("signerOf", address)
        if registered_at == 0:
            return None
        return SignerFact(address, organisation, active, registered_at, revoked_at or None)

    def anchored_since(self, from_block: int) -> list[tuple[bytes, int]]:
        """(root, block number) of every root anchored from ``from_block`` on, oldest first
        (the contract's ``Anchored`` events): what verification compares with our records to
        know which anchored batch is the latest.

        :raises ChainError: the node cannot be asked.
        """
        with translated(self.abi):
            logs = self._contract.events.Anchored().get_logs(from_block=max(from_block, 0))
        return [(bytes(log["args"]["root"]), log["blockNumber"]) for log in logs
                if log["address"] == self.address]

    def verify_event(self, root: bytes, event_hash: bytes, proof: list[bytes]) -> bool:
        """True iff ``root`` is anchored and ``proof`` places ``event_hash`` in its tree.

        :raises ContractMissing: no contract at the address.
        """
        return self._call("verifyEvent", root, event_hash, list(proof))

    def has_role(self, role: str, address: str) -> bool:
        """Whether ``address`` holds ``role`` (a name, as for ``grant_role``).

        :raises ValueError: an unknown role name.
        """
        return self._call("hasRole", _role(role), Web3.to_checksum_address(address))

    # --- anchoring, one step at a time ----------------------------------------------------------

    def build_anchor_tx(self, root: bytes, leaf_count: int, nonce: int | None = None) -> SignedTx:
        """Sign (locally, nothing is sent) a transaction anchoring ``root``. Store it, then send it
        with ``send_raw``. ``nonce`` defaults to the account's next one, counting pending ones.

        :raises RootAlreadyAnchored: ``root`` is on chain already (read ``anchor_of``).
        :raises NotAuthorised: the account lacks ANCHORER_ROLE.
        :raises TransactionFailed: the contract refuses it for another reason (zero root/count).
        """
        if len(root) != 32:
            raise ValueError(f"a root is 32 bytes, got {len(root)}")
        data = self._contract.encode_abi("anchor", [root, leaf_count])
        return self._sign(self.address, data, nonce, self.ANCHOR_GAS_FALLBACK)

    def send_raw(self, raw: str | bytes) -> str:
        """Send a signed transaction; its hash. Sending the same bytes again is harmless: a node
        that already has them (pending or mined) is not an error.

        :raises NonceAlreadyUsed: another transaction took its nonce; it can never be mined.
        :raises TransactionFailed: the node refused it (e.g. insufficient funds for gas).
        """
        raw_bytes = HexBytes(raw)
        tx_hash = "0x" + keccak(raw_bytes).hex()
        try:
            with translated(self.abi):
                return self.w3.eth.send_raw_transaction(raw_bytes).to_0x_hex()
        except ChainError as exc:
            kind = node_errors.refusal(exc.__cause__) if exc.__cause__ else None
            if kind == node_errors.KNOWN:
                return tx_hash
            if kind in (node_errors.NONCE_TOO_LOW, node_errors.REPLACEMENT):
                if self._known(tx_hash):
                    return tx_hash
                raise NonceAlreadyUsed(f"transaction {tx_hash} can never be mined: another "
                                       "transaction took its nonce; build it again",
                                       reason=kind, tx_hash=tx_hash) from exc
            if kind is not None:
                raise TransactionFailed(f"the node refused transaction {tx_hash}: "
                                        f"{exc.__cause__}", reason=kind, tx_hash=tx_hash) from exc
            raise

    def receipt(self, tx_hash: str) -> AnchorTxReceipt | None:
        """The outcome of a mined transaction; None while it is pending or unknown to the node.
        A reverted one has ``status`` 0 and, when the node lets us replay it, ``error`` (the
        contract's error name, e.g. ``RootAlreadyAnchored``)."""
        with translated(self.abi):
            try:
                r = self.w3.eth.get_transaction_receipt(HexStr(tx_hash))
            except (TransactionNotFound, TransactionIndexingInProgress):
                return None
            timestamp = self.w3.eth.get_block(r["blockNumber"])["timestamp"]
        fields: dict[str, Any] = dict(tx_hash=r["transactionHash"].to_0x_hex(), status=r["status"],
                      block_number=r["blockNumber"], gas_used=r["gasUsed"],
                      block_time=datetime.fromtimestamp(timestamp, UTC))
        if r["status"] != 1:
            return AnchorTxReceipt(**fields, error=self._revert_reason(r))
        for event in self._contract.events.Anchored().process_receipt(r, errors=DISCARD):
            if event["address"] == self.address:
                args = event["args"]
                return AnchorTxReceipt(**fields, root=args["root"], submitter=args["submitter"],
                                       leaf_count=args["leafCount"])
        return AnchorTxReceipt(**fields)

    def confirmed_nonce(self) -> int:
        """The account's count of mined transactions: a stored transaction with a lower nonce
        that is not mined never will be."""
        with translated(self.abi):
            return self.w3.eth.get_transaction_count(self._need_account().address, "latest")

    # --- the registrar's and the admin's writes: build, send, wait ------------------------------

    def register_signer(self, address: str, organisation: bytes) -> str:
        """Register an organisation's signing address; the transaction hash, once mined.

        :raises NotAuthorised: the account lacks REGISTRAR_ROLE.
        :raises TransactionFailed: e.g. ``SignerAlreadyRegistered`` (also after a revocation).
        """
        if len(organisation) != 32:
            raise ValueError(f"an organisation id is 32 bytes, got {len(organisation)}")
        data = self._contract.encode_abi(
            "registerSigner", [Web3.to_checksum_address(address), organisation])
        return self._send_and_wait(self.address, data)["transactionHash"].to_0x_hex()

    def revoke_signer(self, address: str) -> str:
        """Revoke a signing address; the transaction hash, once mined.

        :raises NotAuthorised: the account lacks REGISTRAR_ROLE.
        :raises TransactionFailed: ``SignerNotRegistered`` or ``SignerAlreadyRevoked``.
        """
        data = self._contract.encode_abi("revokeSigner", [Web3.to_checksum_address(address)])
        return self._send_and_wait(self.address, data)["transactionHash"].to_0x_hex()

    def grant_role(self, role: str, address: str) -> str:
        """Grant ``role`` (``ANCHORER_ROLE``, ``REGISTRAR_ROLE``, ``DEFAULT_ADMIN_ROLE``).

        :raises NotAuthorised: the account is not the role's admin.
        """
        data = self._contract.encode_abi(
            "grantRole", [_role(role), Web3.to_checksum_address(address)])
        return self._send_and_wait(self.address, data)["transactionHash"].to_0x_hex()

    # --- internals ------------------------------------------------------------------------------

    def _call(self, function: str, *args):
        with translated(self.abi):
            try:
                return self._contract.functions[function](*args).call()
            except BadFunctionCallOutput:  # empty answer: no code at the address
                raise ContractMissing(self.address, self.chain_id) from None

    def _need_account(self) -> LocalAccount:
        if self.account is None:
            raise ChainError("no account to sign with: set TRACE_ANCHOR_KEYSTORE "
                             "(and TRACE_ANCHOR_KEYSTORE_PASSWORD)")
        return self.account

    def _sign(self, to: str | None, data: str, nonce: int | None,
              fallback_gas: int | None) -> SignedTx:
        account = self._need_account()
        tx: dict[str, Any] = {"from": account.address, "data": data, "value": 0}
        if to is not None:
            tx["to"] = to
        gas = self._estimate_gas(tx, fallback_gas)
        with translated(self.abi):
            if nonce is None:
                nonce = self.w3.eth.get_transaction_count(account.address, "pending")
            base_fee = self.w3.eth.get_block("latest").get("baseFeePerGas")
            if base_fee is None:  # a pre-London or permissioned chain: legacy pricing
                fees: dict[str, int] = {"gasPrice": self.w3.eth.gas_price}
            else:
                tip = self.w3.eth.max_priority_fee
                fees = {"maxFeePerGas": 2 * base_fee + tip, "maxPriorityFeePerGas": tip}
        del tx["from"]
        signed = account.sign_transaction(
            {**tx, **fees, "gas": gas, "nonce": nonce, "chainId": self.chain_id})
        return SignedTx(tx_hash=signed.hash.to_0x_hex(), raw=signed.raw_transaction.to_0x_hex(),
                        nonce=nonce)

    def _estimate_gas(self, tx: dict[str, Any], fallback_gas: int | None) -> int:
        try:
            with translated(self.abi):
                estimate = self.w3.eth.estimate_gas(cast(TxParams, tx))  # its keys
        except ChainError as exc:
            # A revert (typed), or no node: raise. Any other refusal to estimate: a fixed limit.
            if node_errors.refusal(exc.__cause__) == node_errors.NO_FUNDS:
                raise TransactionFailed(f"account {tx['from']} cannot pay for gas: fund it "
                                        f"({exc.__cause__})", reason=node_errors.NO_FUNDS) from exc
            if type(exc) is not ChainError or fallback_gas is None:
                raise
            log.warning("gas estimate failed (%s); using %d", exc, fallback_gas)
            return fallback_gas
        return estimate * (100 + self.GAS_MARGIN_PERCENT) // 100

    def _known(self, tx_hash: str) -> bool:
        with translated(self.abi):
            try:
                self.w3.eth.get_transaction(HexStr(tx_hash))
            except TransactionNotFound:
                return False
        return True

    def _send_and_wait(self, to: str | None, data: str,
                       fallback_gas: int | None = WRITE_GAS_FALLBACK):
        for attempt in range(1, self.NONCE_ATTEMPTS + 1):
            signed = self._sign(to, data, None, fallback_gas)
            try:
                self.send_raw(signed.raw)
                break
            except NonceAlreadyUsed:
                if attempt == self.NONCE_ATTEMPTS:
                    raise
                log.info("nonce %d was taken meanwhile; signing again", signed.nonce)
        with translated(self.abi):
            try:
                receipt = self.w3.eth.wait_for_transaction_receipt(
                    HexStr(signed.tx_hash), timeout=self.WAIT_TIMEOUT, poll_latency=0.2)
            except TimeExhausted:
                raise ChainError(f"transaction {signed.tx_hash} was not mined within "
                                 f"{self.WAIT_TIMEOUT:.0f} s; it may still be") from None
        if receipt["status"] != 1:
            reason = self._revert_reason(receipt)
            raise TransactionFailed(
                f"transaction {signed.tx_hash} reverted: {reason or 'no reason given'}",
                reason=reason, tx_hash=signed.tx_hash)
        return receipt

    def _revert_reason(self, receipt) -> str | None:
        """Best effort: replay a reverted transaction as a call on the state after its block."""
        try:
            tx = self.w3.eth.get_transaction(receipt["transactionHash"])
            call: TxParams = {"from": tx["from"], "data": tx["input"], "gas": tx["gas"],
                              "value": tx["value"]}
            if tx.get("to"):
                call["to"] = tx["to"]
            self.w3.eth.call(call, receipt["blockNumber"])
        except node_errors.reverts() as exc:
            decoded = node_errors.decode_revert(self.abi, node_errors.revert_data(exc))
            return decoded[0] if decoded else None
        except Exception:  # noqa: BLE001 - only a hint; the status already says it failed
            log.debug("could not replay %s", receipt["transactionHash"], exc_info=True)
            return None
        return "OutOfGas" if receipt["gasUsed"] >= tx["gas"] else None


def _role(name: str) -> bytes:
    try:
        return ROLES[name]
    except KeyError:
        raise ValueError(f"unknown role {name!r}; one of {', '.join(ROLES)}") from None

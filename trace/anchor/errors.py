"""What can go wrong between tracechain and the chain. Each docstring says when, and what to do.

The node's own exceptions (web3's, eth-tester's, requests') never leave ``tracechain.anchor``: the
client maps them to these (see ``node_errors``), so callers catch one family, ``ChainError``.
"""

from __future__ import annotations

from ..domain.errors import TraceError


class ChainError(TraceError):
    """Base of the chain adapter's errors; the message says what happened and what to do."""


class ChainUnavailable(ChainError):
    """The node did not answer (down, unreachable, timing out). Nothing is lost: events stay
    pending, and anchoring will catch up when it returns. web3 has already retried by then."""

    def __init__(self, detail: str):
        super().__init__(f"the chain node is not reachable ({detail}); "
                         "anchoring will catch up when it returns")


class ChainIdMismatch(ChainError):
    """The node is on another chain than the one configured (``TRACE_CHAIN_ID``): a wrong URL,
    or a wrong id. Nothing is sent to a chain we were not told to use."""

    def __init__(self, expected: int, actual: int):
        super().__init__(f"the node reports chain id {actual}, but chain id {expected} is "
                         "configured (TRACE_CHAIN_ID): check TRACE_CHAIN_RPC_URL and "
                         "TRACE_CHAIN_ID")
        self.expected, self.actual = expected, actual


class ContractMissing(ChainError):
    """There is no contract code at the configured address on this chain: a wiped development
    chain, or an address from another network. Deploy it with ``tracechain chain deploy``."""

    def __init__(self, address: str, chain_id: int):
        super().__init__(f"no TraceAnchor contract at {address} on chain {chain_id}: "
                         "run `tracechain chain deploy` (or fix TRACE_CHAIN_CONTRACT)")
        self.address, self.chain_id = address, chain_id


class RootAlreadyAnchored(ChainError):
    """The root is anchored already; its first anchoring is the evidence and never moves. Not a
    failure for the anchorer: read ``anchor_of(root)`` and record that."""

    def __init__(self, root: bytes):
        super().__init__(f"root 0x{root.hex()} is already anchored")
        self.root = root


class NotAuthorised(ChainError):
    """The account lacks the contract role the call needs (``ANCHORER_ROLE``, ``REGISTRAR_ROLE``,
    ``DEFAULT_ADMIN_ROLE``). The admin grants it: ``AnchorContract.grant_role``."""

    def __init__(self, account: str, role: str):
        super().__init__(f"account {account} lacks {role} on the TraceAnchor contract: "
                         "the contract's admin must grant it")
        self.account, self.role = account, role


class TransactionFailed(ChainError):
    """The contract refused the call (``reason`` is its custom error's name, e.g. ``ZeroLeafCount``
    or ``SignerAlreadyRegistered``), or the node refused the transaction (``reason`` is its
    message, e.g. insufficient funds). Fix the cause; sending the same again fails the same way."""

    def __init__(self, message: str, reason: str | None = None, tx_hash: str | None = None):
        super().__init__(message)
        self.reason, self.tx_hash = reason, tx_hash


class NonceAlreadyUsed(TransactionFailed):
    """Another transaction of the same account took this signed transaction's nonce, so it can
    never be mined. Build and sign it again (a fresh nonce); never re-send the old one."""


class LocalChainError(ChainError):
    """The local development node (anvil) cannot be found, started or stopped; the message says
    why, with the end of its log when it died."""

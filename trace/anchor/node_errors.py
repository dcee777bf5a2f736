"""What a node (or eth-tester) raises, turned into ``tracechain.anchor.errors``.

A contract revert comes in two shapes:

- a JSON-RPC node (anvil, geth, besu) returns the revert data, and web3 raises
  ``ContractCustomError`` / ``ContractLogicError`` with it in ``data`` (a hex string, or a dict
  holding one);
- web3's in-process ``EthereumTesterProvider`` maps only Panic and OffchainLookup reverts, so a
  custom error arrives as eth-tester's ``TransactionFailed("execution reverted: b'<raw data>'")``.

A refused raw transaction comes as ``Web3RPCError`` with the node's message (nodes) or as
eth-utils' ``ValidationError`` (eth-tester); those are told apart by their message, as
safe-eth-py's ``_TX_ERROR_MAPPING_RAW`` does. Retrying is web3's job
(``ExceptionRetryConfiguration``); by the time a connection error gets here, it has retried.
"""

from __future__ import annotations

import ast
import contextlib
import re
import sys
from collections.abc import Iterator
from typing import cast

import requests
from eth_abi import decode as abi_decode
from eth_typing import ABI, ABIError
from eth_utils import keccak, to_checksum_address
from eth_utils.exceptions import ValidationError
from web3.exceptions import (
    ContractLogicError,
    ProviderConnectionError,
    RequestTimedOut,
    Web3RPCError,
)

from .errors import (
    ChainError,
    ChainUnavailable,
    NotAuthorised,
    RootAlreadyAnchored,
    TransactionFailed,
)


def reverts() -> tuple[type[BaseException], ...]:
    """The exception types a reverted call raises: web3's, and eth-tester's when it is loaded.

    eth-tester (a test dependency, ~0.3 s to import) is looked up, not imported: its revert can
    only be raised by an eth-tester chain, which has loaded it already."""
    tester = sys.modules.get("eth_tester.exceptions")
    failed = getattr(tester, "TransactionFailed", None)
    return (ContractLogicError, failed) if isinstance(failed, type) else (ContractLogicError,)


ROLES: dict[str, bytes] = {
    "DEFAULT_ADMIN_ROLE": bytes(32),
    "ANCHORER_ROLE": keccak(text="ANCHORER_ROLE"),
    "REGISTRAR_ROLE": keccak(text="REGISTRAR_ROLE"),
}
_ROLE_NAMES = {value: name for name, value in ROLES.items()}

# requests' ConnectionError is not the built-in one: both are listed.
CONNECTION_ERRORS = (ConnectionError, TimeoutError, requests.RequestException,
                     ProviderConnectionError, RequestTimedOut)

_ERROR_STRING = keccak(text="Error(string)")[:4]
_PANIC = keccak(text="Panic(uint256)")[:4]

# How a node says why it refused a raw transaction (lower case, "_" read as " ").
KNOWN, NONCE_TOO_LOW, NONCE_TOO_HIGH, REPLACEMENT, NO_FUNDS = (
    "known", "nonce too low", "nonce too high", "replacement", "insufficient funds")
_REFUSALS = (
    (KNOWN, ("already known", "already imported", "known transaction", "already exists")),
    (NONCE_TOO_LOW, ("nonce too low", "nonce is too low", "oldnonce")),
    (REPLACEMENT, ("replacement",)),  # "replacement transaction underpriced": nonce taken
    (NO_FUNDS, ("insufficient funds", "enough balance", "exceeds balance", "cannot afford")),
)
# eth-tester: "Invalid transaction nonce: Expected 2, but got 1"
_TESTER_NONCE = re.compile(r"expected (\d+), but got (\d+)")
_ERRNO = re.compile(r"\[Errno -?\d+\] [^'\")]+")


def revert_data(exc: BaseException) -> bytes | None:
    """The raw revert data carried by either shape of revert, or None when there is none."""
    if isinstance(exc, ContractLogicError):
        data = exc.data.get("data") if isinstance(exc.data, dict) else exc.data
        if isinstance(data, str) and data.startswith("0x"):
            return bytes.fromhex(data[2:])
        return None
    message = str(exc.args[0]) if exc.args else ""
    _, sep, literal = message.partition("execution reverted: ")
    if sep and literal.startswith(("b'", 'b"')):
        with contextlib.suppress(ValueError, SyntaxError):
            value = ast.literal_eval(literal)
            return value if isinstance(value, bytes) else None
    return None


def decode_revert(abi: ABI, data: bytes | None) -> tuple[str, tuple] | None:
    """(error name, arguments) of revert data: a custom error of ``abi``, ``Error(string)`` or
    ``Panic(uint256)``; None when the data is empty or matches none of them."""
    if not data or len(data) < 4:
        return None
    selector, payload = data[:4], data[4:]
    errors = cast("list[ABIError]", [item for item in abi if item.get("type") == "error"])
    candidates = [(item["name"], [i["type"] for i in item["inputs"]]) for item in errors]
    candidates += [("Error", ["string"]), ("Panic", ["uint256"])]
    for name, types in candidates:
        if keccak(text=f"{name}({','.join(types)})")[:4] == selector:
            try:
                values = abi_decode(types, payload)
            except Exception:  # noqa: BLE001 - malformed data: report the name only
                return name, ()
            return name, tuple(to_checksum_address(v) if t == "address" else v
                               for t, v in zip(types, values, strict=True))
    return None


def role_name(role: bytes) -> str:
    return _ROLE_NAMES.get(role, "0x" + role.hex())


def from_revert(abi: ABI, exc: BaseException) -> ChainError:
    """The typed error for a contract revert of either shape."""
    decoded = decode_revert(abi, revert_data(exc))
    if decoded is None:
        return TransactionFailed(f"the contract refused the call ({exc})", reason=None)
    name, args = decoded
    if name == "RootAlreadyAnchored" and args:
        return RootAlreadyAnchored(args[0])
    if name == "AccessControlUnauthorizedAccount" and len(args) == 2:
        return NotAuthorised(args[0], role_name(args[1]))
    shown = ", ".join("0x" + a.hex() if isinstance(a, bytes) else str(a) for a in args)
    return TransactionFailed(f"the contract refused the call: {name}({shown})", reason=name)


def refusal(exc: BaseException | None) -> str | None:
    """Why the node refused a raw transaction (one of the constants above), or None."""
    if not isinstance(exc, (Web3RPCError, ValidationError, ValueError)):
        return None
    text = str(exc).lower().replace("_", " ")
    tester_nonce = _TESTER_NONCE.search(text)
    if "nonce" in text and tester_nonce:
        expected, got = map(int, tester_nonce.groups())
        return NONCE_TOO_LOW if got < expected else NONCE_TOO_HIGH
    for kind, needles in _REFUSALS:
        if any(needle in text for needle in needles):
            return kind
    return None


def from_node(abi: ABI, exc: BaseException) -> ChainError | None:
    """The typed error for anything a node call raised, or None for a programming error."""
    if isinstance(exc, ChainError):
        return exc
    if isinstance(exc, CONNECTION_ERRORS):
        return ChainUnavailable(_connection_detail(exc))
    if isinstance(exc, reverts()):
        return from_revert(abi, exc)
    if isinstance(exc, (Web3RPCError, ValidationError)):
        return ChainError(f"the chain node answered with an error: {exc}")
    return None


def _connection_detail(exc: BaseException) -> str:
    # requests nests the reason deep in its message: "[Errno 111] Connection refused" is enough.
    text = str(exc)
    errno = _ERRNO.search(text)
    return errno.group(0) if errno else f"{type(exc).__name__}: {text[:300]}"


@contextlib.contextmanager
def translated(abi: ABI) -> Iterator[None]:
    """Re-raise node errors as typed chain errors; anything else passes through unchanged."""
    try:
        yield
    except Exception as exc:
        mapped = from_node(abi, exc)
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc

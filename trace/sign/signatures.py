"""Organisations sign event hashes: EIP-191 ``personal_sign`` over the 32 raw bytes of the hash.

personal_sign (``"\\x19Ethereum Signed Message:\\n32" + hash``) is what every wallet and
``ECDSA.recover`` / ``MessageHashUtils.toEthSignedMessageHash`` on chain understand, and its prefix
keeps an event signature from ever being a valid transaction signature. A signature is 65 bytes,
r || s || v with v in {27, 28}, written as 0x-hex. Only low-s signatures are accepted (as
OpenZeppelin's ``ECDSA`` does): otherwise (r, n - s) would be a second valid spelling of each one.
"""

from __future__ import annotations

import re

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_keys.datatypes import PrivateKey
from eth_utils import is_address, to_checksum_address

from ..domain.merkle import event_hash_bytes

_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_SIGNATURE = re.compile(r"0x[0-9a-fA-F]{130}")


def sign_event_hash(account: LocalAccount, event_hash_uri: str) -> str:
    """The organisation's signature of one event hash, as 0x-hex (65 bytes).

    :raises ValueError: ``event_hash_uri`` is not a CBV 2.0 event hash.
    """
    message = encode_defunct(primitive=event_hash_bytes(event_hash_uri))
    signed = Account.sign_message(message, private_key=_private_key(account))
    return "0x" + bytes(signed.signature).hex()


_PERSONAL_PREFIX = b"\x19Ethereum Signed Message:\n32"


def sign_event_hashes(account: LocalAccount, event_hash_uris: list[str]) -> list[str]:
    """Signatures of many event hashes, each the same as :func:`sign_event_hash` gives.

    With coincurve (libsecp256k1) this signs the EIP-191 digest directly: about 30 µs a
    signature instead of about 95 µs through eth-account's layers, which matters for batches of
    thousands. libsecp256k1 gives low-s signatures, as eth-account does.
    """
    return _sign_many(account, [event_hash_bytes(uri) for uri in event_hash_uris])


def _sign_many(account: LocalAccount, digests: list[bytes]) -> list[str]:
    try:
        import coincurve
    except ImportError:  # pragma: no cover - coincurve is a dependency; keep the slow path
        return ["0x" + bytes(Account.sign_message(
            encode_defunct(primitive=d), private_key=_private_key(account)).signature).hex()
            for d in digests]
    from ..domain.merkle import keccak256

    key = coincurve.PrivateKey(bytes(account.key))
    out = []
    for digest32 in digests:
        if len(digest32) != 32:
            raise ValueError("a signed statement is 32 bytes")
        digest = keccak256(_PERSONAL_PREFIX + digest32)
        raw = key.sign_recoverable(digest, hasher=None)
        out.append("0x" + raw[:64].hex() + f"{raw[64] + 27:02x}")
    return out


def sign_digest(account: LocalAccount, digest32: bytes) -> str:
    """The EIP-191 signature of any 32-byte statement (a capture seal), as 0x-hex."""
    [signature] = _sign_many(account, [digest32])
    return signature


def recover_signer(event_hash_uri: str, signature: str) -> str:
    """The checksummed address whose key made ``signature`` over this event hash.

    Any well-formed signature recovers *some* address: compare it with the one expected
    (:func:`verify_signature`).

    :raises ValueError: a malformed event hash or signature, saying what is wrong.
    """
    return recover_digest_signer(event_hash_bytes(event_hash_uri), signature)


def recover_digest_signer(hash32: bytes, signature: str | None) -> str:
    """The checksummed address whose key made ``signature`` (EIP-191) over these 32 bytes.

    :raises ValueError: a malformed signature, saying what is wrong.
    """
    raw = _signature_bytes(signature)
    fast = _recover_with_coincurve(hash32, raw)
    if fast is not None:
        return fast
    message = encode_defunct(primitive=hash32)
    try:
        recovered: str = Account.recover_message(message, signature=raw)
        return recovered
    except Exception as exc:  # eth-keys: BadSignature, ValidationError, ... all mean the same
        raise ValueError(f"signature does not recover to any public key: {exc}") from None


def _recover_with_coincurve(hash32: bytes, raw: bytes) -> str | None:
    """libsecp256k1 directly (~40 µs instead of ~100 µs); None to fall back to eth-account."""
    try:
        import coincurve
    except ImportError:  # pragma: no cover - coincurve is a dependency
        return None
    from ..domain.merkle import keccak256

    digest = keccak256(_PERSONAL_PREFIX + hash32)
    try:
        public = coincurve.PublicKey.from_signature_and_message(
            raw[:64] + bytes([raw[64] - 27]), digest, hasher=None)
    except Exception as exc:  # noqa: BLE001 - any failure means no key recovers it
        raise ValueError(f"signature does not recover to any public key: {exc}") from None
    address = keccak256(public.format(compressed=False)[1:])[-20:]
    return to_checksum_address(address)


def verify_signature(event_hash_uri: str, signature: str, expected_address: str) -> bool:
    """Whether ``signature`` is ``expected_address``'s signature of this event hash.

    A malformed signature is simply not a valid one (False): a stored signature that was altered
    must read as "warning", not crash the verification.

    :raises ValueError: a malformed event hash or expected address (the caller's own inputs).
    """
    if not isinstance(expected_address, str) or not is_address(expected_address):
        raise ValueError(f"not an Ethereum address: {expected_address!r}")
    event_hash_bytes(event_hash_uri)  # raise for a malformed event hash before judging
    try:
        signer = recover_signer(event_hash_uri, signature)
    except ValueError:
        return False
    return signer == to_checksum_address(expected_address)


def _private_key(account: LocalAccount) -> PrivateKey:
    # LocalAccount.sign_message hands eth-account the raw key bytes, which it turns back into a
    # key object by deriving the public key again: an elliptic-curve multiplication that doubles
    # the cost of a signature with eth-keys' pure-Python backend. The account already holds that
    # object; use it when it is there (the fallback is the public, slower way).
    key = getattr(account, "_key_obj", None)
    return key if isinstance(key, PrivateKey) else PrivateKey(account.key)


def _signature_bytes(signature: str | None) -> bytes:
    if not isinstance(signature, str) or not _SIGNATURE.fullmatch(signature):
        raise ValueError(
            f"malformed signature {_preview(signature)}: expected 0x and 130 hex digits (65 bytes)"
        )
    raw = bytes.fromhex(signature[2:])
    r, s, v = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64]
    if v not in (27, 28):
        raise ValueError(f"malformed signature: v is {v}, expected 27 or 28")
    if not 0 < r < _SECP256K1_N:
        raise ValueError("malformed signature: r is out of range")
    if not 0 < s <= _SECP256K1_N // 2:
        raise ValueError("malformed signature: s is zero or in the upper half (not canonical)")
    return raw


def _preview(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

"""Organisations' secp256k1 signing keys, stored only as encrypted Ethereum keystores (v3 JSON).

The keystore password is a secret from configuration: never in the database, never in code. The
database holds the keystore; a copy of the database alone gives nobody a key.

KDF: scrypt with N = 2**16, r = 8, p = 1 (64 MiB, ~0.15 s per unlock on a small server) instead
of eth-account's default N = 2**18 (256 MiB, ~0.6 s). scrypt stays memory-hard, so guessing a
secret on GPUs stays expensive, and the secret is meant to be long and random anyway; the default
only buys a slower start. Unlocked accounts are kept in a per-process LRU keyed by address, so
signing a thousand events costs one unlock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from collections import OrderedDict

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address

from ..domain.json_types import JsonObject

SCRYPT_N = 2**16
MIN_SECRET_LENGTH = 16  # for new keystores; make one with secrets.token_urlsafe(32)
CACHE_SIZE = 256  # unlocked accounts kept per process: one per organisation signing here

# Keystores we agree to open: no weaker than scrypt n = 2**14 (a quarter of what we write), and
# no KDF so costly that a keystore altered in the database could tie up a worker (decryption
# takes its parameters from the keystore itself).
_SCRYPT_MEMORY_MAX = 256 * 2**20  # bytes, 128 * n * r: eth-account's default keystores fit
_SCRYPT_WORK_MIN = 2**14 * 8  # n * r * p
_PBKDF2_ITERATIONS = (100_000, 10_000_000)
_ADDRESS = re.compile(r"(?:0x)?([0-9a-fA-F]{40})")


class KeystoreError(ValueError):
    """The keystore JSON is malformed or uses KDF parameters we refuse; it cannot be opened."""


class WrongSecret(KeystoreError):
    """The secret does not open this keystore: check TRACE_SIGNING_SECRET (the configured one)."""


def new_key(secret: str, scrypt_n: int = SCRYPT_N) -> tuple[str, str]:
    """A fresh signing key: its checksummed address and its keystore encrypted with ``secret``.

    ``scrypt_n`` below the default is for test suites that create many organisations; ``unlock``
    still refuses anything under 2**14.

    :raises ValueError: the secret is shorter than ``MIN_SECRET_LENGTH``.
    """
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(
            f"the keystore secret must be at least {MIN_SECRET_LENGTH} characters; "
            "use a long random one (secrets.token_urlsafe(32))"
        )
    account = Account.create()
    keystore = Account.encrypt(account.key, secret, kdf="scrypt", iterations=scrypt_n)
    return account.address, json.dumps(keystore)


def unlock(keystore_json: str, secret: str) -> LocalAccount:
    """The account in ``keystore_json``, decrypted once per process and then cached.

    :raises WrongSecret: ``secret`` does not open it.
    :raises KeystoreError: it is not a keystore we can or will open.
    """
    return _unlocked.get(keystore_json, secret)


def forget_unlocked() -> None:
    """Drop every cached account (after rotating keys or the secret; and in tests)."""
    _unlocked.clear()


class UnlockedAccounts:
    """An LRU of decrypted accounts keyed by (lower-case) address.

    An entry is used only for the very keystore text and secret that opened it (compared through
    an HMAC under a per-process random key, so neither is kept in clear here): a wrong secret, or
    a keystore altered since, never gets a cached key and goes through the full decryption.
    """

    def __init__(self, maxsize: int = CACHE_SIZE):
        self._maxsize = maxsize
        self._entries: OrderedDict[str, tuple[bytes, LocalAccount]] = OrderedDict()  # by address
        self._lock = threading.Lock()  # app workers may sign from several threads
        self._mac_key = secrets.token_bytes(32)

    def get(self, keystore_json: str, secret: str) -> LocalAccount:
        if not isinstance(secret, str) or not secret:
            raise WrongSecret("no keystore secret given: set TRACE_SIGNING_SECRET")
        keystore, address = _parse(keystore_json)
        fingerprint = self._fingerprint(keystore_json, secret)
        with self._lock:
            entry = self._entries.get(address)
            if entry is not None and hmac.compare_digest(entry[0], fingerprint):
                self._entries.move_to_end(address)
                return entry[1]
        account = _decrypt(keystore, secret, address)  # slow: outside the lock
        with self._lock:
            self._entries[address] = (fingerprint, account)
            self._entries.move_to_end(address)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)
        return account

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _fingerprint(self, keystore_json: str, secret: str) -> bytes:
        keystore, password = keystore_json.encode(), secret.encode()
        message = len(keystore).to_bytes(8, "big") + keystore + password
        return hmac.new(self._mac_key, message, hashlib.sha256).digest()


_unlocked = UnlockedAccounts()


def _parse(keystore_json: str) -> tuple[JsonObject, str]:
    """The keystore and the address it claims, 0x and lower case (checked after decryption).

    Cheap on purpose (no checksumming): it runs on every cached unlock.
    """
    try:
        keystore = json.loads(keystore_json)
        crypto = keystore["crypto"]
        kdf, params = crypto["kdf"], crypto["kdfparams"]
        address = keystore["address"]
    except (TypeError, ValueError, KeyError) as exc:
        raise KeystoreError(f"not an Ethereum v3 keystore: {exc!r}") from None
    if keystore.get("version") != 3:
        raise KeystoreError(f"keystore version {keystore.get('version')!r}; expected 3")
    match = _ADDRESS.fullmatch(address) if isinstance(address, str) else None
    if match is None:
        raise KeystoreError(f"keystore address {address!r} is not an Ethereum address")
    _check_kdf(kdf, params)
    return keystore, "0x" + match.group(1).lower()


def _check_kdf(kdf: object, params: JsonObject) -> None:
    try:
        if kdf == "scrypt":
            n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
            if 128 * n * r <= _SCRYPT_MEMORY_MAX and n * r * p >= _SCRYPT_WORK_MIN and p <= 16:
                return
        elif kdf == "pbkdf2":
            low, high = _PBKDF2_ITERATIONS
            if params["prf"] == "hmac-sha256" and low <= int(params["c"]) <= high:
                return
    except (KeyError, TypeError, ValueError):
        pass
    raise KeystoreError(f"keystore KDF {kdf!r} with {params!r} is outside what we accept")


def _decrypt(keystore: JsonObject, secret: str, address: str) -> LocalAccount:
    address = to_checksum_address(address)
    try:
        account: LocalAccount = Account.from_key(Account.decrypt(keystore, secret))
    except (ValueError, TypeError, KeyError) as exc:  # "MAC mismatch" is a wrong secret
        if "MAC mismatch" in str(exc):
            raise WrongSecret(
                f"the configured secret does not open the keystore of {address}: "
                "is TRACE_SIGNING_SECRET (or var/secrets/signing-secret) the one it was made with?"
            ) from None
        raise KeystoreError(f"cannot decrypt the keystore of {address}: {exc}") from None
    # The address field is not covered by the keystore's MAC: make sure it tells the truth.
    if account.address != address:
        raise KeystoreError(f"keystore says {address} but holds the key of {account.address}")
    return account

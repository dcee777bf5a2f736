"""Signing: every organisation signs the hashes of its events with its own secp256k1 key.

This is the signing adapter (eth-account lives here, not in the domain). Keys are stored only as
encrypted keystores (``keys``); signatures are EIP-191 personal_sign over the event hash's 32
bytes (``signatures``), so anyone can check them with any Ethereum tool.
"""

from .keys import KeystoreError, WrongSecret, forget_unlocked, new_key, unlock
from .signatures import recover_signer, sign_event_hash, verify_signature

__all__ = [
    "KeystoreError",
    "WrongSecret",
    "forget_unlocked",
    "new_key",
    "recover_signer",
    "sign_event_hash",
    "unlock",
    "verify_signature",
]

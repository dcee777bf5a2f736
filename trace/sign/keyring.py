"""The organisations' signing keys as the service holds them: encrypted keystores in the database,
opened with the secret from configuration."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount

from .keys import SCRYPT_N, new_key, unlock
from .signatures import sign_digest, sign_event_hashes, verify_signature


@dataclass(frozen=True)
class Keyring:
    secret: str
    scrypt_n: int = SCRYPT_N

    def new_key(self) -> tuple[str, str]:
        """(address, encrypted keystore JSON) of a fresh key."""
        return new_key(self.secret, self.scrypt_n)

    def account(self, keystore_json: str) -> LocalAccount:
        """Unlocked once per process (``keys.unlock`` caches it): scrypt costs ~0.15 s."""
        return unlock(keystore_json, self.secret)

    def sign_all(self, keystore_json: str, event_hashes: list[str]) -> list[str]:
        return sign_event_hashes(self.account(keystore_json), event_hashes)

    def seal(self, keystore_json: str, statement: bytes) -> tuple[str, str]:
        """(signature, signer address) of a capture statement."""
        account = self.account(keystore_json)
        return sign_digest(account, statement), account.address

    @staticmethod
    def verify(event_hash: str, signature: str, address: str) -> bool:
        return verify_signature(event_hash, signature, address)

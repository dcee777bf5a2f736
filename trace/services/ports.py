"""What the use cases need from the outside world, as protocols (the adapters implement them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self


@dataclass(frozen=True)
class AnchorFact:
    """What the chain says about an anchored root."""

    root: bytes
    block_number: int
    timestamp: int
    submitter: str
    leaf_count: int


@dataclass(frozen=True)
class SignedTx:
    tx_hash: str
    raw: str
    nonce: int


@dataclass(frozen=True)
class AnchorReceipt:
    tx_hash: str
    status: int
    block_number: int
    block_time: datetime | None
    gas_used: int
    error: str | None = None


class AnchorChain(Protocol):
    """The anchoring registry on some chain (Web3 in production, a fake in unit tests)."""

    @property
    def chain_id(self) -> int: ...

    @property
    def address(self) -> str: ...

    def anchor_of(self, root: bytes) -> AnchorFact | None: ...

    def build_anchor_tx(self, root: bytes, leaf_count: int) -> SignedTx: ...

    def send_raw(self, raw: str) -> str: ...

    def receipt(self, tx_hash: str) -> AnchorReceipt | None: ...


class SignerRegistration(Protocol):
    """The chain's signer registry entry of an address (``anchor.contract.SignerFact`` is one)."""

    organisation: bytes
    active: bool
    registered_at: int
    revoked_at: int | None


class ChainReader(Protocol):
    """What verification reads from the chain: anchored roots, anchoring transactions, the
    signer registry and (``anchored_since``) every root anchored from a block on.
    ``anchor.contract.AnchorContract`` is one; it needs no key."""

    @property
    def chain_id(self) -> int: ...

    @property
    def address(self) -> str: ...

    def anchor_of(self, root: bytes) -> AnchorFact | None: ...

    def signer_of(self, address: str) -> SignerRegistration | None: ...

    def receipt(self, tx_hash: str) -> AnchorReceipt | None: ...

    def anchored_since(self, from_block: int) -> list[tuple[bytes, int]]: ...


class UnitOfWork(Protocol):
    """One database transaction, which a use case commits or rolls back as a whole.

    ``with uow: ...; uow.commit()``: anything not committed is rolled back when the block ends.
    Use cases hand the unit of work to the store's functions (``store/``), which alone hold SQL;
    nothing outside ``store/`` sees the session inside (``store.uow.session_of``).
    """

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def writing(self) -> UnitOfWork:
        """A unit of work over the same database that takes the write lock when it begins
        (SQLite's ``BEGIN IMMEDIATE``; a no-op where rows are locked one by one)."""
        ...

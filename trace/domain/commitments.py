"""What organisations sign and what each anchored batch commits to, as plain values.

Two commitments make a record checkable against the chain without trusting the database:

- **The capture seal.** The organisation's key signs, in the transaction that stores an
  authenticated capture, one statement per capture document: its organisation, capture id, user,
  time, and the OpenZeppelin Merkle root of the captured event hashes. A row written by any other
  path is covered by no seal and reads ``unsigned``.
- **The lot state.** Every event that names a lot is a link of that lot's history chain,
  ``head = keccak(LINK, lotKey, previous head, event hash, sources digest)``, where the sources
  are the lots the event made this one from (transformation inputs, packed children, the lot an
  item was commissioned of). Each anchored batch also commits (one extra leaf) to the root of a
  Merkle tree over *every* lot's (key, count, head): the whole state after the batch. A deleted,
  added or reordered event, a lost index row or a cut lineage link changes a recomputed head, and
  the state says what the heads were.

- **The error declaration.** The CBV 2.0 event hash leaves ``errorDeclaration`` out, so a
  declaration (the declared event repeated, plus its ``errorDeclaration``) would have its event's
  hash. Its leaf is instead ``declaration_event_hash``: SHA-256 over a tag, the declared event's
  CBV hash and the SHA-256 of the ``errorDeclaration`` member in canonical JSON. An edited reason,
  declaration time or corrective eventID changes it, so the seal and the anchor no longer cover
  the row.

All hashes are keccak-256 over fixed-width fields (32 bytes each), like Solidity's
``abi.encode`` of ``bytes32``/``uint256`` values, so any EVM tool can recompute them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from .merkle import MerkleTree, event_hash_bytes, keccak256, leaf

ZERO = bytes(32)
CAPTURE_TAG = keccak256(b"tracechain.capture-seal.v1")
LINK_TAG = keccak256(b"tracechain.lot-link.v1")
ENTRY_TAG = keccak256(b"tracechain.lot-state-entry.v1")
STATE_TAG = keccak256(b"tracechain.lot-state.v1")


def _uint(value: int) -> bytes:
    if not isinstance(value, int) or value < 0 or value >= 2**256:
        raise ValueError(f"not a uint256: {value!r}")
    return value.to_bytes(32, "big")


def _b32(value: bytes, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != 32:
        raise ValueError(f"{what} must be 32 bytes")
    return bytes(value)


# --- the capture seal ---------------------------------------------------------------------------

def capture_root(event_hashes: Iterable[bytes]) -> MerkleTree:
    """The Merkle tree of one capture's event hashes (the seal's root is its root)."""
    return MerkleTree(event_hashes)


def capture_statement(organisation: bytes, capture_id: str, user_id: int | None,
                      recorded_at: int, count: int, root: bytes) -> bytes:
    """The 32 bytes an organisation signs (EIP-191) for one capture.

    ``organisation``: its 32-byte id (``identity.organisation_id_bytes``); ``capture_id``: the
    capture's 32 hex digits; ``user_id``: who captured (0 for none); ``recorded_at``: Unix
    seconds; ``root``: ``capture_root`` of the ``count`` event hashes stored.
    """
    try:
        capture = bytes.fromhex(capture_id)
    except (TypeError, ValueError):
        raise ValueError(f"not a capture id: {capture_id!r}") from None
    if len(capture) != 16:
        raise ValueError(f"not a capture id: {capture_id!r}")
    return keccak256(CAPTURE_TAG + _b32(organisation, "organisation") + capture.rjust(32, b"\0")
                     + _uint(user_id or 0) + _uint(recorded_at) + _uint(count)
                     + _b32(root, "root"))


# --- error declarations ------------------------------------------------------------------------

DECLARATION_TAG = hashlib.sha256(b"tracechain.error-declaration.v1").digest()
_NI, _VER = "ni:///sha-256;", "?ver=CBV2.0"


def declaration_json(declaration: Any) -> bytes:
    """The ``errorDeclaration`` member in canonical JSON: keys sorted at every level, no
    whitespace, UTF-8 (non-ASCII characters as they are).

    :raises ValueError: it is not a JSON object."""
    if not isinstance(declaration, dict):
        raise ValueError("errorDeclaration must be a JSON object")
    try:
        text = json.dumps(declaration, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"errorDeclaration is not plain JSON: {exc}") from None
    return text.encode("utf-8")


def declaration_event_hash(cbv_hash: str, declaration: Any) -> str:
    """The hash a declaration is stored, sealed and anchored under::

        sha256(sha256("tracechain.error-declaration.v1") ‖ cbv ‖ sha256(declaration_json))

    ``cbv``: the 32 bytes of the declared event's CBV 2.0 hash (which the declaration repeats).
    Written like an event hash (``ni:///sha-256;<hex>?ver=CBV2.0``) so that every leaf has one
    form; it is not the CBV hash of anything, and never equals one.

    :raises ValueError: ``cbv_hash`` is not a CBV 2.0 event hash, or the declaration not JSON.
    """
    value = hashlib.sha256(DECLARATION_TAG + event_hash_bytes(cbv_hash)
                           + hashlib.sha256(declaration_json(declaration)).digest()).hexdigest()
    return _NI + value + _VER


# --- lot history chains -------------------------------------------------------------------------

@lru_cache(maxsize=1 << 17)  # a lot's events come back batch after batch
def lot_key(uri: str) -> bytes:
    """The 32-byte key of a lot (or item, or container) in the state: keccak of its URI."""
    return keccak256(uri.encode("utf-8"))


def sources_digest(source_uris: Iterable[str]) -> bytes:
    """The lots an event made a lot from, as one value (ZERO for none), order-independent."""
    keys = sorted({lot_key(u) for u in source_uris})
    return keccak256(b"".join(keys)) if keys else ZERO


def next_head(key: bytes, previous: bytes, event_hash: bytes, sources: bytes = ZERO) -> bytes:
    """The lot's history head after one more event."""
    return keccak256(LINK_TAG + _b32(key, "lot key") + _b32(previous, "head")
                     + _b32(event_hash, "event hash") + _b32(sources, "sources digest"))


def chain_head(key: bytes, steps: Iterable[tuple[bytes, bytes]],
               start: bytes = ZERO) -> tuple[bytes, int]:
    """(head, count) of a lot's history: ``steps`` are (event hash, sources digest) in order."""
    head, count = start, 0
    for event_hash, sources in steps:
        head = next_head(key, head, event_hash, sources)
        count += 1
    return head, count


# --- the lot state ------------------------------------------------------------------------------

@dataclass(frozen=True)
class LotState:
    """One lot's entry in the state: how many events its history has, and its head."""

    key: bytes
    count: int
    head: bytes

    @cached_property
    def value(self) -> bytes:
        """The entry as a leaf value of the state tree."""
        return keccak256(ENTRY_TAG + self.key + _uint(self.count) + self.head)

    @cached_property
    def leaf(self) -> bytes:
        """The entry's leaf in the state tree (kept: the state is rebuilt batch after batch)."""
        return leaf(self.value)


class StateTree:
    """The Merkle tree over every lot's entry; empty state: root ZERO."""

    def __init__(self, entries: Iterable[LotState]):
        self.entries = {e.key: e for e in entries}
        kept = list(self.entries.values())
        self._tree = MerkleTree([e.value for e in kept], [e.leaf for e in kept]) \
            if kept else None

    @property
    def root(self) -> bytes:
        return self._tree.root if self._tree is not None else ZERO

    def get(self, key: bytes) -> LotState | None:
        return self.entries.get(key)

    def proof(self, key: bytes) -> list[bytes] | None:
        entry = self.entries.get(key)
        if entry is None or self._tree is None:
            return None
        return self._tree.proof(self._tree.leaf_index(entry.value))


def state_leaf(state_root: bytes) -> bytes:
    """The value a batch adds to its Merkle tree to commit to the state after it."""
    return keccak256(STATE_TAG + _b32(state_root, "state root"))

"""A batch's Merkle tree, rebuilt from the values the batch stored and checked against its root.

Since migration 0004 each batch keeps its tree's values (``AnchorBatch.leaves``: its event hashes,
then its state leaf), so an event's proof does not depend on the other events' rows: editing or
deleting one event cannot take its batch-mates' proofs down (the lot histories notice the edit or
the deletion). Batches anchored before that are rebuilt from their events' recorded hashes, in
``Event.id`` order, as the anchorer built them then.

A tree whose root is the batch's root is bound to it, so it stays right whatever is edited later:
such trees are cached (LRU) by batch id and root. A tree that does not rebuild the root is not.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from ...domain.merkle import MerkleTree, event_hash_bytes
from ...store import anchor_batches as batches
from ..ports import UnitOfWork


@dataclass(frozen=True)
class Ledger:
    """The tree that rebuilds a batch's root (``tree`` None when the records do not; ``note``
    says why)."""

    batch_id: int
    root: bytes
    tree: MerkleTree | None
    note: str = ""
    _proofs: dict[int, tuple[bytes, ...]] = field(default_factory=dict, compare=False,
                                                  repr=False)

    def proof(self, position: int) -> tuple[bytes, ...]:
        """The proof of the value at ``position`` (kept: the tree never changes)."""
        found = self._proofs.get(position)
        if found is None:
            assert self.tree is not None, "a ledger without a tree has no proofs"
            found = self._proofs[position] = tuple(self.tree.proof(position))
        return found

    def position(self, value: bytes) -> int | None:
        """The leaf index the anchorer gave ``value``, or None when it is not a leaf here."""
        if self.tree is None:
            return None
        try:
            return self.tree.leaf_index(value)
        except ValueError:
            return None

    def has(self, value: bytes) -> bool:
        return self.position(value) is not None


class BatchTrees:
    """An LRU of batches' verified trees, shared by the requests of one process."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._cache: OrderedDict[tuple[int, bytes], Ledger] = OrderedDict()
        self._lock = threading.Lock()

    def ledger(self, uow: UnitOfWork, batch_id: int, root: bytes, leaf_count: int = 0) -> Ledger:
        key = (batch_id, root)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        ledger = rebuild(uow, batch_id, root)
        if ledger.tree is not None:
            with self._lock:
                self._cache[key] = ledger
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        return ledger


def rebuild(uow: UnitOfWork, batch_id: int, root: bytes) -> Ledger:
    """The tree of ``batch_id`` from its stored values (or, for an old batch, its events)."""
    leaves = batches.batch_leaves(uow, batch_id)
    values: list[bytes] | None
    if leaves is not None:
        data = bytes(leaves)
        values = [data[i:i + 32] for i in range(0, len(data), 32)] if len(data) % 32 == 0 \
            else None
        what = "stored leaves"
    else:
        values = []
        for event_hash in batches.batch_event_hashes(uow, batch_id):
            try:
                values.append(event_hash_bytes(event_hash))
            except ValueError:
                values = None
                break
        what = "events' recorded hashes"
    tree = _tree(values)
    if tree is not None and tree.root == root:
        return Ledger(batch_id, root, tree)
    return Ledger(batch_id, root, None, note=(
        f"the {what} of batch {batch_id} no longer rebuild its root 0x{root.hex()}: the "
        "batch's records were changed"))


def _tree(values: list[bytes] | None) -> MerkleTree | None:
    if not values:
        return None
    try:
        return MerkleTree(values)
    except ValueError:
        return None

"""The latest lot state the chain anchored, established without trusting the database.

The chain's ``Anchored`` events say which roots were anchored, in order. The latest one must be a
batch in our records (otherwise anchoring records were removed); that batch's stored tree must
rebuild its root, hold its state leaf, and the recorded lot heads must rebuild its state root.
Only then is the state used to check lot histories (``check_history``). The result is kept a few
seconds per process (``fresh`` establishes it again).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from ...domain.commitments import StateTree, state_leaf
from ...domain.merkle import hex32
from ...domain.verification import ALTERED, INCOMPLETE, NOT_ON_CHAIN
from ...store import anchor_batches as batches
from ..anchoring.lot_state import state_after
from ..ports import AnchorFact, AnchorReceipt, ChainReader, UnitOfWork
from .batch_trees import BatchTrees
from .evidence import CHAIN_FAILURES

TTL = 5.0


@dataclass(frozen=True)
class StateView:
    """The state after ``batch_id`` (None: nothing is anchored yet: every lot is empty), or
    why no state can be trusted (``error``, with the status it gives lot histories)."""

    batch_id: int | None
    tree: StateTree | None
    error: str | None = None
    error_status: str = NOT_ON_CHAIN

    def entry(self, key: bytes) -> tuple[int, bytes] | None:
        found = self.tree.get(key) if self.tree is not None else None
        return (found.count, found.head) if found is not None else None


class ChainAnchors:
    """What the chain said about roots: an anchored root's facts do not change, so they are
    kept; a root not (yet) anchored is asked again next time."""

    def __init__(self) -> None:
        self._facts: dict[tuple[int, bytes], AnchorFact] = {}
        self._receipts: dict[tuple[int, str], AnchorReceipt] = {}
        self._states: dict[int, tuple[float, StateView]] = {}
        # Verified state trees by (batch id, batch root, state root): a tree that rebuilt the
        # anchored root is the truth about that state, whatever is edited later.
        self.trees: dict[tuple[int, str, str], StateTree] = {}
        self._lock = threading.Lock()

    def anchor_of(self, reader: ChainReader, root: bytes, fresh: bool = False) -> AnchorFact | None:
        key = (id(reader), root)
        if not fresh and key in self._facts:
            return self._facts[key]
        fact = reader.anchor_of(root)
        if fact is not None:
            with self._lock:
                self._facts[key] = fact
        return fact

    def receipt(self, reader: ChainReader, tx_hash: str,
                fresh: bool = False) -> AnchorReceipt | None:
        key = (id(reader), tx_hash)
        if not fresh and key in self._receipts:
            return self._receipts[key]
        found = getattr(reader, "receipt", None)
        receipt: AnchorReceipt | None = found(tx_hash) if callable(found) else None
        if receipt is not None:
            with self._lock:
                self._receipts[key] = receipt
        return receipt

    def state(self, uow: UnitOfWork, reader: ChainReader | None, trees: BatchTrees,
              fresh: bool = False) -> StateView:
        if reader is None:
            return StateView(None, None, "no chain configured")
        now = time.monotonic()
        cached = self._states.get(id(reader))
        if cached is not None and cached[0] > now and not fresh:
            return cached[1]
        try:
            view = _establish(uow, reader, self, trees, fresh)
        except CHAIN_FAILURES as exc:
            view = StateView(None, None, f"the chain could not be asked ({exc})")
        with self._lock:
            self._states[id(reader)] = (now + TTL, view)
        return view


def _establish(uow: UnitOfWork, reader: ChainReader, anchors: ChainAnchors, trees: BatchTrees,
               fresh: bool) -> StateView:
    recorded_batches = batches.batches_newest_first(uow)
    by_root = {b.root: b for b in recorded_batches}
    start = None
    for b in recorded_batches:  # the newest batch the chain has anchored, as a starting block
        root = hex32(b.root)
        fact = anchors.anchor_of(reader, root, fresh) if root is not None else None
        if fact is not None:
            start = (b, fact)
            break
    since = getattr(reader, "anchored_since", None)
    newest = start[0] if start else None
    if callable(since):
        # From the newest root the chain confirms; with none, from the earliest block our
        # records name (a hint only: any root after it that we lack is still found; a record
        # of a block earlier than the truth only makes the scan longer).
        recorded = [b.block_number for b in recorded_batches if b.block_number is not None]
        first = start[1].block_number if start else (min(recorded) if recorded else 0)
        for root, block in since(first):
            found = by_root.get("0x" + root.hex())
            if found is None:
                return StateView(None, None, (
                    f"the chain holds an anchor (root 0x{root.hex()}, block {block}) that our "
                    "records lack: records of anchored batches were removed"), INCOMPLETE)
            if newest is None or found.id > newest.id:
                newest = found
    if newest is None:
        return StateView(None, StateTree(()))
    latest = next((b for b in recorded_batches if b.id <= newest.id and b.state_root), None)
    if latest is None:
        return StateView(None, None, "the latest anchored batch commits to no lot state yet; "
                         "the next anchoring round makes one")
    memo = (latest.id, latest.root, latest.state_root)
    if memo in anchors.trees:
        return StateView(latest.id, anchors.trees[memo])
    root, state_root = hex32(latest.root), hex32(latest.state_root)
    ledger = trees.ledger(uow, latest.id, root) if root is not None else None
    if ledger is None or ledger.tree is None or state_root is None:
        return StateView(None, None, (ledger.note if ledger else None) or (
            f"the records of batch {latest.id} were changed"), ALTERED)
    if not ledger.has(state_leaf(state_root)):
        return StateView(None, None, f"batch {latest.id}'s recorded state root is not the one "
                         "its anchored tree commits to: it was changed", ALTERED)
    state = state_after(uow, latest.id)
    if state.root != state_root:
        return StateView(None, None, f"the recorded lot heads no longer rebuild the lot state "
                         f"anchored in batch {latest.id}: they were changed", ALTERED)
    if len(anchors.trees) > 8:
        anchors.trees.clear()
    anchors.trees[memo] = state
    return StateView(latest.id, state)

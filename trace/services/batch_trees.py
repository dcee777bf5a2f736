"""A batch's Merkle tree, rebuilt from our records and checked against the batch's root.

The anchorer built each tree from the batch's events in ``Event.id`` order and gave each event its
position as ``leaf_index`` (``services.anchoring._build_batch``); the tree rebuilt the same way must
give the same root. When it does not, someone changed the records, and one edited row must not take
its batch-mates' proofs down with it, so the tree is searched for among a few repairs:

- each leaf from the event itself (re-hashed) or from its pre-hash instead of its recorded hash,
  which undoes an edit of one of the three;
- without an event that claims the batch but has a duplicate or impossible leaf index, or with an
  event whose batch link was changed (found by the leaf index it kept, or unbatched among the
  batch's events), which undoes an edit of ``batch_id``.

A tree whose root is the batch's root is cryptographically bound to it, so it stays right whatever
is edited later: such trees are cached (LRU) by batch id and root. No tree found is not cached.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import and_, or_, select

from ..domain.merkle import MerkleTree, event_hash_bytes
from ..store.events import DocumentContext, Event
from .evidence import hash_facts

_MAX_TRIES = 30  # trees built at most per batch when searching (about 30 ms each for 10k leaves)
_MAX_CANDIDATES = 10  # events tried in or out of a batch


@dataclass(frozen=True)
class Ledger:
    """The tree that rebuilds a batch's root, with the event row that holds each leaf.

    ``tree`` is None when no repair rebuilt the root; ``note`` says which repair was made, or why
    no tree was found.
    """

    batch_id: int
    root: bytes
    tree: MerkleTree | None
    owners: tuple[int, ...] = ()  # Event.id of each tree value, in the tree's (id) order
    note: str = ""

    def position(self, value: bytes) -> int | None:
        """The leaf index the anchorer gave ``value``, or None when it is not a leaf here."""
        if self.tree is None:
            return None
        try:
            return self.tree.leaf_index(value)
        except ValueError:
            return None


@dataclass(frozen=True)
class _Row:
    id: int
    event_id: str
    event_hash: str
    leaf_index: int | None


class BatchTrees:
    """An LRU of batches' verified trees, shared by the requests of one process."""

    def __init__(self, size: int = 256):
        self._size = size
        self._cache: OrderedDict[tuple[int, bytes], Ledger] = OrderedDict()
        self._lock = threading.Lock()

    def ledger(self, session, batch_id: int, root: bytes, leaf_count: int) -> Ledger:
        key = (batch_id, root)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        ledger = rebuild(session, batch_id, root, leaf_count)
        if ledger.tree is not None:
            with self._lock:
                self._cache[key] = ledger
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        return ledger


def rebuild(session, batch_id: int, root: bytes, leaf_count: int) -> Ledger:
    """The tree of ``batch_id`` from its events' recorded hashes, repaired if it must be."""
    rows = [_Row(*r) for r in session.execute(
        select(Event.id, Event.event_id, Event.event_hash, Event.leaf_index)
        .where(Event.batch_id == batch_id).order_by(Event.id))]
    stored = {r.id: _value(r.event_hash) for r in rows}
    tree = _tree([stored[r.id] for r in rows])
    if tree is not None and tree.root == root:
        return Ledger(batch_id, root, tree, tuple(r.id for r in rows))
    return _repair(session, batch_id, root, leaf_count, rows, stored)


def _repair(session, batch_id, root, leaf_count, rows, stored) -> Ledger:
    outsiders = _outsiders(session, batch_id, rows, leaf_count)
    everyone = rows + outsiders
    choices = _leaf_choices(session, everyone, stored)
    tries = 0
    for members, why in _memberships(rows, outsiders, leaf_count):
        for label, values in choices:
            if tries >= _MAX_TRIES:
                break
            tries += 1
            tree = _tree([values[r.id] for r in members])
            if tree is not None and tree.root == root:
                note = "; ".join(n for n in (why, label) if n)
                return Ledger(batch_id, root, tree, tuple(r.id for r in members), note)
    return Ledger(batch_id, root, None, note=(
        f"the records of batch {batch_id} no longer rebuild its root 0x{root.hex()}: events "
        "of the batch, or their hashes or batch links, were changed"))


def _memberships(rows: list[_Row], outsiders: list[_Row],
                 leaf_count: int) -> Iterator[tuple[list[_Row], str]]:
    yield rows, ""
    counts = Counter(r.leaf_index for r in rows)
    suspects = [r for r in rows if r.leaf_index is None or not 0 <= r.leaf_index < leaf_count
                or counts[r.leaf_index] > 1]
    if len(rows) > leaf_count or suspects:
        for r in suspects[:_MAX_CANDIDATES]:
            yield [m for m in rows if m is not r], (
                f"event {r.event_id} claims this batch but is not one of its leaves")
    for o in outsiders:
        yield sorted([*rows, o], key=lambda r: r.id), (
            f"event {o.event_id} is one of its leaves, but its batch link was changed")


def _outsiders(session, batch_id: int, rows: list[_Row], leaf_count: int) -> list[_Row]:
    """Events that may have been taken out of the batch: they kept a leaf index it is missing, or
    are unbatched among its events."""
    if len(rows) >= leaf_count or not rows:
        return []
    gaps = sorted(set(range(leaf_count)) - {r.leaf_index for r in rows})
    lo, hi = rows[0].id, rows[-1].id
    found = session.execute(
        select(Event.id, Event.event_id, Event.event_hash, Event.leaf_index)
        .where(or_(Event.batch_id.is_(None), Event.batch_id != batch_id),
               or_(Event.leaf_index.in_(gaps[:100]),
                   and_(Event.batch_id.is_(None), Event.id.between(lo, hi))))
        .order_by(Event.id).limit(_MAX_CANDIDATES)).all()
    return [_Row(*r) for r in found]


def _leaf_choices(session, rows: Sequence[_Row],
                  stored: dict[int, bytes | None]) -> list[tuple[str, dict[int, bytes | None]]]:
    """Leaf values to try: recorded hashes; the majority of (recorded hash, re-hashed event,
    hashed pre-hash); the re-hashed events."""
    stored = {**stored, **{r.id: _value(r.event_hash) for r in rows if r.id not in stored}}
    details = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 500):
        details.update({d.id: d for d in session.execute(
            select(Event.id, Event.body, Event.prehash, DocumentContext.body.label("context"))
            .join(DocumentContext, DocumentContext.id == Event.context_id)
            .where(Event.id.in_(ids[start:start + 500])))})
    rehashed, majority = {}, {}
    for r in rows:
        d = details.get(r.id)
        rehashed[r.id] = _rehash(d.body, d.context, r.event_hash) if d else None
        by_prehash = hashlib.sha256(d.prehash.encode()).digest() if d and d.prehash else None
        votes = Counter(v for v in (stored[r.id], rehashed[r.id], by_prehash) if v is not None)
        best = votes.most_common(1)
        majority[r.id] = best[0][0] if best and best[0][1] >= 2 else \
            rehashed[r.id] or stored[r.id]
    rehashed = {k: v or stored[k] for k, v in rehashed.items()}
    return [("", stored),
            ("leaves taken from the events' majority of hash, pre-hash and content", majority),
            ("leaves taken from the events as re-hashed now", rehashed)]


def _rehash(body: str, context: str, stored_hash: str) -> bytes | None:
    try:
        facts = hash_facts(orjson.loads(body), orjson.loads(context), stored_hash, None)
    except orjson.JSONDecodeError:
        return None
    return _value(facts.recomputed_hash) if facts.recomputed_hash else None


def _tree(values: list[bytes | None]) -> MerkleTree | None:
    if not values or any(v is None for v in values):
        return None
    try:
        return MerkleTree(values)
    except ValueError:  # the same hash twice: not a tree the anchorer could have built
        return None


def _value(event_hash: str | None) -> bytes | None:
    try:
        return event_hash_bytes(event_hash)
    except ValueError:
        return None

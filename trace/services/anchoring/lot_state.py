"""The lot state as batches committed it: reading it back, and folding new events into it.

``domain.commitments`` says what a lot's history head is; this module keeps the heads per batch in
``lot_heads`` (one row per lot and batch it changed in) and reads "the state after batch B". The
rows are only a cache of what the anchored state root commits to: whoever reads them checks the
root they rebuild (``state_after``), and verification recomputes each head from the events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from ...capture.document import stored_context_prefixes
from ...domain.commitments import ZERO, LotState, StateTree, lot_key, next_head, sources_digest
from ...domain.event_lots import EventLots, event_lots
from ...domain.merkle import hex32
from ...gs1.canonical import canonicalise
from ...store import anchor_batches as batches
from ..ports import UnitOfWork


def state_after(uow: UnitOfWork, batch_id: int | None) -> StateTree:
    """The state the ``lot_heads`` rows give after batch ``batch_id`` (empty for None).

    Rows that are not well-formed are left out: the root they rebuild then differs from the
    anchored one, which is how a changed row is noticed.
    """
    if batch_id is None:
        return StateTree(())
    entries = []
    for key, count, head in batches.lot_heads_after(uow, batch_id):
        k, h = hex32(key), hex32(head)
        if k is not None and h is not None and isinstance(count, int) and count >= 0:
            entries.append(LotState(k, count, h))
    return StateTree(entries)


def lots_of(body: str | dict[str, Any], context: str | list[Any] | dict[str, Any]
            ) -> EventLots | None:
    """What an event (as stored) names and what it made each lot from; None when the stored
    text is not an event any more."""
    text = context if isinstance(context, str) else orjson.dumps(context).decode()
    if isinstance(body, str):
        return _lots_of_text(body, text)
    return _lots(body, stored_context_prefixes(text))


@lru_cache(maxsize=65_536)
def _lots_of_text(body: str, context: str) -> EventLots | None:
    # Keyed by the stored texts themselves, so an edited row is a new entry, never a stale one.
    try:
        event = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return _lots(event, stored_context_prefixes(context))




def _lots(event: object, prefixes: dict[str, str]) -> EventLots | None:
    if not isinstance(event, dict):
        return None
    try:
        return event_lots(event, prefixes, canonicalise)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


@dataclass
class Folding:
    """A state being moved forward by events, in the order they are committed."""

    heads: dict[bytes, LotState]
    changed: dict[bytes, LotState]

    @classmethod
    def start(cls, state: StateTree) -> Folding:
        return cls(dict(state.entries), {})

    def add(self, event_hash: bytes, lots: EventLots) -> None:
        for uri in lots.named:  # each lot's chain is its own: their order does not matter
            key = lot_key(uri)
            before = self.heads.get(key) or LotState(key, 0, ZERO)
            after = LotState(key, before.count + 1, next_head(
                key, before.head, event_hash, sources_digest(lots.sources_of(uri))))
            self.heads[key] = self.changed[key] = after

    def tree(self) -> StateTree:
        return StateTree(self.heads.values())


def fold(state: StateTree, events: Iterable[tuple[bytes, EventLots]]) -> Folding:
    folding = Folding.start(state)
    for event_hash, lots in events:
        folding.add(event_hash, lots)
    return folding

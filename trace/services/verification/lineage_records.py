"""A lot's lineage as its signed events say it is, and each lot's history checked against the
anchored lot state.

The lineage is walked through the events themselves (``domain.event_lots``): from a lot, the events
that name it, and from each the lots it was made from (back) or that were made from it
(forward). ``lot_links`` is not trusted here: a deleted index row cannot cut a step out of what is
verified. ``event_objects`` finds the events naming a lot, and a lot's history rebuilt from it
must chain to the head the anchored state commits to, so a deleted event, a deleted index row or
an event moved in or out of a history is noticed (``domain.verification.check_history``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from ...domain.commitments import chain_head, lot_key, sources_digest
from ...domain.event_lots import EventLots
from ...domain.merkle import event_hash_bytes
from ...domain.verification import HistoryFacts
from ...store.events import Event, EventObject
from ...store.transition import as_session
from ..anchoring.lot_state import lots_of
from .anchored_state import StateView
from .records import Record, _select, _utc

_CHUNK = 500
_MAX_LOTS = 20_000


@dataclass
class Lineage:
    """The lots of a lineage, every event naming one of them, and what each event names."""

    uris: set[str]
    records: dict[int, Record] = field(default_factory=dict)
    lots: dict[int, EventLots | None] = field(default_factory=dict)
    naming: dict[str, list[int]] = field(default_factory=dict)  # uri -> event pks (index rows)

    def ordered(self) -> list[Record]:
        """Every event, in the order they happened (event time, then capture order)."""
        return sorted(self.records.values(), key=lambda r: (_utc(r.event_time), r.id))


def walk(session, start: str, direction: str, containers: bool = False) -> Lineage:
    """The lineage of ``start``: ``back`` (what it was made from), ``forward`` (what was made
    from it) or ``both``; ``containers`` adds what it was packed into (its shipments)."""
    session = as_session(session)  # store-coop bridge (store/transition.py)
    ways = ("back", "forward") if direction == "both" else (direction,)
    lineage = Lineage(set())
    for way in ways:
        _walk(session, lineage, {start}, way)
    if containers:
        _walk(session, lineage, {start}, "up")
    return lineage


def _walk(session, lineage: Lineage, frontier: set[str], way: str) -> None:
    seen: set[str] = set()
    while frontier and len(seen) < _MAX_LOTS:
        seen |= frontier
        lineage.uris |= frontier
        _load(session, lineage, frontier)
        following: set[str] = set()
        for uri in frontier:
            for pk in lineage.naming.get(uri, ()):
                lots = lineage.lots.get(pk)
                if lots is None:
                    continue
                if way == "back":
                    following |= lots.sources_of(uri)
                elif way == "forward":
                    following |= lots.targets_of(uri)
                else:
                    following |= lots.containers_of(uri)
        frontier = following - seen


def _load(session, lineage: Lineage, uris: set[str]) -> None:
    todo = [u for u in uris if u not in lineage.naming]
    for start in range(0, len(todo), _CHUNK):
        chunk = todo[start:start + _CHUNK]
        for uri in chunk:
            lineage.naming.setdefault(uri, [])
        rows = session.execute(select(EventObject.uri, EventObject.event_pk).distinct()
                               .where(EventObject.uri.in_(chunk)))
        pks: set[int] = set()
        for uri, pk in rows:
            if pk not in lineage.naming[uri]:
                lineage.naming[uri].append(pk)
            pks.add(pk)
        new = [pk for pk in pks if pk not in lineage.records]
        for s in range(0, len(new), _CHUNK):
            for row in session.execute(_select().where(Event.id.in_(new[s:s + _CHUNK]))):
                rec = Record(**row._mapping)
                lineage.records[rec.id] = rec
                lineage.lots[rec.id] = lots_of(rec.body, rec.context)


def histories(lineage: Lineage, state: StateView, batch_ids: dict[int, int | None],
              memo: dict | None = None) -> list[HistoryFacts]:
    """Each lot's history facts: the events naming it that the state covers (anchored in a batch
    up to the state's), in the order they were anchored, against the state's entry.

    ``batch_ids``: event pk -> its batch id (None: unbatched). ``memo`` keeps complete
    histories by everything they were computed from.
    """
    out = []
    for uri in sorted(lineage.uris):
        recs = [lineage.records[p] for p in lineage.naming.get(uri, [])
                if p in lineage.records]
        key = None
        if memo is not None and state.error is None:
            key = (uri, state.batch_id, id(state.tree), tuple(
                (r.id, r.event_hash, batch_ids.get(r.id), r.body, r.context) for r in recs))
            found = memo.get(key)
            if found is not None:
                out.append(found)
                continue
        facts = history(uri, recs, lineage.lots, state, batch_ids)
        if key is not None and not facts.problems and facts.committed is not None \
                and facts.recomputed == facts.committed:
            if len(memo) > 50_000:
                memo.clear()
            memo[key] = facts
        out.append(facts)
    return out


def history(uri: str, recs: Iterable[Record], lots: dict[int, EventLots | None],
            state: StateView, batch_ids: dict[int, int | None]) -> HistoryFacts:
    key = lot_key(uri)
    recs = list(recs)
    if state.error is not None:
        if recs and all(batch_ids.get(r.id) is None for r in recs):
            # Nothing of it is anchored in our records: it waits, whatever the chain says.
            return HistoryFacts(uri, None, (0, bytes(32)), len(recs))
        return HistoryFacts(uri, None, (0, bytes(32)), state_error=state.error,
                            state_error_status=state.error_status)
    covered, pending, problems = [], 0, []
    for rec in sorted(recs, key=lambda r: (batch_ids.get(r.id) is None,
                                           batch_ids.get(r.id) or 0, r.id)):
        batch = batch_ids.get(rec.id)
        named = lots.get(rec.id)
        if named is None or uri not in named.named:
            problems.append(f"event {rec.event_id} is recorded as naming this lot, but it "
                            "does not: an index row was added or the event was changed")
            continue
        if batch is None:
            pending += 1
        elif state.batch_id is not None and batch <= state.batch_id:
            covered.append(rec)
    steps = []
    for rec in covered:
        try:
            steps.append((event_hash_bytes(rec.event_hash),
                          sources_digest(lots[rec.id].sources_of(uri))))
        except ValueError:
            problems.append(f"event {rec.event_id}'s recorded hash was changed")
    head, count = chain_head(key, steps)
    return HistoryFacts(uri, state.entry(key), (count, head), pending, tuple(problems))


def displaced(uri: str, recs: list[Record], lots: dict[int, EventLots | None],
              state: StateView, batch_ids: dict[int, int | None], pk: int) -> bool:
    """Whether the unbatched event ``pk`` completes ``uri``'s anchored history: it was anchored,
    and its link to its batch was removed."""
    if state.error is not None or state.batch_id is None:
        return False
    before = [batch_ids[r.id] for r in recs if r.id < pk and batch_ids.get(r.id)]
    pretend = {**batch_ids, pk: max(before) if before else 0}
    facts = history(uri, recs, lots, state, pretend)
    count, head = facts.committed or (0, bytes(32))
    return facts.recomputed == (count, head) and not facts.problems

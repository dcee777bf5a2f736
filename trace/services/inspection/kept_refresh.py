"""Which dossiers are kept, without anyone having viewed them (docs/inspector/DOSSIER.md,
"Speed"): every lot made, all the way back, from many lots, and every lot made from those
(``store.kept_dossiers.big_lineage_lots``: two recursive queries over the lineage index).

    keep_big(keeper, new_uow, reader, caches, limits)        tracechain dossiers keep
    refresh(keeper, new_uow, reader, caches, limits)         the anchorer, after a round

The index only chooses which dossiers to build: each is built from the signed records as any
page is, and used only while its MAC and digest hold (``kept_dossier.py``). A lineage big for
another reason (many events on few lots) is kept when its page is first built.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import chain, islice

from ...store import kept_dossiers as stored
from ..lots.plausibility import Limits
from ..ports import ChainReader, UnitOfWork
from ..verification.verdicts import VerificationCaches
from . import kept_dossier as kept
from .dossier import judging, keep_lot

log = logging.getLogger(__name__)

# The index is asked for the lots made from at least ``min_events`` lots: each of those lots was
# made by an event of its own, so such a lineage has about that many events or more (each is
# built to count them exactly). Asking for fewer lots would find lineages that are then built
# and found small again after every anchoring round.
# What a kept dossier shows but its digest does not bind (the yield flag's other harvests of a
# plot: docs/TRUST.md, "Kept dossiers") is at most this old where the anchorer runs.
REBUILD_AFTER = timedelta(days=1)
# Dossiers (re)built by one refresh at most (about 0.5 s each for 2,000 plots): the anchorer
# runs it between its rounds, so a round waits for this much work at most; the rest is left to
# the next refresh (the page builds cold, and keeps, what is asked for meanwhile).
MOST_PER_REFRESH = 4


def keep_big(keeper: kept.Keeper, new_uow: Callable[[], UnitOfWork],
             reader: ChainReader | None, caches: VerificationCaches,
             limits: Limits | None = None) -> dict[str, int]:
    """Build and keep the dossier of every lot with a big lineage: {lot URI: its events}."""
    with (uow := new_uow()):
        candidates = stored.big_lineage_lots(uow, keeper.min_events)
    return _keep(keeper, candidates, new_uow, reader, caches, limits)


def refresh(keeper: kept.Keeper, new_uow: Callable[[], UnitOfWork],
            reader: ChainReader | None, caches: VerificationCaches,
            limits: Limits | None = None, most: int = MOST_PER_REFRESH) -> dict[str, int]:
    """After an anchoring round: build again every kept dossier that no longer holds (the
    round's events changed what it rests on: a pending event anchored, a new event naming one
    of its lots) or is older than ``REBUILD_AFTER``, and keep the big lineages not kept yet —
    ``most`` of them, stale ones first. {lot URI: its events} of those (re)built. Finding the
    big lineages is two recursive queries over the lineage index: about 0.1 s of CPU on
    100,000 lots (SQLite)."""
    with (uow := new_uow()):
        had = stored.kept_lots(uow)
        candidates = stored.big_lineage_lots(uow, keeper.min_events)
    now = datetime.now(UTC)
    # Lazily: a kept row is checked (its digests read) only until ``most`` are found.
    stale = (uri for uri, built_at in had
             if _aware(built_at) < now - REBUILD_AFTER
             or not kept.holds(keeper, uri, new_uow(), reader, caches, judging(limits)))
    known = {uri for uri, _ in had}
    new = (uri for uri in candidates if uri not in known)
    return _keep(keeper, list(islice(chain(stale, new), most)), new_uow, reader, caches,
                 limits)


def _keep(keeper: kept.Keeper, uris: list[str], new_uow: Callable[[], UnitOfWork],
          reader: ChainReader | None, caches: VerificationCaches,
          limits: Limits | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for uri in uris:
        events = keep_lot(uri, new_uow(), reader, caches, keeper, limits)
        if events is not None:
            out[uri] = events
    return out


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # SQLite's

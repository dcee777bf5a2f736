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

from ...store import kept_dossiers as stored
from ..lots.plausibility import Limits
from ..ports import ChainReader, UnitOfWork
from ..verification.verdicts import VerificationCaches
from . import kept_dossier as kept
from .dossier import keep_lot

log = logging.getLogger(__name__)

# A lineage of N events has at least N / LOTS_PER_EVENT lots made from others (a harvest's lot
# has about one event of its own, a mixed lot a few): the index is asked for lots made from at
# least min_events / 4 lots, and each is built to count its events exactly.
LOTS_PER_EVENT = 4
# What a kept dossier shows but its digest does not bind (the yield flag's other harvests of a
# plot: docs/TRUST.md, "Kept dossiers") is at most this old where the anchorer runs.
REBUILD_AFTER = timedelta(days=1)


def keep_big(keeper: kept.Keeper, new_uow: Callable[[], UnitOfWork],
             reader: ChainReader | None, caches: VerificationCaches,
             limits: Limits | None = None) -> dict[str, int]:
    """Build and keep the dossier of every lot with a big lineage: {lot URI: its events}."""
    with (uow := new_uow()):
        candidates = stored.big_lineage_lots(uow, keeper.min_events // LOTS_PER_EVENT)
    return _keep(keeper, candidates, new_uow, reader, caches, limits)


def refresh(keeper: kept.Keeper, new_uow: Callable[[], UnitOfWork],
            reader: ChainReader | None, caches: VerificationCaches,
            limits: Limits | None = None) -> dict[str, int]:
    """After an anchoring round: build again every kept dossier that no longer holds (the
    round's events changed what it rests on: a pending event anchored, a new event naming one
    of its lots) or is older than ``REBUILD_AFTER``, and keep the big lineages not kept yet.
    {lot URI: its events} of those (re)built."""
    with (uow := new_uow()):
        had = stored.kept_lots(uow)
        candidates = stored.big_lineage_lots(uow, keeper.min_events // LOTS_PER_EVENT)
    now = datetime.now(UTC)
    stale = [uri for uri, built_at in had
             if _aware(built_at) < now - REBUILD_AFTER
             or kept.load(keeper, uri, new_uow(), reader, caches, now.date()) is None]
    known = {uri for uri, _ in had}
    new = [uri for uri in candidates if uri not in known]
    return _keep(keeper, [*stale, *new], new_uow, reader, caches, limits)


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

"""Kept dossiers' reads and writes (``kept_dossier_models.KeptDossier``; the use cases in
``services/inspection/kept_dossier.py``): one row per lot, replaced whole; and which lots have
lineages big enough to be worth keeping."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import delete, select, text

from .kept_dossier_models import KeptDossier
from .lots import Lot
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork


class KeptRow(NamedTuple):
    uri: str  # the lot the row is attached to (its lot_id's), not what the body says
    digest: str
    built_at: datetime
    chain: bool
    events: int
    body: bytes
    mac: str


def kept_row(uow: UnitOfWork, uri: str) -> KeptRow | None:
    """The kept dossier of the lot ``uri``, if any (not checked: see the use case)."""
    found = session_of(uow).execute(
        select(Lot.uri, KeptDossier.digest, KeptDossier.built_at, KeptDossier.chain,
               KeptDossier.events, KeptDossier.body, KeptDossier.mac)
        .join(Lot, Lot.id == KeptDossier.lot_id).where(Lot.uri == uri)).first()
    return None if found is None else KeptRow(found[0], found[1], found[2], bool(found[3]),
                                              found[4], bytes(found[5]), found[6])


def keep(uow: UnitOfWork, uri: str, digest: str, built_at: datetime, chain: bool, events: int,
         body: bytes, mac: str) -> bool:
    """Replace the lot ``uri``'s kept dossier (False: no such lot). Not committed."""
    session = session_of(uow)
    lot_id = session.scalar(select(Lot.id).where(Lot.uri == uri))
    if lot_id is None:
        return False
    session.execute(delete(KeptDossier).where(KeptDossier.lot_id == lot_id))
    session.add(KeptDossier(lot_id=lot_id, digest=digest, built_at=built_at, chain=chain,
                            events=events, body=body, mac=mac))
    return True


def forget(uow: UnitOfWork, uri: str) -> None:
    """Drop the lot ``uri``'s kept dossier (a lineage that became small). Not committed."""
    session = session_of(uow)
    session.execute(delete(KeptDossier).where(KeptDossier.lot_id.in_(
        select(Lot.id).where(Lot.uri == uri))))


def kept_lots(uow: UnitOfWork) -> list[tuple[str, datetime]]:
    """(URI, built at) of the lots with a kept dossier, by lot id."""
    return [(r[0], r[1]) for r in session_of(uow).execute(
        select(Lot.uri, KeptDossier.built_at).join(KeptDossier, KeptDossier.lot_id == Lot.id)
        .order_by(Lot.id))]


# Every lot made from two or more lots, with how many lots it was made from, all the way back
# (UNION: each once); then every lot made from those, all the way forward (a container or a
# shipment of a big lot has its whole lineage too).
_MIXED = text("""WITH RECURSIVE mixed(id) AS (
    SELECT target_id FROM lot_links GROUP BY target_id HAVING COUNT(DISTINCT source_id) >= 2),
  back(top, lot_id) AS (
    SELECT l.target_id, l.source_id FROM lot_links l JOIN mixed m ON l.target_id = m.id
    UNION SELECT b.top, l.source_id FROM lot_links l JOIN back b ON l.target_id = b.lot_id)
  SELECT top FROM back GROUP BY top HAVING COUNT(*) >= :lots""")
_FORWARD = """WITH RECURSIVE walk(lot_id) AS (
    SELECT id FROM lots WHERE id IN ({ids})
    UNION SELECT l.target_id FROM lot_links l JOIN walk w ON l.source_id = w.lot_id)
  SELECT l.uri FROM lots l JOIN walk w ON w.lot_id = l.id ORDER BY l.id"""


def big_lineage_lots(uow: UnitOfWork, lots: int) -> list[str]:
    """URIs of the lots made, all the way back, from at least ``lots`` lots, and of every lot
    made from those (their dossiers' lineages are at least that big): two recursive queries
    over ``lot_links``. A lot whose lineage is big for another reason (many events on few
    lots) is not found here; its page keeps it when first built."""
    session = session_of(uow)
    tops = [int(i) for i in session.scalars(_MIXED, {"lots": max(2, lots)})]
    return _forward(uow, tops)


def _forward(uow: UnitOfWork, ids: Collection[int]) -> list[str]:
    if not ids:
        return []
    numbers = ", ".join(str(int(i)) for i in sorted(set(ids)))  # ints only: no injection
    return list(session_of(uow).scalars(text(_FORWARD.format(ids=numbers))))

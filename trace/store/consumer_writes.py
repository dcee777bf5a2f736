"""What a consumer's visit writes: scan counts of serialised items, and reports of fakes."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from .public_records import FakeReport, ScanCount, ScanVisitor
from .uow import session_of

if TYPE_CHECKING:
    from ..services.ports import UnitOfWork


def count_scan(uow: UnitOfWork, lot_id: int, visitor: str, network: str, now: datetime,
               since: date, *, last_try: bool = False) -> bool:
    """Count one scan of ``lot_id`` by ``visitor`` (on ``network``) at ``now`` and drop its
    scanners seen before ``since``; False when another first scan of the item won the race
    (PostgreSQL's unique key: the caller counts again in a new transaction), unless
    ``last_try``, when the IntegrityError is raised."""
    s = session_of(uow)
    counted = s.execute(update(ScanCount).where(ScanCount.lot_id == lot_id)
                        .values(count=ScanCount.count + 1, last_at=now)
                        ).rowcount  # type: ignore[attr-defined]  # a CursorResult
    if not counted:
        s.add(ScanCount(lot_id=lot_id, count=1, first_at=now, last_at=now))
    if s.get(ScanVisitor, (lot_id, now.date(), visitor)) is None:
        s.add(ScanVisitor(lot_id=lot_id, day=now.date(), visitor=visitor, network=network))
    s.execute(delete(ScanVisitor).where(ScanVisitor.lot_id == lot_id, ScanVisitor.day < since))
    try:
        s.flush()
    except IntegrityError:
        if last_try:
            raise
        return False
    return True


def scan_count(uow: UnitOfWork, lot_id: int) -> ScanCount | None:
    """The item's count and first and last scan; None before the first."""
    return session_of(uow).get(ScanCount, lot_id)


def scanners_per_network_day(uow: UnitOfWork, lot_id: int, since: date) -> list[int]:
    """How many scanners each (day, network) of the item had since ``since``."""
    return list(session_of(uow).execute(
        select(func.count()).select_from(ScanVisitor)
        .where(ScanVisitor.lot_id == lot_id, ScanVisitor.day >= since)
        .group_by(ScanVisitor.day, ScanVisitor.network)).scalars().all())


def add_fake_report(uow: UnitOfWork, code: str, where_bought: str | None, note: str | None,
                    at: datetime) -> int:
    """Store one report of a suspected fake; its id."""
    s = session_of(uow)
    report = FakeReport(code=code, where_bought=where_bought, note=note, created_at=at)
    s.add(report)
    s.flush()
    return report.id

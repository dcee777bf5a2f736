"""Counting scans of serialised items, to show cloned labels: a genuine item's code is scanned a
few times (in the shop, at home), a code copied onto a thousand fake bags far more often.

Only a count and the first and last time are kept: no address, device or anything about who
scanned.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ..store.base import utcnow
from ..store.public import ScanCount
from .verification_records import utc_iso


def record_scan(uow, lot_id: int, warn_after: int) -> dict:
    """Count one scan of the item ``lot_id``; what the page says about its scans."""
    for attempt in (1, 2):
        with uow.writing() as u:
            now = utcnow()
            counted = u.session.execute(
                update(ScanCount).where(ScanCount.lot_id == lot_id)
                .values(count=ScanCount.count + 1, last_at=now)).rowcount
            if not counted:
                u.session.add(ScanCount(lot_id=lot_id, count=1, first_at=now, last_at=now))
            try:
                u.commit()
            except IntegrityError:  # two first scans at once (PostgreSQL): count again
                if attempt == 2:
                    raise
                continue
            row = u.session.get(ScanCount, lot_id)
            return {"count": row.count, "firstAt": utc_iso(row.first_at),
                    "lastAt": utc_iso(row.last_at), "warnAfter": warn_after,
                    "warn": row.count > warn_after}
    raise AssertionError("unreachable")

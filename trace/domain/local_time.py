"""Times as the people of a lot read them: in the lot's own time zone, never in UTC.

- An event is shown in the zone it was recorded in: its ``eventTimeZoneOffset`` (EPCIS makes
  it mandatory), so a harvest at 16:00 in Quảng Trị reads 16:00 on the 3rd, in Hamburg too.
- What has no zone of its own (a recall, a scan, an anchoring block) is shown in the lot's
  origin zone: the offset of the first event of its lineage, where it was grown or made. For
  Vietnamese lots that is +07:00 (Asia/Ho_Chi_Minh has had no daylight saving since 1975, so a
  fixed offset is the zone).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

from .json_types import EpcisEvent

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


def zone_of(offset: object) -> timezone | None:
    """The zone an EPCIS ``eventTimeZoneOffset`` (``+07:00``) names, or None."""
    m = _OFFSET.match(offset) if isinstance(offset, str) else None
    if m is None or int(m.group(2)) > 14 or int(m.group(3)) > 59:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    return timezone(timedelta(minutes=-minutes if m.group(1) == "-" else minutes))


def origin_zone(events: Iterable[object]) -> timezone:
    """The zone of the first event (in the order given) that names one; UTC if none does."""
    for event in events:
        if isinstance(event, dict):
            zone = zone_of(event.get("eventTimeZoneOffset"))
            if zone is not None:
                return zone
    return UTC


def offset_text(zone: timezone) -> str:
    minutes = int(zone.utcoffset(None).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_moment(value: object) -> datetime | None:
    """An RFC 3339 text or a datetime, timezone-aware (naive ones were stored in UTC)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def in_zone(value: object, zone: timezone) -> str | None:
    """``value`` as RFC 3339 in ``zone`` (``2025-03-03T16:00:00+07:00``), or None."""
    moment = parse_moment(value)
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None


def event_local_time(event: EpcisEvent) -> str | None:
    """The event's time in its own ``eventTimeZoneOffset`` (its ``eventTime`` as given when the
    offset is missing or malformed)."""
    zone = zone_of(event.get("eventTimeZoneOffset"))
    if zone is None:
        value = event.get("eventTime")
        return value if isinstance(value, str) else None
    return in_zone(event.get("eventTime"), zone)

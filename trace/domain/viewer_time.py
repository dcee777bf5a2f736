"""Times as an inspector reads them: one format, in the viewer's own time zone.

The member's pages show an event in the zone it was recorded in (``local_time``); an
inspector compares events from many places, so every instant on the inspector's pages and in
its exports is written the same way — ``2026-12-06 18:49:03 +07:00``, ISO 8601 with the
offset spelled out — in the zone the viewer's browser reports (an IANA name such as
``Europe/Berlin``), else Vietnam's.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
# IANA names only ("Area/Location", "UTC"): no paths, no POSIX TZ strings
_NAME = re.compile(r"^(?:UTC|[A-Za-z][A-Za-z_+-]*(?:/[A-Za-z0-9][A-Za-z0-9_+-]*){1,2})$")


def zone(name: str | None) -> ZoneInfo:
    """The zone ``name`` names, or Vietnam's when it names none (a missing or forged cookie)."""
    if name and len(name) <= 64 and _NAME.match(name):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(DEFAULT_ZONE)


def instant(value: datetime | None, where: ZoneInfo) -> str:
    """``value`` in ``where``, as ``YYYY-MM-DD HH:MM:SS ±HH:MM`` ("" for None). A naive value
    is taken as UTC (the store keeps UTC)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(where)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"

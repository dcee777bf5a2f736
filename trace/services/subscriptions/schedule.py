"""The EPCIS query schedule (``QuerySchedule``: second, minute, hour, dayOfMonth, month, dayOfWeek),
parsed and asked for its next time.

Each field is a list of numbers and ranges, ``"1,5,[10-20]"``. A field that is left out matches
every value if it is coarser than the finest field given, and only its lowest value if it is finer
(``{"hour": "1", "minute": "5"}`` is 01:05:00 every day, not every second of that minute).
dayOfWeek runs 1 (Monday) to 7 (Sunday). Times are UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ...domain.errors import Problem, ValidationFailed

# Finest first, with each field's range.
FIELDS = (("second", 0, 59), ("minute", 0, 59), ("hour", 0, 23), ("dayOfMonth", 1, 31),
          ("month", 1, 12), ("dayOfWeek", 1, 7))
_ELEMENT = re.compile(r"^\s*(?:(\d{1,2})|\[(\d{1,2})-(\d{1,2})\])\s*$")
HORIZON_DAYS = 366 * 8  # a schedule that never fires in this long is refused (31 February)

Schedule = dict[str, frozenset[int]]


def parse(raw: object, where: str = "$.schedule") -> Schedule:
    """:raises ValidationFailed: not an object of known fields, a bad value, or never fires."""
    if not isinstance(raw, dict) or not raw:
        raise ValidationFailed("invalid schedule", [
            Problem(where, "an object with at least one of " + ", ".join(f for f, _, _ in FIELDS))])
    problems = [Problem(f"{where}.{k}", "not a schedule field") for k in raw
                if k not in {f for f, _, _ in FIELDS}]
    parsed: Schedule = {}
    finest = min(i for i, (f, _, _) in enumerate(FIELDS) if f in raw) if not problems else 0
    for i, (name, low, high) in enumerate(FIELDS):
        if name not in raw:
            if i < finest and name in ("second", "minute", "hour"):
                parsed[name] = frozenset({low})
            else:
                parsed[name] = frozenset(range(low, high + 1))
            continue
        value = raw[name]
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        values = _values(text, low, high) if isinstance(text, str) else None
        if not values:
            problems.append(Problem(f"{where}.{name}", f"numbers from {low} to {high} and "
                                    "ranges [a-b], separated by commas, e.g. \"1,5,[10-20]\""))
        else:
            parsed[name] = values
    if problems:
        raise ValidationFailed("invalid schedule", problems)
    if next_time(parsed, datetime(2000, 1, 1, tzinfo=UTC)) is None:
        raise ValidationFailed("invalid schedule", [Problem(where, "this schedule never fires")])
    return parsed


def _values(text: str, low: int, high: int) -> frozenset[int] | None:
    out: set[int] = set()
    for part in text.split(","):
        m = _ELEMENT.match(part)
        if not m:
            return None
        a, b = (int(m[1]), int(m[1])) if m[1] is not None else (int(m[2]), int(m[3]))
        if not low <= a <= b <= high:
            return None
        out.update(range(a, b + 1))
    return frozenset(out)


def next_time(schedule: Schedule, after: datetime) -> datetime | None:
    """The first time strictly after ``after`` that the schedule names (None: none for years)."""
    after = after.astimezone(UTC).replace(microsecond=0)
    day = after.replace(hour=0, minute=0, second=0)
    times = sorted((h, m, s) for h in schedule["hour"] for m in schedule["minute"]
                   for s in schedule["second"])
    for _ in range(HORIZON_DAYS):
        if (day.month in schedule["month"] and day.day in schedule["dayOfMonth"]
                and day.isoweekday() in schedule["dayOfWeek"]):
            for h, m, s in times:
                moment = day.replace(hour=h, minute=m, second=s)
                if moment > after:
                    return moment
        day += timedelta(days=1)
    return None


def as_json(schedule: Schedule) -> dict[str, list[int]]:
    return {name: sorted(schedule[name]) for name, _, _ in FIELDS}


def from_json(stored: dict[str, list[int]]) -> Schedule:
    return {name: frozenset(stored[name]) for name, _, _ in FIELDS}

"""Timestamps: an explicit UTC offset on every time, real time-zone offsets, nothing in the future.

Why: the event hash converts `eventTime` to UTC. A time without an offset is read in the local zone
of whoever recomputes the hash, so two honest verifiers would get different hashes.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..domain.errors import Problem, Text
from .document import EventRef

MAX_FUTURE = timedelta(days=1)  # clock skew of a phone in the field, and time zones, but no more
MAX_OFFSET_MINUTES = 14 * 60  # UTC+14:00 (Line Islands) and UTC-12:00 are the extremes in use

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?P<offset>Z|[+-]\d{2}:\d{2})?$"
)
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")
_EXAMPLE = "2024-11-05T07:30:00.000+07:00"


def parse_timestamp(value: object) -> tuple[datetime | None, str | None]:
    """``(time, None)`` for an RFC 3339 date-time with offset, else ``(None, what is wrong)``."""
    if not isinstance(value, str):
        return None, f"must be a date-time text like {_EXAMPLE}"
    match = _DATE_TIME.match(value)
    if not match:
        return None, f'"{value}" is not a valid date-time: write it like {_EXAMPLE}'
    if not match.group("offset"):
        return None, (f'"{value}" has no UTC offset: add Z or the local offset, e.g. {_EXAMPLE} '
                      "(the event hash converts times to UTC)")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")), None
    except ValueError:
        return None, f'"{value}" is not a real date and time (check the day and the hour)'


def offset_problem(value: object) -> str | None:
    """What is wrong with an ``eventTimeZoneOffset``, or None."""
    match = _OFFSET.match(value) if isinstance(value, str) else None
    if match:
        sign, hours, minutes = match.groups()
        total = int(hours) * 60 + int(minutes)
        if int(minutes) < 60 and total <= MAX_OFFSET_MINUTES:
            return None
    return (f"eventTimeZoneOffset {value!r} must be a real offset like +07:00, "
            "between -14:00 and +14:00")


def check_times(ref: EventRef, now: datetime) -> list[Problem]:
    """eventTime, recordTime and errorDeclaration.declarationTime of one event."""
    event = ref.event
    problems = []
    stamps = [(".eventTime", event.get("eventTime")), (".recordTime", event.get("recordTime"))]
    declaration = event.get("errorDeclaration")
    if isinstance(declaration, dict):
        stamps.append((".errorDeclaration.declarationTime", declaration.get("declarationTime")))
    for suffix, value in stamps:
        if value is None:
            continue  # required ones are the schema's business
        when, wrong = parse_timestamp(value)
        name = suffix.rsplit(".", 1)[-1]
        if wrong:
            problems.append(ref.problem(suffix, f"{name} {wrong}"))
        elif suffix == ".eventTime" and when is not None and when > now + MAX_FUTURE:
            problems.append(ref.problem(suffix, Text(
                'eventTime "%(value)s" is more than a day in the future: check the date, and '
                "the clock of the device that recorded it", value=value)))
    if "eventTimeZoneOffset" in event:
        wrong = offset_problem(event["eventTimeZoneOffset"])
        if wrong:
            problems.append(ref.problem(".eventTimeZoneOffset", wrong))
    return problems

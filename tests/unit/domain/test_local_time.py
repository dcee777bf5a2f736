"""Times in the lot's zone: events in their own offset, the rest in the origin's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tracechain.domain.local_time import (
    event_local_time,
    in_zone,
    offset_text,
    origin_zone,
    zone_of,
)

VN = timezone(timedelta(hours=7))


def test_an_event_recorded_in_utc_reads_in_its_own_offset():
    event = {"eventTime": "2025-03-02T18:30:00.000Z", "eventTimeZoneOffset": "+07:00"}
    assert event_local_time(event) == "2025-03-03T01:30:00+07:00"  # the 3rd in Quảng Trị


def test_a_bad_offset_leaves_the_time_as_given():
    assert event_local_time({"eventTime": "2025-03-02T18:30:00Z",
                             "eventTimeZoneOffset": "+25:00"}) == "2025-03-02T18:30:00Z"
    assert zone_of("07:00") is None and zone_of(None) is None
    assert zone_of("-03:30") == timezone(-timedelta(hours=3, minutes=30))


def test_the_origin_zone_is_the_first_events_and_utc_without_one():
    assert origin_zone([{"x": 1}, {"eventTimeZoneOffset": "+07:00"},
                        {"eventTimeZoneOffset": "+01:00"}]) == VN
    assert origin_zone([]) == UTC
    assert offset_text(VN) == "+07:00"


def test_a_recall_stored_in_utc_reads_in_the_origin_zone():
    stored = datetime(2025, 3, 20, 20, 0)  # naive: SQLite, stored in UTC
    assert in_zone(stored, VN) == "2025-03-21T03:00:00+07:00"
    assert in_zone("nonsense", VN) is None

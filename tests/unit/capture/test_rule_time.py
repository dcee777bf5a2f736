from __future__ import annotations

from datetime import timedelta

import pytest

from tracechain.capture.rules import check_document

LIMITS = {"capture_limit": 100, "max_yield": 1.02}


def event(doc: dict) -> dict:
    return doc["epcisBody"]["eventList"][0]


def test_times_with_offsets_pass(harvest, now):
    event(harvest)["recordTime"] = "2024-12-02T09:00:00Z"
    assert check_document(harvest, now=now, **LIMITS) == []


@pytest.mark.parametrize("value", ["2024-12-02T08:30:00.000", "2024-12-02T08:30:00"])
def test_event_time_without_offset(harvest, now, value):
    event(harvest)["eventTime"] = value
    [problem] = check_document(harvest, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].eventTime"
    assert "no UTC offset" in problem.message
    assert problem.event_id == "urn:uuid:6f1c2a9e-4b1d-4c3e-9a57-0b2d3e4f5a61"


def test_record_time_without_offset(harvest, now):
    event(harvest)["recordTime"] = "2024-12-02T09:00:00.000"
    [problem] = check_document(harvest, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].recordTime"


def test_declaration_time_without_offset(harvest, now):
    event(harvest)["errorDeclaration"] = {"declarationTime": "2024-12-03T10:00:00", "reason":
                                          "incorrect_data"}
    [problem] = check_document(harvest, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].errorDeclaration.declarationTime"


def test_declaration_time_with_offset(harvest, now):
    event(harvest)["errorDeclaration"] = {"declarationTime": "2024-12-03T10:00:00+07:00"}
    assert check_document(harvest, now=now, **LIMITS) == []


@pytest.mark.parametrize("value", ["02/12/2024 08:30", "2024-13-02T08:30:00Z", 20241202])
def test_event_time_that_is_no_date_time(harvest, now, value):
    event(harvest)["eventTime"] = value
    [problem] = check_document(harvest, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].eventTime"


def test_event_time_up_to_a_day_ahead_is_accepted(harvest, now):
    event(harvest)["eventTime"] = (now + timedelta(hours=23)).isoformat()
    assert check_document(harvest, now=now, **LIMITS) == []


def test_event_time_more_than_a_day_ahead(harvest, now):
    event(harvest)["eventTime"] = (now + timedelta(days=1, minutes=1)).isoformat()
    [problem] = check_document(harvest, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].eventTime"
    assert "future" in problem.message


def test_future_check_compares_instants_not_wall_clocks(harvest, now):
    # 20:00 at UTC-10 is 06:00 UTC the next day: 18 h ahead of now, not 32 h.
    event(harvest)["eventTime"] = "2025-06-01T20:00:00-10:00"
    assert check_document(harvest, now=now, **LIMITS) == []


@pytest.mark.parametrize("offset", ["+07:00", "-14:00", "+14:00", "+05:45", "-03:30", "+00:00"])
def test_real_time_zone_offsets(harvest, now, offset):
    event(harvest)["eventTimeZoneOffset"] = offset
    assert check_document(harvest, now=now, **LIMITS) == []


@pytest.mark.parametrize("offset", ["+7", "07:00", "+14:30", "-15:00", "+07:60", "UTC+7", 7])
def test_impossible_time_zone_offsets(harvest, now, offset):
    event(harvest)["eventTimeZoneOffset"] = offset
    [problem] = check_document(harvest, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].eventTimeZoneOffset"
    assert "-14:00 and +14:00" in problem.message

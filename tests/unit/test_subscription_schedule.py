"""The query schedule (cron-like), the back-off and the webhook signature, without a database."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from tracechain.domain.errors import ValidationFailed
from tracechain.services.subscriptions import schedule
from tracechain.services.subscriptions.deliverer import DeliverySettings, backoff, signature
from tracechain.services.subscriptions.destinations import allow_list, forbidden_reason

T = datetime(2025, 3, 3, 10, 20, 30, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize("given, expected", [
    ({"hour": "1", "minute": "5"}, datetime(2025, 3, 4, 1, 5, 0, tzinfo=UTC)),
    ({"minute": "0,30"}, datetime(2025, 3, 3, 10, 30, 0, tzinfo=UTC)),
    ({"second": "[40-45]"}, datetime(2025, 3, 3, 10, 20, 40, tzinfo=UTC)),
    ({"dayOfWeek": "7"}, datetime(2025, 3, 9, 0, 0, 0, tzinfo=UTC)),  # Sunday midnight
    ({"dayOfMonth": "1", "hour": 6}, datetime(2025, 4, 1, 6, 0, 0, tzinfo=UTC)),
    ({"month": "2", "dayOfMonth": "29"}, datetime(2028, 2, 29, 0, 0, 0, tzinfo=UTC)),
])
def test_next_time(given, expected):
    assert schedule.next_time(schedule.parse(given), T) == expected


@pytest.mark.parametrize("given, path", [
    ({}, "$.schedule"), ({"hour": "24"}, "$.schedule.hour"), ({"minute": "[5-1]"},
                                                             "$.schedule.minute"),
    ({"minute": "5;6"}, "$.schedule.minute"), ({"weekday": "1"}, "$.schedule.weekday"),
    ({"dayOfMonth": "31", "month": "4"}, "$.schedule"), ({"hour": True}, "$.schedule.hour"),
])
def test_bad_schedules_are_refused_naming_the_field(given, path):
    with pytest.raises(ValidationFailed) as caught:
        schedule.parse(given)
    assert path in {p.path for p in caught.value.problems}


def test_backoff_doubles_with_jitter_up_to_the_cap():
    s = DeliverySettings(backoff_base=1.0, backoff_max=60.0)
    assert [backoff(n, s, lambda: 1.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff(3, s, lambda: 0.0) == 2.0  # half of 4: the jitter takes up to half off
    assert backoff(50, s, lambda: 1.0) == 60.0


def test_signature_is_hmac_sha256_of_the_exact_body():
    body = b'{"a": 1}'
    assert signature(body, "k") == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()


def test_destinations():
    assert forbidden_reason("https://8.8.8.8/hook", ()) is None
    assert "private" in forbidden_reason("http://192.168.1.10/x", ())
    assert forbidden_reason("http://192.168.1.10/x", allow_list("192.168.0.0/16")) is None
    assert "http" in forbidden_reason("gopher://8.8.8.8/", ())
    assert allow_list(" a, ,b ") == ("a", "b")

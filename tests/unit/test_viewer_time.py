from datetime import UTC, datetime, timedelta, timezone

from tracechain.domain.viewer_time import DEFAULT_ZONE, instant, zone


def test_an_instant_is_written_in_the_viewers_zone_with_its_offset():
    moment = datetime(2026, 12, 6, 11, 49, 3, tzinfo=UTC)
    assert instant(moment, zone("Asia/Ho_Chi_Minh")) == "2026-12-06 18:49:03 +07:00"
    assert instant(moment, zone("Europe/Berlin")) == "2026-12-06 12:49:03 +01:00"
    assert instant(moment, zone("America/St_Johns")) == "2026-12-06 08:19:03 -03:30"
    # the same instant whatever zone it was stored with; naive means UTC
    assert instant(moment.astimezone(timezone(timedelta(hours=-5))),
                   zone("UTC")) == "2026-12-06 11:49:03 +00:00"
    assert instant(moment.replace(tzinfo=None), zone("UTC")) == "2026-12-06 11:49:03 +00:00"
    assert instant(None, zone("UTC")) == ""


def test_a_name_that_is_not_a_zone_falls_back_to_vietnam():
    for forged in (None, "", "Mars/Olympus", "../../etc/passwd", "/etc/localtime",
                   "EST5EDT,M3.2.0", "x" * 100, "Europe/Berlin\n"):
        assert zone(forged).key == DEFAULT_ZONE

"""The console writes instants in the reader's zone (the tc_tz cookie), one format."""
from datetime import UTC, datetime

from tracechain.console import web


def test_the_instant_filter_uses_the_zone_cookie(app):
    moment = datetime(2026, 12, 6, 11, 49, 3, tzinfo=UTC)
    env = web._environment("en")
    template = env.from_string("{{ moment|instant }}")
    with app.test_request_context("/app/", headers={"Cookie": "tc_tz=Europe/Berlin"}):
        assert template.render(moment=moment) == "2026-12-06 12:49:03 +01:00"
    with app.test_request_context("/app/", headers={"Cookie": "tc_tz=../../etc"}):
        assert template.render(moment=moment) == "2026-12-06 18:49:03 +07:00"
    with app.test_request_context("/app/"):
        assert template.render(moment=moment) == "2026-12-06 18:49:03 +07:00"

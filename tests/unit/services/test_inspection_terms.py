"""The inspector's query checks (services/inspection/query_terms.py) and who may inspect."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tracechain.domain import policy
from tracechain.domain.actor import Actor
from tracechain.domain.errors import Forbidden, ValidationFailed
from tracechain.services.inspection.find_lots import dossier_path, read_query

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_days_are_read_in_the_readers_zone_and_to_includes_its_day():
    query, page = read_query({"from": "2026-01-01", "to": "2026-01-01", "page": "3",
                              "limit": "20"}, VN)
    assert query.start == datetime(2025, 12, 31, 17, tzinfo=UTC)
    assert query.end == datetime(2026, 1, 1, 17, tzinfo=UTC)
    assert (page, query.offset, query.limit) == (3, 40, 20)
    instant, _ = read_query({"from": "2026-01-01T08:00:00+07:00"}, VN)
    assert instant.start == datetime(2026, 1, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(("args", "paths"), [
    ({"from": "2026-13-45"}, {"$.query.from"}),
    ({"from": "2026-01-01T08:00:00"}, {"$.query.from"}),
    ({"from": "2026-02-01", "to": "2026-01-01"}, {"$.query.to"}),
    ({"page": "-1", "sort": "id; DROP TABLE lots", "order": "up"},
     {"$.query.page", "$.query.sort", "$.query.order"}),
    ({"gtin": "08936101000218", "organisation": "1 OR 1=1", "limit": "0"},
     {"$.query.gtin", "$.query.organisation", "$.query.limit"}),
    ({"event_type": "Nothing", "product": "abc", "code": "x" * 101},
     {"$.query.event_type", "$.query.product", "$.query.code"}),
])
def test_every_bad_parameter_is_named(args, paths):
    with pytest.raises(ValidationFailed) as caught:
        read_query(args, VN)
    assert {p.path for p in caught.value.problems} == paths


def test_the_dossier_is_addressed_as_the_resolver_spells_a_lot():
    assert dossier_path("08936101000217", "QT25/G 1%") == \
        "/app/inspect/lots/08936101000217/QT25%2FG%201%25"


def test_only_inspectors_and_admins_inspect():
    assert policy.may_search_everything(Actor(1, "inspector", 5))
    assert policy.may_search_everything(Actor(1, "admin", None))
    with pytest.raises(Forbidden):
        policy.require_search_everything(Actor(1, "member", 5))

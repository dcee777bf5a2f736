"""The query's answers when every field condition counts as common.

On the test's few events every condition is rare (``event_reads.SELECTIVE_ROWS``), so the
tests of ``test_epcis_query_fields.py`` exercise the id-list path only. Here the threshold is
0: every condition takes the path of a common value on a large repository (a per-event probe;
on PostgreSQL a page driven from the text index in event order, ``_driven_page``), and the
answers must be the same. Two or more common conditions take two paths: each checked per event
(``DRIVE_ROWS`` 0), or the one with the fewest entries looked up first (``_smallest``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from tests.integration import test_epcis_query_fields as fields
from tests.integration.epcis_docs import document
from tests.integration.test_epcis_query import capture, event_list, query, uuid_id
from tracechain.app_services import app_services
from tracechain.domain.actor import Actor
from tracechain.services.epcis.query import query_events
from tracechain.store import event_reads
from tracechain.store.events import Event
from tracechain.store.uow import session_of

world = fields.world  # the fixture, captured once per backend


@pytest.fixture(params=["probed", "smallest first"])
def common(monkeypatch, request):
    monkeypatch.setattr(event_reads, "SELECTIVE_ROWS", 0)
    if request.param == "probed":
        monkeypatch.setattr(event_reads, "DRIVE_ROWS", 0)
    else:
        # Every condition with an entry is common (one entry is not under 1), and _smallest's
        # bound starts at 2 (SELECTIVE_ROWS * 2) and doubles: a condition of one entry is found
        # under the first bound (counted with the others, to 2, when the query has two or
        # more), one of more under a later one (counted again). With 0 the bound was 0 and
        # nothing was looked up.
        monkeypatch.setattr(event_reads, "SELECTIVE_ROWS", 1)


@pytest.mark.parametrize("case", [
    fields.test_quantity,
    fields.test_persistent_disposition_and_transformation_id,
    fields.test_within_descendants_of_a_location,
    fields.test_error_declaration,
    fields.test_sensor_parameters,
    fields.test_ilmd_and_extension_fields,
    fields.test_parameters_combine_with_and_values_with_or,
    fields.test_order_by_event_time_both_ways_and_pages,
], ids=lambda f: f.__name__)
def test_same_answers_when_every_condition_is_common(world, common, case):
    case(world)


def test_pages_driven_by_a_common_value(client, actions, common, monkeypatch):
    """Pages of one event, the index read a few entries at a time: every event once, in
    storage order; the other conditions still apply."""
    monkeypatch.setattr(event_reads, "MAX_CHUNK", 2)
    token = actions.token("member", actions.org("HTX Driven"))
    base = fields.events_a()["F1"]

    def event(n: int, grade: str, step: str) -> dict:
        return {**base, "eventID": uuid_id(500 + n), "tc:grade": grade, "bizStep": step,
                "eventTime": f"2025-02-09T06:{n:02d}:00.000+07:00"}  # (not duplicates)

    stored = capture(client, token, document(
        event(1, "B", "commissioning"), event(2, "A", "commissioning"),
        event(3, "B", "inspecting"), event(4, "B", "commissioning"),
        event(5, "B", "commissioning")))
    ids = stored.json["eventIDs"]
    auth = {"Authorization": f"Bearer {token}"}

    def walk(params: dict) -> list[str]:
        r = query(client, token, {**params, "perPage": 1})
        seen = [e["eventID"] for e in event_list(r)]
        while (link := r.headers.get("Link")) is not None:
            r = client.get(link.split(";")[0].strip()[1:-1], headers=auth)
            seen.extend(e["eventID"] for e in event_list(r))
        return seen

    assert walk({"EQ_tc:grade": "B"}) == [ids[0], ids[2], ids[3], ids[4]]
    assert walk({"EQ_tc:grade": "B|A", "EQ_bizStep": "commissioning"}) \
        == [ids[0], ids[1], ids[3], ids[4]]
    assert [e["eventID"] for e in event_list(query(client, token, {"EQ_tc:grade": "B",
                                                                   "perPage": 10}))] \
        == [ids[0], ids[2], ids[3], ids[4]]
    assert walk({"EQ_tc:grade": "C"}) == []
    # Two and three common conditions (one of them looked up first, or each checked per event).
    assert walk({"EQ_tc:grade": "B", "GE_quantity": "100"}) == [ids[0], ids[2], ids[3], ids[4]]
    assert walk({"EQ_tc:grade": "A", "GE_quantity": "100", "WD_readPoint": fields.FARM_DL}) \
        == [ids[1]]
    assert walk({"EQ_tc:grade": "B", "LT_quantity": "100", "WD_readPoint": fields.FARM_DL}) \
        == []


@contextmanager
def _statements(app) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs (SQLite's BEGIN aside)."""
    engine = app_services(app).sessions.kw["bind"]
    sent: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if statement != "BEGIN":
            sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_three_common_conditions_statement_by_statement(world, app, actions, monkeypatch):
    """bench_query.py's "combined" line at its slowest (a member's own site, an ILMD value and
    a quantity, each common), statement by statement: the stored @contexts (which serve the
    page too), the settings with the notice ids (SQLite: the notice ids), the place's count
    (its two ranges in one statement), the other two counted together as far as _smallest's
    first bound (2 here: the quantity has 2 entries, the variety 1, which is taken without a
    count of its own), and the page, which reads the variety's ids itself: they are never
    sent as parameters. (main sent 9 on SQLite, 10 on PostgreSQL.) A place that finds
    nothing: no fetch of its ids, no count of the rest, no page."""
    monkeypatch.setattr(event_reads, "SELECTIVE_ROWS", 1)  # any condition with an entry
    with actions.uow as uow:
        org = session_of(uow).scalar(select(Event.organisation_id)
                                     .where(Event.event_id == world.ids["F1"]))
    member = Actor(user_id=1, role="member", organisation_id=org)
    params = {"WD_readPoint": fields.FARM_DL, "EQ_ILMD_tc:variety": "Vinh Linh",
              "GE_quantity": "100"}

    def ask(params: dict) -> tuple[set[str], list[str]]:
        with _statements(app) as sent:
            page = query_events(params, member, actions.uow, default_size=10, max_size=10)
        return {world.names[e["eventID"]] for e in page.events}, sent

    found, sent = ask(params)
    assert found == {"F1"}
    assert len(sent) == 5, sent
    assert "event_fields" in sent[-1]  # the page reads the ids itself
    found, sent = ask({**params, "WD_readPoint": "urn:epc:id:sgln:8934567.00003.0"})
    assert found == set()
    assert len(sent) == 3, sent

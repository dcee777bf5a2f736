"""Revision 0012 (the slim query index): the readPoint / bizLocation rows earlier versions wrote
go, the events stay found by WD_readPoint / WD_bizLocation (now from the events' columns), and it
goes down (the rows back) and up again, on both databases."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine, text

from tracechain.store import migrate
from tracechain.store.db import make_session_factory
from tracechain.store.event_reads import HasField, OrganisationIs, events_page
from tracechain.store.uow import SqlUnitOfWork

SITE = "https://id.gs1.org/414/8930000000017"
DOCK = SITE + "/254/3"
FARM = "https://id.gs1.org/414/8930000000024"
EVENT = {"type": "ObjectEvent", "eventTime": "2025-02-10T07:30:00.000+07:00",
         "eventTimeZoneOffset": "+07:00", "action": "OBSERVE", "epcList": [],
         "readPoint": {"id": DOCK}, "bizLocation": {"id": FARM},
         "quantityList": [{"epcClass": "https://id.gs1.org/01/08930000123404/10/L1",
                           "quantity": 500, "uom": "KGM"}]}
# What 0008 to 0011 wrote for EVENT (the place rows numbered as capture numbered them).
ROWS = [(0, "quantity", "KGM", 500.0), (1, "readPoint", DOCK, None),
        (2, "bizLocation", FARM, None)]


def _wd(engine, name: str, value: str, org: int = 7) -> list[int]:
    """The ids of the events WD_<name>=value finds for a member of ``org`` (the organisation's
    own: public notices, 0013, come after this revision)."""
    with SqlUnitOfWork(make_session_factory(engine)) as uow:
        return [row.id for row in events_page(uow, [OrganisationIs(org, notices=False), HasField(
            (name,), texts=(value,), text_prefixes=(value + "/254/",))], 10)]


def _rows(engine) -> set[tuple]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT name, text_value, num_value, organisation_id "
                                     "FROM event_fields WHERE event_pk = 1")).all())


def test_revision_0012_slims_the_index_keeps_events_found_and_is_reversible(database_url):
    migrate.upgrade(database_url, "0011")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (id, name, kind, gln, country, created_at) "
                          "VALUES (7, 'HTX', 'cooperative', '8930000000017', 'VN', "
                          "CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO capture_jobs (id, running, success, error_behaviour, "
                          "event_count, stored_count, errors, duplicates, created_at) VALUES "
                          "('j', false, true, 'rollback', 1, 1, '[]', '[]', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO document_contexts (id, digest, body) VALUES (1, 'd', :b)"),
                     {"b": json.dumps(["https://ref.gs1.org/standards/epcis/2.0.0/"
                                       "epcis-context.jsonld"])})
        conn.execute(text(
            "INSERT INTO events (id, event_hash, event_id, event_type, event_time, record_time, "
            "read_point, biz_location, body, prehash, context_id, capture_id, organisation_id) "
            "VALUES (1, 'h', 'e', 'ObjectEvent', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :rp, "
            ":bl, :b, '', 1, 'j', 7)"), {"rp": DOCK, "bl": FARM, "b": json.dumps(EVENT)})
        for seq, name, value, num in ROWS:
            conn.execute(text("INSERT INTO event_fields (event_pk, seq, name, text_value, "
                              "num_value, organisation_id) VALUES (1, :s, :n, :t, :v, 7)"),
                         {"s": seq, "n": name, "t": value, "v": num})
    before = _rows(engine)
    migrate.upgrade(database_url, "0012")
    assert _rows(engine) == {("quantity", "KGM", 500.0, 7)}
    # Stored events are found as before, from their columns.
    assert _wd(engine, "readPoint", SITE) == [1]
    assert _wd(engine, "readPoint", DOCK) == [1]
    assert _wd(engine, "bizLocation", FARM) == [1]
    assert _wd(engine, "readPoint", FARM) == []
    assert _wd(engine, "readPoint", SITE, org=8) == []  # another organisation's member
    command.downgrade(migrate.alembic_config(database_url), "0011")
    assert _rows(engine) == before
    migrate.upgrade(database_url, "0012")
    assert _rows(engine) == {("quantity", "KGM", 500.0, 7)}
    engine.dispose()

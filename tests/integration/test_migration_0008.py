"""Revision 0008 (the query index): events stored before it get their index rows from their
bodies, and it goes down and up again, on both databases."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from tracechain.store import migrate

EVENT = {"type": "ObjectEvent", "eventTime": "2025-02-10T07:30:00.000+07:00",
         "eventTimeZoneOffset": "+07:00", "action": "ADD", "bizStep": "commissioning",
         "quantityList": [{"epcClass": "https://id.gs1.org/01/08930000123404/10/L1",
                           "quantity": 500, "uom": "KGM"}],
         "ilmd": {"ex:variety": "Vinh Linh"},
         "errorDeclaration": {"declarationTime": "2025-02-21T00:00:00Z",
                              "reason": "incorrect_data"}}
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
           {"ex": "https://ex.example/"}]


def test_revision_0008_indexes_stored_events_and_is_reversible(database_url):
    from alembic import command

    migrate.upgrade(database_url, "0007")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (id, name, kind, gln, country, created_at) "
                          "VALUES (7, 'HTX', 'cooperative', '8930000000017', 'VN', "
                          "CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO capture_jobs (id, running, success, error_behaviour, "
                          "event_count, stored_count, errors, duplicates, created_at) VALUES "
                          "('j', false, true, 'rollback', 1, 1, '[]', '[]', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO document_contexts (id, digest, body) VALUES (1, 'd', :b)"),
                     {"b": json.dumps(CONTEXT)})
        conn.execute(text(
            "INSERT INTO events (id, event_hash, event_id, event_type, event_time, record_time, "
            "body, prehash, context_id, capture_id, organisation_id) VALUES (1, 'h', 'e', "
            "'ObjectEvent', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :b, '', 1, 'j', 7)"),
            {"b": json.dumps(EVENT)})
    migrate.upgrade(database_url, "0008")
    with engine.connect() as conn:
        rows = set(conn.execute(text("SELECT name, text_value, num_value, organisation_id "
                                     "FROM event_fields WHERE event_pk = 1")).all())
    assert ("quantity", "KGM", 500.0, 7) in rows
    assert ("ilmd|https://ex.example/variety", "Vinh Linh", None, 7) in rows
    assert ("ed.reason", "https://ref.gs1.org/cbv/ER-incorrect_data", None, 7) in rows
    command.downgrade(migrate.alembic_config(database_url), "0007")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 1
    migrate.upgrade(database_url, "0008")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM event_fields")).scalar() == len(rows)
    engine.dispose()

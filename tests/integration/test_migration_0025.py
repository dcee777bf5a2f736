"""Revision 0025 (the search's ``lots.made_at``/``made_by``, docs/inspector/FIND.md): existing
lots get the time and organisation of the event that made them; a lot no event made gets
none; reversible on both databases; PostgreSQL gets the trigram index of lot codes."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from tracechain.store import migrate


def test_revision_0025_backfills_the_making_event_and_is_reversible(database_url):
    migrate.upgrade(database_url, "0024")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO organisations (id, name, kind, gln, country, "
                          "created_at) "
                          "VALUES (7, 'HTX', 'cooperative', '8930000000017', 'VN', "
                          "CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO capture_jobs (id, running, success, error_behaviour, "
                          "event_count, stored_count, errors, duplicates, created_at) VALUES "
                          "('c1', false, true, 'rollback', 1, 1, '[]', '[]', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO document_contexts (id, digest, body) VALUES (1, 'd', '[]')"))
        conn.execute(text("INSERT INTO events (id, event_hash, event_id, event_type, event_time, "
                          "record_time, body, prehash, context_id, capture_id, organisation_id) "
                          "VALUES (5, 'h1', 'e1', 'ObjectEvent', :t, CURRENT_TIMESTAMP, '{}', '', "
                          "1, 'c1', 7)"), {"t": "2025-02-10 00:30:00.000000"})
        conn.execute(text("INSERT INTO lots (id, uri, kind, created_event_pk, created_at) VALUES "
                          "(1, 'u1', 'lot', 5, CURRENT_TIMESTAMP), "
                          "(2, 'u2', 'lot', NULL, CURRENT_TIMESTAMP)"))
    migrate.upgrade(database_url, "0025")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT l.id, l.made_by, l.made_at = e.event_time FROM lots l "
                                 "LEFT JOIN events e ON e.id = l.created_event_pk ORDER BY l.id"))
        assert [tuple(r) for r in rows] == [(1, 7, True), (2, None, None)]
    indexes = {i["name"] for i in inspect(engine).get_indexes("lots")}
    assert "ix_lots_made_by" in indexes
    assert ("ix_lots_code_trgm" in indexes) == (engine.dialect.name == "postgresql")
    command.downgrade(migrate.alembic_config(database_url), "0024")
    columns = {c["name"] for c in inspect(engine).get_columns("lots")}
    assert not {"made_at", "made_by"} & columns and "created_event_pk" in columns
    with engine.connect() as conn:  # nothing recorded was lost on the way down
        assert conn.execute(text("SELECT count(*) FROM lots")).scalar_one() == 2
    migrate.upgrade(database_url)
    engine.dispose()

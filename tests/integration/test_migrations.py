"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from tracechain.store import migrate
from tracechain.store.models import Base


def test_migrations_match_models(database_url):
    migrate.upgrade(database_url)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": migrate.in_models})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


def test_upgrade_is_idempotent(database_url):
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)
    assert migrate.current(database_url) is not None


def test_revision_0007_is_reversible(database_url):
    from alembic import command

    migrate.upgrade(database_url, "0007")
    command.downgrade(migrate.alembic_config(database_url), "0003")
    assert migrate.current(database_url) == "0003"
    migrate.upgrade(database_url, "0007")
    assert migrate.current(database_url) == "0007"


def test_revision_0007_respells_lots_captured_with_raw_characters(database_url):
    migrate.upgrade(database_url, "0003")
    engine = create_engine(database_url)
    raw = "https://id.gs1.org/01/08930000123404/10/A+B(1)"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO lots (uri, kind, created_at) "
                          "VALUES (:u, 'lot', CURRENT_TIMESTAMP)"), {"u": raw})
    migrate.upgrade(database_url, "0007")
    with engine.connect() as conn:
        [(uri,)] = conn.execute(text("SELECT uri FROM lots")).all()
    engine.dispose()
    assert uri == "https://id.gs1.org/01/08930000123404/10/A%2BB%281%29"


def test_revision_0009_keeps_events_and_is_reversible(database_url):
    from alembic import command

    migrate.upgrade(database_url, "0007")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO capture_jobs (id, running, success, error_behaviour, "
                          "event_count, stored_count, errors, duplicates, created_at) VALUES "
                          "('c1', false, true, 'rollback', 1, 1, '[]', '[]', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO document_contexts (id, digest, body) "
                          "VALUES (1, 'd', '[]')"))
        conn.execute(text("INSERT INTO events (event_hash, event_id, event_type, event_time, "
                          "record_time, body, prehash, context_id, capture_id) VALUES "
                          "('h1', 'e1', 'ObjectEvent', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                          "'{}', '', 1, 'c1')"))
    migrate.upgrade(database_url, "0009")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT event_id, declaration, declares_pk FROM events")
                            ).all() == [("e1", False, None)]
    with engine.begin() as conn:  # an event and its declaration share the eventID
        conn.execute(text("INSERT INTO events (event_hash, event_id, event_type, event_time, "
                          "record_time, body, prehash, context_id, capture_id, declaration, "
                          "declares_pk) SELECT 'h2', 'e1', 'ObjectEvent', event_time, "
                          "record_time, '{}', '', 1, 'c1', true, id FROM events"))
    import pytest
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), engine.begin() as conn:  # but not two events
        conn.execute(text("INSERT INTO events (event_hash, event_id, event_type, event_time, "
                          "record_time, body, prehash, context_id, capture_id) VALUES "
                          "('h3', 'e1', 'ObjectEvent', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                          "'{}', '', 1, 'c1')"))
    with pytest.raises(RuntimeError, match="error declarations are recorded"):
        command.downgrade(migrate.alembic_config(database_url), "0007")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM events WHERE declaration"))
    command.downgrade(migrate.alembic_config(database_url), "0007")
    assert migrate.current(database_url) == "0007"
    migrate.upgrade(database_url, "0009")
    engine.dispose()

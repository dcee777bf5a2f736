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
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
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

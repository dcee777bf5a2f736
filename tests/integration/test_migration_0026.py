"""Revision 0026 (a member's events in time order, docs/EPCIS_QUERY.md "PostgreSQL at 1,000,000
events"): PostgreSQL gets ``(organisation_id, event_time, id)`` and ``(organisation_id,
record_time, id)`` on ``events``, SQLite nothing; reversible on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from tracechain.store import migrate

ADDED = {"ix_events_org_event_time": ["organisation_id", "event_time", "id"],
         "ix_events_org_record_time": ["organisation_id", "record_time", "id"]}


def test_revision_0026_indexes_postgresql_only_and_is_reversible(database_url):
    migrate.upgrade(database_url, "0026")
    engine = create_engine(database_url)
    postgres = engine.dialect.name == "postgresql"

    def added() -> dict[str, list[str]]:
        return {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("events")
                if i["name"] in ADDED}

    assert added() == (ADDED if postgres else {})
    command.downgrade(migrate.alembic_config(database_url), "0025")
    assert added() == {}
    migrate.upgrade(database_url)
    assert added() == (ADDED if postgres else {})
    engine.dispose()

"""Migration 0022 (the EU's statement numbers, docs/inspector/EXPORTS.md): a new table only,
reversible on both backends."""

from alembic import command
from sqlalchemy import create_engine, inspect

from tracechain.store import migrate


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_revision_0022_is_reversible(database_url):
    migrate.upgrade(database_url)
    assert "eudr_statements" in _tables(database_url)
    command.downgrade(migrate.alembic_config(database_url), "0019")
    assert "eudr_statements" not in _tables(database_url)
    migrate.upgrade(database_url)
    assert "eudr_statements" in _tables(database_url)

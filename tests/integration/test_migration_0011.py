"""Revision 0011 (resolver links) goes up and down on both databases, and keeps what was there."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from tracechain.store import migrate


def test_revision_0011_is_reversible(database_url):
    migrate.upgrade(database_url, "0011")
    engine = create_engine(database_url)
    assert "resolver_links" in inspect(engine).get_table_names()
    command.downgrade(migrate.alembic_config(database_url), "-1")
    assert "resolver_links" not in inspect(engine).get_table_names()
    assert "lots" in inspect(engine).get_table_names()
    migrate.upgrade(database_url, "0011")
    assert migrate.current(database_url) == "0011"
    engine.dispose()

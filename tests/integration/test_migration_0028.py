"""Revision 0028 (kept dossiers, docs/TRUST.md "Kept dossiers"): a new table on both databases,
nothing stored changed, nothing to backfill; reversible."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from tracechain.store import migrate

COLUMNS = {"lot_id", "digest", "built_at", "chain", "events", "body", "mac"}


def test_revision_0028_adds_kept_dossiers_and_is_reversible(database_url):
    migrate.upgrade(database_url, "0028")
    engine = create_engine(database_url)

    def columns() -> set[str] | None:
        found = inspect(engine)
        if "kept_dossiers" not in found.get_table_names():
            return None
        return {c["name"] for c in found.get_columns("kept_dossiers")}

    assert columns() == COLUMNS
    assert inspect(engine).get_pk_constraint("kept_dossiers")["constrained_columns"] == [
        "lot_id"]
    command.downgrade(migrate.alembic_config(database_url), "0027")
    engine.dispose()
    engine = create_engine(database_url)
    assert columns() is None
    migrate.upgrade(database_url)
    assert columns() == COLUMNS
    engine.dispose()

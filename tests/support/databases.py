"""Migrated databases for the tests, migrated once per test process instead of once per test.

Alembic takes ~0.3 s (SQLite) to ~0.5 s (PostgreSQL) to migrate a new database; a suite that
migrates one per test spends most of its time there. Instead:

- SQLite: one migrated template file per process; each test gets a copy of it (the sqlite3
  backup API, ~1 ms) in its own folder.
- PostgreSQL: one migrated database per process (per server: each xdist worker starts its own),
  emptied before each test that uses it: every table but alembic_version deleted (with triggers
  off, as a restore would) and every sequence restarted, ~10 ms, where cloning a template
  (``CREATE DATABASE ... TEMPLATE``) costs ~0.2 s. The tables and sequences are those the
  migrations made, read once; the tests change no schema (test_migrations and
  test_postgres_support make databases of their own with ``fresh_database``).

Either way a test starts from what ``migrate.upgrade`` gives a new database: the same schema,
no rows but the Alembic revision, sequences at their start.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from tests.support.postgres import fresh_database
from tracechain.store import migrate
from tracechain.store.db import create_sqlite_file


class SqliteTemplate:
    """A migrated SQLite file, copied for each test."""

    def __init__(self, folder: Path):
        self.path = folder / "template.db"
        migrate.upgrade(f"sqlite:///{self.path}")

    def copy_to(self, path: Path) -> str:
        """A migrated database at ``path`` (owner-only, as the app creates it); its URL."""
        url = f"sqlite:///{path}"
        create_sqlite_file(url)
        source, target = sqlite3.connect(self.path), sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return url


class PostgresScratch:
    """One migrated PostgreSQL database, emptied for each test that asks for it."""

    NAME = "tracechain_scratch"

    def __init__(self, server_url: str):
        self.url = fresh_database(server_url, self.NAME)
        migrate.upgrade(self.url)
        self._admin = sa.create_engine(sa.make_url(server_url).set(database="postgres"),
                                       isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        self._engine = sa.create_engine(self.url, poolclass=sa.NullPool)
        with self._engine.connect() as conn:
            tables = conn.scalars(sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version' ORDER BY tablename")).all()
            sequences = conn.scalars(sa.text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' "
                "ORDER BY sequencename")).all()
            matviews = conn.scalar(sa.text(
                "SELECT count(*) FROM pg_matviews WHERE schemaname = 'public'"))
        if matviews:  # they would keep rows a DELETE does not reach
            raise RuntimeError("materialized views: tests/support/databases.py cannot empty "
                               "them; refresh them in PostgresScratch.empty")
        self._reset = ([f'DELETE FROM "{t}"' for t in tables]
                       + [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences])
        self._used = False

    def fresh(self) -> str:
        """The database's URL, emptied if a test used it before."""
        if self._used:
            self.empty()
        self._used = True
        return self.url

    def empty(self) -> None:
        # A connection a finished test left open (a pool not disposed, a transaction never
        # ended) could hold locks and would see the next test's rows: end it first.
        with self._admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :name AND pid <> pg_backend_pid()"),
                         {"name": self.NAME})
        with self._engine.begin() as conn:
            # replica: no triggers (the append-only guards refuse deletes) and no FK checks.
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.exec_driver_sql("; ".join(self._reset))

    def close(self) -> None:
        self._engine.dispose()
        self._admin.dispose()

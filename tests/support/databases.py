"""Migrated databases for the tests, migrated once per test process instead of once per test.

Alembic takes ~0.3 s (SQLite) to ~0.5 s (PostgreSQL) to migrate a new database; a suite that
migrates one per test spends most of its time there. Instead:

- SQLite: one migrated template file per process; each test gets a copy of it (the sqlite3
  backup API, ~1 ms) in its own folder.
- PostgreSQL: one migrated database per process (per server: each xdist worker starts its own),
  emptied before each test that uses it: every table that holds rows (but alembic_version)
  deleted (with triggers off, as a restore would) and every sequence that moved restarted,
  found in one query over one kept connection, a few ms, where cloning a template
  (``CREATE DATABASE ... TEMPLATE``) costs ~0.2 s. The tables and sequences are those the
  migrations made, read once; the tests change no schema (test_migrations and
  test_postgres_support make databases of their own with ``fresh_database``).

Either way a test starts from what ``migrate.upgrade`` gives a new database: the same schema,
no rows but the Alembic revision, sequences at their start.

Datasets (the demo, loaded through the use cases, ~1 s) are built the same way: by the first
test that needs one in a process, on its database, which is then kept (``snapshot``); the next
tests get a copy of it (``restore``): the SQLite file copied again, or the PostgreSQL tables
refilled from a copy kept in a schema of their own, sequences where they were.
"""

from __future__ import annotations

import re
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
        _backup(self.path, path)
        return url

    def snapshot(self, name: str, url: str) -> None:
        """Keep what the database at ``url`` holds now, as dataset ``name``."""
        _backup(_path(url), self.path.with_name(f"dataset-{name}.db"))

    def restore(self, name: str, url: str) -> None:
        """Make the database at ``url`` hold dataset ``name`` (its connections closed first)."""
        _backup(self.path.with_name(f"dataset-{name}.db"), _path(url))


def _path(url: str) -> Path:
    return Path(sa.make_url(url).database)


def _backup(source_path: Path, target_path: Path) -> None:
    """Copy a whole SQLite database, consistently even if it is in use (the backup API)."""
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


class PostgresScratch:
    """One migrated PostgreSQL database, emptied for each test that asks for it."""

    NAME = "tracechain_scratch"

    def __init__(self, server_url: str):
        self.url = fresh_database(server_url, self.NAME)
        migrate.upgrade(self.url)
        # One connection kept open for emptying (a new backend per test cost ~10 ms); empty()
        # ends every other connection to the database, never this one.
        self._engine = sa.create_engine(self.url, pool_size=1, max_overflow=0,
                                        pool_pre_ping=True)
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
        self._tables, self._sequences = tables, sequences
        # Which tables hold rows and which sequences moved, in one round trip: only those are
        # emptied and restarted (a DELETE or ALTER SEQUENCE of each of ~50 costs ~15 ms).
        self._probe = " UNION ALL ".join(
            [f"SELECT 't', '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables]
            + [f"SELECT 's', '{q}' FROM \"{q}\" WHERE is_called" for q in sequences])
        self._used = False
        self._datasets: dict[str, list[str]] = {}  # name -> statements that restore it

    def fresh(self) -> str:
        """The database's URL, emptied if a test used it before."""
        if self._used:
            self.empty()
        self._used = True
        return self.url

    def empty(self) -> None:
        # A connection a finished test left open (a pool not disposed, a transaction never
        # ended) could hold locks and would see the next test's rows: end it first.
        with self._engine.begin() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = current_database() "
                                 "AND pid <> pg_backend_pid()"))
        with self._engine.begin() as conn:
            used = conn.execute(sa.text(self._probe)).all()
            reset = ([f'DELETE FROM "{name}"' for kind, name in used if kind == "t"]
                     + [f'ALTER SEQUENCE "{name}" RESTART' for kind, name in used if kind == "s"])
            if reset:
                # replica: no triggers (the append-only guards refuse deletes), no FK checks.
                conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
                conn.exec_driver_sql("; ".join(reset))

    def snapshot(self, name: str, url: str) -> None:
        """Keep what the database holds now, as dataset ``name``: a copy of every table in a
        schema of its own (which ``empty`` leaves alone) and the sequences' positions."""
        assert url == self.url, url
        schema = "dataset_" + re.sub(r"\W", "_", name)
        with self._engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            for table in self._tables:
                conn.exec_driver_sql(f'CREATE TABLE "{schema}"."{table}" AS TABLE "{table}"')
            positions = [conn.execute(sa.text(f'SELECT last_value, is_called FROM "{seq}"')).one()
                         for seq in self._sequences]
        self._datasets[name] = (
            [f'INSERT INTO "{t}" OVERRIDING SYSTEM VALUE SELECT * FROM "{schema}"."{t}"'
             for t in self._tables]
            + [f"SELECT setval('\"{seq}\"', {last}, {called})"
               for seq, (last, called) in zip(self._sequences, positions, strict=True)])

    def restore(self, name: str, url: str) -> None:
        """Make the database hold dataset ``name`` and nothing else."""
        assert url == self.url, url
        self.empty()
        with self._engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.exec_driver_sql("; ".join(self._datasets[name]))

    def close(self) -> None:
        self._engine.dispose()

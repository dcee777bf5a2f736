"""Engine and session factory, built from configuration inside create_app (never at import)."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from ..private_files import private_file

# Execution option a unit of work sets when it will write (see _sqlite_begin).
WRITE_OPTION = "tracechain_write"


def create_sqlite_file(url: str) -> None:
    """Create a SQLite URL's database file (and folders) owner-only, before SQLite would create
    it world-readable; SQLite gives its -wal and -shm files the database file's mode."""
    if not url.startswith("sqlite"):
        return
    path = url.split("///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:") and "///" in url:
        private_file(path.split("?", 1)[0])


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        create_sqlite_file(url)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            # WAL lets readers go on while one writer commits; NORMAL sync is durable in WAL
            # mode against process crashes, which is what several app workers need.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # Checkpoint the WAL every ~400 MB at most, rather than every 4 MB: a checkpoint runs in
            # the committing request, holding up the next writer; the anchorer checkpoints
            # between its rounds instead (checkpoint_wal), outside any request.
            cur.execute("PRAGMA wal_autocheckpoint=100000")
            # A 64 MB page cache keeps the indexes' upper pages in memory across a bulk insert.
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()
            # Let SQLAlchemy's "begin" hook below decide how each transaction starts.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # pragma: no cover - trivial
            # A writing unit of work takes the write lock when it starts, not halfway through,
            # so two workers never deadlock upgrading a read lock (SQLite then fails at once
            # instead of waiting); readers start deferred and run concurrently in WAL mode.
            write = conn.get_execution_options().get(WRITE_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def checkpoint_wal(engine: Engine) -> None:
    """Copy SQLite's write-ahead log into the database without blocking anyone (PASSIVE)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)

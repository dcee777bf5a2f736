"""Running the Alembic migrations programmatically (`tracechain db upgrade`, tests)."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Alembic (~0.1 s to import) is loaded by the commands that migrate, not at start
    from alembic.config import Config


# Indexes a migration makes on one backend only and the models leave out (their DDL would make
# them on both): 0025's trigram index of lot codes, PostgreSQL's ``pg_trgm``; 0026's indexes of
# an organisation's events in time order (PostgreSQL's plan of a member's ``orderBy``).
ONE_BACKEND_INDEXES = frozenset({"ix_lots_code_trgm", "ix_events_org_event_time",
                                 "ix_events_org_record_time"})


def in_models(obj: object, name: str | None, type_: str, reflected: bool,
              compare_to: object) -> bool:
    """Alembic's ``include_object``: all but ``ONE_BACKEND_INDEXES``."""
    return not (type_ == "index" and name in ONE_BACKEND_INDEXES)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("tracechain.store") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    from .db import create_sqlite_file

    create_sqlite_file(url)
    command.upgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()  # or its pooled connection lingers until garbage collection

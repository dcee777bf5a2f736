"""Alembic environment: the URL comes from the app's configuration, never from alembic.ini."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tracechain.store.migrate import in_models
from tracechain.store.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")


def run_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, render_as_batch=True,
                      literal_binds=True, include_object=in_models)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    assert url is not None, "sqlalchemy.url is set by whoever runs the migrations"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()  # else its pooled connection stays open until garbage collection


def _run(connection) -> None:
    # Batch mode: SQLite cannot ALTER most things in place.
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True, include_object=in_models)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

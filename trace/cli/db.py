"""`tracechain db upgrade|current`: Alembic migrations against the configured database."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..store import migrate
from .common import settings


@click.group("db")
def db_group() -> None:
    """Database schema migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade_command(revision: str) -> None:
    """Bring the database schema up to REVISION (default: the latest)."""
    url = settings().database_url
    migrate.upgrade(url, revision)
    click.echo(f"database at revision {migrate.current(url)}")


@db_group.command("current")
@with_appcontext
def current_command() -> None:
    """Print the database's schema revision."""
    click.echo(migrate.current(settings().database_url) or "empty")

"""tests/support/postgres.py starts a usable, throwaway PostgreSQL server."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support.postgres import fresh_database

pytestmark = pytest.mark.postgres


def _scalar(url: str, sql: str):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar_one()
    finally:
        engine.dispose()


def test_server_accepts_connections(postgres_server_url):
    assert postgres_server_url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert _scalar(postgres_server_url, "select version()").startswith("PostgreSQL ")


def test_fresh_databases_are_independent(postgres_server_url):
    a = fresh_database(postgres_server_url, "support_a")
    b = fresh_database(postgres_server_url, "support_b")
    assert sa.make_url(a).database == "support_a" and sa.make_url(b).database == "support_b"

    engine = sa.create_engine(a)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create table only_in_a (x int)"))
            conn.execute(sa.text("insert into only_in_a values (1)"))
    finally:
        engine.dispose()

    assert _scalar(a, "select count(*) from only_in_a") == 1
    assert _scalar(b, "select to_regclass('only_in_a') is null") is True
    assert _scalar(b, "select current_database()") == "support_b"


def test_fresh_database_rejects_odd_names(postgres_server_url):
    with pytest.raises(ValueError):
        fresh_database(postgres_server_url, 'x"; drop database postgres; --')

"""A fresh install starts with `tracechain user invite`: the first admin's one-time link."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from tracechain.cli import cli
from tracechain.services.accounts import passwords
from tracechain.store.db import make_engine, make_session_factory
from tracechain.store.uow import SqlUnitOfWork


@pytest.fixture
def run(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACE_DATABASE_URL", database_url)
    monkeypatch.setenv("TRACE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("TRACE_PUBLIC_BASE_URL", "http://192.168.1.20:5000")
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def test_the_first_admin_is_invited_from_the_shell(run, database_url):
    assert run("db", "upgrade").exit_code == 0
    r = run("user", "invite", "--email", "admin@htx.vn", "--name", "Quản trị", "--role", "admin")
    assert r.exit_code == 0, r.output
    link = r.output.strip()
    assert link.startswith("http://192.168.1.20:5000/app/set-password/")
    engine = make_engine(database_url)
    try:
        uow = SqlUnitOfWork(make_session_factory(engine))
        token = link.rsplit("/", 1)[1]
        found = passwords.link_for(token, uow, now=datetime.now(UTC))
        assert (found.email, found.purpose) == ("admin@htx.vn", "invite")
        again = run("user", "reset-link", "--email", "ADMIN@htx.vn").output.strip()
        assert again != link
        with pytest.raises(passwords.LinkUnusable):  # the newer link replaces the older one
            passwords.link_for(token, uow, now=datetime.now(UTC))
    finally:
        engine.dispose()
    refused = run("user", "invite", "--email", "admin@htx.vn", "--role", "admin")
    assert refused.exit_code != 0 and "already exists" in refused.output

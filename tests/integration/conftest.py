"""App fixtures over a real database: SQLite always, PostgreSQL too (``db_backend`` param)."""

from __future__ import annotations

import itertools
import uuid

import pytest

from tracechain import create_app
from tracechain.app_services import app_services
from tracechain.services.accounts import organisations as accounts
from tracechain.store import migrate
from tracechain.store.uow import SqlUnitOfWork

_gln_serial = itertools.count(1)


def make_gln() -> str:
    from tracechain.gs1.keys import check_digit

    body = f"893{next(_gln_serial):09d}"
    return body + str(check_digit(body))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'trace.db'}"
    from tests.support.postgres import fresh_database

    server = request.getfixturevalue("postgres_server_url")
    return fresh_database(server, "t_" + uuid.uuid4().hex[:12])


@pytest.fixture
def app(database_url, tmp_path):
    migrate.upgrade(database_url)
    app = create_app({"DATABASE_URL": database_url, "VAR_DIR": str(tmp_path), "TESTING": True,
                      "SIGNING_SECRET": "test-secret-0123456789", "SIGNING_KDF_N": 2**14})
    yield app
    app_services(app).engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Actions:
    """Set up organisations, users and tokens the way an operator would (through the services)."""

    def __init__(self, app):
        self.app = app

    @property
    def uow(self):
        return SqlUnitOfWork(app_services(self.app).sessions)

    def org(self, name: str, kind: str = "cooperative", gln: str | None = None,
            company_prefix: str | None = None) -> dict:
        gln = gln or make_gln()
        org_id = accounts.create_organisation(name, kind, gln, self.uow, province="Quảng Trị",
                                              keyring=app_services(self.app).keyring,
                                              company_prefix=company_prefix)
        return {"id": org_id, "gln": gln, "name": name}

    def token(self, role: str, org: dict | None = None, email: str | None = None) -> str:
        email = email or f"{uuid.uuid4().hex[:8]}@example.vn"
        accounts.create_user(email, email, role, org["id"] if org else None, self.uow)
        return accounts.create_token(email, "test", self.uow)

    @staticmethod
    def auth(token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def actions(app):
    return Actions(app)

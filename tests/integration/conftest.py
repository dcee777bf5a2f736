"""App fixtures over a real database: SQLite always, PostgreSQL too (``db_backend`` param)."""

from __future__ import annotations

import copy
import itertools
import uuid

import pytest

from tests.support.apps import AppShell
from tests.support.databases import PostgresScratch, SqliteTemplate
from tests.support.keys import CHEAP_SCRYPT_N, cheap_keystores
from tracechain.app_services import app_services
from tracechain.services.accounts import organisations as accounts
from tracechain.store.uow import SqlUnitOfWork

_gln_serial = itertools.count(1)

APP_CONFIG = {"TESTING": True, "SIGNING_SECRET": "test-secret-0123456789",
              "SIGNING_KDF_N": CHEAP_SCRYPT_N}


def make_gln() -> str:
    from tracechain.gs1.keys import check_digit

    body = f"893{next(_gln_serial):09d}"
    return body + str(check_digit(body))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> SqliteTemplate:
    """A migrated SQLite database, made once per test process and copied for each app."""
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_scratch(postgres_server_url) -> PostgresScratch:
    """A migrated PostgreSQL database, made once per server and emptied for each app."""
    scratch = PostgresScratch(postgres_server_url)
    yield scratch
    scratch.close()


BOTH = ("sqlite", "postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test over ``database_url`` runs on both backends, unless its module says
    ``DATABASES = ("sqlite",)``: PostgreSQL runs the tests whose subject is the database
    (the store's SQL, transactions, capture and query, verification of stored rows, migrations,
    the CLI), not those about pages, documents, HTTP answers or the access policy, which run
    the same store code (docs/TESTING.md, "Which tests run on PostgreSQL"). Their twins are
    deselected, so the run's summary counts them."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("database_url") if callspec is not None else None
        wanted = getattr(getattr(item, "module", None), "DATABASES", BOTH)
        (keep if backend is None or backend in wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A database of the backend the test is parametrised with: already migrated (from the
    templates above) when the test uses ``app``, new and empty otherwise (test_migrations,
    test_cli migrate it themselves)."""
    migrated = "app" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "trace.db"
        if migrated:
            return request.getfixturevalue("sqlite_template").copy_to(path)
        return f"sqlite:///{path}"
    if migrated:
        return request.getfixturevalue("postgres_scratch").fresh()
    from tests.support.postgres import fresh_database

    server = request.getfixturevalue("postgres_server_url")
    return fresh_database(server, "t_" + uuid.uuid4().hex[:12])


@pytest.fixture(scope="session")
def app_shell(tmp_path_factory) -> AppShell:
    """The one app of this test process (see tests/support/apps.py), bound anew for each test."""
    return AppShell(APP_CONFIG, tmp_path_factory.mktemp("app-shell"))


@pytest.fixture
def app(app_shell, database_url, tmp_path, monkeypatch):
    """The app over this test's database, configured as ``create_app(APP_CONFIG)`` makes it."""
    # Organisations' keystores with a test-only scrypt cost (see tests/support/keys.py).
    cheap_keystores(monkeypatch)
    yield app_shell.bind(database_url, tmp_path)
    app_shell.release()


@pytest.fixture(scope="session")
def _datasets() -> dict:
    return {}  # (backend, name) -> what the dataset's build returned


@pytest.fixture
def dataset(request, app, _datasets):
    """``dataset(name, build)``: the test's database holds dataset ``name``; what ``build()``
    returned when it made it.

    The first test of a process (per backend) that asks for ``name`` runs ``build()`` on its own
    database, through ``app`` as any test would, and that database is kept; later tests get a
    copy of it and the same return value (see tests/support/databases.py). ``build`` must give
    the same data whenever it runs on a new database, as the demo loader does: what a test then
    checks holds whichever test built it.
    """
    url = app_services(app).settings.database_url
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    store = request.getfixturevalue("sqlite_template" if backend == "sqlite"
                                    else "postgres_scratch")

    def load(name: str, build):
        key = (backend, name)
        if key in _datasets:
            app_services(app).engine.dispose()  # no connection into the old file
            store.restore(name, url)
        else:
            _datasets[key] = copy.deepcopy(build())
            store.snapshot(name, url)
        return copy.deepcopy(_datasets[key])  # the test may change it: the next one gets its own

    return load


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

    def inspector(self, email: str | None = None) -> str:
        """A token of an inspector of an authority organisation (with a custodial key, which
        signs its recalls' events: docs/RECALLS.md); one authority per Actions."""
        if getattr(self, "_authority", None) is None:
            self._authority = self.org("Sở Khoa học và Công nghệ (tests)", "authority")
        return self.token("inspector", self._authority, email)

    @staticmethod
    def auth(token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def actions(app):
    return Actions(app)


@pytest.fixture(scope="session")
def _anchored_chains() -> dict:
    """backend -> the chain the demo of that backend's dataset was anchored on (the consumer
    tests' ``anchored``). Here, beside ``_datasets``, so that every folder importing
    ``anchored`` shares this one dict with the dataset cache: a copy of this fixture in another
    conftest would see the dataset already built and its own dict empty."""
    return {}

"""The demo's two chains, loaded through the use cases and anchored on an in-process chain: what
a consumer scans in a shop."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import text

from tests.integration.verification.conftest import SETTINGS
from tests.support.chains import ChainSnapshot, new_chain
from tests.support.demo import run_demo_command
from tracechain.anchor.contract import AnchorContract
from tracechain.app_services import app_services
from tracechain.services.anchoring.anchorer import anchor_pending
from tracechain.store.uow import SqlUnitOfWork

PEPPER = "/01/08936101000217/10/QT25-G550-01"
COFFEE = "/01/08936104000412/10/BMT25-R01"
HARVEST = ("08936100000119", "CL25-001")  # one of the pepper's harvest lots


@dataclass
class Demo:
    app: object
    client: object
    tokens: dict
    chain: AnchorContract | None = None  # with ``anchored``: the chain it is anchored on

    def token(self, who: str) -> str:
        return next(t for name, t in self.tokens.items() if who in name)

    def sql(self, statement: str, **params):
        with app_services(self.app).engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else None

    def anchor(self, chain) -> None:
        uow = SqlUnitOfWork(app_services(self.app).sessions)
        report = anchor_pending(uow, chain, SETTINGS,
                                keyring=app_services(self.app).keyring)
        assert not report.waiting and report.skipped is None, report

    def get(self, url: str, lang: str = "vi", **headers):
        return self.client.get(url, headers={"Accept-Language": lang, **headers})


@pytest.fixture
def demo(app, client, dataset) -> Demo:
    # Loaded once per test process and backend, then copied (see ``dataset``).
    _output, tokens = dataset("demo", lambda: run_demo_command(app))
    return Demo(app, client, tokens)


@pytest.fixture
def chain(request) -> AnchorContract:
    """A fresh chain per test: the demo's events are the same in every test's database, so on
    a shared chain their root would already be anchored, with no transaction of this test's.
    With ``anchored``: the chain the demo is anchored on."""
    if "anchored" in request.fixturenames:
        return request.getfixturevalue("anchored").chain
    return new_chain(funds=10**20)


@pytest.fixture
def anchored(app, client, dataset, _anchored_chains) -> Demo:
    """The demo, signed and anchored on a chain of its own (``anchored.chain``, also the app's
    chain reader). Built once per test process and backend like the demo; then each test gets a
    copy of the database and the chain as they were right after anchoring (see ``dataset``)."""
    url = app_services(app).settings.database_url
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"

    def build() -> dict:
        _output, tokens = dataset("demo", lambda: run_demo_command(app))
        chain = new_chain(funds=10**20)
        Demo(app, client, tokens).anchor(chain)
        _anchored_chains[backend] = ChainSnapshot.take(chain)
        return tokens

    tokens = dataset("demo-anchored", build)
    chain = _anchored_chains[backend].revert()
    app_services(app).chain_reader = chain
    return Demo(app, client, tokens, chain)

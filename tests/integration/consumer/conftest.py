"""The demo's two chains, loaded through the use cases and anchored on an in-process chain: what
a consumer scans in a shop."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from eth_account import Account
from sqlalchemy import text

from tests.integration.verification.conftest import SETTINGS
from tracechain.anchor.contract import AnchorContract
from tracechain.anchor.provider import make_eth_tester_web3
from tracechain.app_services import app_services
from tracechain.cli.demo import demo_command
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
def demo(app, client) -> Demo:
    result = app.test_cli_runner().invoke(demo_command)
    assert result.exit_code == 0, result.output
    tokens = dict(re.findall(r"^  (.+?): (tc_\S+)$", result.output, re.MULTILINE))
    return Demo(app, client, tokens)


@pytest.fixture
def chain() -> AnchorContract:
    """A fresh chain per test: the demo's events are the same in every test's database, so on
    a shared chain their root would already be anchored, with no transaction of this test's."""
    w3 = make_eth_tester_web3()
    account = Account.create()
    w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": account.address, "value": 10**20})
    return AnchorContract.deploy(w3, account)


@pytest.fixture
def anchored(demo, chain) -> Demo:
    app_services(demo.app).chain_reader = chain
    demo.anchor(chain)
    return demo

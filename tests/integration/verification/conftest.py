"""A lineage captured through the API, signed and anchored on an in-process eth-tester chain.

Each test has its own in-process chain and TraceAnchor, since verification reads every root
anchored on its contract (a root of another test's database would rightly read as a removed
record): one chain per test process, deployed once and reverted to that moment for each test
(tests/support/chains.py). The world is captured once per process and backend, and each test
gets a copy of its database (``dataset``, tests/integration/conftest.py).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import InitVar, dataclass, field

import orjson
import pytest
from sqlalchemy import select, text

from tests.integration.epcis_docs import document, drying, harvest, receiving, shipping
from tests.support.chains import ChainSnapshot, new_chain
from tracechain.anchor.contract import AnchorContract
from tracechain.app_services import app_services
from tracechain.domain.identity import organisation_id_bytes
from tracechain.services.anchoring.anchorer import AnchorSettings, anchor_pending
from tracechain.services.verification.verdicts import VerificationCaches, verify_event, verify_lot
from tracechain.store.accounts import Organisation
from tracechain.store.uow import SqlUnitOfWork

SETTINGS = AnchorSettings(interval=0, max_batch=1000, receipt_timeout=10)


@pytest.fixture(scope="session")
def _deployed_chain() -> ChainSnapshot:
    return ChainSnapshot.take(new_chain())


@pytest.fixture
def chain(_deployed_chain) -> AnchorContract:
    # A chain of its own: verification reads every root anchored on its contract since the
    # first block our records name, and a long shared chain only makes that slower. The same
    # chain as every test's, reverted to just after TraceAnchor was deployed.
    return _deployed_chain.revert()


def with_verification_api(app) -> None:
    """Register the verification blueprint unless create_app already does."""
    if "verification" not in app.blueprints:
        from tracechain.api.verification import blueprints

        for blp in blueprints():
            app_services(app).api.register_blueprint(blp)


@dataclass
class World:
    """Cooperative A harvests two lots and dries them into one, ships it to exporter B, which
    receives it. ``ids`` names the events: h1, h2, dry, ship, receive."""

    app: object
    client: object
    actions: object
    chain: AnchorContract
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    copy_of: InitVar[dict | None] = None  # another World's state(), on a copy of its database

    def __post_init__(self, copy_of: dict | None):
        if copy_of is not None:
            vars(self).update(copy_of)
            return
        a = self.actions
        self.coop = a.org(f"HTX {self.suffix}")
        self.exporter = a.org(f"Exporter {self.suffix}", "exporter")
        self.stranger = a.org(f"Other {self.suffix}")
        self.t_coop = a.token("member", self.coop)
        self.t_exporter = a.token("member", self.exporter)
        self.t_stranger = a.token("member", self.stranger)
        self.t_inspector = a.token("inspector")
        self.h1, self.h2, self.product = (f"H1{self.suffix}", f"H2{self.suffix}",
                                          f"P{self.suffix}")
        self.ids = {}
        self.ids["h1"], self.ids["h2"], self.ids["dry"] = self.capture(
            self.t_coop, harvest(self.h1), harvest(self.h2),
            drying([(self.h1, 500), (self.h2, 500)], (self.product, 300)))
        [self.ids["ship"]] = self.capture(
            self.t_coop, shipping(self.product, self.coop["gln"], self.exporter["gln"]))
        [self.ids["receive"]] = self.capture(
            self.t_exporter, receiving(self.product, self.coop["gln"], self.exporter["gln"]))

    def state(self) -> dict:
        """What the world's set-up made (organisations, tokens, lots, event ids): enough to be
        the same world again on a copy of its database."""
        own = {"app", "client", "actions", "chain"}
        return {name: value for name, value in vars(self).items() if name not in own}

    @property
    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(app_services(self.app).sessions)

    def capture(self, token: str, *events: dict) -> list[str]:
        r = self.client.post("/epcis/capture", data=json.dumps(document(*events)),
                             content_type="application/json", headers=self.actions.auth(token))
        assert r.status_code == 202 and r.json["success"], r.json
        return r.json.get("eventIDs") or self._latest(len(events))

    def _latest(self, n: int) -> list[str]:
        rows = self.sql("SELECT event_id FROM events ORDER BY id DESC LIMIT :n", n=n)
        return [r[0] for r in reversed(rows)]

    def signing_address(self, org: dict) -> str:
        with self.uow as u:
            return u.session.scalar(select(Organisation.signing_address)
                                    .where(Organisation.id == org["id"]))

    def register_signers(self, *orgs: dict) -> None:
        for org in orgs or (self.coop, self.exporter):
            self.chain.register_signer(self.signing_address(org),
                                       organisation_id_bytes(org["gln"]))

    def anchor(self, *, register_signers: bool = True):
        # anchor_pending registers signers itself when the chain client can; a test of an
        # unregistered signer hands it a client that cannot (a registrar who never did).
        chain = self.chain if register_signers else _WithoutRegistrar(self.chain)
        report = anchor_pending(self.uow, chain, SETTINGS,
                                keyring=app_services(self.app).keyring)
        assert not report.waiting and report.skipped is None, report
        return report

    def sql(self, statement: str, **params):
        with app_services(self.app).engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else None

    def body(self, name: str) -> dict:
        [(body,)] = self.sql("SELECT body FROM events WHERE event_id = :e", e=self.ids[name])
        return orjson.loads(body)

    def set_body(self, name: str, event: dict) -> None:
        self.sql("UPDATE events SET body = :b WHERE event_id = :e",
                 b=orjson.dumps(event).decode(), e=self.ids[name])

    def column(self, name: str, column: str):
        [(value,)] = self.sql(f"SELECT {column} FROM events WHERE event_id = :e",
                              e=self.ids[name])
        return value

    def set_column(self, name: str, column: str, value) -> None:
        self.sql(f"UPDATE events SET {column} = :v WHERE event_id = :e", v=value,
                 e=self.ids[name])

    def status(self, name: str, *, fresh: bool = False, caches=None, reader="chain") -> str:
        return self.verdict(name, fresh=fresh, caches=caches, reader=reader).verdict.status

    def verdict(self, name: str, *, fresh: bool = False, caches=None, reader="chain"):
        return verify_event(self.ids[name], self.uow, self.chain if reader == "chain" else reader,
                            fresh=fresh, caches=caches or VerificationCaches())

    def statuses(self, **kw) -> dict[str, str]:
        return {name: self.status(name, **kw) for name in self.ids}

    def lot_status(self, gtin: str, lot: str, **kw) -> str:
        caches = kw.pop("caches", None) or VerificationCaches()
        return verify_lot(gtin, lot, self.uow, self.chain, caches=caches, **kw).verdict.status


@pytest.fixture
def world(app, client, actions, chain, dataset) -> World:
    with_verification_api(app)
    app_services(app).chain_reader = chain
    state = dataset("verification-world",
                    lambda: World(app, client, actions, chain).state())
    return World(app, client, actions, chain, copy_of=state)


@pytest.fixture(scope="session")
def _anchored_snapshots() -> dict:
    return {}  # backend -> the snapshot of the process's chain right after the world's anchoring


@pytest.fixture
def anchored(world, dataset, _anchored_snapshots) -> World:
    """The world with its signers registered and every event anchored; done once per process and
    backend, then the database copied and the chain reverted to just after it."""
    backend = app_services(world.app).settings.database_url.split(":", 1)[0]

    def build() -> dict:
        world.register_signers()
        world.anchor()
        _anchored_snapshots[backend] = world.chain.w3.testing.snapshot()
        return world.state()

    vars(world).update(dataset("verification-anchored", build))
    world.chain.w3.testing.revert(_anchored_snapshots[backend])
    return world


class _WithoutRegistrar:
    """The anchoring client minus register_signer: nobody registers the signers."""

    def __init__(self, chain):
        self._chain = chain

    def __getattr__(self, name):
        if name == "register_signer":
            raise AttributeError(name)
        return getattr(self._chain, name)

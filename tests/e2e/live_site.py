"""A live tracechain server for the browser tests: the demo, signed and anchored, over HTTP.

``LiveSite.start(folder)`` migrates a fresh SQLite database in ``folder``, loads the demo through
the use cases (as `tracechain demo` does), deploys TraceAnchor on its own in-process eth-tester
chain, signs and anchors every event, hands that contract to the app as its chain reader (so
pages say "verified"), and serves the app on 127.0.0.1 at a free port from a background thread.
eth-tester lives in this process, which is why the server is a thread and not a subprocess.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from eth_account import Account
from sqlalchemy import bindparam, text
from werkzeug.serving import make_server

from tracechain import create_app
from tracechain.anchor.contract import AnchorContract
from tracechain.anchor.provider import make_eth_tester_web3
from tracechain.app_services import app_services
from tracechain.services.anchoring.anchorer import AnchorSettings, anchor_pending
from tracechain.services.demo.loader import DemoSummary, load_demo
from tracechain.services.epcis.capture import CaptureSettings
from tracechain.services.verification.verdicts import VerificationCaches, verify_lot
from tracechain.store import migrate
from tracechain.store.uow import SqlUnitOfWork

ANCHOR_SETTINGS = AnchorSettings(interval=0, max_batch=1000, receipt_timeout=10)


class SerialisedReader:
    """The contract client behind a lock: eth-tester is not made for concurrent callers, and the
    server answers each request in its own thread."""

    def __init__(self, client: AnchorContract):
        self._client = client
        self._lock = threading.RLock()

    def __getattr__(self, name: str):
        value = getattr(self._client, name)
        if not callable(value):
            return value

        def serialised(*args, **kwargs):
            with self._lock:
                return value(*args, **kwargs)

        return serialised


@dataclass
class LiveSite:
    app: object
    chain: AnchorContract
    demo: DemoSummary
    base_url: str
    _server: object = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def start(cls, folder: Path) -> LiveSite:
        t0 = time.perf_counter()
        url = f"sqlite:///{folder / 'trace.db'}"
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "VAR_DIR": str(folder),
                          "SIGNING_SECRET": "e2e-secret-0123456789", "SIGNING_KDF_N": 2**14})
        uow = SqlUnitOfWork(app_services(app).sessions)
        demo = load_demo(CaptureSettings(capture_limit=app_services(app).settings.capture_limit,
                                         max_yield=app_services(app).settings.max_yield),
                         uow, app_services(app).keyring)
        t_demo = time.perf_counter()
        w3 = make_eth_tester_web3()
        account = Account.create()
        w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": account.address,
                                 "value": 10**20})
        chain = AnchorContract.deploy(w3, account)
        # anchor_pending registers the organisations' signers (the contract client can), signs
        # the unsigned events with their keys and anchors them in one confirmed batch.
        report = anchor_pending(SqlUnitOfWork(app_services(app).sessions), chain,
                                ANCHOR_SETTINGS, force=True,
                                keyring=app_services(app).keyring)
        assert not report.waiting and report.skipped is None, report
        assert report.events_anchored == demo.events, report
        app_services(app).chain_reader = SerialisedReader(chain)
        t_chain = time.perf_counter()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="e2e-live-server",
                                  daemon=True)
        thread.start()
        base_url = f"http://127.0.0.1:{server.server_port}"
        # the host the QR codes name: this server
        app_services(app).reconfigure(public_base_url=base_url)
        site = cls(app, chain, demo, base_url, server, thread)
        site.timings = {"demo": t_demo - t0, "chain": t_chain - t_demo,
                        "total": time.perf_counter() - t0}
        return site

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        app_services(self.app).engine.dispose()

    def anchor(self) -> None:
        """Anchor what tests recorded since the start (a recall and its lift are signed EPCIS
        events, pending until anchored: docs/RECALLS.md)."""
        report = anchor_pending(self.uow, self.chain, ANCHOR_SETTINGS, force=True,
                                keyring=app_services(self.app).keyring)
        assert not report.waiting and report.skipped is None, report
        # verdicts read before this batch was anchored are out of date
        app_services(self.app).verification_caches = VerificationCaches()

    @property
    def host(self) -> str:
        return self.base_url.split("://", 1)[1]

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(app_services(self.app).sessions)

    def sql(self, statement: str, **params):
        """Run one statement; a list or tuple parameter expands (``WHERE x IN :xs``)."""
        query = text(statement).bindparams(*(bindparam(name, expanding=True)
                                             for name, value in params.items()
                                             if isinstance(value, list | tuple)))
        with app_services(self.app).engine.begin() as conn:
            result = conn.execute(query, params)
            return result.all() if result.returns_rows else None

    def token(self, who: str) -> str:
        """The demo bearer token of the first holder whose description contains ``who``."""
        return next(t for name, t in self.demo.tokens.items() if who in name)

    def lineage(self, gtin: str, lot: str):
        """Our own verification of the lot's lineage (back to the farms): the events the page
        must account for, with their hashes."""
        return verify_lot(gtin, lot, self.uow, self.chain, caches=VerificationCaches())

"""The crash tests' stack: a TRACE_VAR_DIR with a migrated database, the app in this process (to
capture and to read), real `tracechain` processes (the anchorer, `chain stop|start`), and the
local anvil they start on a free port; plus the checks that the database and the chain agree.

Everything started is remembered and ended in ``Stack.close`` (also when a test fails): our
processes, then the anvil (``anvil.stop``, what `tracechain chain stop` runs, then SIGKILL by the
pid in anvil/anvil.json, then any anvil whose command line names this stack's state file).
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eth_utils import keccak
from sqlalchemy import select, update
from web3 import Web3

from tests.integration.crash.forked import Forked
from tests.integration.epcis_docs import document, harvest
from tests.support.databases import SqliteTemplate
from tracechain import create_app
from tracechain.anchor import anvil, deployment, wiring
from tracechain.anchor.contract import AnchorContract, load_artifact
from tracechain.app_services import app_services
from tracechain.domain.commitments import state_leaf
from tracechain.domain.merkle import MerkleTree, event_hash_bytes
from tracechain.gs1.keys import check_digit
from tracechain.services.accounts import organisations as accounts
from tracechain.services.anchoring.signer_registry import register_signers
from tracechain.services.demo.loader import load_demo
from tracechain.services.epcis.capture import CaptureSettings
from tracechain.store import migrate
from tracechain.store.anchoring import AnchorBatch, AnchorLease
from tracechain.store.events import Event
from tracechain.store.uow import SqlUnitOfWork

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
WRAPPER = HERE / "anchorer_with_faults.py"
ANVIL_BIN = REPO / "contracts" / "node_modules" / ".bin" / "anvil"
SECRET = "crash-tests-signing-secret-0123"
WAIT = 30.0  # the bound on every wait, in seconds
ANCHORED_TOPIC = "0x" + keccak(text="Anchored(bytes32,address,uint32,uint64,uint64)").hex()


_DEMO_EVENTS: dict[str, int] = {}  # the demo's event count, once a SQLite stack kept it


class KnownBug(AssertionError):
    """A check that fails because of a bug this suite found (the tests xfail on exactly this)."""


def _venv_bin() -> Path:
    here = Path(sys.executable).parent
    return here if (here / "tracechain").exists() else REPO / ".venv" / "bin"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, what: str, timeout: float = WAIT, every: float = 0.05, details=None):
    """Poll ``predicate`` until it returns something truthy (returned); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            more = f"\n{details()}" if details else ""
            raise AssertionError(f"not within {timeout:.0f} s: {what}{more}")
        time.sleep(every)


class Process:
    """A `tracechain` process of ours, its output in files (readable while it runs): forked
    from a process that has imported tracechain already (forked.py), or, with
    TRACE_TEST_SPAWN=1 in the test's environment, a new interpreter as an operator starts it."""

    def __init__(self, name: str, args: list[str], env: dict, directory: Path, *,
                 wrapper: bool = False):
        self.name = name
        self.out_path, self.err_path = directory / f"{name}.out", directory / f"{name}.err"
        self.out_path.touch()
        self.err_path.touch()
        self.popen: subprocess.Popen | Forked
        if os.environ.get("TRACE_TEST_SPAWN") == "1":
            argv = ([sys.executable, str(WRAPPER), *args] if wrapper
                    else [str(_venv_bin() / "tracechain"), *args])
            with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
                self.popen = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                              stdout=out, stderr=err, cwd=directory)
        else:
            self.popen = Forked(args, env, directory, self.out_path, self.err_path,
                                wrapper=wrapper)

    @property
    def out(self) -> str:
        return self.out_path.read_text(errors="replace")

    @property
    def err(self) -> str:
        return self.err_path.read_text(errors="replace")

    def wait(self, timeout: float = WAIT) -> int:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.name} did not exit within {timeout:.0f} s:\n"
                                 f"{self.describe()}") from None

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=10)

    def describe(self) -> str:
        return (f"--- {self.name} (exit {self.popen.poll()}) stdout:\n{self.out[-3000:]}"
                f"\n--- {self.name} stderr:\n{self.err[-3000:]}")


class Stack:
    """``template``: the test process's migrated SQLite file (tests/support/databases.py), copied
    for a stack on SQLite instead of migrating a new file (~0.3 s each), and where the demo, once
    loaded through the use cases by the first such stack, is kept for the next ones."""

    def __init__(self, root: Path, database_url: str | None = None, *, signing: bool = True,
                 template: SqliteTemplate | None = None, **env):
        self.root = root
        self.var = root / "var"
        self.var.mkdir(parents=True)
        self.port = free_port()
        self.database_url = database_url or f"sqlite:///{self.var / 'tracechain.db'}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_")}
        self.env.update({
            "TRACE_VAR_DIR": str(self.var), "TRACE_DATABASE_URL": self.database_url,
            "TRACE_LOCAL_CHAIN_PORT": str(self.port), "TRACE_ANCHOR_INTERVAL": "0.2",
            "TRACE_SIGNING_SECRET": SECRET, "TRACE_SIGNING_KDF_N": str(2**14),
            "TRACE_ANVIL_BIN": str(ANVIL_BIN), "TRACE_ANCHOR_IN_BACKGROUND": "0",
            "PYTHONUNBUFFERED": "1",
        })
        self.env.update({k: str(v) for k, v in env.items()})
        self.processes: list[Process] = []
        self.anvil_pids: set[int] = set()
        self._template = template if database_url is None else None
        if self._template is not None:
            self._template.copy_to(self.var / "tracechain.db")
        else:
            migrate.upgrade(self.database_url)
        self.app = create_app({
            "VAR_DIR": str(self.var), "DATABASE_URL": self.database_url, "TESTING": True,
            "LOCAL_CHAIN_PORT": self.port, "SIGNING_SECRET": SECRET, "SIGNING_KDF_N": 2**14,
            "ANVIL_BIN": str(ANVIL_BIN), "CHAIN_RPC_URL": "", "CHAIN_ID": None,
            "CHAIN_CONTRACT": "", "ANCHOR_KEYSTORE": ""})
        self.client = self.app.test_client()
        self._member: str | None = None
        self._signing = signing  # whether our cooperative gets a signing key (to register)

    # --- the service, in this process ---------------------------------------------------------

    @property
    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(app_services(self.app).sessions)

    def load_demo(self) -> int:
        """The demo, as ``tracechain demo`` loads it; its number of events. On SQLite with a
        template, the first stack of the process loads it and later ones get a copy of that
        database (as the ``dataset`` fixture does): the same organisations, keystores (opened
        with SECRET) and events, ~1 s of scrypt and capture fewer."""
        if self._template is not None and "crash-demo" in _DEMO_EVENTS:
            app_services(self.app).engine.dispose()  # no connection into the file replaced
            self._template.restore("crash-demo", self.database_url)
            return _DEMO_EVENTS["crash-demo"]
        summary = load_demo(CaptureSettings(), self.uow,
                            app_services(self.app).keyring)
        if self._template is not None:
            self._template.snapshot("crash-demo", self.database_url)
            _DEMO_EVENTS["crash-demo"] = summary.events
        return summary.events

    def add_cooperative(self, signing: bool | None = None) -> None:
        """A cooperative of our own and a member's token (captures go there from now on); it gets
        a signing key (so an anchorer registers its signer) unless ``signing`` is False."""
        signing = self._signing if signing is None else signing
        body = f"893{uuid.uuid4().int % 10**9:09d}"
        org_id = accounts.create_organisation(
            f"HTX crash {body}", "cooperative", body + str(check_digit(body)), self.uow,
            province="Quảng Trị",
            keyring=app_services(self.app).keyring if signing else None)
        email = f"{uuid.uuid4().hex[:8]}@example.vn"
        accounts.create_user(email, email, "member", org_id, self.uow)
        self._member = accounts.create_token(email, "crash tests", self.uow)

    def _auth(self) -> dict:
        if self._member is None:
            self.add_cooperative()
        return {"Authorization": f"Bearer {self._member}"}

    def capture(self, n: int) -> list[str]:
        """Capture ``n`` harvest events through POST /epcis/capture; their eventIDs."""
        doc = document(*[harvest(f"C{uuid.uuid4().hex[:10]}") for _ in range(n)])
        r = self.client.post("/epcis/capture", data=json.dumps(doc),
                             content_type="application/json",
                             headers=self._auth())
        assert r.status_code == 202 and r.json["success"], r.json
        with self.uow as u:
            return list(u.session.scalars(select(Event.event_id).order_by(Event.id.desc())
                                          .limit(n)))

    def get_events(self) -> list[dict]:
        r = self.client.get("/epcis/events?perPage=1000", headers=self._auth())
        assert r.status_code == 200, r.data[:500]
        return r.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]

    def batches(self) -> list[AnchorBatch]:
        with self.uow as u:
            return list(u.session.scalars(select(AnchorBatch).order_by(AnchorBatch.id)))

    def events(self):
        with self.uow as u:
            return u.session.execute(select(Event.id, Event.event_hash, Event.batch_id,
                                            Event.leaf_index).order_by(Event.id)).all()

    def all_confirmed(self) -> bool:
        events = self.events()
        return bool(events) and all(e.batch_id is not None for e in events) and all(
            b.status == "confirmed" for b in self.batches())

    def lease(self) -> AnchorLease | None:
        with self.uow as u:
            return u.session.get(AnchorLease, "anchorer")

    def expire_lease(self) -> None:
        """What lease_seconds (15 s) of waiting would do for a killed anchorer's lease."""
        with self.uow as u:
            u.session.execute(update(AnchorLease).values(
                expires_at=datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)))
            u.commit()

    # --- processes -----------------------------------------------------------------------------

    def start(self, name: str, *args: str, kill: str | None = None, **env) -> Process:
        """``tracechain *args`` (through the fault wrapper, which does nothing without ``kill``)."""
        penv = dict(self.env)
        penv.update({k: str(v) for k, v in env.items()})
        if kill:
            penv["TRACE_TEST_KILL"] = kill
            penv["TRACE_TEST_KILL_MARK"] = str(self.root / f"{name}.killed")
        wrapper = bool(kill or any(k.startswith("TRACE_TEST_") and k != "TRACE_TEST_SPAWN"
                                   for k in penv))
        process = Process(name, list(args), penv, self.root, wrapper=wrapper)
        self.processes.append(process)
        return process

    def run(self, name: str, *args: str, kill: str | None = None, timeout: float = WAIT,
            **env) -> Process:
        process = self.start(name, *args, kill=kill, **env)
        process.wait(timeout)
        self._note_anvil()
        return process

    def killed_at(self, name: str) -> str | None:
        mark = self.root / f"{name}.killed"
        return mark.read_text().strip() if mark.exists() else None

    # --- the chain -----------------------------------------------------------------------------

    def _note_anvil(self) -> anvil.AnvilHandle | None:
        handle = anvil.status(self.var)
        if handle is not None:
            self.anvil_pids.add(handle.pid)
        return handle

    def start_chain(self, deploy: bool = True) -> None:
        """Start the local anvil (and deploy) from this process, as `tracechain chain deploy`."""
        handle = anvil.start(self.var, self.port, binary=ANVIL_BIN)
        self.anvil_pids.add(handle.pid)
        if deploy:
            wiring.contract(app_services(self.app).settings.config, start=False, deploy=True)

    def register_signers(self) -> int:
        """Register every signing address now, from this process (what an anchorer does first)."""
        chain = wiring.contract(app_services(self.app).settings.config, start=False)
        return register_signers(self.uow, chain, app_services(self.app).keyring)

    def w3(self) -> Web3:
        return Web3(Web3.HTTPProvider(f"http://127.0.0.1:{self.port}",
                                      request_kwargs={"timeout": 5}))

    def contract(self) -> AnchorContract:
        """The TraceAnchor the service knows: chain.json's (what verification reads)."""
        known = deployment.load(self.var)
        assert known is not None, "no chain.json: the contract was never deployed"
        return AnchorContract.from_web3(self.w3(), known.address)

    def anchored_logs(self) -> list[tuple[str, str, int, str]]:
        """Every Anchored log on the chain, from any address: (address, root, block, tx)."""
        w3 = self.w3()
        event = w3.eth.contract(abi=load_artifact()["abi"]).events.Anchored()
        logs = w3.eth.get_logs({"fromBlock": 0, "toBlock": "latest", "topics": [ANCHORED_TOPIC]})
        out = []
        for log in logs:
            decoded = event.process_log(log)
            out.append((log["address"], "0x" + decoded["args"]["root"].hex(), log["blockNumber"],
                        log["transactionHash"].to_0x_hex()))
        return out

    def chain_up(self) -> bool:
        try:
            return self.w3().eth.chain_id == 31337
        except Exception:  # noqa: BLE001 - down
            return False

    def kill_anvil(self) -> int:
        handle = self._note_anvil()
        assert handle is not None, "no anvil to kill"
        os.kill(handle.pid, signal.SIGKILL)
        wait_until(lambda: anvil.status(self.var) is None, "the killed anvil is gone", 10)
        return handle.pid

    def describe(self) -> str:
        parts = [p.describe() for p in self.processes]
        log = self.var / "anvil" / "anvil.log"
        if log.exists():
            parts.append("--- anvil.log:\n" + log.read_text(errors="replace")[-1500:])
        return "\n".join(parts)

    # --- the end -------------------------------------------------------------------------------

    def close(self) -> None:
        for process in self.processes:
            process.kill()
        self._note_anvil()
        with contextlib.suppress(Exception):
            anvil.stop(self.var, timeout=5)  # what `tracechain chain stop` does
        state = str(self.var / "anvil" / "state.json")
        for pid in self.anvil_pids | set(_anvils_with_state(state)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):  # ours (started in this process)
                os.waitpid(pid, 0)
        app_services(self.app).engine.dispose()


def _anvils_with_state(state: str) -> list[int]:
    """Pids of anvil processes whose command line names this stack's own state file (an anvil
    that a lost start race left running without anvil.json naming it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"anvil") and state.encode() in argv:
            pids.append(int(entry.name))
    return pids


# --- the end state every scenario must reach ----------------------------------------------------

def assert_converged(stack: Stack, *, known_bug: str | None = None) -> dict[str, int]:
    """Every event in exactly one batch whose stored leaves rebuild its root; every batch
    confirmed; each root anchored once, on the contract chain.json names, with the database's
    facts equal to the chain's. Returns root -> block.

    Chain-side disagreements raise ``KnownBug`` (with ``known_bug`` in the message) when given, so
    that a test can xfail on exactly that."""
    events, batches = stack.events(), stack.batches()
    assert events, "no events"
    assert all(e.batch_id is not None for e in events), \
        f"{sum(e.batch_id is None for e in events)} events in no batch"
    by_batch = collections.defaultdict(list)
    for e in events:
        by_batch[e.batch_id].append(e)
    assert set(by_batch) <= {b.id for b in batches}
    for b in batches:
        assert b.status == "confirmed", f"batch {b.id} is {b.status} ({b.last_error})"
        members = sorted(by_batch[b.id], key=lambda e: e.leaf_index)
        # Its events, then one leaf committing to the lot state after it.
        assert len(members) + 1 == b.leaf_count, (b.id, len(members), b.leaf_count)
        assert [e.leaf_index for e in members] == list(range(b.leaf_count - 1)), b.id
        values = [event_hash_bytes(e.event_hash) for e in members]
        tree = MerkleTree([*values, state_leaf(bytes.fromhex(b.state_root[2:]))])
        assert "0x" + tree.root.hex() == b.root, f"batch {b.id}: its events do not make its root"
    assert len({b.root for b in batches}) == len(batches)

    problems = []
    contract = stack.contract()
    logs = stack.anchored_logs()
    elsewhere = [log for log in logs if log[0] != contract.address]
    if elsewhere:
        problems.append(f"{len(elsewhere)} Anchored logs on contracts other than chain.json's "
                        f"{contract.address}: {sorted({log[0] for log in elsewhere})}")
    counts = collections.Counter(log[1] for log in logs if log[0] == contract.address)
    roots = {b.root for b in batches}
    if set(counts) - roots:
        problems.append(f"roots anchored that no batch has: {sorted(set(counts) - roots)}")
    w3 = stack.w3()
    for b in batches:
        where = f"batch {b.id} ({b.root[:12]}…, block {b.block_number})"
        if counts[b.root] != 1:
            problems.append(f"{where}: {counts[b.root]} Anchored logs on {contract.address}")
        if b.contract != contract.address or b.chain_id != 31337:
            problems.append(f"{where}: recorded on {b.chain_id}/{b.contract}, "
                            f"chain.json says {contract.address}")
        fact = contract.anchor_of(bytes.fromhex(b.root[2:]))
        if fact is None:
            problems.append(f"{where}: confirmed in the database, not anchored on chain")
            continue
        block_time = b.block_time.replace(tzinfo=UTC) if b.block_time else None
        db = (b.block_number, b.leaf_count, (b.submitter or "").lower(),
              int(block_time.timestamp()) if block_time else None)
        chain = (fact.block_number, fact.leaf_count, fact.submitter.lower(), fact.timestamp)
        if db != chain:
            problems.append(f"{where}: database {db} != chain {chain}")
        if b.tx_hash:
            log_tx = [log[3] for log in logs if log[1] == b.root and log[0] == contract.address]
            receipt = w3.eth.get_transaction_receipt(b.tx_hash)
            if receipt["status"] != 1 or log_tx != [b.tx_hash]:
                problems.append(f"{where}: recorded tx {b.tx_hash} (status {receipt['status']}) "
                                f"is not the one that anchored it ({log_tx})")
    if problems:
        message = "the database and the chain disagree:\n  " + "\n  ".join(problems)
        if known_bug:
            raise KnownBug(f"{known_bug}\n{message}")
        raise AssertionError(message)
    return {b.root: b.block_number for b in batches}

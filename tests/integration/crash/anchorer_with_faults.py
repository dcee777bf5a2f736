"""`tracechain ...` with one deliberate SIGKILL inside the anchoring: the crash tests' hook.

Run as ``python anchorer_with_faults.py anchor [--watch]``; without TRACE_TEST_KILL it is plain
``tracechain``. The application code is not changed: ``AnchorContract`` methods are wrapped in
this process only.

TRACE_TEST_KILL = "<method>:<n>:<when>", where method is one of build_anchor_tx, send_raw,
receipt, and the process kills itself with SIGKILL at the n-th call (counting from 1):

- ``before``: before delegating (nothing of that call reached the node);
- ``after``: after delegating; for ``send_raw`` only once the transaction is mined;
- ``mined`` (receipt only): at the n-th call that returns a receipt, i.e. the transaction is
  mined and the anchorer has just heard so, but has not written it down.

Only anchor transactions count: signer registrations go through ``send_raw`` too, so send_raw
counts only the raw transactions that ``build_anchor_tx`` produced in this process.

TRACE_TEST_KILL_MARK: a file written just before dying (its content says where), so that the test
can tell the kill happened where it meant and not somewhere else.

Two more hooks, for the races between processes:

- TRACE_TEST_LEASE_LOG=<path>: every ``take_lease`` (with its answer) and ``release_lease`` is
  appended to <path>.<pid> with a ``time.time_ns()`` stamp, so that the test can check that no
  two anchorers ever held the lease at once. A release is stamped *before* it is committed and
  a take *after*, so a correct lease never shows an overlap.
- TRACE_TEST_LEASE_BARRIER=<dir>: the first time this process reads the lease row and finds it
  held by someone else but expired (a killed anchorer's), it waits (at most 2 s) for a second
  process to get to the same point: both then decide on what they read. This only widens the
  window between reading the lease and writing it; it changes no decision.
- TRACE_TEST_DEPLOY_RACE=<dir>:first|second: two processes deploying at once, staged: "first"
  deploys, and only saves chain.json once "second" has read it (still empty); "second" deploys
  only once the first deployment is mined (so the two transactions differ: identical ones would
  be one transaction, and one contract). Each waits at most 10 s.
- TRACE_TEST_HOLD_ANCHOR=<dir>: the first anchor transaction, stored as sent, waits (at most
  10 s) before it is sent until <dir>/go exists; <dir>/held says that it waits.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from datetime import UTC
from pathlib import Path


def _die(where: str) -> None:
    mark = os.environ.get("TRACE_TEST_KILL_MARK")
    if mark:
        Path(mark).write_text(where + "\n", encoding="utf-8")
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(60)  # never reached


def _install(spec: str) -> None:
    from tracechain.anchor.contract import AnchorContract

    method, n, when = spec.split(":")
    n = int(n)
    if method not in ("build_anchor_tx", "send_raw", "receipt"):
        raise SystemExit(f"TRACE_TEST_KILL: unknown method {method!r}")
    if when not in ("before", "after", "mined") or (when == "mined" and method != "receipt"):
        raise SystemExit(f"TRACE_TEST_KILL: unknown point {when!r} for {method}")
    original = getattr(AnchorContract, method)
    anchor_raws: set[str] = set()
    calls = {"n": 0}

    if method == "send_raw":
        build = AnchorContract.build_anchor_tx

        def remembering_build(self, *args, **kwargs):
            tx = build(self, *args, **kwargs)
            anchor_raws.add(tx.raw)
            return tx

        AnchorContract.build_anchor_tx = remembering_build

    def counted(self, *args, **kwargs):
        counts = method != "send_raw" or _raw_hex(args[0]) in anchor_raws
        if counts and when != "mined":
            calls["n"] += 1
        if counts and when == "before" and calls["n"] == n:
            _die(f"{method}#{n} before")
        result = original(self, *args, **kwargs)
        if counts and when == "mined" and result is not None:
            calls["n"] += 1
        if counts and calls["n"] == n and when in ("after", "mined"):
            if method == "send_raw":  # anvil mines at once; make sure before dying
                self.w3.eth.wait_for_transaction_receipt(result, timeout=20, poll_latency=0.05)
            _die(f"{method}#{n} {when}")
        return result

    setattr(AnchorContract, method, counted)


def _barrier(directory: str, timeout: float, parties: int = 2) -> bool:
    """Wait until ``parties`` processes have arrived in ``directory``; False on timeout."""
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    (path / str(os.getpid())).touch()
    deadline = time.monotonic() + timeout
    while len(list(path.iterdir())) < parties:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def _install_lease_log(target: str) -> None:
    from tracechain.services.anchoring import anchorer as anchoring

    take, release = anchoring.take_lease, anchoring.release_lease
    log_path = Path(f"{target}.{os.getpid()}")

    def log(line: str) -> None:
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def logged_take(uow, holder, seconds, name=anchoring.LEASE):
        ok = take(uow, holder, seconds, name)
        log(f"{time.time_ns()} take {holder} {int(ok)}")
        return ok

    def logged_release(uow, holder, name=anchoring.LEASE):
        log(f"{time.time_ns()} release {holder}")
        release(uow, holder, name)

    anchoring.take_lease, anchoring.release_lease = logged_take, logged_release


def _install_lease_barrier(directory: str) -> None:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from tracechain.store.anchoring import AnchorLease

    get = Session.get
    done = {"yes": False}

    def get_then_wait(self, entity, ident, *args, **kwargs):
        row = get(self, entity, ident, *args, **kwargs)
        if entity is AnchorLease and row is not None and not done["yes"]:
            expires = row.expires_at
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
            if expires <= datetime.now(UTC):
                done["yes"] = True
                _barrier(directory, timeout=2.0)
        return row

    Session.get = get_then_wait


def _wait_for(path: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def _install_deploy_race(spec: str) -> None:
    from tracechain.anchor import deployment
    from tracechain.anchor.contract import AnchorContract

    directory, role = spec.rsplit(":", 1)
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    done = {"yes": False}
    if role == "first":
        deploy = AnchorContract.deploy.__func__

        def deploy_then_wait(cls, *args, **kwargs):
            contract = deploy(cls, *args, **kwargs)
            if not done["yes"]:
                done["yes"] = True
                (path / "first-deployed").touch()
                _wait_for(path / "second-loaded", 10.0)
            return contract

        AnchorContract.deploy = classmethod(deploy_then_wait)
    elif role == "second":
        load = deployment.load

        def load_then_wait(*args, **kwargs):
            known = load(*args, **kwargs)
            if not done["yes"]:
                done["yes"] = True
                (path / "second-loaded").touch()
                _wait_for(path / "first-deployed", 10.0)
            return known

        deployment.load = load_then_wait
    else:
        raise SystemExit(f"TRACE_TEST_DEPLOY_RACE: unknown role {role!r}")


def _install_hold_anchor(directory: str) -> None:
    from tracechain.anchor.contract import AnchorContract

    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    build, send = AnchorContract.build_anchor_tx, AnchorContract.send_raw
    anchor_raws: set[str] = set()
    done = {"yes": False}

    def remembering_build(self, *args, **kwargs):
        tx = build(self, *args, **kwargs)
        anchor_raws.add(tx.raw)
        return tx

    def held_send(self, raw, *args, **kwargs):
        if _raw_hex(raw) in anchor_raws and not done["yes"]:
            done["yes"] = True
            (path / "held").touch()
            _wait_for(path / "go", 10.0)
        return send(self, raw, *args, **kwargs)

    AnchorContract.build_anchor_tx, AnchorContract.send_raw = remembering_build, held_send


def _raw_hex(raw) -> str:
    return raw if isinstance(raw, str) else "0x" + bytes(raw).hex()


def main() -> None:
    spec = os.environ.get("TRACE_TEST_KILL")
    if spec:
        _install(spec)
    if os.environ.get("TRACE_TEST_LEASE_LOG"):
        _install_lease_log(os.environ["TRACE_TEST_LEASE_LOG"])
    if os.environ.get("TRACE_TEST_LEASE_BARRIER"):
        _install_lease_barrier(os.environ["TRACE_TEST_LEASE_BARRIER"])
    if os.environ.get("TRACE_TEST_DEPLOY_RACE"):
        _install_deploy_race(os.environ["TRACE_TEST_DEPLOY_RACE"])
    if os.environ.get("TRACE_TEST_HOLD_ANCHOR"):
        _install_hold_anchor(os.environ["TRACE_TEST_HOLD_ANCHOR"])
    from tracechain.cli import main as tracechain_main

    tracechain_main()


if __name__ == "__main__":
    main()

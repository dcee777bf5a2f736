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
"""

from __future__ import annotations

import os
import signal
import sys
import time
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


def _raw_hex(raw) -> str:
    return raw if isinstance(raw, str) else "0x" + bytes(raw).hex()


def main() -> None:
    spec = os.environ.get("TRACE_TEST_KILL")
    if spec:
        _install(spec)
    from tracechain.cli import main as tracechain_main

    tracechain_main()


if __name__ == "__main__":
    main()

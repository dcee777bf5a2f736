"""A local anvil (Foundry's development node) under ``<var_dir>/anvil/``, kept across restarts.

anvil keeps its chain in memory. ``--state FILE`` loads FILE at start and writes it on a clean
exit (SIGTERM or SIGINT); ``--state-interval N`` also writes it every N seconds. What we measured
with anvil 1.7.1 (tests/integration/chain/test_anvil_process.py keeps checking it):

- ``stop`` (SIGTERM): everything survives, contract and anchors, at the same block numbers;
- SIGKILL without ``--state-interval``: everything since the last start is lost;
- SIGKILL with ``--state-interval 2``: what was mined up to the last dump survives, so at most
  the last ~2 seconds are lost. (The anchorer re-sends or rebuilds what the chain forgot, and
  ``deployment.ensure_deployed`` redeploys on a chain that lost the contract.)
- anvil rewrites the file in place (truncate, then write in 8 KB chunks), so a kill during a dump
  can leave it cut short, and anvil then refuses to start ("failed to parse json file"). ``start``
  therefore keeps a copy of the last state that loaded, and falls back to it, saying so.

anvil runs in its own session, so it outlives the command that started it; ``<var_dir>/anvil/
anvil.json`` says which process and port it is, and ``anvil.log`` collects what it prints.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from ..private_files import private_dir, write_private_text
from .errors import LocalChainError
from .provider import DEV_CHAIN_ID, make_web3

STATE_INTERVAL = 2  # seconds between state dumps: a kill -9 loses at most about this much
START_TIMEOUT = 30.0  # seconds; anvil answers in well under one
STOP_TIMEOUT = 15.0  # seconds to write the state and exit before SIGKILL
_REPO_ANVIL = Path(__file__).resolve().parents[2] / "contracts" / "node_modules" / ".bin" / "anvil"


@dataclass(frozen=True)
class AnvilHandle:
    pid: int
    port: int
    chain_id: int
    directory: Path
    started: bool = True  # False: it was running already
    note: str | None = None  # what start had to repair, if anything

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def state_path(self) -> Path:
        return self.directory / "state.json"

    @property
    def log_path(self) -> Path:
        return self.directory / "anvil.log"


def find_anvil(configured: str | os.PathLike | None = None) -> Path:
    """The anvil binary: ``configured`` (TRACE_ANVIL_BIN), else contracts/node_modules/.bin/anvil
    of this checkout (``make contracts``), else ``anvil`` on PATH.

    :raises LocalChainError: none of them exists.
    """
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise LocalChainError(f"TRACE_ANVIL_BIN={path} does not exist")
        return path
    if _REPO_ANVIL.exists():
        return _REPO_ANVIL
    on_path = shutil.which("anvil")
    if on_path:
        return Path(on_path)
    raise LocalChainError("anvil is not installed: run `cd contracts && npm ci` (or `make "
                          "contracts`), put anvil on PATH, or set TRACE_ANVIL_BIN")


def start(var_dir: str | os.PathLike, port: int = 8545, chain_id: int = DEV_CHAIN_ID, *,
          binary: str | os.PathLike | None = None, state_interval: int = STATE_INTERVAL,
          timeout: float = START_TIMEOUT) -> AnvilHandle:
    """Start anvil on 127.0.0.1:``port`` with its state in ``<var_dir>/anvil/state.json``, and
    wait until it answers. Already running: its handle (``started`` False). ``binary`` is
    TRACE_ANVIL_BIN when configured (see ``find_anvil``).

    :raises LocalChainError: no anvil binary; it runs already on another port or chain; it died
        or did not answer in ``timeout`` seconds (the message has the end of its log).
    """
    directory = Path(var_dir) / "anvil"
    running = status(var_dir)
    if running is not None:
        if (running.port, running.chain_id) != (port, chain_id):
            raise LocalChainError(f"anvil already runs on port {running.port} with chain id "
                                  f"{running.chain_id} (pid {running.pid}): "
                                  "`tracechain chain stop` first")
        return running
    binary = find_anvil(binary)
    _require_free(port)
    private_dir(directory)  # anvil's state.json: owner only
    note = _check_state(directory)
    log_path = directory / "anvil.log"
    args = [str(binary), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(chain_id),
            "--state", str(directory / "state.json"), "--state-interval", str(state_interval),
            "--silent"]
    # posix_spawn rather than subprocess: anvil must outlive us (its own session, no Popen
    # object to complain that it is "still running" when ours goes away).
    pid = os.posix_spawn(str(binary), args, os.environ, setsid=True, file_actions=[
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(log_path), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ])
    handle = AnvilHandle(pid, port, chain_id, directory, True, note)
    _write_json(directory / "anvil.json", {"pid": pid, "port": port, "chain_id": chain_id,
                                           "url": handle.url, "binary": str(binary)})
    _wait_until_up(handle, timeout)
    return handle


def stop(var_dir: str | os.PathLike, *, timeout: float = STOP_TIMEOUT) -> bool:
    """Stop the local anvil: SIGTERM, so that it writes its state; SIGKILL after ``timeout``
    seconds. False if it was not running."""
    handle = status(var_dir)
    info_path = Path(var_dir) / "anvil" / "anvil.json"
    if handle is None:
        info_path.unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError):  # it may have just exited by itself
        os.kill(handle.pid, signal.SIGTERM)
        if not _wait_exit(handle.pid, timeout):
            os.kill(handle.pid, signal.SIGKILL)
            _wait_exit(handle.pid, 5.0)
    info_path.unlink(missing_ok=True)
    return True


def crashed(var_dir: str | os.PathLike) -> bool:
    """True when the local anvil died without `stop` (its record is there, its process is not):
    restarting it is a repair. After `tracechain chain stop` the record is gone: a decision."""
    return (Path(var_dir) / "anvil" / "anvil.json").exists() and status(var_dir) is None


def status(var_dir: str | os.PathLike) -> AnvilHandle | None:
    """The running local anvil's handle, or None (no record, or its process is gone)."""
    directory = Path(var_dir) / "anvil"
    try:
        info = json.loads((directory / "anvil.json").read_text(encoding="utf-8"))
        pid = int(info["pid"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    if not _alive(pid):
        return None
    return AnvilHandle(pid, info["port"], info["chain_id"], directory, started=False)


def _check_state(directory: Path) -> str | None:
    """Keep a copy of a state file that parses; replace one that does not by that copy."""
    state, backup = directory / "state.json", directory / "state.last-good.json"
    if not state.exists():
        return None
    if _parses(state):
        shutil.copyfile(state, backup)
        return None
    damaged = directory / f"state.damaged-{time.strftime('%Y%m%dT%H%M%S')}.json"
    state.rename(damaged)
    if backup.exists() and _parses(backup):
        shutil.copyfile(backup, state)
        return (f"{state} was cut short (anvil killed while writing it?); moved it to "
                f"{damaged.name} and went back to the state of the previous start")
    return f"{state} was cut short; moved it to {damaged.name}; starting an empty chain"


def _parses(path: Path) -> bool:
    try:
        json.loads(path.read_bytes())
    except ValueError:
        return False
    return True


def _wait_until_up(handle: AnvilHandle, timeout: float) -> None:
    w3 = make_web3(handle.url, timeout=2.0, retries=0)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(handle.pid):
            _abort(handle)
            raise LocalChainError(f"anvil exited at start:\n{_log_tail(handle.log_path)}")
        try:
            chain_id = w3.eth.chain_id
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.1)
            continue
        if chain_id != handle.chain_id:
            _abort(handle)
            raise LocalChainError(f"something else answers on port {handle.port} (chain id "
                                  f"{chain_id}, not {handle.chain_id})")
        return
    _abort(handle)
    raise LocalChainError(f"anvil did not answer within {timeout:.0f} s:\n"
                          f"{_log_tail(handle.log_path)}")


def _require_free(port: int) -> None:
    # Something listening there would answer our readiness check in anvil's place. (Asking
    # with connect, not bind: a killed anvil's old connections linger without blocking a new one.)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise LocalChainError(f"port {port} on 127.0.0.1 is taken: choose another "
                                  "(TRACE_LOCAL_CHAIN_PORT)")


def _abort(handle: AnvilHandle) -> None:
    if _alive(handle.pid):
        os.kill(handle.pid, signal.SIGKILL)
        _wait_exit(handle.pid, 5.0)
    (handle.directory / "anvil.json").unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        ours = True
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our child, exited: reaped now
            return False
    except ChildProcessError:
        ours = False  # started by an earlier command
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if ours:
        return True  # waitpid knows best: not exited yet (a pid cannot be reused before)
    try:  # Linux, not our child: /proc says whether it is still our anvil
        status = (Path(f"/proc/{pid}") / "status").read_text()
        cmdline = (Path(f"/proc/{pid}") / "cmdline").read_bytes()
    except FileNotFoundError:
        return Path(f"/proc/{pid}").exists() or not Path("/proc/self").exists()
    fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
    # Dead: a zombie whose threads are all gone (until then it still holds its port).
    if fields.get("State", "").startswith(("Z", "X")) and fields.get("Threads", "1").strip() == "1":
        return False
    return not cmdline or b"anvil" in cmdline  # a reused pid is not anvil; empty: exec'ing


def _wait_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _log_tail(path: Path, limit: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-limit:]
    except FileNotFoundError:
        return "(no log)"


def _write_json(path: Path, data: dict) -> None:
    write_private_text(path, json.dumps(data, indent=2) + "\n")

"""`tracechain` processes for the crash tests, forked from one that has already imported it.

Each crash test starts several `tracechain` processes (anchorers it SIGKILLs, `chain stop`,
`chain start`...). Started with ``subprocess.Popen`` each spent ~1.2 s of CPU (more on a busy
machine) importing web3, eth_account and its py_ecc before doing anything: most of these
tests' cost. Here one **zygote** per test process imports tracechain, every module of it (and
the fault wrapper) once, and forks a child for each `tracechain` run, as gunicorn's
``--preload`` does. A child is still a process of its own, with its own pid, environment,
working directory and output files, SIGKILLed by pid like any other: what the tests check
about crashes is unchanged. (Importing every module rather than tracechain.cli alone took the
11 tests from ~45 s to ~20 s of CPU: create_app imports the API, the console, fpdf and
openpyxl inside functions, which each child did again.)

The zygote opens no database connection and starts no thread before forking, so a child
inherits nothing it could share. It reaps its children and writes each one's exit status
(``Popen.returncode``'s convention: negative for a signal) to ``<status dir>/<pid>``, where
``Forked`` reads it.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

ZYGOTE = r"""
import io, json, os, select, signal, sys
sys.path.insert(0, sys.argv[1])
status_dir = sys.argv[2]
import importlib, pkgutil
import tracechain, tracechain.cli, tracechain.anchor.contract, web3, eth_account
import anchorer_with_faults
# Every module of the package, as create_app imports them (lazily, inside functions: the API,
# the console, fpdf, openpyxl...): ~1 s of each child's CPU otherwise. Not the migrations
# (alembic's env.py runs a migration when imported).
for module in pkgutil.walk_packages(tracechain.__path__, "tracechain."):
    if not module.name.startswith("tracechain.store.migrations"):
        importlib.import_module(module.name)

def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        tmp = os.path.join(status_dir, f".{pid}")
        with open(tmp, "w") as f:
            f.write(str(code))
        os.replace(tmp, os.path.join(status_dir, str(pid)))

def child(job):
    os.chdir(job["cwd"])
    os.environ.clear()
    os.environ.update(job["env"])
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(job["stdout"], os.O_WRONLY | os.O_APPEND)
    err = os.open(job["stderr"], os.O_WRONLY | os.O_APPEND)
    for fd, target in ((null, 0), (out, 1), (err, 2)):
        os.dup2(fd, target)
        os.close(fd)
    # unbuffered, as PYTHONUNBUFFERED makes a new interpreter: the tests read it as it runs
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                  errors="backslashreplace", write_through=True)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    sys.argv = ["tracechain", *job["args"]]
    code = 0
    try:
        if job["wrapper"]:
            anchorer_with_faults.main()
        else:
            tracechain.cli.main()
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        if not isinstance(exit.code, int) and exit.code is not None:
            print(exit.code, file=sys.stderr)
    except BaseException:
        import traceback
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

requests = sys.stdin.buffer
while True:
    ready, _, _ = select.select([requests], [], [], 0.02)
    reap()
    if not ready:
        continue
    line = requests.readline()
    if not line:  # the test process is gone
        break
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        child(job)
    try:  # a status left by an earlier child with this pid (reaped only in this loop)
        os.unlink(os.path.join(status_dir, str(pid)))
    except FileNotFoundError:
        pass
    sys.stdout.write(f"{pid}\n")
    sys.stdout.flush()
"""


class Zygote:
    def __init__(self):
        self.status_dir = Path(tempfile.mkdtemp(prefix="tracechain-zygote-"))
        self.process = subprocess.Popen(
            [sys.executable, "-c", ZYGOTE, str(HERE), str(self.status_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, text=True)
        self.lock = threading.Lock()

    def fork(self, args: list[str], env: dict, cwd: Path, stdout: Path, stderr: Path,
             wrapper: bool) -> int:
        job = {"args": args, "env": env, "cwd": str(cwd), "stdout": str(stdout),
               "stderr": str(stderr), "wrapper": wrapper}
        with self.lock:
            assert self.process.stdin and self.process.stdout
            self.process.stdin.write(json.dumps(job) + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the zygote died (exit {self.process.poll()})")
        return int(answer)

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


_zygote: Zygote | None = None


def zygote() -> Zygote:
    global _zygote
    if _zygote is None or _zygote.process.poll() is not None:
        _zygote = Zygote()
        atexit.register(_zygote.close)
    return _zygote


class Forked:
    """What the tests use of ``subprocess.Popen``, for a child of the zygote."""

    def __init__(self, args: list[str], env: dict, cwd: Path, stdout: Path, stderr: Path,
                 *, wrapper: bool):
        z = zygote()
        self._status = z.status_dir
        self.pid = z.fork(args, env, cwd, stdout, stderr, wrapper)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            path = self._status / str(self.pid)
            if path.exists():
                self.returncode = int(path.read_text())
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"tracechain (pid {self.pid})", timeout or 0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, 9)
            except ProcessLookupError:
                pass

"""Root conftest: session-wide fixtures that need no application code.

Nothing here imports ``tracechain``; the app fixtures live in tests/integration/conftest.py.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# `python -m pytest` (what `make test` runs) already has the repo root on sys.path, so
# `tests.support` imports. A bare `pytest` does not: append it (after the standard library,
# so that the repo's trace/ folder never shadows the stdlib `trace` module).
if str(REPO_ROOT) not in sys.path and "" not in sys.path:
    sys.path.append(str(REPO_ROOT))

from tests.support.postgres import PostgresNotFound, find_bindir, postgres_url  # noqa: E402

# The tests' temporary files on a RAM file system where there is one, unless TMPDIR says where.
# Every SQLite test database is created, written and closed in tmp_path: on the disk each costs
# ~40 ms of fsync waits (SQLite syncs when it creates the WAL and checkpoints it at the last
# close), ~1 ms on tmpfs; the same for the PostgreSQL servers' data (tests/support/postgres.py),
# anvil's state dumps and the crash tests' stacks. Nothing a test checks depends on it: a
# killed process loses nothing the page cache holds on either. Set at import, before pytest
# makes its base directory; the xdist workers and every subprocess inherit TMPDIR.
RAM_TEMP_ROOT = Path("/dev/shm")
RAM_TEMP_MIN_FREE = 2 * 2**30  # bytes; a whole run writes a few hundred MB (Docker's is 64 MB)


def _temp_root_in_ram() -> None:
    if os.environ.get("TMPDIR") or os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        return
    try:
        free = os.statvfs(RAM_TEMP_ROOT)
    except OSError:
        return
    if free.f_bavail * free.f_frsize < RAM_TEMP_MIN_FREE or not os.access(RAM_TEMP_ROOT,
                                                                            os.W_OK | os.X_OK):
        return
    os.environ["TMPDIR"] = str(RAM_TEMP_ROOT)
    tempfile.tempdir = None  # gettempdir() reads TMPDIR again


_temp_root_in_ram()

# Tests that pytest-xdist must run on one worker, by node id prefix: each worker would otherwise
# build the session or module fixtures they share (chromium and two live demo sites; an anvil;
# a chain SIGKILLed and restarted). Not ``xdist_group`` marks: pytest-xdist 3.8 passes a mark's
# group to the controller by rewriting the test's node id, which pytest 9.2 ignores
# (pytest-xdist issue #1386), so marked tests would silently be spread over the workers.
XDIST_GROUPS = (
    ("tests/e2e/", "browser"),
    ("tests/integration/chain/test_contract_anvil.py::", "anvil"),
    ("tests/integration/chain/test_chain_id_mismatch.py::", "anvil"),
    ("tests/integration/crash/test_anchoring_crashes.py::test_chain_sigkilled_", "sigkilled"),
    ("tests/integration/test_install.py::", "install"),  # one venv with the dependencies
)
# Rough seconds a test takes on an idle 2-core machine, by node id prefix, for the few that take
# far more than the ~0.1 s of most: the scheduler hands out the heaviest work first, so that no
# worker starts a minute-long test when the others are nearly done. Only the order depends on
# these figures; a wrong one costs time, never a test.
SLOW_TESTS = (
    ("tests/integration/test_install.py::", 25.0),
    ("tests/integration/hardening/test_openapi_conformance.py::", 15.0),
    ("tests/integration/crash/", 8.0),
    ("tests/integration/hardening/test_serve_body_limit.py::", 6.0),
    ("tests/integration/test_access_table.py::", 6.0),
    ("tests/integration/test_serve.py::", 3.0),
    ("tests/integration/test_subscriptions_serve.py::", 5.0),
    ("tests/e2e/", 1.5),
)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Run in parallel by default: ``-n auto --dist loadgroup`` unless the command line says how.

    Not in addopts, so that ``-p no:xdist`` (no ``-n`` option at all) keeps working; ``-n 0``
    runs in this one process, ``-n 3`` with three workers (PYTEST_XDIST_AUTO_NUM_WORKERS sets
    what ``auto`` means). ``loadgroup``: the tests of a group of XDIST_GROUPS run on one worker,
    the others one by one wherever there is room. Every worker starts its own session fixtures
    (a PostgreSQL server, the template databases, an app): a few seconds.
    """
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    if config.option.numprocesses is None and not config.option.tx:
        config.option.numprocesses = "auto"
        if config.option.dist == "no":
            config.option.dist = "loadgroup"


def pytest_configure(config: pytest.Config) -> None:
    """In the controller of a parallel run, before its workers start: the test modules'
    assert-rewritten bytecode, once for all of them (tests/support/rewritten_pycs.py)."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    if config.option.dist == "no" or config.option.collectonly:
        return
    from tests.support.rewritten_pycs import write_once

    roots = {(config.invocation_params.dir / arg.split("::", 1)[0]).resolve()
             for arg in config.args}
    write_once(config, sorted(root for root in roots if root.exists()))


# Python's cyclic garbage collector, as `tracechain serve` sets it in its workers (cli/serve.py):
# after collection a test process holds millions of long-lived objects (every module, test item
# and fixture definition), and each full collection walked all of them again, over and over,
# since the tests allocate hundreds of thousands of short-lived objects (requests, ORM rows,
# templates). ``gc.freeze`` sets what is loaded aside; the higher first threshold collects
# young objects less eagerly. Reference counting still frees everything at once; cycles wait a
# little longer. Measured (-n 2, the same tests A/B): ~8 % less CPU over the console, query and
# presentation tests. TRACE_TEST_GC=default leaves the collector as Python sets it.
# The thresholds are set as soon as this conftest is imported, before the test modules (and
# tracechain, web3, SQLAlchemy...) are: collecting the suite took ~1.4 s less CPU per process.
GC_THRESHOLDS = (100_000, 50, 100)
TUNE_GC = os.environ.get("TRACE_TEST_GC") != "default"
if TUNE_GC:
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_finish(session: pytest.Session) -> None:
    if TUNE_GC:
        gc.collect()
        gc.freeze()


def _weight(nodeids) -> float:
    return sum(next((seconds for prefix, seconds in SLOW_TESTS if nodeid.startswith(prefix)), 0.1)
               for nodeid in nodeids)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """``--dist loadgroup`` with the groups of XDIST_GROUPS (and of working xdist_group marks)."""
    if config.option.dist != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class GroupsByNodeId(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in XDIST_GROUPS:
                if nodeid.startswith(prefix):
                    return group
            return super()._split_scope(nodeid)

        _sorted = False

        def _assign_work_unit(self, node) -> None:
            if not self._sorted:  # the first time: the queue is full, nothing handed out yet
                # Heaviest work units first (longest-processing-time-first), then as collected.
                units = sorted(self.workqueue.items(), key=lambda unit: -_weight(unit[1]))
                self.workqueue.clear()
                self.workqueue.update(units)
                self._sorted = True
            super()._assign_work_unit(node)

    return GroupsByNodeId(config, log)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """URL of a database on a throwaway PostgreSQL server started for this session.

    Skipped locally when PostgreSQL is not installed, but a failure under CI=true: CI must
    never pass by silently skipping the PostgreSQL tests.
    """
    try:
        find_bindir()
    except PostgresNotFound as exc:
        reason = f"PostgreSQL is not installed: {exc}; `make test` installs it when run as root"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)", pytrace=False)
        pytest.skip(reason)
    with postgres_url() as url:
        yield url


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repo (the project's shared data), or a skip saying it is absent."""
    path = REPO_ROOT.parent / "shared"
    if not path.is_dir():
        pytest.skip(f"../shared is absent: {path} is not a directory (CI clones put it there)")
    return path

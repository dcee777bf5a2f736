"""Fixtures of the crash tests: a fresh stack (var dir, database, app, processes, anvil) per test,
always torn down; anvil from contracts/node_modules (skipped when absent, a failure under CI)."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.chain.chain_support import contracts_node_modules, require_tool
from tests.integration.crash.crash_support import ANVIL_BIN, Stack


@pytest.fixture(scope="session")
def anvil_binary():
    """contracts/node_modules/.bin/anvil, installed with `npm ci` when node_modules is missing."""
    contracts_node_modules()
    require_tool(ANVIL_BIN.exists(), f"anvil is not installed: no {ANVIL_BIN}")
    return ANVIL_BIN


@pytest.fixture
def make_stack(anvil_binary, tmp_path, request, sqlite_template):
    """``make_stack(database_url=None, signing=True, **TRACE_env)``: a Stack, closed at the end of
    the test (its processes and anvil ended even when the test fails; their output shown then)."""
    stacks: list[Stack] = []

    def make(database_url: str | None = None, **env) -> Stack:
        stack = Stack(tmp_path / f"stack{len(stacks)}", database_url, template=sqlite_template,
                      **env)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            print(stack.describe())
        stack.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


@pytest.fixture
def postgres_url(postgres_server_url):
    from tests.support.postgres import fresh_database

    return fresh_database(postgres_server_url, "crash_" + uuid.uuid4().hex[:12])

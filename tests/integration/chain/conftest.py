"""Chain fixtures: TraceAnchor deployed once per session on web3's in-process eth-tester (py-evm),
and on a real anvil node started from contracts/node_modules.

Tests share one deployment, so each one uses fresh random roots and signer addresses."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from web3 import EthereumTesterProvider, Web3

from tests.integration.chain import chain_support
from tests.integration.chain.chain_support import deploy, require_tool

ANVIL_START_TIMEOUT = 30  # seconds; it is up in well under one on an idle machine


@pytest.fixture(scope="session")
def contracts_node_modules() -> Path:
    return chain_support.contracts_node_modules()


def _accounts(w3: Web3) -> SimpleNamespace:
    deployer, anchorer, registrar, stranger = w3.eth.accounts[:4]
    return SimpleNamespace(deployer=deployer, anchorer=anchorer, registrar=registrar,
                           stranger=stranger)


# --- eth-tester ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def tester_w3() -> Web3:
    return Web3(EthereumTesterProvider())


@pytest.fixture(scope="session")
def tester_accounts(tester_w3) -> SimpleNamespace:
    return _accounts(tester_w3)


@pytest.fixture(scope="session")
def tester_contract(tester_w3, tester_accounts):
    return deploy(tester_w3, tester_accounts.deployer)


# --- anvil --------------------------------------------------------------------------------------

def _free_port() -> int:
    # Another process may take the port before anvil binds it; _start_anvil retries then.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_anvil(binary: Path, log) -> tuple[subprocess.Popen, str]:
    for _attempt in range(3):
        port = _free_port()
        proc = subprocess.Popen(
            [str(binary), "--host", "127.0.0.1", "--port", str(port), "--silent"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        )
        url = f"http://127.0.0.1:{port}"
        w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 2}))
        deadline = time.monotonic() + ANVIL_START_TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline:
            if w3.is_connected():
                return proc, url
            time.sleep(0.1)
        if proc.poll() is None:  # neither up nor dead: give up now, a retry would not help
            proc.kill()
            proc.wait()
            break
    log.seek(0)
    pytest.fail(f"anvil did not start on 127.0.0.1:\n{log.read()[-3000:]}", pytrace=False)


@pytest.fixture(scope="session")
def anvil_url(contracts_node_modules):
    """URL of an anvil (contracts/node_modules/.bin/anvil) on a free 127.0.0.1 port, stopped at
    the end of the session."""
    binary = contracts_node_modules / ".bin" / "anvil"
    require_tool(binary.exists(), f"anvil is not installed: no {binary} "
                 "(the optional npm package @foundry-rs/anvil-linux-amd64 ships it for linux x64)")
    with tempfile.TemporaryFile("w+") as log:
        proc, url = _start_anvil(binary, log)
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def anvil_w3(anvil_url) -> Web3:
    return Web3(Web3.HTTPProvider(anvil_url, request_kwargs={"timeout": 30}))


@pytest.fixture(scope="session")
def anvil_accounts(anvil_w3) -> SimpleNamespace:
    return _accounts(anvil_w3)  # anvil's dev accounts, unlocked: eth_sendTransaction signs


@pytest.fixture(scope="session")
def anvil_contract(anvil_w3, anvil_accounts):
    return deploy(anvil_w3, anvil_accounts.deployer)

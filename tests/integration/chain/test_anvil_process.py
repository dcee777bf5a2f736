"""The local anvil as tracechain runs it (tracechain.anchor.anvil): started detached with its state
under var/, stopped cleanly or killed, restarted; and what survives each. Also `tracechain chain`.

Findings these tests pin (anvil 1.7.1), documented in tracechain/anchor/anvil.py: a clean stop
keeps everything; a kill -9 keeps what was mined up to the last periodic dump (--state-interval)
and, without one, loses everything since the start.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import time

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from tests.integration.chain.chain_support import random_bytes32, require_tool
from tracechain.anchor import anvil, deployment
from tracechain.anchor.contract import AnchorContract
from tracechain.anchor.errors import ChainUnavailable, LocalChainError
from tracechain.anchor.provider import DEV_CHAIN_ID, dev_account, make_web3

INTERVAL = 1  # seconds between state dumps in these tests (the product uses anvil.STATE_INTERVAL)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def binary(contracts_node_modules):
    path = contracts_node_modules / ".bin" / "anvil"
    require_tool(path.exists(), f"anvil is not installed: no {path}")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def var_dir(tmp_path):
    yield tmp_path
    anvil.stop(tmp_path, timeout=5)  # whatever a test left running


@pytest.fixture
def start(binary, var_dir):
    port = free_port()

    def start_anvil(**kwargs) -> anvil.AnvilHandle:
        return anvil.start(var_dir, port, binary=binary, state_interval=INTERVAL, **kwargs)

    return start_anvil


def connect(handle: anvil.AnvilHandle):
    w3 = make_web3(handle.url, timeout=5, retries=1)
    return w3, dev_account(0)


def wait_mined(client: AnchorContract, tx_hash: str):
    deadline = time.monotonic() + 10
    while (receipt := client.receipt(tx_hash)) is None:  # anvil mines in a moment
        assert time.monotonic() < deadline, "not mined within 10 s"
        time.sleep(0.02)
    assert receipt.status == 1
    return receipt


def anchor(client: AnchorContract, root: bytes) -> int:
    tx = client.build_anchor_tx(root, 3)
    client.send_raw(tx.raw)
    return wait_mined(client, tx.tx_hash).block_number


def kill_hard(handle: anvil.AnvilHandle) -> None:
    os.kill(handle.pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while anvil.status(handle.directory.parent) is not None:
        assert time.monotonic() < deadline, "anvil outlived SIGKILL"
        time.sleep(0.05)


def test_anchors_survive_a_clean_stop_and_a_kill(var_dir, start):
    handle = start()
    assert handle.started and handle.chain_id == DEV_CHAIN_ID
    assert json.loads((var_dir / "anvil" / "anvil.json").read_text())["port"] == handle.port
    w3, account = connect(handle)
    said = []
    address = deployment.ensure_deployed(var_dir, w3, account, say=said.append)
    client = AnchorContract.from_web3(w3, address, account)
    first = random_bytes32()
    first_tx = client.build_anchor_tx(first, 3)
    client.send_raw(first_tx.raw)
    first_block = wait_mined(client, first_tx.tx_hash).block_number

    assert anvil.stop(var_dir)
    assert anvil.status(var_dir) is None and not anvil.stop(var_dir)
    with pytest.raises(ChainUnavailable):
        client.anchor_of(first)

    handle = start()
    assert handle.started and handle.note is None
    w3, account = connect(handle)
    said.clear()
    assert deployment.ensure_deployed(var_dir, w3, account, say=said.append) == address
    assert said == []  # not redeployed
    client = AnchorContract.from_web3(w3, address, account)
    assert client.anchor_of(first).block_number == first_block
    assert client.receipt(first_tx.tx_hash).block_number == first_block  # history is kept too
    assert client.send_raw(first_tx.raw) == first_tx.tx_hash  # so a re-send stays harmless
    client.check(DEV_CHAIN_ID)

    second = random_bytes32()
    anchor(client, second)
    time.sleep(INTERVAL * 2.5)  # at least one periodic dump after the anchor
    kill_hard(handle)

    handle = start()
    client = AnchorContract.from_web3(connect(handle)[0], address, account)
    assert client.anchor_of(first) is not None
    assert client.anchor_of(second) is not None


def test_a_kill_before_any_dump_loses_what_came_after_the_last_one(binary, var_dir):
    port = free_port()
    handle = anvil.start(var_dir, port, binary=binary, state_interval=3600)
    w3, account = connect(handle)
    address = deployment.ensure_deployed(var_dir, w3, account)
    anvil.stop(var_dir)  # a clean stop writes the state: the contract is in it

    handle = anvil.start(var_dir, port, binary=binary, state_interval=3600)
    client = AnchorContract.from_web3(connect(handle)[0], address, account)
    late = random_bytes32()
    anchor(client, late)
    kill_hard(handle)  # no dump since the start

    handle = anvil.start(var_dir, port, binary=binary, state_interval=3600)
    client = AnchorContract.from_web3(connect(handle)[0], address, account)
    client.check(DEV_CHAIN_ID)  # the contract is still there...
    assert client.anchor_of(late) is None  # ...the anchor after the last dump is not


def test_a_state_file_cut_short_falls_back_to_the_last_good_one(var_dir, start):
    handle = start()
    w3, account = connect(handle)
    address = deployment.ensure_deployed(var_dir, w3, account)
    anvil.stop(var_dir)
    handle = start()  # loads the state with the contract, and keeps a copy of it
    anchor(AnchorContract.from_web3(connect(handle)[0], address, account), random_bytes32())
    anvil.stop(var_dir)
    state = var_dir / "anvil" / "state.json"
    state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])  # a kill mid-write

    handle = start()
    assert "cut short" in handle.note
    assert list((var_dir / "anvil").glob("state.damaged-*.json"))
    AnchorContract.from_web3(connect(handle)[0], address).check(DEV_CHAIN_ID)


def test_start_is_idempotent_and_refuses_a_taken_port(binary, var_dir, start):
    handle = start()
    again = start()
    assert (again.pid, again.started) == (handle.pid, False)
    with pytest.raises(LocalChainError, match="already runs on port"):
        anvil.start(var_dir, free_port(), binary=binary)
    with pytest.raises(LocalChainError, match="is taken"):
        anvil.start(var_dir / "other", handle.port, binary=binary)


def test_node_down_is_chain_unavailable(var_dir, start):
    handle = start()
    w3, account = connect(handle)
    client = AnchorContract.from_web3(w3, deployment.ensure_deployed(var_dir, w3, account),
                                      account)
    root = random_bytes32()
    tx = client.build_anchor_tx(root, 1)
    anvil.stop(var_dir)
    for call in (lambda: client.anchor_of(root), lambda: client.send_raw(tx.raw),
                 lambda: client.receipt(tx.tx_hash), lambda: client.check(DEV_CHAIN_ID),
                 lambda: client.build_anchor_tx(root, 1)):
        with pytest.raises(ChainUnavailable, match="catch up"):
            call()


def test_find_anvil(binary, tmp_path):
    assert anvil.find_anvil(binary) == binary
    with pytest.raises(LocalChainError, match="TRACE_ANVIL_BIN"):
        anvil.find_anvil(tmp_path / "nothing")


def test_chain_commands(binary, var_dir):
    from tracechain import create_app
    from tracechain.cli.chain import chain_group

    port = free_port()
    overrides = {"VAR_DIR": str(var_dir), "DATABASE_URL": "sqlite://", "CHAIN_RPC_URL": "",
                 "CHAIN_ID": None, "CHAIN_CONTRACT": "", "ANCHOR_KEYSTORE": "",
                 "LOCAL_CHAIN_PORT": port, "ANVIL_BIN": str(binary)}
    info = ScriptInfo(create_app=lambda: create_app(overrides))

    def run(*args: str):
        result = CliRunner().invoke(chain_group, list(args), obj=info, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    assert "not running" in run("status")
    assert f"anvil started at http://127.0.0.1:{port}" in run("start")
    assert "already running" in run("start")
    deployed = run("deploy")
    address = deployed.strip().splitlines()[-1]
    assert "deployed TraceAnchor at " + address in deployed
    assert run("deploy").strip() == address  # remembered, not deployed again
    status = run("status")
    assert f"running at http://127.0.0.1:{port}" in status and address in status
    assert "stopped" in run("stop")
    assert "not running" in run("stop")
    assert "started" in run("start")
    assert run("deploy").strip() == address  # the chain came back with the contract

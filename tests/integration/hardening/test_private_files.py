"""The database and the state files are created readable by their owner only, whatever the umask
(the usual 022 would make them world-readable)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from tracechain import create_app
from tracechain.anchor import anvil, deployment
from tracechain.app_services import app_services
from tracechain.private_files import open_private, private_dir, write_private_text
from tracechain.settings import Settings
from tracechain.store import migrate


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_sqlite_database_wal_and_shm_and_their_folders_are_private(tmp_path):
    url = f"sqlite:///{tmp_path / 'var' / 'db' / 'trace.db'}"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "VAR_DIR": str(tmp_path / "var"),
                      "SIGNING_SECRET": "test-secret-0123456789", "SIGNING_KDF_N": 2**14})
    engine = app_services(app).engine
    with engine.begin() as conn:  # a write, so that the -wal and -shm files exist
        conn.execute(text("CREATE TABLE probe (x INTEGER)"))
        db = tmp_path / "var" / "db" / "trace.db"
        for name in ("trace.db", "trace.db-wal", "trace.db-shm"):
            assert mode(db.parent / name) == 0o600, name
    engine.dispose()
    assert mode(tmp_path / "var") == mode(tmp_path / "var" / "db") == 0o700


def test_var_and_the_generated_signing_secret_are_private(tmp_path):
    var = tmp_path / "var"
    settings = Settings.load({"TRACE_VAR_DIR": str(var)})
    secret = var / "secrets" / "signing-secret"
    assert settings.signing_secret == secret.read_text().strip()
    assert mode(var) == mode(var / "secrets") == 0o700
    assert mode(secret) == 0o600


def test_chain_json_and_written_state_are_private(tmp_path):
    var = tmp_path / "var"
    deployment.save(var, deployment.Deployment(
        rpc_url="http://127.0.0.1:8545", chain_id=31337, address="0x" + "11" * 20,
        deployed_block=1, deployer="0x" + "22" * 20))
    assert mode(var) == 0o700 and mode(var / "chain.json") == 0o600
    assert deployment.load(var).chain_id == 31337
    write_private_text(var / "anvil.json", "{}\n")
    assert mode(var / "anvil.json") == 0o600 and not list(var.glob("*.tmp"))
    with open_private(var / "chain.lock") as lock:
        lock.write("")
    assert mode(var / "chain.lock") == 0o600


def test_private_dir_keeps_existing_folders_as_they_are(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    private_dir(shared / "a" / "b")
    assert mode(shared) == 0o755  # the operator's choice, not ours to change
    assert mode(shared / "a") == mode(shared / "a" / "b") == 0o700


@pytest.mark.slow
def test_the_local_chain_state_and_log_are_private(tmp_path):
    from tests.integration.chain.chain_support import contracts_node_modules, require_tool
    from tests.integration.chain.test_anvil_process import free_port

    binary = contracts_node_modules() / ".bin" / "anvil"
    require_tool(binary.exists(), f"anvil is not installed: no {binary}")

    var = tmp_path / "var"
    try:
        anvil.start(var, free_port(), binary=binary, state_interval=1)
    finally:
        anvil.stop(var, timeout=5)  # a clean stop writes state.json
    folder = var / "anvil"
    assert mode(var) == mode(folder) == 0o700
    assert mode(folder / "anvil.log") == 0o600
    assert (folder / "state.json").exists()

"""`tracechain serve` as deployed: gunicorn workers answering, and the access log as configured."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tracechain.store import migrate

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path: Path, access_log: str) -> str:
    """Start serve, ask /healthz twice, stop it; everything it wrote."""
    tmp_path.mkdir()
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    migrate.upgrade(url)
    port = _free_port()
    env = {**os.environ, "TRACE_VAR_DIR": str(tmp_path), "TRACE_DATABASE_URL": url,
           "TRACE_ANCHOR_IN_BACKGROUND": "0", "TRACE_ACCESS_LOG": access_log}
    proc = subprocess.Popen([sys.executable, "-c", "from tracechain.cli import main; main()",
                             "serve", "--workers", "1", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                for _ in range(2):
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz",
                                                timeout=2) as answer:
                        assert answer.status == 200
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
    return output


def test_serve_logs_each_request_by_default_and_not_when_told(tmp_path):
    logged = _serve(tmp_path / "a", "-")
    assert logged.count('"GET /healthz HTTP/1.1" 200') == 2, logged
    quiet = _serve(tmp_path / "b", "")
    assert "GET /healthz" not in quiet and "Booting worker" in quiet, quiet

"""Through gunicorn (`tracechain serve`), as deployed: a chunked body over the limit is a 413,
not a document cut at the limit and parsed."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time

import pytest

from tests.integration.epcis_docs import document, harvest
from tests.integration.test_serve import _free_port
from tracechain import create_app
from tracechain.app_services import app_services
from tracechain.services.accounts import organisations as accounts
from tracechain.store import migrate
from tracechain.store.uow import SqlUnitOfWork

pytestmark = pytest.mark.slow
LIMIT = 4000


def _token(url: str, var: str) -> str:
    app = create_app({"DATABASE_URL": url, "VAR_DIR": var, "SIGNING_SECRET": "s" * 22,
                      "SIGNING_KDF_N": 2**14})
    uow = SqlUnitOfWork(app_services(app).sessions)
    accounts.create_user("admin@example.vn", "admin", "admin", None, uow)
    token = accounts.create_token("admin@example.vn", "test", uow)
    app_services(app).engine.dispose()
    return token


def _post_chunked(port: int, token: str, body: bytes) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    chunks = (body[i:i + 1000] for i in range(0, len(body), 1000))
    conn.request("POST", "/epcis/capture", body=chunks, encode_chunked=True, headers={
        "Content-Type": "application/ld+json", "Authorization": f"Bearer {token}",
        "Transfer-Encoding": "chunked"})
    answer = conn.getresponse()
    status, payload = answer.status, json.loads(answer.read() or b"{}")
    conn.close()
    return status, payload


def test_gunicorn_refuses_a_chunked_body_over_the_limit(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    migrate.upgrade(url)
    token = _token(url, str(tmp_path))
    port = _free_port()
    env = {**os.environ, "TRACE_VAR_DIR": str(tmp_path), "TRACE_DATABASE_URL": url,
           "TRACE_ANCHOR_IN_BACKGROUND": "0", "TRACE_ACCESS_LOG": "",
           "TRACE_SIGNING_SECRET": "s" * 22, "TRACE_MAX_CAPTURE_BYTES": str(LIMIT)}
    proc = subprocess.Popen([sys.executable, "-c", "from tracechain.cli import main; main()",
                             "serve", "--workers", "1", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        big = json.dumps(document(*[harvest(f"H{i}") for i in range(30)])).encode()
        assert len(big) > LIMIT
        status, payload = _post_chunked(port, token, big)
        assert status == 413, payload
        assert payload["code"] == 413
        small = json.dumps(document(harvest("H1"))).encode()
        status, payload = _post_chunked(port, token, small)
        assert status == 202, payload
    finally:
        proc.terminate()
        proc.communicate(timeout=30)

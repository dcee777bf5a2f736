"""Subscriptions as deployed: `tracechain serve` (gunicorn, threaded workers) with the deliverer it
starts beside it. One event captured over HTTP reaches a WebSocket subscriber and, signed, a
webhook receiver, with nothing called by hand."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import orjson
import pytest

from tests.integration.epcis_docs import document, harvest
from tests.support.webhooks import Receiver
from tracechain.services.accounts import organisations as accounts
from tracechain.sign.keyring import Keyring
from tracechain.store import migrate
from tracechain.store.db import make_engine, make_session_factory
from tracechain.store.uow import SqlUnitOfWork

SECRET = "serve-secret-0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _member_token(url: str) -> str:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        uow = SqlUnitOfWork(make_session_factory(engine))
        org = accounts.create_organisation("HTX Cam Lộ", "cooperative", "8930000000019", uow,
                                           keyring=Keyring(SECRET, 2**14))
        accounts.create_user("m@example.vn", "m", "member", org, uow)
        return accounts.create_token("m@example.vn", "t", uow)
    finally:
        engine.dispose()


def _call(port: int, method: str, path: str, token: str, body: dict | None = None,
          content_type: str = "application/json") -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"null")


@pytest.mark.slow
def test_served_websocket_and_background_webhook_delivery(tmp_path: Path):
    from websockets.sync.client import connect

    url = f"sqlite:///{tmp_path / 'serve.db'}"
    token = _member_token(url)
    port = _free_port()
    env = {**os.environ, "TRACE_VAR_DIR": str(tmp_path), "TRACE_DATABASE_URL": url,
           "TRACE_ANCHOR_IN_BACKGROUND": "0", "TRACE_ACCESS_LOG": "", "TRACE_THREADS": "4",
           "TRACE_WEBHOOK_ALLOW": "127.0.0.1", "TRACE_DELIVERY_INTERVAL": "0.1",
           "TRACE_SIGNING_SECRET": SECRET, "TRACE_SIGNING_KDF_N": str(2**14)}
    proc = subprocess.Popen([sys.executable, "-c", "from tracechain.cli import main; main()",
                             "serve", "--workers", "1", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    rx = Receiver(token="hook-token")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        _call(port, "POST", "/epcis/queries", token, {"name": "all", "query": {}})
        _call(port, "POST", "/epcis/queries/all/subscriptions", token,
              {"dest": rx.url, "stream": True, "signatureToken": "hook-token"})
        with connect(f"ws://127.0.0.1:{port}/epcis/queries/all/events?stream=true",
                     additional_headers={"Authorization": f"Bearer {token}"},
                     open_timeout=10) as ws:
            captured = _call(port, "POST", "/epcis/capture", token, document(harvest("L1")),
                             "application/ld+json")
            doc = orjson.loads(ws.recv(timeout=10))
            pushed = [e["eventID"] for e in
                      doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
            # The server keeps answering while a WebSocket is open (threaded workers).
            assert _call(port, "GET", "/epcis/queries", token)[0]["name"] == "all"
        assert pushed == captured["eventIDs"]
        assert rx.wait_for(1, timeout=15) == captured["eventIDs"]
        assert rx.bad_signatures == 0
    finally:
        rx.close()
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
    assert "Traceback" not in output, output

"""The demo's QR codes follow TRACE_PUBLIC_BASE_URL (issue #11: a phone on the LAN opens them)."""

from __future__ import annotations

import pytest

from tests.support.demo import run_demo_command
from tests.support.qr_decode import decode_png
from tracechain.app_services import app_services

LAN = "http://192.168.1.23:5000"


@pytest.fixture
def demo(app, dataset):
    return dataset("demo", lambda: run_demo_command(app))


def test_the_demo_qr_code_and_label_point_to_the_public_address(app, client, demo):
    app_services(app).reconfigure(public_base_url=LAN)
    r = client.get("/api/v1/lots/08936101000217/QT25-G550-01/qr.png")
    assert r.status_code == 200
    assert decode_png(r.data) == [f"{LAN}/01/08936101000217/10/QT25-G550-01"]

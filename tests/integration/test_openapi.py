"""The committed OpenAPI description (openapi.json) is the one the code serves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'spec.db'}"


def test_committed_spec_is_current(tmp_path):
    from tracechain import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    served = app.test_client().get("/api/openapi.json").json
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, "openapi.json is stale: run `make openapi` and commit it"


def test_docs_page_uses_only_local_assets(tmp_path):
    from tracechain import create_app

    client = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}).test_client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "https://" not in html and "http://" not in html.replace("http://localhost", "")
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"):
        assert f"/api/docs/assets/{asset}" in html
        assert client.get(f"/api/docs/assets/{asset}").status_code == 200

"""Every answer carries the security headers; private JSON is never stored by a cache."""

from __future__ import annotations

import re

import pytest

from tracechain.api.headers import ALWAYS

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is HTTP
# headers.
DATABASES = ("sqlite",)

PAGE = "/01/08936101000217/10/QT25-G550-01"


def _secured(response) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in csp


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/docs", "/api/openapi.json",
                                  "/api/v1/farms", "/epcis/events", "/no/such/page",
                                  PAGE, "/01/08936101000217/10/NO-SUCH-LOT"])
def test_every_answer_has_the_security_headers(client, path):
    _secured(client.get(path))


def test_private_json_is_not_stored_and_public_answers_keep_their_caching(client, actions):
    token = actions.token("admin")
    private = client.get("/api/v1/farms", headers=actions.auth(token))
    assert private.status_code == 200
    assert private.headers["Cache-Control"] == "private, no-store"
    # Refusals of private routes are private too (no token: 401).
    assert client.get("/epcis/events").headers["Cache-Control"] == "private, no-store"
    # The resolver revalidates with an ETag instead (fast repeat scans); a missing lot too.
    resolved = client.get(PAGE + "?linkType=all")
    assert resolved.headers.get("Cache-Control") != "private, no-store"
    assert "no-store" not in client.get("/api/openapi.json").headers.get("Cache-Control", "")


def test_swagger_ui_starts_without_inline_script(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert re.search(r"<script>", page) is None  # every script has a src
    assert "swagger-init.js" in page and 'data-spec-url="/api/openapi.json"' in page
    script = client.get("/static/swagger-init.js")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.get_data(as_text=True)
    asset = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200

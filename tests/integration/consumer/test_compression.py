"""gzip and brotli on every text answer (trace/compression.py): the consumer page, JSON, assets;
never on binary answers; ETags and ``Vary`` stay right, so caches and 304s keep working."""

from __future__ import annotations

import gzip

import brotli

from .conftest import PEPPER

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is HTTP
# compression.
DATABASES = ("sqlite",)

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}
# The consumer page's first load had 100 KB of bodies as its budget (tests/e2e); on the wire,
# compressed, the page itself now stays within the console's per-page budget.
PAGE_BUDGET = 30 * 1024


def test_the_consumer_page_comes_back_compressed_both_ways(demo):
    plain = demo.get(PEPPER, **{"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    for coding, decode in DECODE.items():
        r = demo.get(PEPPER, **{"Accept-Encoding": coding})
        assert r.status_code == 200 and r.headers["Content-Encoding"] == coding
        assert decode(r.data) == plain.data
        assert int(r.headers["Content-Length"]) == len(r.data) <= PAGE_BUDGET
        assert len(r.data) * 3 < len(plain.data)
        assert "Accept-Encoding" in r.headers["Vary"]


def test_a_compressed_page_still_answers_304_to_its_own_etag(demo):
    first = demo.get(PEPPER, **{"Accept-Encoding": "br"})
    etag = first.headers.get("ETag")
    assert etag and etag.endswith(':br"')  # one coding's bytes are never another's
    again = demo.get(PEPPER, **{"Accept-Encoding": "br", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_json_answers_and_assets_are_compressed_binary_ones_are_not(demo):
    token = demo.token("admin")
    r = demo.client.get("/api/v1/lots", headers={"Authorization": f"Bearer {token}",
                                                 "Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(r.data).startswith((b"[", b"{"))
    spec = demo.client.get("/api/openapi.json", headers={"Accept-Encoding": "br"})
    assert spec.headers["Content-Encoding"] == "br"
    # files sent from disk (Swagger UI's, ours) too, with their ETag marked with the coding
    css = demo.client.get("/api/docs/assets/swagger-ui.css", headers={"Accept-Encoding": "br"})
    assert css.status_code == 200 and css.headers["Content-Encoding"] == "br"
    assert len(css.data) * 4 < len(brotli.decompress(css.data))
    assert css.headers["ETag"].endswith(':br"')
    tiny = demo.client.get("/static/base.css", headers={"Accept-Encoding": "br"})
    assert "Content-Encoding" not in tiny.headers  # under 500 bytes: not worth it
    gtin, lot = PEPPER.split("/")[2], PEPPER.split("/")[4]
    png = demo.client.get(f"/api/v1/lots/{gtin}/{lot}/qr.png",
                          headers={"Accept-Encoding": "gzip, br"})
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert "Content-Encoding" not in png.headers  # PNG is compressed already
    svg = demo.client.get(f"/api/v1/lots/{gtin}/{lot}/qr.svg",
                          headers={"Accept-Encoding": "gzip"})
    assert svg.status_code == 200 and svg.headers.get("Content-Encoding") == "gzip"

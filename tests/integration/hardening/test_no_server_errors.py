"""Odd and hostile input gets a clear 4xx in the one error shape and changes nothing, on SQLite
and PostgreSQL: ids beyond 64 bits, JSON nested deeper than the store writes back, values longer
than their columns, bodies over the size limit however they are sent."""

from __future__ import annotations

import io
import json

import pytest

from tests.integration.epcis_docs import BERRIES, document, harvest, lot_uri
from tests.support.cooperative import POINT

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is HTTP
# answers to malformed requests.
DATABASES = ("sqlite",)

HUGE = 99999999999999999999  # beyond 64 bits
JSONLD = "application/ld+json"


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["code"] == status and body["message"]
    return body


def _paths(body: dict) -> list[str]:
    return [e["path"] for e in body.get("errors", [])]


def _nested(depth: int) -> dict:
    value: object = "deep"
    for _ in range(depth):
        value = {"x": [value]}
    return value


@pytest.fixture
def member(actions):
    token = actions.token("member", actions.org("HTX Cam Lộ"))
    return actions.auth(token)


def _stored_events(client, auth) -> list:
    r = client.get("/epcis/events", headers=auth)
    assert r.status_code == 200
    return r.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def test_ids_beyond_64_bits(client, member):
    for method, path in (("get", f"/api/v1/farms/{HUGE}/plots"),
                         ("patch", f"/api/v1/farms/{HUGE}"),
                         ("post", f"/api/v1/farms/{HUGE}/plots"),
                         ("delete", f"/api/v1/certifications/{HUGE}"),
                         ("get", f"/api/v1/farms/{2**31}/plots")):
        _error(getattr(client, method)(path, headers=member, json={}), 404)
    # The largest id either database holds is fine: simply not there.
    assert client.get(f"/api/v1/farms/{2**31 - 1}/plots", headers=member).status_code == 404
    farm = {"code": "F1", "farmerName": "Lê Văn Tư", "commune": "Cam Thành",
            "province": "Quảng Trị"}
    body = _error(client.post("/api/v1/farms", headers=member,
                              json={**farm, "organisationId": 2**31}), 400)
    assert _paths(body) == ["$.organisationId"]
    body = _error(client.post("/api/v1/farms", headers=member,
                              data=json.dumps({**farm, "organisationId": HUGE}),
                              content_type="application/json"), 400)
    assert _paths(body) == ["$.organisationId"]
    harvest_body = {"plotId": 2**31, "gtin": "08936100000119", "lot": "L1", "quantity": 5}
    body = _error(client.post("/api/v1/harvests", headers=member, json=harvest_body), 400)
    assert _paths(body) == ["$.plotId"]
    body = _error(client.get(f"/api/v1/lots/08936100000119/L1/labels.pdf?serials=true"
                             f"&start={2**63}", headers=member), 400)
    assert _paths(body) == ["$.query.start"]
    assert client.get("/api/v1/farms", headers=member).json == []  # nothing was created


def test_json_nested_deeper_than_the_store_writes_is_refused_where_it_goes_deep(client, member):
    event = harvest("H1")
    event["tc:extra"] = _nested(300)
    body = _error(client.post("/epcis/capture", data=json.dumps(document(event)),
                              content_type=JSONLD, headers=member), 400)
    assert _paths(body)[0].startswith("$.epcisBody.eventList[0]['tc:extra'].x[0]")
    product = {"gtin": "08936100000119", "kind": "pepper-berries", "nameVi": "Tiêu",
               "nameEn": "Pepper", "attributes": {"variety": _nested(300)}}
    body = _error(client.post("/api/v1/products", headers=member, json=product), 400)
    assert _paths(body)[0].startswith("$.attributes.variety")
    # Far deeper than Python's own recursion limit: still a 400, not a RecursionError.
    deep = "[" * 100_000 + "]" * 100_000
    _error(client.post("/api/v1/farms", headers=member, data=deep,
                       content_type="application/json"), 400)
    _error(client.post("/epcis/capture", data=deep, content_type=JSONLD, headers=member), 400)
    # Reasonable nesting is kept as sent.
    event["tc:extra"] = _nested(20)
    r = client.post("/epcis/capture", data=json.dumps(document(event)), content_type=JSONLD,
                    headers=member)
    assert r.status_code == 202, r.json
    assert _stored_events(client, member)[0]["tc:extra"] == _nested(20)


@pytest.mark.parametrize("field, value, path", [
    ("eventID", "urn:uuid:" + "a" * 600, ".eventID"),
    ("bizStep", "https://ns.example.com/bizstep/" + "s" * 300, ".bizStep"),
    ("disposition", "https://ns.example.com/disp/" + "d" * 300, ".disposition"),
    ("readPoint", {"id": "https://id.gs1.org/414/" + "1" * 600}, ".readPoint.id"),
    ("quantityList", [{"epcClass": lot_uri(BERRIES, "L" + "1" * 500), "quantity": 5,
                       "uom": "KGM"}], ".quantityList[0].epcClass"),
    ("quantityList", [{"epcClass": lot_uri(BERRIES, "L" * 150), "quantity": 5,
                       "uom": "KGM"}], ".quantityList[0].epcClass"),
])
def test_values_longer_than_their_column_are_refused_naming_the_field(client, member, field,
                                                                      value, path):
    event = {**harvest("H1"), field: value}
    body = _error(client.post("/epcis/capture", data=json.dumps(document(event)),
                              content_type=JSONLD, headers=member), 400)
    assert _paths(body) == ["$.epcisBody.eventList[0]" + path]
    assert "characters" in body["errors"][0]["message"]
    assert _stored_events(client, member) == []


def test_cooperative_strings_longer_than_their_column_are_refused(client, member):
    farm = {"code": "F" * 41, "farmerName": "Lê" * 101, "commune": "Cam Thành",
            "province": "Quảng Trị"}
    body = _error(client.post("/api/v1/farms", headers=member, json=farm), 400)
    assert sorted(_paths(body)) == ["$.code", "$.farmerName"]
    plot = {"code": "P1", "areaHa": 1.2, "geometry": POINT, "crop": "x" * 41}
    farm_id = client.post("/api/v1/farms", headers=member, json={**farm, "code": "F1",
                                                                 "farmerName": "Tư"}).json["id"]
    _error(client.post(f"/api/v1/farms/{farm_id}/plots", headers=member, json=plot), 400)


def test_capture_bodies_over_the_limit_are_413_also_when_chunked(client, member, app):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    doc = json.dumps(document(*[harvest(f"H{i}") for i in range(20)])).encode()
    assert len(doc) > 2000
    # No Content-Length: the body is streamed (Transfer-Encoding: chunked); the server (gunicorn,
    # werkzeug's) ends the stream and says so with wsgi.input_terminated.
    r = client.post("/epcis/capture", input_stream=io.BytesIO(doc), content_type=JSONLD,
                    headers={**member, "Transfer-Encoding": "chunked"},
                    environ_overrides={"wsgi.input_terminated": True})
    _error(r, 413)
    small = json.dumps(document(harvest("H1"))).encode()
    r = client.post("/epcis/capture", input_stream=io.BytesIO(small), content_type=JSONLD,
                    headers={**member, "Transfer-Encoding": "chunked"},
                    environ_overrides={"wsgi.input_terminated": True})
    assert r.status_code == 202, r.json
    farm = json.dumps({"code": "F1", "farmerName": "Tư" * 1000, "commune": "Cam Thành",
                       "province": "Quảng Trị"}).encode()
    r = client.post("/api/v1/farms", input_stream=io.BytesIO(farm),
                    content_type="application/json",
                    headers={**member, "Transfer-Encoding": "chunked"},
                    environ_overrides={"wsgi.input_terminated": True})
    _error(r, 413)

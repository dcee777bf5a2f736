"""POST /epcis/capture and GET /epcis/capture/{id}, over a real database."""

from __future__ import annotations

import json

from tests.integration.epcis_docs import document, drying, harvest, receiving, shipping
from tracechain.app_services import app_services

JSONLD = "application/ld+json"


def capture(client, token, doc, content_type=JSONLD):
    return client.post("/epcis/capture", data=json.dumps(doc), content_type=content_type,
                       headers={"Authorization": f"Bearer {token}"})


def events(client, token, **params):
    r = client.get("/epcis/events", query_string=params,
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.json
    return r.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def test_capture_stores_all_events_and_reports_the_job(client, actions):
    coop = actions.org("HTX Cam Lộ")
    token = actions.token("member", coop)
    doc = document(harvest("H1"), harvest("H2"), drying([("H1", 500), ("H2", 500)], ("P1", 300)))
    r = capture(client, token, doc)
    assert r.status_code == 202, r.json
    job = client.get(r.headers["Location"], headers=actions.auth(token))
    assert job.status_code == 200
    assert job.json["success"] is True and job.json["running"] is False
    assert job.json["storedCount"] == 3
    stored = events(client, token)
    assert len(stored) == 3
    for sent, got in zip(doc["epcisBody"]["eventList"], stored, strict=True):
        assert got["eventID"].startswith("ni:///sha-256;")
        assert got["eventID"].endswith("?ver=CBV2.0")
        assert {k: v for k, v in got.items() if k not in ("eventID", "recordTime")} == sent


def test_same_event_twice_is_stored_once_and_reported(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    capture(client, token, document(harvest("H1")))
    r = capture(client, token, document(harvest("H1")))
    assert r.status_code == 202
    assert r.json["storedCount"] == 0
    assert r.json["duplicates"][0]["eventIndex"] == 0
    assert "already stored" in r.json["duplicates"][0]["message"]
    assert len(events(client, token)) == 1


def test_a_capture_with_a_duplicate_seals_only_the_events_it_stored(client, actions, app):
    """The seal's Merkle tree is built before the write lock for all the document's events;
    when one is a duplicate, the seal must cover the stored ones only (the tree is rebuilt)."""
    from sqlalchemy import text

    from tracechain.domain.commitments import capture_root
    from tracechain.domain.merkle import event_hash_bytes

    token = actions.token("member", actions.org("HTX A"))
    capture(client, token, document(harvest("H1")))
    r = capture(client, token, document(harvest("H1"), harvest("H2")))
    assert r.status_code == 202 and r.json["storedCount"] == 1, r.json
    with app_services(app).engine.connect() as conn:
        root, leaves = conn.execute(text(
            "SELECT seal_root, seal_leaves FROM capture_jobs WHERE id = :id"),
            {"id": r.headers["Location"].rsplit("/", 1)[-1]}).one()
    stored = [event_hash_bytes(h) for h in r.json["eventIDs"]]
    assert len(stored) == 1 and bytes(leaves) == stored[0]
    assert root == "0x" + capture_root(stored).root.hex()


def test_schema_error_names_event_and_path_and_stores_nothing(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    bad = harvest("H2")
    bad["action"] = "HARVEST"
    r = capture(client, token, document(harvest("H1"), bad))
    assert r.status_code == 400
    assert r.json["code"] == 400
    paths = [e["path"] for e in r.json["errors"]]
    assert "$.epcisBody.eventList[1].action" in paths
    assert all(e.get("eventIndex") == 1 for e in r.json["errors"])
    assert events(client, token) == []


def test_transport_errors(client, actions, app):
    token = actions.token("member", actions.org("HTX A"))
    auth = actions.auth(token)
    r = client.post("/epcis/capture", data="{not json", content_type=JSONLD, headers=auth)
    assert r.status_code == 400 and "JSON" in r.json["message"]
    # XML is read since issue #10 (tests/integration/test_epcis_xml.py): not an EPCIS root, 400
    r = client.post("/epcis/capture", data="<xml/>", content_type="application/xml", headers=auth)
    assert r.status_code == 400
    r = client.post("/epcis/capture", data="a,b", content_type="text/csv", headers=auth)
    assert r.status_code == 415
    app.config["MAX_CONTENT_LENGTH"] = 1000
    r = capture(client, token, document(*[harvest(f"H{i}") for i in range(20)]))
    assert r.status_code == 413
    assert r.json["code"] == 413


def test_authentication_and_roles(client, actions):
    doc = document(harvest("H1"))
    r = client.post("/epcis/capture", data=json.dumps(doc), content_type=JSONLD)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = capture(client, "tc_wrong", doc)
    assert r.status_code == 401
    inspector = actions.token("inspector")
    r = capture(client, inspector, doc)
    assert r.status_code == 403
    assert events(client, inspector) == []


def test_custody_only_holder_records_and_receipt_transfers(client, actions):
    coop, other = actions.org("HTX A"), actions.org("HTX B")
    exporter = actions.org("Exporter", "exporter")
    t_coop = actions.token("member", coop)
    t_other = actions.token("member", other)
    t_exp = actions.token("member", exporter)

    def status(token, *events):
        return capture(client, token, document(*events)).status_code

    assert status(t_coop, harvest("H1"), drying([("H1", 500)], ("P1", 300))) == 202
    # Another cooperative cannot ship (or process) what it does not hold: 403, nothing stored.
    r = capture(client, t_other, document(shipping("P1", other["gln"], exporter["gln"])))
    assert r.status_code == 403
    assert r.json["errors"][0]["path"] == "$.epcisBody.eventList[0].quantityList"
    assert status(t_coop, shipping("P1", coop["gln"], exporter["gln"])) == 202
    # Only the destination can receive.
    assert status(t_other, receiving("P1", coop["gln"], other["gln"])) == 403
    assert status(t_exp, receiving("P1", coop["gln"], exporter["gln"])) == 202
    # Custody moved: the exporter may ship it on, the cooperative no longer may.
    later = "2025-03-05T10:00:00.000+07:00"
    assert status(t_coop, shipping("P1", coop["gln"], other["gln"], later)) == 403
    inspector = actions.token("inspector")
    assert len(events(client, inspector)) == 4


def test_business_rule_failure_gives_failed_job(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    doc = document(harvest("H1"), drying([("H1", 500)], ("P1", 900)))  # 900 kg out of 500 in
    r = capture(client, token, doc)
    assert r.status_code == 202
    assert r.json["success"] is False
    job = client.get(r.headers["Location"], headers=actions.auth(token)).json
    assert job["success"] is False
    assert any(e["path"].startswith("$.epcisBody.eventList[1].outputQuantityList")
               for e in job["errors"])
    assert events(client, token) == []


def test_more_events_than_the_capture_limit_is_413(client, actions, app):
    token = actions.token("member", actions.org("HTX A"))
    app_services(app).reconfigure(capture_limit=2)
    r = capture(client, token, document(harvest("H1"), harvest("H2"), harvest("H3")))
    assert r.status_code == 413
    assert "at most 2" in r.json["message"]
    assert events(client, token) == []


def test_organisation_that_signs_itself_must_send_good_signatures(client, actions, app):
    from eth_account import Account

    from tracechain.hash import hash_document
    from tracechain.services.accounts import organisations as accounts
    from tracechain.sign.signatures import sign_event_hash

    coop = actions.org("HTX self-signing")
    own_key = Account.create()
    accounts.set_signing_address(coop["gln"], own_key.address, actions.uow)
    token = actions.token("member", coop)
    doc = document(harvest("H1"), harvest("H2"))
    r = capture(client, token, doc)
    assert r.status_code == 400 and "signs its own events" in r.json["message"]
    sigs = [sign_event_hash(own_key, h.id) for h in hash_document(doc)]
    bad = [sigs[0], sign_event_hash(Account.create(), hash_document(doc)[1].id)]
    r = client.post("/epcis/capture", data=json.dumps(doc), content_type=JSONLD,
                    headers={**actions.auth(token), "X-Event-Signatures": ",".join(bad)})
    assert r.status_code == 400
    assert r.json["errors"][0]["eventIndex"] == 1
    assert events(client, token) == []
    r = client.post("/epcis/capture", data=json.dumps(doc), content_type=JSONLD,
                    headers={**actions.auth(token), "X-Event-Signatures": ",".join(sigs)})
    assert r.status_code == 202 and r.json["success"], r.json
    assert len(events(client, token)) == 2

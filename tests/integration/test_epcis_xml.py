"""EPCIS 2.0 XML over HTTP: capture an XML document, query with ``Accept: application/xml``.

XML capture takes the same path as JSON (same validation, hash, storage); answers are written
in XML when ``Accept`` prefers it, and validate against GS1's XSD (tests/fixtures/epcis_xsd).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from tests.integration.epcis_docs import document, drying, harvest
from tracechain.capture.xml_document import read_xml
from tracechain.hash import hash_document
from tracechain.present.epcis_xml import to_xml

XSD = Path(__file__).resolve().parents[1] / "fixtures" / "epcis_xsd"
XML = "application/xml"


@pytest.fixture(scope="module")
def query_schema():
    return etree.XMLSchema(etree.parse(str(XSD / "EPCglobal-epcis-query-2_0.xsd")))


def post_xml(client, token, body: bytes, content_type=XML):
    return client.post("/epcis/capture", data=body, content_type=content_type,
                       headers={"Authorization": f"Bearer {token}"})


def stored(client, token, **params):
    r = client.get("/epcis/events", query_string=params,
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.data
    return r.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def test_xml_capture_stores_what_the_json_twin_would(client, actions):
    token = actions.token("member", actions.org("HTX Cam Lộ"))
    doc = document(harvest("H1"), harvest("H2"), drying([("H1", 500), ("H2", 500)], ("P1", 300)))
    r = post_xml(client, token, to_xml(doc))
    assert r.status_code == 202, r.json
    assert r.json["storedCount"] == 3
    got = stored(client, token)
    assert [e["eventID"] for e in got] == [h.id for h in hash_document(doc)]
    for sent, event in zip(doc["epcisBody"]["eventList"], got, strict=True):
        assert {k: v for k, v in event.items() if k not in ("eventID", "recordTime")} == sent
    # the same document again, as JSON-LD: the same events (same hashes), so nothing new
    again = client.post("/epcis/capture", data=json.dumps(doc), content_type="application/ld+json",
                        headers=actions.auth(token))
    assert again.status_code == 202 and again.json["storedCount"] == 0
    assert len(again.json["duplicates"]) == 3


def test_text_xml_is_read_too(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    r = post_xml(client, token, to_xml(document(harvest("H1"))), content_type="text/xml")
    assert r.status_code == 202, r.json
    assert r.json["storedCount"] == 1


def test_query_answers_in_xml_when_accept_prefers_it(client, actions, query_schema):
    token = actions.token("member", actions.org("HTX A"))
    doc = document(harvest("H1"), harvest("H2"))
    assert post_xml(client, token, to_xml(doc)).status_code == 202
    auth = actions.auth(token)
    r = client.get("/epcis/events", headers={**auth, "Accept": XML})
    assert r.status_code == 200
    assert r.mimetype == XML
    root = etree.fromstring(r.data)
    assert query_schema.validate(root), query_schema.error_log
    back = read_xml(r.data)
    assert back["type"] == "EPCISQueryDocument"
    assert back["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == stored(client, token)
    # one event by its id, in XML
    event_id = stored(client, token)[0]["eventID"]
    one = client.get("/epcis/events/" + event_id.replace("/", "%2F").replace(";", "%3B")
                     .replace("?", "%3F").replace("=", "%3D"), headers={**auth, "Accept": XML})
    assert one.status_code == 200 and one.mimetype == XML
    assert query_schema.validate(etree.fromstring(one.data)), query_schema.error_log
    # JSON-LD stays the default, and wins a tie
    assert client.get("/epcis/events", headers=auth).is_json
    both = client.get("/epcis/events",
                      headers={**auth, "Accept": "application/xml, application/ld+json"})
    assert both.mimetype != XML
    weighted = client.get("/epcis/events",
                          headers={**auth, "Accept": "application/json;q=0.5, text/xml"})
    assert weighted.mimetype == "text/xml"


def test_accept_that_allows_nothing_we_write_is_406(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    r = client.get("/epcis/events", headers={**actions.auth(token), "Accept": "text/csv"})
    assert r.status_code == 406
    assert r.json["code"] == 406 and "Accept" in r.json["message"]


def test_malformed_xml_is_400_and_stores_nothing(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    body = to_xml(document(harvest("H1")))
    r = post_xml(client, token, body[:-40])  # cut short
    assert r.status_code == 400
    assert "malformed EPCIS XML" in r.json["message"]
    wrong_root = b'<?xml version="1.0"?><foo:Bar xmlns:foo="urn:x"/>'
    r = post_xml(client, token, wrong_root)
    assert r.status_code == 400 and "root element" in r.json["message"]
    assert stored(client, token) == []


def test_xml_schema_errors_name_the_event(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    bad = harvest("H2")
    bad["action"] = "HARVEST"
    r = post_xml(client, token, to_xml(document(harvest("H1"), bad)))
    assert r.status_code == 400
    assert "$.epcisBody.eventList[1].action" in [e["path"] for e in r.json["errors"]]
    assert stored(client, token) == []


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
  creationDate="2025-03-01T08:00:00Z"><EPCISBody><EventList><ObjectEvent>
  <eventTime>2025-02-10T07:30:00Z</eventTime><eventTimeZoneOffset>+07:00</eventTimeZoneOffset>
  <action>OBSERVE</action><bizStep>&lol3;</bizStep></ObjectEvent></EventList></EPCISBody>
</epcis:EPCISDocument>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
  creationDate="2025-03-01T08:00:00Z"><EPCISBody><EventList/></EPCISBody></epcis:EPCISDocument>"""


@pytest.mark.parametrize("body", [BOMB, EXTERNAL], ids=["entity-expansion", "external-entity"])
def test_xml_with_entities_is_refused(client, actions, body):
    token = actions.token("member", actions.org("HTX A"))
    r = post_xml(client, token, body)
    assert r.status_code == 400
    assert "DOCTYPE" in r.json["message"]
    assert stored(client, token) == []


def test_a_false_hash_event_id_is_refused_naming_the_event(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    good, lying = harvest("H1"), harvest("H2")
    lying["eventID"] = hash_document(document(good))[0].id  # H1's hash, on H2
    r = client.post("/epcis/capture", data=json.dumps(document(good, lying)),
                    content_type="application/ld+json", headers=actions.auth(token))
    assert r.status_code == 400
    [problem] = r.json["errors"]
    assert problem["eventIndex"] == 1 and problem["eventID"] == lying["eventID"]
    assert problem["path"] == "$.epcisBody.eventList[1].eventID"
    assert "not this event's hash" in problem["message"]
    assert stored(client, token) == []
    # its true hash is accepted, and kept as its eventID
    lying["eventID"] = hash_document(document(lying))[0].id
    r = client.post("/epcis/capture", data=json.dumps(document(lying)),
                    content_type="application/ld+json", headers=actions.auth(token))
    assert r.status_code == 202 and r.json["storedCount"] == 1
    assert stored(client, token)[0]["eventID"] == lying["eventID"]


def test_an_ignore_fields_list_does_not_weaken_what_capture_commits_to(client, actions):
    # The reference tool's document-level ignoreFields would leave fields out of the hash that
    # is anchored; capture hashes every field all the same (docs/XML_AND_HASH.md).
    token = actions.token("member", actions.org("HTX A"))
    event = dict(harvest("H1"), **{"tc:picker": "Lê Văn Tám"})
    doc = document(event)
    context = doc["@context"]
    doc["@context"] = [*(context if isinstance(context, list) else [context]),
                       {"repository-x": "https://repository-x.example.com/"}]
    doc["repository-x:ignoreFields"] = ["tc:picker"]
    full, = hash_document(doc)
    lenient, = hash_document(doc, honour_ignore_fields=True)
    assert full.id != lenient.id and "Lê Văn Tám" in full.prehash
    # a caller's ni: eventID computed with the list is not this event's hash: refused
    lying = json.loads(json.dumps(doc))
    lying["epcisBody"]["eventList"][0]["eventID"] = lenient.id
    r = client.post("/epcis/capture", data=json.dumps(lying), content_type="application/ld+json",
                    headers=actions.auth(token))
    assert r.status_code == 400 and stored(client, token) == []
    # without an eventID, the event is stored under the hash of every one of its fields
    r = post_xml(client, token, to_xml(doc))
    assert r.status_code == 202, r.json
    [kept] = stored(client, token)
    assert kept["eventID"] == full.id and kept["tc:picker"] == "Lê Văn Tám"


def test_post_events_takes_an_xml_document_of_one_event(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    one = document(harvest("H1"))
    r = client.post("/epcis/events", data=to_xml(one), content_type=XML,
                    headers=actions.auth(token))
    assert r.status_code == 201, r.json
    assert r.json["eventID"] == hash_document(one)[0].id
    # two events are a capture document, not one event: refused, nothing stored
    two = document(harvest("H2"), harvest("H3"))
    r = client.post("/epcis/events", data=to_xml(two), content_type=XML,
                    headers=actions.auth(token))
    assert r.status_code == 400 and "exactly one" in r.json["detail"]
    assert [e["eventID"] for e in stored(client, token)] == [hash_document(one)[0].id]

"""The EPCIS 2.0 REST binding beyond capture and query: discovery, the top-level resources,
single-event capture, capture jobs, version negotiation, the capture error behaviour, RFC 7807
problems, and the binding at the root. Each for the user and for the attacker (another
organisation, no token, garbage), over a real database (SQLite and PostgreSQL).

The world is test_epcis_query's: cooperative A's six events E1…E6, cooperative B's one, E7.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.integration.epcis_docs import BERRIES, document, harvest, lot_uri
from tests.integration.test_epcis_query import (
    DOCK_DL,
    DRYER_DL,
    FARM_DL,
    FARM_URN,
    S1_DL,
    S1_URN,
    World,
    event_list,
    world_event_b,
)

JSONLD = "application/ld+json"
PROBLEM = "application/problem+json"
B_ONLY_EPC = "https://id.gs1.org/01/08934567123457/21/S9"  # only cooperative B's E7 names it


@pytest.fixture
def world(client, actions, dataset) -> World:
    return World.cached(client, actions, dataset)


def get(world, path, token=None, **kw):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kw.pop("headers", {}))
    return world.client.get(path, headers=headers, **kw)


def problem(r, status, kind=None):
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True))
    assert r.mimetype == PROBLEM
    body = r.json
    assert body["status"] == status and body["code"] == status
    assert body["title"] and body["detail"] == body["message"]
    assert body["instance"].startswith("/epcis")
    if kind:
        assert body["type"] == f"epcisException:{kind}", body
    return body


def members(r):
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.json["type"] == "Collection"
    return r.json["member"]


def names(world, r):
    return {world.names[e["eventID"]] for e in event_list(r)}


# --- discovery and the root --------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/epcis/", "/"])
def test_top_level_resources(world, path):
    r = get(world, path, world.member_a, headers={"Accept": "application/json"})
    assert set(members(r)) == {"capture", "events", "eventTypes", "epcs", "bizSteps",
                               "bizLocations", "readPoints", "dispositions", "queries"}
    assert r.headers["GS1-EPCIS-Version"] == "2.0.0" and r.headers["GS1-CBV-Version"] == "2.0.0"


def test_root_is_still_the_home_page_for_a_browser(world):
    r = world.client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert world.client.get("/").mimetype == "text/html"  # no Accept at all


@pytest.mark.parametrize("path,allow", [
    ("/", "OPTIONS, GET"), ("/epcis/", "OPTIONS, GET"), ("/capture", "OPTIONS, GET, POST"),
    ("/epcis/events", "OPTIONS, GET, POST"), ("/events/urn:uuid:x", "OPTIONS, GET"),
    ("/capture/abc", "OPTIONS, GET"), ("/eventTypes/ObjectEvent/events", "OPTIONS, GET"),
    ("/epcs/" + S1_DL, "OPTIONS, GET"), ("/nextPageToken/abc", "OPTIONS, DELETE"),
    ("/bizSteps", "OPTIONS, GET"), ("/dispositions/active", "OPTIONS, GET")])
def test_options_is_the_discovery_answer(world, path, allow):
    r = world.client.options(path)
    assert r.status_code == 204 and r.headers["Allow"] == allow
    for name in ("GS1-EPCIS-Version", "GS1-EPCIS-Min", "GS1-EPCIS-Max", "GS1-CBV-Version",
                 "GS1-CBV-Min", "GS1-CBV-Max", "GS1-EPC-Format", "GS1-CBV-XML-Format",
                 "GS1-Vendor-Version", "GS1-EPCIS-Capture-Limit"):
        assert r.headers.get(name), name


def test_todays_paths_and_the_root_paths_answer_alike(world):
    for params in ({}, {"eventType": "ObjectEvent"}):
        assert names(world, get(world, "/events", world.member_a, query_string=params)) == \
            names(world, get(world, "/epcis/events", world.member_a, query_string=params))


# --- the six resources -------------------------------------------------------------------------

def test_event_types_are_the_five(world):
    assert members(get(world, "/eventTypes", world.member_a)) == [
        "AggregationEvent", "AssociationEvent", "ObjectEvent", "TransactionEvent",
        "TransformationEvent"]
    assert members(get(world, "/epcis/eventTypes/ObjectEvent", world.member_a)) == ["events"]
    r = get(world, "/eventTypes/ObjectEvent/events", world.member_a)
    assert names(world, r) == {"E1", "E4"}
    problem(get(world, "/eventTypes/SensorEvent", world.member_a), 404,
            "NoSuchResourceException")


def test_biz_steps_list_only_the_callers_own(world):
    assert set(members(get(world, "/bizSteps", world.member_a))) == {
        "commissioning", "packing", "shipping", "installing",
        "https://ns.tracechain.dev/bizstep/drying"}
    assert members(get(world, "/bizSteps", world.member_b)) == ["commissioning"]
    # B recorded no shipping: to B there is no such business step, whatever A recorded.
    problem(get(world, "/bizSteps/shipping", world.member_b), 404, "NoSuchResourceException")
    problem(get(world, "/bizSteps/shipping/events", world.member_b), 404)
    assert members(get(world, "/bizSteps/shipping", world.member_a)) == ["events"]
    # A bare word, its web URI and its URN name one step.
    for step in ("shipping", "https://ref.gs1.org/cbv/BizStep-shipping",
                 "urn:epcglobal:cbv:bizstep:shipping"):
        r = get(world, f"/bizSteps/{quote(step, safe='')}/events", world.member_a)
        assert names(world, r) == {"E4", "E5"}, step
    # The inspector reads every organisation's.
    assert names(world, get(world, "/bizSteps/commissioning/events", world.inspector)) == \
        {"E1", "E7"}


def test_dispositions_read_points_biz_locations(world):
    assert set(members(get(world, "/dispositions", world.member_a))) == {"active", "in_transit"}
    assert names(world, get(world, "/dispositions/in_transit/events", world.member_a)) == {"E4"}
    assert FARM_DL in members(get(world, "/readPoints", world.member_a))
    r = get(world, f"/readPoints/{quote(FARM_URN, safe='')}/events", world.member_a)
    assert names(world, r) == {"E1", "E2"}
    assert set(members(get(world, "/bizLocations", world.member_a))) == {FARM_DL, DOCK_DL}
    assert names(world, get(world, f"/bizLocations/{DOCK_DL}/events", world.member_a)) == {"E4"}
    assert members(get(world, "/readPoints", world.member_b)) == []
    problem(get(world, f"/readPoints/{DRYER_DL}", world.member_b), 404)


def test_epcs_and_their_events(world):
    epcs = members(get(world, "/epcs", world.member_a))
    assert S1_DL in epcs and B_ONLY_EPC not in epcs
    assert epcs == sorted(epcs)
    # The EPC as a URN or a Digital Link, percent-encoded or not: one EPC, every role.
    for epc in (S1_URN, S1_DL, quote(S1_DL, safe="")):
        assert members(get(world, f"/epcs/{epc}", world.member_a)) == ["events"]
        r = get(world, f"/epcs/{epc}/events", world.member_a)
        assert names(world, r) == {"E1", "E2", "E5"}, epc
    # Other query parameters narrow it further; the path's own parameter may not be repeated.
    r = get(world, f"/epcs/{S1_DL}/events", world.member_a, query_string={"eventType":
                                                                         "ObjectEvent"})
    assert names(world, r) == {"E1"}
    problem(get(world, f"/epcs/{S1_DL}/events", world.member_a,
                query_string={"MATCH_anyEPC": S1_DL}), 400, "QueryParameterException")
    # Cooperative B's EPC is not there for A, and A's are not there for B.
    problem(get(world, f"/epcs/{B_ONLY_EPC}/events", world.member_a), 404)
    problem(get(world, f"/epcs/{S1_DL}", world.member_b), 404)
    assert members(get(world, "/epcs", world.member_b)) == [B_ONLY_EPC]


def test_resource_lists_page_with_link(world):
    seen, url = [], "/epcs?perPage=2"
    while url:
        r = get(world, url, world.member_a)
        page = members(r)
        assert len(page) <= 2
        seen += page
        link = r.headers.get("Link")
        url = link[1:link.index(">")] if link else None
    assert seen == members(get(world, "/epcs", world.member_a)) and len(seen) > 4
    assert len(set(seen)) == len(seen)


@pytest.mark.parametrize("token", ["garbage!", "eyJyIjoiYml6U3RlcHMiLCJ2IjoiYSJ9", "W10"])
def test_a_bad_or_foreign_page_token_is_400(world, token):
    # The second is a token of the bizSteps list, the third a JSON array.
    r = get(world, "/epcs", world.member_a, query_string={"nextPageToken": token})
    body = problem(r, 400, "QueryParameterException")
    assert body["errors"][0]["path"] == "$.query.nextPageToken"


@pytest.mark.parametrize("size", ["0", "x", "100000"])
def test_per_page_out_of_range_is_400(world, size):
    problem(get(world, "/bizSteps", world.member_a, query_string={"perPage": size}), 400)


@pytest.mark.parametrize("path", ["/", "/eventTypes", "/epcs", "/bizSteps/shipping",
                                  "/epcs/x/events", "/capture", "/events", "/bizSteps?perPage=0",
                                  "/readPoints/x?perPage=0"])
def test_every_resource_wants_a_token(world, path):
    r = world.client.get(path, headers={"Accept": "application/json"})
    problem(r, 401, "SecurityException")
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_release_a_page_token(world):
    r = get(world, "/epcs?perPage=1", world.member_a)
    link = r.headers["Link"]
    token = link[link.index("nextPageToken=") + 14:link.index(">")]
    d = world.client.delete(f"/nextPageToken/{token}", headers=world_auth(world))
    assert d.status_code == 204
    bad = world.client.delete("/epcis/nextPageToken/!!not-a-token", headers=world_auth(world))
    problem(bad, 400)


def world_auth(world):
    return {"Authorization": f"Bearer {world.member_a}"}


# --- version and format negotiation -----------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {"GS1-EPCIS-Max": "1.2"}, {"GS1-EPCIS-Min": "2.1"}, {"GS1-CBV-Max": "1.2.0"},
    {"GS1-CBV-Min": "3"}, {"GS1-EPCIS-Version": "1.2"}, {"GS1-CBV-Version": "2.1.0"},
    {"GS1-EPCIS-Min": "two"}, {"GS1-Extensions": "fit"}, {"GS1-EPC-Format": "Always_EPC_URN"},
    {"GS1-EPC-Format": "Sometimes"}, {"GS1-CBV-XML-Format": "Never"}])
def test_what_we_do_not_speak_is_406(world, headers):
    for path in ("/events", "/epcis/bizSteps", "/capture"):
        problem(get(world, path, world.member_a, headers=headers), 406, "NotAcceptableException")


@pytest.mark.parametrize("headers", [
    {}, {"GS1-EPCIS-Min": "2.0.0", "GS1-EPCIS-Max": "2.0.0"}, {"GS1-EPCIS-Version": "2.0"},
    {"GS1-CBV-Min": "1.2", "GS1-CBV-Max": "2.1"}, {"GS1-EPC-Format": "No_Preference"},
    {"GS1-CBV-XML-Format": "Always_Web_URI"}])
def test_what_we_speak_is_answered(world, headers):
    r = get(world, "/events", world.member_a, headers=headers)
    assert r.status_code == 200 and r.headers["GS1-EPC-Format"] == "Never_Translates"


def test_epc_format_digital_link_converts_urns(world):
    plain = event_list(get(world, "/events", world.member_a, query_string={"eventType":
                                                                         "ObjectEvent"}))
    assert S1_URN in next(e for e in plain if e["eventID"] == world.ids["E1"])["epcList"]
    r = get(world, "/events", world.member_a, query_string={"eventType": "ObjectEvent"},
            headers={"GS1-EPC-Format": "Always_GS1_Digital_Link"})
    assert r.headers["GS1-EPC-Format"] == "Always_GS1_Digital_Link"
    e1 = next(e for e in event_list(r) if e["eventID"] == world.ids["E1"])
    assert e1["epcList"] == [S1_DL, "https://id.gs1.org/01/08934567123457/21/S2"]
    assert e1["readPoint"]["id"] == FARM_DL
    assert e1["quantityList"][0]["epcClass"] == "https://id.gs1.org/01/08934567123402/10/L1"


# --- capture: POST /events, GET /capture, GS1-Capture-Error-Behaviour -----------------------------

def post(world, path, body, token=None, **headers):
    headers["Authorization"] = f"Bearer {token or world.member_a}"
    return world.client.post(path, data=json.dumps(body), content_type=JSONLD, headers=headers)


def test_post_one_event(world):
    event = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
             **world_event_b(), "eventID": "urn:uuid:6f1c2d3e-0000-4000-8000-000000000099",
             "epcList": ["urn:epc:id:sgtin:8934567.012345.S77"]}
    r = post(world, "/events", event, world.member_b)
    assert r.status_code == 201, r.json
    assert r.headers["Location"].startswith("/epcis/events/urn")
    assert r.json["eventID"] == event["eventID"] and "recordTime" in r.json
    again = world.client.get(r.headers["Location"], headers={
        "Authorization": f"Bearer {world.member_b}"})
    assert event_list(again)[0]["epcList"] == event["epcList"]
    # The same event again: 409, nothing stored twice.
    problem(post(world, "/epcis/events", event, world.member_b), 409,
            "ResourceAlreadyExistsException")
    # A stranger may not read it.
    problem(world.client.get(r.headers["Location"], headers=world_auth(world)), 404)


def test_post_event_with_a_hash_id(world):
    event = {k: v for k, v in world_event_b().items() if k != "eventID"}
    event["epcList"] = ["urn:epc:id:sgtin:8934567.012345.S78"]
    r = post(world, "/events", event, world.member_b)
    assert r.status_code == 201, r.json
    event_id = r.json["eventID"]
    assert event_id.startswith("ni:///")
    follow = world.client.get(r.headers["Location"], headers={
        "Authorization": f"Bearer {world.member_b}"})
    assert event_list(follow)[0]["eventID"] == event_id


@pytest.mark.parametrize("body,status,kind", [
    ({"type": "ObjectEvent"}, 400, "ValidationException"),  # breaks the schema
    ([1, 2], 400, "ValidationException"),
    (document(world_event_b()), 400, "ValidationException"),  # a document, not an event
])
def test_post_a_bad_event_is_refused_and_stores_nothing(world, body, status, kind):
    before = len(event_list(get(world, "/events", world.inspector)))
    problem(post(world, "/events", body), status, kind)
    assert len(event_list(get(world, "/events", world.inspector))) == before


def test_post_event_of_goods_another_holds_is_403(world):
    # A ships S1, which A commissioned: B may not.
    shipping = {"type": "ObjectEvent", "eventTime": "2025-03-05T00:00:00.000Z",
                "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
                "epcList": [S1_DL]}
    problem(post(world, "/events", shipping, world.member_b), 403, "SecurityException")
    problem(post(world, "/events", shipping, world.inspector), 403)


def test_capture_jobs_list_is_the_callers(world):
    jobs = get(world, "/capture", world.member_a).json
    assert len(jobs) == 1 and jobs[0]["success"] is True and jobs[0]["eventCount"] == 6
    assert jobs[0]["captureErrorBehaviour"] == "rollback" and jobs[0]["createdAt"]
    assert len(get(world, "/capture", world.member_b).json) == 1
    assert len(get(world, "/epcis/capture", world.inspector).json) == 2
    one = get(world, "/capture?perPage=1", world.inspector)
    assert len(one.json) == 1 and 'rel="next"' in one.headers["Link"]
    problem(get(world, "/capture", world.member_a, query_string={"nextPageToken": "W10"}), 400)
    # Another organisation's job is not found.
    job_b = get(world, "/capture", world.member_b).json[0]["captureID"]
    problem(get(world, f"/capture/{job_b}", world.member_a), 404)


def test_capture_answers_the_limits(world):
    r = post(world, "/capture", document(harvest("LIM-1")))
    assert r.status_code == 202
    assert int(r.headers["GS1-EPCIS-Capture-Limit"]) > 0
    assert int(r.headers["GS1-EPCIS-Capture-File-Size-Limit"]) > 0


def test_proceed_stores_the_valid_events_and_reports_the_others(world):
    bad = harvest("PRO-2", kg=-5)  # a negative quantity breaks a business rule
    doc = document(harvest("PRO-1"), bad, harvest("PRO-3"))
    r = post(world, "/capture", doc, **{"GS1-Capture-Error-Behaviour": "proceed"})
    assert r.status_code == 202, r.json
    job = r.json
    assert job["captureErrorBehaviour"] == "proceed" and job["success"] is False
    assert job["eventCount"] == 3 and job["storedCount"] == 2
    assert [e["eventIndex"] for e in job["errors"]] == [1]
    stored = get(world, r.headers["Location"], world.member_a).json
    assert stored["captureErrorBehaviour"] == "proceed" and stored["storedCount"] == 2
    assert stored["errors"] == job["errors"]
    lots = {q["epcClass"] for e in event_list(get(world, "/events", world.member_a,
                                                  query_string={"MATCH_anyEPCClass":
                                                                lot_uri(BERRIES, "PRO-1") + "|"
                                                                + lot_uri(BERRIES, "PRO-2") + "|"
                                                                + lot_uri(BERRIES, "PRO-3")}))
            for q in e["quantityList"]}
    assert lots == {lot_uri(BERRIES, "PRO-1"), lot_uri(BERRIES, "PRO-3")}


def test_rollback_stores_nothing_of_the_same_document(world):
    doc = document(harvest("RB-1"), harvest("RB-2", kg=-5))
    r = post(world, "/capture", doc, **{"GS1-Capture-Error-Behaviour": "rollback"})
    assert r.status_code == 202 and r.json["success"] is False and r.json["storedCount"] == 0
    assert r.json["captureErrorBehaviour"] == "rollback"


def test_proceed_leaves_out_goods_another_holds(world):
    ship = {"type": "ObjectEvent", "eventTime": "2025-03-05T00:00:00.000Z",
            "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
            "epcList": [S1_DL]}
    doc = document(ship, harvest("PRO-B"))
    r = post(world, "/capture", doc, world.member_b, **{"GS1-Capture-Error-Behaviour": "proceed"})
    assert r.status_code == 202, r.json.get("errors")
    assert r.json["storedCount"] == 1 and [e["eventIndex"] for e in r.json["errors"]] == [0]


def test_unknown_error_behaviour_is_400(world):
    r = post(world, "/capture", document(harvest("X-1")), **{"GS1-Capture-Error-Behaviour":
                                                              "greedy"})
    problem(r, 400, "ValidationException")


def test_capture_of_a_wrong_media_type_is_415(world):
    r = world.client.post("/capture", data="x", content_type="text/plain",
                          headers=world_auth(world))
    problem(r, 415, "UnsupportedMediaTypeException")


def test_errors_outside_the_binding_are_about_blank(world):
    r = world.client.get("/api/v1/lots", headers={})
    assert r.status_code == 401 and r.mimetype == PROBLEM
    assert r.json["type"] == "about:blank" and r.json["instance"] == "/api/v1/lots"


def test_proceed_with_nothing_wrong_is_a_whole_capture(world):
    r = post(world, "/capture", document(harvest("PRO-OK-1"), harvest("PRO-OK-2")),
             **{"GS1-Capture-Error-Behaviour": "proceed"})
    assert r.status_code == 202 and r.json["success"] is True and r.json["storedCount"] == 2
    job = get(world, r.headers["Location"], world.member_a).json
    assert job["captureErrorBehaviour"] == "proceed" and job["success"] is True
    assert "errors" not in job


def test_proceed_refuses_a_document_that_breaks_the_schema(world):
    doc = document(harvest("PRO-S1"), {"type": "ObjectEvent"})
    problem(post(world, "/capture", doc, **{"GS1-Capture-Error-Behaviour": "proceed"}), 400,
            "ValidationException")
    assert get(world, "/bizSteps/commissioning/events", world.member_a, query_string={
        "MATCH_anyEPCClass": lot_uri(BERRIES, "PRO-S1")}).status_code == 200
    assert event_list(get(world, "/events", world.member_a, query_string={
        "MATCH_anyEPCClass": lot_uri(BERRIES, "PRO-S1")})) == []


def test_over_the_capture_limit_is_413_with_the_limits(world, app):
    from tracechain.app_services import app_services

    app_services(app).reconfigure(capture_limit=2)
    r = post(world, "/capture", document(harvest("L-1"), harvest("L-2"), harvest("L-3")))
    problem(r, 413, "CaptureLimitExceededException")
    assert r.headers["GS1-EPCIS-Capture-Limit"] == "2"
    assert int(r.headers["GS1-EPCIS-Capture-File-Size-Limit"]) > 0

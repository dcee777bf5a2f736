"""GET /epcis/events (SimpleEventQuery) and GET /epcis/events/{eventID}, over a real database.

One small world is captured through the API: six events of cooperative A that name the same
objects in EPC URN and GS1 Digital Link forms, in every role (epcList, childEPCs, inputs,
outputs, parentID and the quantity lists), and one event of cooperative B. Each query test
says which of these events (by name, E1…E7) a query must return.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.integration.epcis_docs import document
from tracechain.app_services import app_services

JSONLD = "application/ld+json"

# The same objects, written both ways (the DL is what canonicalising the URN gives).
S1_URN = "urn:epc:id:sgtin:8934567.012345.S1"
S1_DL = "https://id.gs1.org/01/08934567123457/21/S1"
S2_URN = "urn:epc:id:sgtin:8934567.012345.S2"
S2_DL = "https://id.gs1.org/01/08934567123457/21/S2"
ITEM_PATTERN = "urn:epc:idpat:sgtin:8934567.012345.*"  # every serial of GTIN 08934567123457
ITEM_GTIN_DL = "https://id.gs1.org/01/08934567123457"
OUT_URN = "urn:epc:id:sgtin:8934567.012346.S1"  # another GTIN, serial S1
OUT_DL = "https://id.gs1.org/01/08934567123464/21/S1"
L1_URN = "urn:epc:class:lgtin:8934567.012340.L1"  # berries, lot L1
L1_DL = "https://id.gs1.org/01/08934567123402/10/L1"
L2_URN = "urn:epc:class:lgtin:8934567.012340.L2"
L2_DL = "https://id.gs1.org/01/08934567123402/10/L2"
BERRIES_GTIN_DL = "https://id.gs1.org/01/08934567123402"
P1_URN = "urn:epc:class:lgtin:8934567.012350.P1"  # pepper, lot P1
P1_DL = "https://id.gs1.org/01/08934567123501/10/P1"
SSCC_URN = "urn:epc:id:sscc:8934567.0000000001"
SSCC_DL = "https://id.gs1.org/00/089345670000000017"
GIAI_URN = "urn:epc:id:giai:8934567.SENSOR1"
GIAI_DL = "https://id.gs1.org/8004/8934567SENSOR1"
FARM_URN = "urn:epc:id:sgln:8934567.00001.0"
FARM_DL = "https://id.gs1.org/414/8934567000017"
DRYER_URN = "urn:epc:id:sgln:8934567.00002.0"
DRYER_DL = "https://id.gs1.org/414/8934567000024"
DOCK_URN = "urn:epc:id:sgln:8934567.00001.7"
DOCK_DL = "https://id.gs1.org/414/8934567000017/254/7"
DRYING = "https://ns.tracechain.dev/bizstep/drying"


def uuid_id(n: int) -> str:
    return f"urn:uuid:6f1c2d3e-0000-4000-8000-{n:012d}"


def kg(epc_class: str, quantity: float) -> dict:
    return {"epcClass": epc_class, "quantity": quantity, "uom": "KGM"}


def world_events_a() -> dict[str, dict]:
    """Cooperative A's events; E2 has no eventID (it gets its CBV 2.0 hash)."""
    return {
        "E1": {  # commissioning, 2025-02-10T00:30Z
            "type": "ObjectEvent", "eventID": uuid_id(1),
            "eventTime": "2025-02-10T07:30:00.000+07:00", "eventTimeZoneOffset": "+07:00",
            "action": "ADD", "bizStep": "commissioning", "disposition": "active",
            "epcList": [S1_URN, S2_DL],
            "quantityList": [kg(L1_URN, 500), kg(L2_DL, 200)],
            "readPoint": {"id": FARM_URN}, "bizLocation": {"id": FARM_URN},
            "ilmd": {"tc:variety": "Vinh Linh"},
        },
        "E2": {  # packing S1 and lot L2 into a pallet, 2025-02-11T01:00Z
            "type": "AggregationEvent",
            "eventTime": "2025-02-11T08:00:00.000+07:00", "eventTimeZoneOffset": "+07:00",
            "action": "ADD", "bizStep": "packing", "parentID": SSCC_URN,
            "childEPCs": [S1_DL], "childQuantityList": [kg(L2_URN, 200)],
            "readPoint": {"id": FARM_DL},
        },
        "E3": {  # drying, 2025-02-20T02:00Z
            "type": "TransformationEvent", "eventID": uuid_id(3),
            "eventTime": "2025-02-20T09:00:00.000+07:00", "eventTimeZoneOffset": "+07:00",
            "bizStep": DRYING,
            "inputEPCList": [S2_URN], "outputEPCList": [OUT_DL],
            "inputQuantityList": [kg(L1_DL, 500)], "outputQuantityList": [kg(P1_URN, 150)],
            "readPoint": {"id": DRYER_URN},
        },
        "E4": {  # shipping, 2025-03-01T03:00Z
            "type": "ObjectEvent", "eventID": uuid_id(4),
            "eventTime": "2025-03-01T10:00:00.000+07:00", "eventTimeZoneOffset": "+07:00",
            "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
            "epcList": [OUT_URN], "quantityList": [kg(P1_DL, 100)],
            "readPoint": {"id": DRYER_DL}, "bizLocation": {"id": DOCK_DL},
        },
        "E5": {  # a purchase order for the pallet, 2025-03-02T08:00Z; bizStep as a full URI
            "type": "TransactionEvent", "eventID": uuid_id(5),
            "eventTime": "2025-03-02T08:00:00.000Z", "eventTimeZoneOffset": "+00:00",
            "action": "ADD", "bizStep": "https://ref.gs1.org/cbv/BizStep-shipping",
            "parentID": SSCC_DL, "epcList": [S1_DL],
            "bizTransactionList": [{"type": "po",
                                    "bizTransaction": "urn:epcglobal:cbv:bt:8934567000017:PO1"}],
        },
        "E6": {  # a data logger put on the pallet, 2025-03-02T02:00Z
            "type": "AssociationEvent", "eventID": uuid_id(6),
            "eventTime": "2025-03-02T09:00:00.000+07:00", "eventTimeZoneOffset": "+07:00",
            "action": "ADD", "bizStep": "installing",
            "parentID": GIAI_URN, "childEPCs": [SSCC_URN],
        },
    }


def world_event_b() -> dict:
    """Cooperative B's one event: another serial of the same GTIN, 2025-02-15T00:00Z."""
    return {
        "type": "ObjectEvent", "eventID": uuid_id(7),
        "eventTime": "2025-02-15T00:00:00.000Z", "eventTimeZoneOffset": "+00:00",
        "action": "ADD", "bizStep": "commissioning", "disposition": "active",
        "epcList": ["urn:epc:id:sgtin:8934567.012345.S9"],
    }


def capture(client, token, doc):
    r = client.post("/epcis/capture", data=json.dumps(doc), content_type=JSONLD,
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 202, r.json
    assert r.json["success"] is True, r.json
    return r


def query(client, token, params=None, path="/epcis/events"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, query_string=params or {}, headers=headers)


def event_list(response) -> list[dict]:
    assert response.status_code == 200, response.json
    return response.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def assert_error(response, status: int, param: str | None = None) -> dict:
    """The one error shape (RFC 7807 plus {code, message, errors}); ``param`` is named in a
    path."""
    assert response.status_code == status, (response.status_code, response.json)
    body = response.json
    assert body["code"] == status
    assert body["status"] == status and response.mimetype == "application/problem+json"
    assert body["type"].startswith("epcisException:") and body["title"]
    assert isinstance(body["message"], str) and body["message"]
    if param is not None:
        assert any(e["path"] == f"$.query.{param}" for e in body["errors"]), body
    return body


class World:
    @classmethod
    def cached(cls, client, actions, dataset) -> World:
        """The world, captured once per backend and test process (the ``dataset`` fixture);
        each test gets a copy of its database."""
        built = dataset("epcis-query-world", lambda: {
            k: v for k, v in vars(cls(client, actions)).items() if k != "client"})
        world = cls.__new__(cls)
        vars(world).update(built, client=client)
        return world

    def __init__(self, client, actions):
        self.client = client
        org_a, org_b = actions.org("HTX Cam Lộ"), actions.org("HTX Gio Linh")
        self.member_a = actions.token("member", org_a)
        self.member_b = actions.token("member", org_b)
        self.inspector = actions.token("inspector")
        events = world_events_a()
        r = capture(client, self.member_a, document(*events.values()))
        self.ids = dict(zip(events, r.json["eventIDs"], strict=True))
        r = capture(client, self.member_b, document(world_event_b()))
        self.ids["E7"] = r.json["eventIDs"][0]
        self.names = {v: k for k, v in self.ids.items()}

    def found(self, params, token=None) -> set[str]:
        return {self.names[e["eventID"]]
                for e in event_list(query(self.client, token or self.member_a, params))}

    def check(self, cases, token=None):
        """Every (params, expected names) case; all mismatches are reported together."""
        wrong = []
        for params, expected in cases:
            got = self.found(params, token)
            if got != set(expected):
                wrong.append(f"{params}: expected {sorted(expected)}, got {sorted(got)}")
        assert not wrong, "\n".join(wrong)


@pytest.fixture
def world(client, actions, dataset) -> World:
    return World.cached(client, actions, dataset)


A_ALL = {"E1", "E2", "E3", "E4", "E5", "E6"}


def test_world_is_stored_as_sent(world):
    got = event_list(query(world.client, world.member_a))
    assert {world.names[e["eventID"]] for e in got} == A_ALL
    hashed = world.ids["E2"]
    assert hashed.startswith("ni:///sha-256;") and hashed.endswith("?ver=CBV2.0")
    sent = world_events_a()
    for e in got:
        name = world.names[e["eventID"]]
        expected = {**sent[name], "eventID": world.ids[name]}
        assert {k: v for k, v in e.items() if k != "recordTime"} == expected


def test_query_document_shape_and_headers(world):
    r = query(world.client, world.member_a, {"eventType": "ObjectEvent"})
    assert r.status_code == 200
    doc = r.json
    assert doc["type"] == "EPCISQueryDocument" and doc["schemaVersion"] == "2.0"
    assert doc["epcisBody"]["queryResults"]["queryName"] == "SimpleEventQuery"
    assert doc["@context"][0] == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    # E1 carries the extension tc:variety: the prefix its document bound comes back with it.
    assert {"tc": "https://ns.tracechain.dev/epcis/"}.items() <= doc["@context"][-1].items()
    assert r.headers["GS1-EPCIS-Version"] == "2.0.0"
    assert r.headers["GS1-CBV-Version"] == "2.0.0"
    assert "Link" not in r.headers


def test_event_type(world):
    world.check([
        ({"eventType": "ObjectEvent"}, {"E1", "E4"}),
        ({"eventType": "AggregationEvent"}, {"E2"}),
        ({"eventType": "TransformationEvent"}, {"E3"}),
        ({"eventType": "TransactionEvent"}, {"E5"}),
        ({"eventType": "AssociationEvent"}, {"E6"}),
        ({"eventType": "ObjectEvent|TransformationEvent"}, {"E1", "E3", "E4"}),
        ({"eventType": "AggregationEvent|AssociationEvent|TransactionEvent"}, {"E2", "E5", "E6"}),
        # The same list as repeated parameters.
        ({"eventType": ["ObjectEvent", "TransformationEvent"]}, {"E1", "E3", "E4"}),
    ])
    world.check([({"eventType": "ObjectEvent"}, {"E1", "E4", "E7"})], token=world.inspector)


@pytest.mark.parametrize("value", ["SensorEvent", "ObjectEvent|objectevent", "ObjectEvent|Bogus"])
def test_event_type_unknown_is_400(world, value):
    body = assert_error(query(world.client, world.member_a, {"eventType": value}), 400,
                        "eventType")
    assert value.split("|")[-1] in json.dumps(body["errors"])


def test_event_time_honours_offsets(world):
    world.check([
        # E4 happened at 2025-03-01T10:00+07:00 = 03:00Z: GE includes it, LT excludes it.
        ({"GE_eventTime": "2025-03-01T10:00:00+07:00"}, {"E4", "E5", "E6"}),
        ({"GE_eventTime": "2025-03-01T03:00:00Z"}, {"E4", "E5", "E6"}),
        ({"GE_eventTime": "2025-03-01T03:00:00.001Z"}, {"E5", "E6"}),
        ({"GE_eventTime": "2025-02-28T22:00:00-05:00"}, {"E4", "E5", "E6"}),
        ({"LT_eventTime": "2025-03-01T10:00:00+07:00"}, {"E1", "E2", "E3"}),
        ({"LT_eventTime": "2025-03-01T03:00:00.001+00:00"}, {"E1", "E2", "E3", "E4"}),
        # 09:00+07:00 is 02:00Z: E6 (02:00Z) and E5 (08:00Z) are at or after it.
        ({"GE_eventTime": "2025-03-02T09:00:00+07:00"}, {"E5", "E6"}),
        ({"LT_eventTime": "2025-03-02T09:00:00+07:00"}, {"E1", "E2", "E3", "E4"}),
        ({"GE_eventTime": "2025-02-11T01:00:00Z", "LT_eventTime": "2025-03-01T03:00:00Z"},
         {"E2", "E3"}),
    ])


def test_event_time_with_unencoded_plus(world):
    # A client that does not percent-encode '+' sends a space; the offset still counts.
    r = world.client.get("/epcis/events?GE_eventTime=2025-03-01T10:00:00+07:00",
                         headers={"Authorization": f"Bearer {world.member_a}"})
    assert {world.names[e["eventID"]] for e in event_list(r)} == {"E4", "E5", "E6"}


@pytest.mark.parametrize("name", ["GE_eventTime", "LT_eventTime", "GE_recordTime",
                                  "LT_recordTime"])
@pytest.mark.parametrize("value", ["2025-03-01T10:00:00", "2025-03-01", "yesterday"])
def test_time_without_zone_or_malformed_is_400(world, name, value):
    assert_error(query(world.client, world.member_a, {name: value}), 400, name)


def test_record_time(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    events = world_events_a()
    first = capture(client, token, document(events["E1"])).json["eventIDs"][0]
    time.sleep(0.02)
    between = datetime.now(UTC)
    time.sleep(0.02)
    second = capture(client, token, document(events["E2"])).json["eventIDs"][0]

    def found(params):
        return [e["eventID"] for e in event_list(query(client, token, params))]

    stamp = between.isoformat(timespec="microseconds")
    assert found({"GE_recordTime": stamp}) == [second]
    assert found({"LT_recordTime": stamp}) == [first]
    # The same instant with another offset selects the same; the UTC wall-clock time labelled
    # -03:00 is three hours later, after both.
    hanoi = between.astimezone(timezone(timedelta(hours=7))).isoformat()
    assert found({"GE_recordTime": hanoi}) == [second]
    assert found({"LT_recordTime": hanoi}) == [first]
    mislabelled = between.astimezone(UTC).replace(tzinfo=None).isoformat() + "-03:00"
    assert found({"GE_recordTime": mislabelled}) == []
    record = {e["eventID"]: e["recordTime"] for e in event_list(query(client, token))}
    assert found({"GE_recordTime": record[first], "LT_recordTime": stamp}) == [first]
    for value in record.values():
        assert value.endswith("Z")
        datetime.fromisoformat(value)  # well-formed


def test_eq_action(world):
    world.check([
        ({"EQ_action": "ADD"}, {"E1", "E2", "E5", "E6"}),
        ({"EQ_action": "OBSERVE"}, {"E4"}),
        ({"EQ_action": "DELETE"}, set()),
        ({"EQ_action": "ADD|OBSERVE"}, {"E1", "E2", "E4", "E5", "E6"}),  # E3 has no action
    ])


def test_eq_biz_step_word_uri_and_urn_all_match(world):
    world.check([
        # E4 says `shipping`, E5 the full web URI: every form finds both.
        ({"EQ_bizStep": "shipping"}, {"E4", "E5"}),
        ({"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-shipping"}, {"E4", "E5"}),
        ({"EQ_bizStep": "urn:epcglobal:cbv:bizstep:shipping"}, {"E4", "E5"}),
        ({"EQ_bizStep": "commissioning|packing"}, {"E1", "E2"}),
        ({"EQ_bizStep": DRYING}, {"E3"}),
        ({"EQ_bizStep": "receiving"}, set()),
    ])


def test_eq_disposition(world):
    world.check([
        ({"EQ_disposition": "in_transit"}, {"E4"}),
        ({"EQ_disposition": "https://ref.gs1.org/cbv/Disp-active"}, {"E1"}),
        ({"EQ_disposition": "urn:epcglobal:cbv:disp:active"}, {"E1"}),
        ({"EQ_disposition": "active|in_transit"}, {"E1", "E4"}),
        ({"EQ_disposition": "destroyed"}, set()),
    ])


def test_eq_read_point_sgln_and_digital_link_match_each_other(world):
    world.check([
        # E1 has the farm as an SGLN URN, E2 as a Digital Link.
        ({"EQ_readPoint": FARM_URN}, {"E1", "E2"}),
        ({"EQ_readPoint": FARM_DL}, {"E1", "E2"}),
        # E3 has the dryer as an SGLN URN, E4 as a Digital Link.
        ({"EQ_readPoint": DRYER_DL}, {"E3", "E4"}),
        ({"EQ_readPoint": f"{FARM_URN}|{DRYER_URN}"}, {"E1", "E2", "E3", "E4"}),
        ({"EQ_readPoint": DOCK_URN}, set()),
    ])


def test_eq_biz_location_sgln_and_digital_link_match_each_other(world):
    world.check([
        ({"EQ_bizLocation": FARM_URN}, {"E1"}),
        ({"EQ_bizLocation": FARM_DL}, {"E1"}),
        # E4's bizLocation is a DL with an extension (AI 254): the SGLN URN with it matches.
        ({"EQ_bizLocation": DOCK_URN}, {"E4"}),
        ({"EQ_bizLocation": DOCK_DL}, {"E4"}),
        ({"EQ_bizLocation": DRYER_URN}, set()),
    ])


def test_eq_event_id(world):
    world.check([
        ({"EQ_eventID": uuid_id(1)}, {"E1"}),
        ({"EQ_eventID": world.ids["E2"]}, {"E2"}),
        ({"EQ_eventID": f"{uuid_id(1)}|{world.ids['E2']}"}, {"E1", "E2"}),
        ({"EQ_eventID": uuid_id(7)}, set()),  # cooperative B's
        ({"EQ_eventID": uuid_id(99)}, set()),
    ])
    world.check([({"EQ_eventID": uuid_id(7)}, {"E7"})], token=world.inspector)


def test_match_epc_looks_in_epc_list_and_child_epcs_only(world):
    world.check([
        # S1: E1 epcList (URN), E2 childEPCs (DL), E5 epcList (DL).
        ({"MATCH_epc": S1_URN}, {"E1", "E2", "E5"}),
        ({"MATCH_epc": S1_DL}, {"E1", "E2", "E5"}),
        # S2 is in E1's epcList and E3's inputEPCList: inputs do not count.
        ({"MATCH_epc": S2_URN}, {"E1"}),
        # OUT is E3's output and E4's epcList.
        ({"MATCH_epc": OUT_DL}, {"E4"}),
        # parentIDs do not count either.
        ({"MATCH_epc": SSCC_DL}, {"E6"}),
        ({"MATCH_epc": f"{S2_DL}|{OUT_URN}"}, {"E1", "E4"}),
    ])


def test_match_any_epc_looks_in_every_list_and_parent_id(world):
    world.check([
        ({"MATCH_anyEPC": S2_DL}, {"E1", "E3"}),
        ({"MATCH_anyEPC": OUT_URN}, {"E3", "E4"}),
        ({"MATCH_anyEPC": SSCC_URN}, {"E2", "E5", "E6"}),
        ({"MATCH_anyEPC": GIAI_DL}, {"E6"}),
        ({"MATCH_anyEPC": L1_DL}, set()),  # a class, not an instance
    ])


def test_match_parent_input_output(world):
    world.check([
        ({"MATCH_parentID": SSCC_DL}, {"E2", "E5"}),
        ({"MATCH_parentID": SSCC_URN}, {"E2", "E5"}),
        ({"MATCH_parentID": GIAI_URN}, {"E6"}),
        ({"MATCH_parentID": S1_URN}, set()),
        ({"MATCH_inputEPC": S2_DL}, {"E3"}),
        ({"MATCH_inputEPC": S1_URN}, set()),
        ({"MATCH_outputEPC": OUT_URN}, {"E3"}),
        ({"MATCH_outputEPC": S2_URN}, set()),
    ])


def test_match_epc_class_and_any_epc_class(world):
    world.check([
        # quantityList and childQuantityList only.
        ({"MATCH_epcClass": L1_DL}, {"E1"}),
        ({"MATCH_epcClass": L2_URN}, {"E1", "E2"}),
        ({"MATCH_epcClass": P1_URN}, {"E4"}),
        ({"MATCH_anyEPCClass": L1_URN}, {"E1", "E3"}),
        ({"MATCH_anyEPCClass": P1_DL}, {"E3", "E4"}),
        ({"MATCH_anyEPCClass": L2_DL}, {"E1", "E2"}),
        ({"MATCH_inputEPCClass": L1_URN}, {"E3"}),
        ({"MATCH_outputEPCClass": P1_DL}, {"E3"}),
        ({"MATCH_outputEPCClass": L1_DL}, set()),
        ({"MATCH_anyEPCClass": S1_URN}, set()),  # an instance, not a class
    ])


def test_epc_patterns_match_every_serial_under_a_gtin(world):
    world.check([
        ({"MATCH_epc": ITEM_PATTERN}, {"E1", "E2", "E5"}),
        ({"MATCH_epc": ITEM_GTIN_DL}, {"E1", "E2", "E5"}),
        ({"MATCH_anyEPC": ITEM_PATTERN}, {"E1", "E2", "E3", "E5"}),
        ({"MATCH_inputEPC": ITEM_GTIN_DL}, {"E3"}),
        # A GTIN-only DL as a class pattern: every lot of the berries.
        ({"MATCH_anyEPCClass": BERRIES_GTIN_DL}, {"E1", "E2", "E3"}),
        ({"MATCH_epcClass": BERRIES_GTIN_DL}, {"E1", "E2"}),
        # Another GTIN whose digits start the same does not match.
        ({"MATCH_anyEPC": "urn:epc:idpat:sgtin:8934567.012346.*"}, {"E3", "E4"}),
    ])
    # Cooperative B's serial S9 is under the same GTIN: only the inspector sees it.
    world.check([({"MATCH_epc": ITEM_PATTERN}, {"E1", "E2", "E5", "E7"})],
                token=world.inspector)


def test_parameters_combine_with_and(world):
    world.check([
        ({"eventType": "ObjectEvent", "EQ_bizStep": "shipping"}, {"E4"}),
        ({"MATCH_anyEPC": SSCC_URN, "EQ_action": "ADD", "LT_eventTime": "2025-03-02T05:00:00Z"},
         {"E2", "E6"}),
        ({"MATCH_epc": S1_URN, "eventType": "TransformationEvent"}, set()),
    ])


@pytest.mark.parametrize("params,bad", [
    ({"EQ_foo": "1"}, "EQ_foo"),
    ({"eventType": "ObjectEvent", "match_epc": S1_URN}, "match_epc"),
    # EQ_persistentDisposition_set is supported since #10; the name without _set is not.
    ({"EQ_persistentDisposition": "completeness_verified"}, "EQ_persistentDisposition"),
])
def test_unknown_parameter_is_400(world, params, bad):
    body = assert_error(query(world.client, world.member_a, params), 400, bad)
    assert "unknown" in body["message"]


@pytest.mark.parametrize("params,bad", [
    ({"eventType": ""}, "eventType"),
    ({"EQ_bizStep": "|"}, "EQ_bizStep"),
    ({"MATCH_epc": " "}, "MATCH_epc"),
])
def test_empty_list_parameter_is_400(world, params, bad):
    assert_error(query(world.client, world.member_a, params), 400, bad)


# --- pagination ---------------------------------------------------------------------------


def harvest(n: int) -> dict:
    return {"type": "ObjectEvent", "eventID": uuid_id(100 + n),
            "eventTime": f"2025-02-{1 + n % 28:02d}T07:30:00.000+07:00",
            "eventTimeZoneOffset": "+07:00", "action": "ADD", "bizStep": "commissioning",
            "quantityList": [kg(f"urn:epc:class:lgtin:8934567.012340.H{n}", 100)]}


@pytest.fixture
def many(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    capture(client, token, document(*[harvest(n) for n in range(25)]))
    return token


def _next_link(response) -> str | None:
    link = response.headers.get("Link")
    if link is None:
        return None
    target, rel = link.split(";", 1)
    assert rel.strip() == 'rel="next"'
    assert target.startswith("<") and target.endswith(">")
    return target[1:-1]


def test_pages_of_ten_ten_five_without_gaps_or_duplicates(client, many):
    auth = {"Authorization": f"Bearer {many}"}
    everything = [e["eventID"] for e in event_list(query(client, many))]
    assert sorted(everything) == sorted(uuid_id(100 + n) for n in range(25))
    sizes, seen, tokens = [], [], []
    r = query(client, many, {"perPage": 10})
    while True:
        page = event_list(r)
        sizes.append(len(page))
        seen.extend(e["eventID"] for e in page)
        url = _next_link(r)
        if url is None:
            break
        token = parse_qs(urlsplit(url).query)["nextPageToken"]
        assert len(token) == 1
        tokens.append(token[0])
        assert parse_qs(urlsplit(url).query)["perPage"] == ["10"]
        r = client.get(url, headers=auth)
    assert sizes == [10, 10, 5]
    assert seen == everything  # same order, nothing twice, nothing missing
    assert len(set(tokens)) == 2


def test_token_used_by_hand_with_the_same_parameters(client, many):
    params = {"perPage": 10, "EQ_bizStep": "commissioning"}
    r = query(client, many, params)
    token = parse_qs(urlsplit(_next_link(r)).query)["nextPageToken"][0]
    second = event_list(query(client, many, {**params, "nextPageToken": token}))
    assert len(second) == 10
    assert not {e["eventID"] for e in second} & {e["eventID"] for e in event_list(r)}


def test_next_link_keeps_repeated_and_pipe_parameters(client, many):
    # Repeated parameters form one pipe list; the next link must keep all of them.
    auth = {"Authorization": f"Bearer {many}"}
    r = client.get("/epcis/events?perPage=10&eventType=ObjectEvent&eventType=AggregationEvent"
                   "&EQ_action=ADD|OBSERVE", headers=auth)
    seen = [e["eventID"] for e in event_list(r)]
    while (url := _next_link(r)) is not None:
        r = client.get(url, headers=auth)
        seen.extend(e["eventID"] for e in event_list(r))
    assert sorted(seen) == sorted(uuid_id(100 + n) for n in range(25))


def test_token_with_other_parameters_is_400(client, many):
    r = query(client, many, {"perPage": 10, "eventType": "ObjectEvent"})
    token = parse_qs(urlsplit(_next_link(r)).query)["nextPageToken"][0]
    for params in ({"eventType": "AggregationEvent"}, {},
                   {"eventType": "ObjectEvent", "EQ_action": "ADD"}):
        assert_error(query(client, many, {**params, "perPage": 10, "nextPageToken": token}),
                     400, "nextPageToken")


@pytest.mark.parametrize("token", [
    "garbage", "!!!", "eyJhIjoxfQ",  # the last is base64 of {"a":1}: no fingerprint
    base64.urlsafe_b64encode(b'{"a":"x","f":"0"}').decode(),
])
def test_garbage_token_is_400(client, many, token):
    assert_error(query(client, many, {"nextPageToken": token, "perPage": 10}), 400,
                 "nextPageToken")


def test_empty_token_is_the_first_page(client, many):
    first = event_list(query(client, many, {"perPage": 10}))
    assert event_list(query(client, many, {"nextPageToken": "", "perPage": 10})) == first


@pytest.mark.parametrize("per_page", ["0", "-1", "1001", "ten", "2.5"])
def test_per_page_out_of_range_is_400(client, many, per_page):
    assert_error(query(client, many, {"perPage": per_page}), 400, "perPage")


def test_per_page_at_the_limits(client, many, app):
    assert len(event_list(query(client, many, {"perPage": 1}))) == 1
    page_size_max = app_services(app).settings.page_size_max
    assert len(event_list(query(client, many, {"perPage": page_size_max}))) == 25
    app_services(app).reconfigure(page_size=7)
    r = query(client, many)
    assert len(event_list(r)) == 7 and _next_link(r) is not None


# --- one event by its ID ------------------------------------------------------------------


def one(client, token, event_id: str, encode: bool = True):
    path = "/epcis/events/" + (quote(event_id, safe="") if encode else event_id)
    return query(client, token, path=path)


def test_get_event_by_hash_id(world):
    hashed = world.ids["E2"]
    r = one(world.client, world.member_a, hashed)
    [event] = event_list(r)
    assert event["eventID"] == hashed
    assert {k: v for k, v in event.items() if k not in ("eventID", "recordTime")} \
        == world_events_a()["E2"]
    assert r.json["type"] == "EPCISQueryDocument"
    assert r.headers["GS1-EPCIS-Version"] == "2.0.0"
    # Only the '?' encoded, the slashes left as they are: the same event, no redirect.
    r = query(world.client, world.member_a, path="/epcis/events/" + hashed.replace("?", "%3F"))
    assert [e["eventID"] for e in event_list(r)] == [hashed]


def test_get_event_by_given_uuid(world):
    for encode in (True, False):
        [event] = event_list(one(world.client, world.member_a, uuid_id(4), encode))
        assert event["eventID"] == uuid_id(4) and event["bizStep"] == "shipping"


def test_get_unknown_event_is_404(world):
    assert_error(one(world.client, world.member_a, uuid_id(99)), 404)
    assert_error(one(world.client, world.member_a, "ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0"),
                 404)


# --- visibility ---------------------------------------------------------------------------


def test_member_sees_only_their_organisation(world):
    assert world.found({}) == A_ALL
    assert world.found({}, token=world.member_b) == {"E7"}
    world.check([({"MATCH_anyEPC": SSCC_URN}, set()),
                 ({"EQ_eventID": uuid_id(1)}, set())], token=world.member_b)
    assert_error(one(world.client, world.member_b, uuid_id(1)), 404)
    assert_error(one(world.client, world.member_b, world.ids["E2"]), 404)
    assert_error(one(world.client, world.member_a, uuid_id(7)), 404)


def test_inspector_and_admin_see_everything(world, actions):
    assert world.found({}, token=world.inspector) == A_ALL | {"E7"}
    admin = actions.token("admin")
    assert world.found({}, token=admin) == A_ALL | {"E7"}
    for token in (world.inspector, admin):
        [event] = event_list(one(world.client, token, uuid_id(7)))
        assert event["eventID"] == uuid_id(7)


def test_unauthenticated_is_401(world):
    for path in ("/epcis/events", "/epcis/events/" + quote(uuid_id(1), safe="")):
        r = query(world.client, None, path=path)
        assert_error(r, 401)
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        r = query(world.client, "tc_not_a_token", path=path)
        assert_error(r, 401)


# --- @context of a query answer -------------------------------------------------------------


def _with_context(prefix_iri: str, event: dict) -> dict:
    doc = document(event)
    doc["@context"] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                       {"ex": prefix_iri}]
    return doc


def test_documents_that_bind_one_prefix_differently_keep_their_meaning(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    first, second = harvest(1), harvest(2)
    first["ex:note"], second["ex:note"] = "first", "second"
    capture(client, token, _with_context("https://a.example/epcis/", first))
    capture(client, token, _with_context("https://b.example/epcis/", second))
    r = query(client, token)
    by_id = {e["eventID"]: e for e in event_list(r)}
    top = {k: v for item in r.json["@context"] if isinstance(item, dict) for k, v in item.items()}

    def meaning(event):
        own = {k: v for item in event.get("@context", []) for k, v in item.items()}
        return {**top, **own}["ex"]  # an event's own @context overrides the document's

    assert meaning(by_id[first["eventID"]]) == "https://a.example/epcis/"
    assert meaning(by_id[second["eventID"]]) == "https://b.example/epcis/"
    # Each alone needs no event-level context.
    for event in (first, second):
        [alone] = event_list(one(client, token, event["eventID"]))
        assert "@context" not in alone

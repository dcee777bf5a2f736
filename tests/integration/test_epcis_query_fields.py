"""The EPCIS 2.0 query parameters the field index answers (issue #10), over a real database.

A small world is captured through the API: cooperative A's five events (F1…F5) carry
quantities, ILMD and extension members (top level and nested), an SGLN with an extension,
a persistentDisposition, a bizTransaction, a transformationID, a sensor report and an error
declaration; cooperative B's one event (G1) carries the same values, so that every query also
shows that another organisation's events never match. Each test says which events a query must
return, by name.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.integration.epcis_docs import CONTEXT, document
from tests.integration.test_epcis_query import (
    DRYER_URN,
    FARM_DL,
    FARM_URN,
    L1_URN,
    L2_URN,
    OUT_URN,
    P1_URN,
    S1_URN,
    S2_URN,
    assert_error,
    capture,
    event_list,
    kg,
    query,
    uuid_id,
)
from tracechain.app_services import app_services
from tracechain.store.events import Event, EventField

TC = "https://ns.tracechain.dev/epcis/"
DOCK7_DL = FARM_DL + "/254/7"
DOCK8_URN = "urn:epc:id:sgln:8934567.00001.8"
PO = "urn:epcglobal:cbv:bt:8934567000017:PO1"
TRANSFORMATION = "urn:uuid:7a7a7a7a-0000-4000-8000-000000000001"
DEVICE = "urn:epc:id:giai:8934567.LOGGER1"


def events_a() -> dict[str, dict]:
    return {
        "F1": {  # commissioning at the farm's dock 7, 2025-02-10T00:30Z
            "type": "ObjectEvent", "eventID": uuid_id(201),
            "eventTime": "2025-02-10T07:30:00.000+07:00", "eventTimeZoneOffset": "+07:00",
            "action": "ADD", "bizStep": "commissioning", "disposition": "active",
            "persistentDisposition": {"set": ["completeness_verified"]},
            "epcList": [S1_URN, S2_URN],
            "quantityList": [kg(L1_URN, 500), kg(L2_URN, 200)],
            "readPoint": {"id": DOCK7_DL}, "bizLocation": {"id": FARM_URN},
            "ilmd": {"tc:variety": "Vinh Linh", "tc:moisture": 12.5,
                     "tc:harvested": "2025-02-09T06:00:00+07:00",
                     "tc:plot": {"tc:area": 1.2, "tc:soil": "basalt"}},
            "tc:grade": "A",
            "tc:certificate": {"tc:body": "VietGAP", "tc:score": 91},
        },
        "F2": {  # a temperature reading at the farm, 2025-02-11T01:00Z
            "type": "ObjectEvent", "eventID": uuid_id(202),
            "eventTime": "2025-02-11T08:00:00.000+07:00", "eventTimeZoneOffset": "+07:00",
            "action": "OBSERVE", "bizStep": "sensor_reporting", "epcList": [S1_URN],
            "readPoint": {"id": FARM_URN},
            "persistentDisposition": {"unset": ["completeness_verified"]},
            "bizTransactionList": [{"type": "po", "bizTransaction": PO}],
            "sensorElementList": [{
                "sensorMetadata": {"time": "2025-02-11T01:00:00Z", "deviceID": DEVICE,
                                   "startTime": "2025-02-11T00:00:00Z",
                                   "endTime": "2025-02-11T01:00:00Z",
                                   "bizRules": "https://ns.tracechain.dev/rules/cold"},
                "sensorReport": [
                    {"type": "gs1:Temperature", "value": 28.5, "uom": "CEL",
                     "minValue": 26, "maxValue": 31, "meanValue": 28.5, "sDev": 1.5,
                     "percRank": 50, "percValue": 28, "stringValue": "ok",
                     "booleanValue": True, "hexBinaryValue": "f0a1",
                     "uriValue": "https://ns.tracechain.dev/x", "deviceID": DEVICE,
                     "dataProcessingMethod": "https://ns.tracechain.dev/avg",
                     "microorganism": "https://www.ncbi.nlm.nih.gov/taxonomy/1126011",
                     "chemicalSubstance": "https://identifiers.org/inchikey:X",
                     "time": "2025-02-11T00:30:00Z", "tc:probe": "P7"},
                    {"type": "RelativeHumidity", "value": 70, "uom": "A93"}],
                "tc:calibrated": "2025-01-01T00:00:00Z",
            }],
        },
        "F3": {  # drying at the dryer, 2025-02-20T02:00Z
            "type": "TransformationEvent", "eventID": uuid_id(203),
            "eventTime": "2025-02-20T09:00:00.000+07:00", "eventTimeZoneOffset": "+07:00",
            "bizStep": "https://ns.tracechain.dev/bizstep/drying",
            "transformationID": TRANSFORMATION,
            "inputEPCList": [S2_URN], "outputEPCList": [OUT_URN],
            "inputQuantityList": [kg(L1_URN, 500)], "outputQuantityList": [kg(P1_URN, 150)],
            "readPoint": {"id": DRYER_URN, "tc:line": "2"},
        },
        "F4": {  # an error declaration of F1's reading, 2025-02-21T00:00Z
            "type": "ObjectEvent", "eventID": uuid_id(204),
            "eventTime": "2025-02-10T07:30:00.000+07:00", "eventTimeZoneOffset": "+07:00",
            "action": "OBSERVE", "bizStep": "inspecting", "epcList": [S1_URN],
            "readPoint": {"id": DOCK8_URN},
            "errorDeclaration": {"declarationTime": "2025-02-21T07:00:00+07:00",
                                 "reason": "incorrect_data",
                                 "correctiveEventIDs": [uuid_id(203)],
                                 "tc:note": "wrong scale"},
        },
        "F5": {  # packing into a pallet, 2025-02-22T00:00Z
            "type": "AggregationEvent", "eventID": uuid_id(205),
            "eventTime": "2025-02-22T00:00:00.000Z", "eventTimeZoneOffset": "+00:00",
            "action": "ADD", "bizStep": "packing", "parentID": "urn:epc:id:sscc:8934567.0000000002",
            "childQuantityList": [{"epcClass": L2_URN, "quantity": 200.0, "uom": "KGM"},
                                  {"epcClass": P1_URN, "quantity": 3}],
        },
    }


def event_b() -> dict:
    """Cooperative B's event: the same values as A's, and none of A's events."""
    return {
        "type": "ObjectEvent", "eventID": uuid_id(301),
        "eventTime": "2025-02-10T07:30:00.000+07:00", "eventTimeZoneOffset": "+07:00",
        "action": "ADD", "bizStep": "commissioning",
        "persistentDisposition": {"set": ["completeness_verified"]},
        "quantityList": [kg("urn:epc:class:lgtin:8934567.012340.B1", 500)],
        "readPoint": {"id": DOCK7_DL},
        "ilmd": {"tc:variety": "Vinh Linh", "tc:moisture": 12.5},
        "tc:grade": "A",
        "errorDeclaration": {"declarationTime": "2025-02-21T07:00:00+07:00",
                             "reason": "incorrect_data"},
    }


def build_world(client, actions) -> dict:
    org_a, org_b = actions.org("HTX Cam Lộ"), actions.org("HTX Gio Linh")
    tokens = {"member_a": actions.token("member", org_a),
              "member_b": actions.token("member", org_b),
              "inspector": actions.token("inspector")}
    events = events_a()
    r = capture(client, tokens["member_a"], document(*events.values()))
    ids = dict(zip(events, r.json["eventIDs"], strict=True))
    r = capture(client, tokens["member_b"], document(event_b()))
    ids["G1"] = r.json["eventIDs"][0]
    return {"tokens": tokens, "ids": ids}


class World:
    def __init__(self, client, built: dict):
        self.client = client
        self.member_a = built["tokens"]["member_a"]
        self.member_b = built["tokens"]["member_b"]
        self.inspector = built["tokens"]["inspector"]
        self.ids = built["ids"]
        self.names = {v: k for k, v in self.ids.items()}

    def found(self, params, token=None) -> set[str]:
        return {self.names[e["eventID"]]
                for e in event_list(query(self.client, token or self.member_a, params))}

    def check(self, cases, token=None):
        wrong = []
        for params, expected in cases:
            got = self.found(params, token)
            if got != set(expected):
                wrong.append(f"{params}: expected {sorted(expected)}, got {sorted(got)}")
        assert not wrong, "\n".join(wrong)


@pytest.fixture
def world(client, actions, dataset) -> World:
    """The world, captured once per backend and test process (the ``dataset`` fixture)."""
    return World(client, dataset("query-fields-world", lambda: build_world(client, actions)))


def test_quantity(world):
    world.check([
        ({"EQ_quantity": "500"}, {"F1", "F3"}),
        ({"EQ_quantity": "150|3"}, {"F3", "F5"}),
        ({"EQ_quantity": "499"}, set()),
        ({"GT_quantity": "200"}, {"F1", "F3"}),
        ({"GE_quantity": "200"}, {"F1", "F3", "F5"}),
        ({"LT_quantity": "150"}, {"F5"}),
        ({"LE_quantity": "150"}, {"F3", "F5"}),
        ({"LT_quantity": "1"}, set()),
        ({"EQ_quantity_KGM": "200"}, {"F1", "F5"}),
        ({"EQ_quantity_KGM": "3"}, set()),  # F5's 3 has no unit
        ({"GE_quantity_KGM": "500"}, {"F1", "F3"}),
        ({"LT_quantity_KGM": "200"}, {"F3"}),
        ({"GT_quantity_LTR": "0"}, set()),
    ])
    world.check([({"EQ_quantity": "500"}, {"F1", "F3", "G1"})], token=world.inspector)
    world.check([({"EQ_quantity": "500"}, {"G1"})], token=world.member_b)


def test_persistent_disposition_and_transformation_id(world):
    world.check([
        ({"EQ_persistentDisposition_set": "completeness_verified"}, {"F1"}),
        ({"EQ_persistentDisposition_set": "urn:epcglobal:cbv:disp:completeness_verified"},
         {"F1"}),
        ({"EQ_persistentDisposition_set": "https://ref.gs1.org/cbv/Disp-completeness_verified"},
         {"F1"}),
        ({"EQ_persistentDisposition_unset": "completeness_verified"}, {"F2"}),
        ({"EQ_persistentDisposition_set": "completeness_inferred|active"}, set()),
        ({"EQ_transformationID": TRANSFORMATION}, {"F3"}),
        ({"EQ_transformationID": uuid_id(999)}, set()),
    ])


def test_within_descendants_of_a_location(world):
    world.check([
        # The farm's GLN: its own id (F2) and its extensions (dock 7: F1; dock 8: F4).
        ({"WD_readPoint": FARM_URN}, {"F1", "F2", "F4"}),
        ({"WD_readPoint": FARM_DL}, {"F1", "F2", "F4"}),
        ({"EQ_readPoint": FARM_URN}, {"F2"}),
        # A location with an extension has no descendants but itself.
        ({"WD_readPoint": DOCK7_DL}, {"F1"}),
        ({"WD_readPoint": DOCK8_URN}, {"F4"}),
        ({"WD_readPoint": DRYER_URN}, {"F3"}),
        ({"WD_readPoint": "urn:epc:id:sgln:8934567.00003.0"}, set()),
        ({"WD_bizLocation": FARM_URN}, {"F1"}),
        ({"WD_bizLocation": DRYER_URN}, set()),
    ])
    world.check([({"WD_readPoint": FARM_URN}, {"G1"})], token=world.member_b)


def test_error_declaration(world):
    world.check([
        ({"EXISTS_errorDeclaration": ""}, {"F4"}),
        ({"EXISTS_errorDeclaration": "true"}, {"F4"}),
        ({"EXISTS_errorDeclaration": "false"}, {"F1", "F2", "F3", "F5"}),
        ({"EQ_errorReason": "incorrect_data"}, {"F4"}),
        ({"EQ_errorReason": "urn:epcglobal:cbv:er:incorrect_data"}, {"F4"}),
        ({"EQ_errorReason": "did_not_occur"}, set()),
        ({"EQ_correctiveEventID": uuid_id(203)}, {"F4"}),
        ({"EQ_correctiveEventID": uuid_id(201)}, set()),
        ({"GE_errorDeclarationTime": "2025-02-21T00:00:00Z"}, {"F4"}),
        ({"GE_errorDeclarationTime": "2025-02-21T00:00:00.001Z"}, set()),
        ({"LT_errorDeclarationTime": "2025-02-21T00:00:00.001Z"}, {"F4"}),
        ({"LT_errorDeclarationTime": "2025-02-21T07:00:00+07:00"}, set()),
        ({"EQ_ERROR_DECLARATION_tc:note": "wrong scale"}, {"F4"}),
        ({"EXISTS_ERROR_DECLARATION_tc:note": ""}, {"F4"}),
        ({"EXISTS_ERROR_DECLARATION_tc:other": ""}, set()),
    ])
    world.check([({"EQ_errorReason": "incorrect_data"}, {"F4", "G1"})], token=world.inspector)


def test_typed_lists(world):
    world.check([
        ({"EQ_bizTransaction_po": PO}, {"F2"}),
        ({"EQ_bizTransaction_inv": PO}, set()),
        ({"EQ_bizTransaction_po": "urn:epcglobal:cbv:bt:8934567000017:PO2"}, set()),
    ])


def test_sensor_parameters(world):
    world.check([
        ({"EXISTS_sensorElementList": ""}, {"F2"}),
        ({"EQ_type": "Temperature"}, {"F2"}),
        ({"EQ_type": "gs1:Temperature"}, {"F2"}),
        ({"EQ_type": "https://gs1.org/voc/RelativeHumidity"}, {"F2"}),
        ({"EQ_type": "Pressure"}, set()),
        ({"EQ_deviceID": DEVICE}, {"F2"}),
        ({"EQ_deviceID": "urn:epc:id:giai:8934567.OTHER"}, set()),
        ({"EQ_bizRules": "https://ns.tracechain.dev/rules/cold"}, {"F2"}),
        ({"EQ_dataProcessingMethod": "https://ns.tracechain.dev/avg"}, {"F2"}),
        ({"EQ_microorganism": "https://www.ncbi.nlm.nih.gov/taxonomy/1126011"}, {"F2"}),
        ({"EQ_chemicalSubstance": "https://identifiers.org/inchikey:X"}, {"F2"}),
        ({"EQ_stringValue": "ok"}, {"F2"}),
        ({"EQ_stringValue": "bad"}, set()),
        ({"EQ_booleanValue": "true"}, {"F2"}),
        ({"EQ_booleanValue": "false"}, set()),
        ({"EQ_hexBinaryValue": "F0A1"}, {"F2"}),
        ({"EQ_uriValue": "https://ns.tracechain.dev/x"}, {"F2"}),
        ({"GE_time": "2025-02-11T00:30:00Z"}, {"F2"}),
        ({"LT_time": "2025-02-11T00:30:00Z"}, set()),
        ({"GE_startTime": "2025-02-11T00:00:00Z"}, {"F2"}),
        ({"LT_startTime": "2025-02-11T00:00:00Z"}, set()),
        ({"GE_endTime": "2025-02-11T01:00:00.001Z"}, set()),
        ({"LT_endTime": "2025-02-11T01:00:00.001Z"}, {"F2"}),
        ({"GE_percRank": "50"}, {"F2"}),
        ({"GT_percRank": "50"}, set()),
        ({"EQ_value_CEL": "28.5"}, {"F2"}),
        ({"EQ_value_CEL": "70"}, set()),  # that is the humidity, in A93
        ({"EQ_value_A93": "70"}, {"F2"}),
        ({"GT_value_CEL": "28"}, {"F2"}),
        ({"GT_value_CEL": "28.5"}, set()),
        ({"LE_minValue_CEL": "26"}, {"F2"}),
        ({"LT_minValue_CEL": "26"}, set()),
        ({"GE_maxValue_CEL": "31"}, {"F2"}),
        ({"GT_meanValue_CEL": "28"}, {"F2"}),
        ({"LT_sDev_CEL": "2"}, {"F2"}),
        ({"LT_sDev_CEL": "1"}, set()),
        ({"GE_percValue_CEL": "28"}, {"F2"}),
        ({"EQ_SENSORREPORT_tc:probe": "P7"}, {"F2"}),
        ({"EQ_SENSORREPORT_tc:probe": "P8"}, set()),
        ({"GE_SENSORELEMENT_tc:calibrated": "2025-01-01T00:00:00Z"}, {"F2"}),
        ({"GT_SENSORELEMENT_tc:calibrated": "2025-01-01T00:00:00Z"}, set()),
        ({"EXISTS_SENSORMETADATA_tc:probe": ""}, set()),
    ])
    world.check([({"EQ_type": "Temperature"}, set())], token=world.member_b)


def test_ilmd_and_extension_fields(world):
    world.check([
        ({"EQ_ILMD_tc:variety": "Vinh Linh"}, {"F1"}),
        ({"EQ_ILMD_tc:variety": "Vinh Linh|Lộc Ninh"}, {"F1"}),
        ({"EQ_ILMD_tc:variety": "Lộc Ninh"}, set()),
        ({"GE_ILMD_tc:moisture": "12.5"}, {"F1"}),
        ({"GT_ILMD_tc:moisture": "12.5"}, set()),
        ({"LE_ILMD_tc:moisture": "13"}, {"F1"}),
        ({"EQ_ILMD_tc:moisture": "12.5"}, {"F1"}),
        # A date-time is compared as an instant, whatever its offset.
        ({"EQ_ILMD_tc:harvested": "2025-02-08T23:00:00Z"}, {"F1"}),
        ({"LT_ILMD_tc:harvested": "2025-02-08T23:00:00Z"}, set()),
        ({"GE_ILMD_tc:harvested": "2025-02-09T06:00:00+07:00"}, {"F1"}),
        ({"EXISTS_ILMD_tc:plot": ""}, {"F1"}),
        ({"EXISTS_ILMD_tc:soil": ""}, set()),  # nested: an INNER member
        ({"EQ_INNER_ILMD_tc:soil": "basalt"}, {"F1"}),
        ({"GE_INNER_ILMD_tc:area": "1"}, {"F1"}),
        ({"EXISTS_INNER_ILMD_tc:area": ""}, {"F1"}),
        ({"EQ_tc:grade": "A"}, {"F1"}),
        ({"EQ_tc:grade": "B"}, set()),
        ({"EXISTS_tc:certificate": ""}, {"F1"}),
        ({"EQ_INNER_tc:body": "VietGAP"}, {"F1"}),
        ({"GT_INNER_tc:score": "90"}, {"F1"}),
        ({"LT_INNER_tc:score": "90"}, set()),
        ({"EQ_tc:body": "VietGAP"}, set()),  # not at the top level
        # readPoint's own extension members.
        ({"EQ_readPoint_tc:line": "2"}, {"F3"}),
        ({"EQ_bizLocation_tc:line": "2"}, set()),
        # The prefix stands for its IRI: another prefix bound to it names the same field.
        ({"EQ_ILMD_tc:variety": "Vinh Linh", "eventType": "ObjectEvent"}, {"F1"}),
    ])
    world.check([({"EQ_tc:grade": "A"}, {"G1"})], token=world.member_b)
    world.check([({"EQ_tc:grade": "A"}, {"F1", "G1"})], token=world.inspector)


def test_a_prefix_is_read_as_the_documents_bound_it(client, actions):
    token = actions.token("member", actions.org("HTX A"))
    event = {**events_a()["F1"], "eventID": uuid_id(401)}
    doc = document(event)
    doc["@context"] = [CONTEXT[0], {"tc": "https://ns.tracechain.dev/epcis/",
                                    "lab": "https://lab.example/"}]
    event["lab:batch"] = "B-17"
    capture(client, token, doc)
    found = [e["eventID"] for e in event_list(query(client, token, {"EQ_lab:batch": "B-17"}))]
    assert found == [uuid_id(401)]
    assert event_list(query(client, token, {"EQ_other:batch": "B-17"})) == []


def test_master_data_attributes_match_nothing(world):
    # No EPCIS master data is stored: no location has attributes (docs/EPCIS_QUERY.md).
    world.check([({"HASATTR_bizLocation": "urn:epcglobal:cbv:mda:site"}, set()),
                 ({"EQATTR_readPoint_urn:epcglobal:cbv:mda:site": "x"}, set())])


def test_parameters_combine_with_and_values_with_or(world):
    world.check([
        ({"EQ_quantity": "500", "eventType": "TransformationEvent"}, {"F3"}),
        ({"EQ_quantity": "500", "WD_readPoint": FARM_URN}, {"F1"}),
        ({"EQ_quantity": "500|200", "EXISTS_errorDeclaration": ""}, set()),
        ({"EQ_ILMD_tc:variety": "Vinh Linh", "EQ_tc:grade": "A", "EQ_bizStep": "commissioning"},
         {"F1"}),
        ({"EQ_type": "Temperature", "MATCH_epc": S1_URN, "GE_eventTime": "2025-02-11T00:00:00Z"},
         {"F2"}),
    ])


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("params,bad", [
    ({"EQ_quantity": "many"}, "EQ_quantity"),
    ({"EQ_quantity": "5|x"}, "EQ_quantity"),
    ({"GE_quantity": "nan"}, "GE_quantity"),
    ({"LT_quantity": ""}, "LT_quantity"),
    ({"GE_errorDeclarationTime": "2025-02-21"}, "GE_errorDeclarationTime"),
    ({"GE_startTime": "soon"}, "GE_startTime"),
    ({"EQ_booleanValue": "yes"}, "EQ_booleanValue"),
    ({"EXISTS_errorDeclaration": "maybe"}, "EXISTS_errorDeclaration"),
    ({"GE_ILMD_tc:moisture": "wet"}, "GE_ILMD_tc:moisture"),
    ({"EQ_ILMD_tc:variety": "|"}, "EQ_ILMD_tc:variety"),
    ({"EQ_value_CEL": "hot"}, "EQ_value_CEL"),
    ({"WD_readPoint": ""}, "WD_readPoint"),
    ({"EQ_errorReason": ""}, "EQ_errorReason"),
    ({"eventCountLimit": "0", "orderBy": "eventTime"}, "eventCountLimit"),
    ({"maxEventCount": "-2"}, "maxEventCount"),
    ({"maxEventCount": "ten"}, "maxEventCount"),
    ({"orderBy": "bizStep"}, "orderBy"),
    ({"orderBy": "eventTime", "orderDirection": "UP"}, "orderDirection"),
    ({"orderDirection": "ASC"}, "orderDirection"),
    ({"eventCountLimit": "2"}, "eventCountLimit"),  # needs orderBy
    ({"eventCountLimit": "2", "maxEventCount": "3", "orderBy": "eventTime"}, "maxEventCount"),
])
def test_bad_values_are_400_naming_the_parameter(world, params, bad):
    assert_error(query(world.client, world.member_a, params), 400, bad)


@pytest.mark.parametrize("name", [
    "EQ_ILMD_", "EQ_INNER_", "EXISTS_ILMD_", "GE_INNER_ILMD_", "EQ_ILMD_variety",
    "EQ_bizTransaction_", "EQ_source_", "EQ_value_", "GT_value_celsius", "EQ_quantity_kg",
    "HASATTR_", "EQ_SENSORREPORT_",
])
def test_a_family_without_its_field_is_400(world, name):
    body = assert_error(query(world.client, world.member_a, {name: "1"}), 400, name)
    assert "names no field" in body["message"]


@pytest.mark.parametrize("name", ["EQ_grade", "GE_foo", "EXISTS_thing", "WD_bizStep",
                                  "EQ_errorreason", "LT_quantities"])
def test_unknown_names_are_400(world, name):
    body = assert_error(query(world.client, world.member_a, {name: "1"}), 400, name)
    assert "unknown" in body["message"]


# --- order, limits and pages ----------------------------------------------------------------


def _ids(response) -> list[str]:
    return [e["eventID"] for e in event_list(response)]


def _walk(client, token, params) -> tuple[list[str], int]:
    auth = {"Authorization": f"Bearer {token}"}
    r = query(client, token, params)
    seen, pages = _ids(r), 1
    while (link := r.headers.get("Link")) is not None:
        url = link.split(";")[0].strip()[1:-1]
        r = client.get(url, headers=auth)
        seen.extend(_ids(r))
        pages += 1
    return seen, pages


def test_order_by_event_time_both_ways_and_pages(world):
    ids = world.ids
    by_time_asc = [ids[n] for n in ("F1", "F4", "F2", "F3", "F5")]  # F1 and F4: same time
    r = query(world.client, world.member_a, {"orderBy": "eventTime", "orderDirection": "ASC"})
    assert _ids(r) == by_time_asc
    r = query(world.client, world.member_a, {"orderBy": "eventTime", "orderDirection": "DESC"})
    assert _ids(r) == by_time_asc[::-1]
    r = query(world.client, world.member_a, {"orderBy": "eventTime"})  # DESC by default
    assert _ids(r) == by_time_asc[::-1]
    for direction, expected in (("ASC", by_time_asc), ("DESC", by_time_asc[::-1])):
        seen, pages = _walk(world.client, world.member_a,
                            {"orderBy": "eventTime", "orderDirection": direction, "perPage": 2})
        assert seen == expected and pages == 3


def test_order_by_record_time(world, client, actions):
    seen, _ = _walk(client, world.member_a, {"orderBy": "recordTime", "orderDirection": "ASC",
                                             "perPage": 1})
    assert sorted(seen) == sorted(world.ids[n] for n in ("F1", "F2", "F3", "F4", "F5"))
    assert _ids(query(client, world.inspector, {"orderBy": "recordTime", "perPage": 1})) \
        == [world.ids["G1"]]  # captured last


def test_event_count_limit_spans_pages(world):
    params = {"orderBy": "eventTime", "orderDirection": "ASC", "eventCountLimit": "3"}
    assert _ids(query(world.client, world.member_a, params)) \
        == [world.ids[n] for n in ("F1", "F4", "F2")]
    seen, pages = _walk(world.client, world.member_a, {**params, "perPage": 2})
    assert seen == [world.ids[n] for n in ("F1", "F4", "F2")] and pages == 2


def test_max_event_count_is_413_when_exceeded(world):
    assert len(_ids(query(world.client, world.member_a, {"maxEventCount": "5"}))) == 5
    body = assert_error(query(world.client, world.member_a, {"maxEventCount": "4"}), 413,
                        "maxEventCount")
    assert "maxEventCount" in body["message"]
    # Only the events the caller may see count.
    assert _ids(query(world.client, world.member_b, {"maxEventCount": "1"})) \
        == [world.ids["G1"]]


def test_a_token_of_another_order_is_400(world):
    r = query(world.client, world.member_a, {"orderBy": "eventTime", "perPage": 2})
    token = parse_qs(urlsplit(r.headers["Link"].split(";")[0][1:-1]).query)["nextPageToken"][0]
    assert_error(query(world.client, world.member_a,
                       {"orderBy": "recordTime", "perPage": 2, "nextPageToken": token}),
                 400, "nextPageToken")
    assert_error(query(world.client, world.member_a, {"perPage": 2, "nextPageToken": token}),
                 400, "nextPageToken")


# --- the index is written for every event --------------------------------------------------------


def test_capture_writes_index_rows_for_every_event_type(world, app):
    with app_services(app).sessions() as s:
        rows = s.execute(select(Event.event_id, EventField.name)
                         .join(EventField, EventField.event_pk == Event.id)).all()
    names: dict[str, set[str]] = {}
    for event_id, name in rows:
        names.setdefault(world.names[event_id], set()).add(name)
    assert {"quantity", "pd.set", f"ilmd|{TC}variety",
            f"ilmdi|{TC}soil", f"x|{TC}grade", f"xi|{TC}score"} <= names["F1"]
    # The readPoint / bizLocation ids are read from the events' columns (migration 0012).
    assert not {"readPoint", "bizLocation"} & {n for found in names.values() for n in found}
    assert {"sensor", "sm.deviceID", "sr.type", "sr.value|CEL", "sr.value|A93", f"sr|{TC}probe",
            f"se|{TC}calibrated", "bt:po", "pd.unset"} <= names["F2"]
    assert {"transformationID", "quantity", f"rp|{TC}line"} <= names["F3"]
    assert {"ed", "ed.time", "ed.reason", "ed.corrective", f"ed|{TC}note"} <= names["F4"]
    assert {"quantity"} <= names["F5"]
    assert set(names) == {"F1", "F2", "F3", "F4", "F5", "G1"}


def test_nothing_is_indexed_for_a_refused_document(client, actions, app):
    token = actions.token("member", actions.org("HTX A"))
    bad = events_a()["F1"]
    bad["eventTime"] = "not a time"
    r = client.post("/epcis/capture", data=json.dumps(document(bad)),
                    content_type="application/ld+json",
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code in (400, 202)
    with app_services(app).sessions() as s:
        assert s.scalar(select(EventField.event_pk).limit(1)) is None

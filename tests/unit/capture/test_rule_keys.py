from __future__ import annotations

import pytest

from tracechain.capture.rule_keys import digital_link_problem, epc_urn_problem
from tracechain.capture.rules import check_document

LIMITS = {"capture_limit": 100, "max_yield": 1.02}


@pytest.mark.parametrize(
    "uri",
    [
        "https://id.gs1.org/01/08936100010019/10/QT24-CL-0157",
        "https://id.gs1.org/01/08936100010019",
        "https://id.gs1.org/01/8936100010019/21/0001",  # GTIN-13
        "https://id.gs1.org/01/96385074",  # GTIN-8
        "https://id.gs1.org/01/036000291452",  # GTIN-12 (UPC-A)
        "https://qr.hoptacxa-camlo.vn/01/08936100010019/10/QT24?17=260101",  # own resolver
        "https://id.gs1.org/gtin/08936100010019/lot/QT24",  # short names
        "https://id.gs1.org/00/089361000000000010",
        "https://id.gs1.org/414/8936100000102/254/yard-2",
        "https://id.gs1.org/417/8936100001000",
        "https://tracechain.vn/plots/QT-CL-0157",  # not Digital Link at all
        "https://example.com/2024/01/15",  # a date in a path is not a GTIN
        "geo:16.7589,107.1853",
    ],
)
def test_valid_or_unrelated_uris(uri):
    assert digital_link_problem(uri) is None


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("https://id.gs1.org/01/08936100010018/10/QT24", "last digit should be 9"),
        ("https://qr.hoptacxa-camlo.vn/01/08936100010018", "last digit should be 9"),
        ("https://id.gs1.org/01/08936100100/10/QT24", "8, 12, 13 or 14 digits (has 11"),
        ("https://id.gs1.org/01/0893610001001/10/QT24", "last digit should be 6"),  # a GTIN-13
        ("https://id.gs1.org/01/0893610001001X", "digits only"),
        ("https://id.gs1.org/gtin/08936100010018", "check digit"),
        ("https://id.gs1.org/00/08936100000000001", "SSCC 08936100000000001 must have 18"),
        ("https://id.gs1.org/00/089361000000000011", "last digit should be 0"),
        ("https://id.gs1.org/414/893610000010", "GLN 893610000010 must have 13"),
        ("https://id.gs1.org/414/8936100000103", "last digit should be 2"),
        ("https://id.gs1.org/417/8936100001001", "party GLN"),
    ],
)
def test_bad_digital_link_keys(uri, expected):
    problem = digital_link_problem(uri)
    assert problem is not None and expected in problem


@pytest.mark.parametrize(
    "urn",
    [
        "urn:epc:id:sgtin:8936100.001001.2017",
        "urn:epc:class:lgtin:8936100.002001.DL24-CMG-0042",
        "urn:epc:idpat:sgtin:8936100.001001.*",
        "urn:epc:idpat:sgtin:8936100.*.*",
        "urn:epc:id:sgln:8936100.00010.0",
        "urn:epc:id:sgln:952005385.011.ts4711",
        "urn:epc:id:pgln:8936100.00100",
        "urn:epc:id:sscc:8936100.0000000001",
        "urn:epc:id:grai:4012345.55555.1234",  # not a scheme we count
        "urn:uuid:6f1c2a9e-4b1d-4c3e-9a57-0b2d3e4f5a61",
    ],
)
def test_valid_or_unrelated_urns(urn):
    assert epc_urn_problem(urn) is None


@pytest.mark.parametrize(
    ("urn", "expected"),
    [
        ("urn:epc:id:sgtin:8936100.01001.2017", "13 digits together (has 12)"),
        ("urn:epc:class:lgtin:8936100.0020011.LOT", "13 digits together (has 14)"),
        ("urn:epc:id:sgln:8936100.000010.0", "12 digits together (has 13)"),
        ("urn:epc:id:sscc:8936100.000000001", "17 digits together (has 16)"),
        ("urn:epc:id:pgln:8936100.0010", "12 digits together (has 11)"),
        ("urn:epc:id:sgtin:8936100.001001", "3 parts"),
        ("urn:epc:id:sgtin:893610A.001001.1", "must be digits"),
    ],
)
def test_bad_urns(urn, expected):
    problem = epc_urn_problem(urn)
    assert problem is not None and expected in problem


def test_fixture_keys_are_valid(coffee, now):
    assert check_document(coffee, now=now, **LIMITS) == []


def test_every_identifier_field_is_checked(coffee, now):
    bad_gtin = "https://id.gs1.org/01/08936100020010/10/X"
    bad_gln = "https://id.gs1.org/414/8936100000400"
    bad_sscc = "https://id.gs1.org/00/089361000000000011"
    events = coffee["epcisBody"]["eventList"]
    events[0]["quantityList"][0]["epcClass"] = bad_gtin
    events[0]["bizLocation"]["id"] = bad_gln
    events[1]["inputQuantityList"][0]["epcClass"] = "urn:epc:class:lgtin:8936100.02001.X"
    events[1]["outputQuantityList"][0]["epcClass"] = bad_gtin
    events[1]["readPoint"]["id"] = bad_gln
    events[1]["inputEPCList"] = ["urn:epc:id:sgtin:8936100.0010011.1"]
    events[1]["outputEPCList"] = [bad_gtin]
    events[2]["parentID"] = bad_sscc
    events[2]["childEPCs"] = [bad_sscc]
    events[2]["childQuantityList"][0]["epcClass"] = bad_gtin
    events[3]["epcList"] = [bad_sscc]
    events[3]["sourceList"][0]["source"] = "https://id.gs1.org/417/8936100001001"
    events[3]["destinationList"][1]["destination"] = bad_gln
    events[3]["quantityList"] = [{"epcClass": bad_gtin, "quantity": 1, "uom": "KGM"}]
    paths = [p.path for p in check_document(coffee, now=now, **LIMITS)]
    assert paths == [
        "$.epcisBody.eventList[0].quantityList[0].epcClass",
        "$.epcisBody.eventList[0].bizLocation.id",
        "$.epcisBody.eventList[1].inputEPCList[0]",
        "$.epcisBody.eventList[1].outputEPCList[0]",
        "$.epcisBody.eventList[1].inputQuantityList[0].epcClass",
        "$.epcisBody.eventList[1].outputQuantityList[0].epcClass",
        "$.epcisBody.eventList[1].readPoint.id",
        "$.epcisBody.eventList[2].childEPCs[0]",
        "$.epcisBody.eventList[2].childQuantityList[0].epcClass",
        "$.epcisBody.eventList[2].parentID",
        "$.epcisBody.eventList[3].epcList[0]",
        "$.epcisBody.eventList[3].quantityList[0].epcClass",
        "$.epcisBody.eventList[3].sourceList[0].source",
        "$.epcisBody.eventList[3].destinationList[1].destination",
    ]


def test_plain_id_gs1_org_uris_are_judged_as_urlsplit_would():
    """The short cut for plain https://id.gs1.org/ paths: the same answer as the general way."""
    from urllib.parse import urlsplit

    from tracechain.capture import rule_keys

    uris = ["https://id.gs1.org/01/08934567890124/10/L-1", "https://id.gs1.org/01/1234/10/x",
            "https://id.gs1.org/00/089300000000000017", "https://id.gs1.org/00/08930000000000001",
            "https://id.gs1.org/414/8930000001007", "https://id.gs1.org/417/893000000100X",
            "https://id.gs1.org/01/08934567890125", "https://id.gs1.org/", "https://id.gs1.org/01/",
            "https://id.gs1.org/8004/0893123abc", "https://id.gs1.org/01/08934567890124/21/a/b",
            "https://id.gs1.org/01/08934567890125?x=1", "https://id.gs1.org/01/0893#frag",
            "https://id.gs1.org/01/089345\t67890124", "https://id.gs1.org//01/08934567890124"]

    def general(uri):
        parts = urlsplit(uri)
        segments = parts.path.split("/")
        for i, segment in enumerate(segments[:-1]):
            if segment in rule_keys._DL_KEYS:
                name, lengths = rule_keys._DL_KEYS[segment]
                return rule_keys._key_problem(name, segments[i + 1], lengths)
        return None

    for uri in uris:
        assert rule_keys.digital_link_problem(uri) == general(uri), uri
    assert rule_keys.digital_link_problem(uris[1]) is not None  # a short GTIN is refused

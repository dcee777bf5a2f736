"""The binding at the root (which requests are handed on under /epcis) and the Digital Link
form of an event's identifiers (GS1-EPC-Format: Always_GS1_Digital_Link)."""

from __future__ import annotations

import pytest

from tracechain.api.epcis_root import binding_path
from tracechain.api.epcis_versions import as_digital_links


@pytest.mark.parametrize("method,path,accept,expected", [
    ("GET", "/capture", None, "/epcis/capture"),
    ("POST", "/events", None, "/epcis/events"),
    ("GET", "/epcs/urn:epc:x/events", None, "/epcis/epcs/urn:epc:x/events"),
    ("DELETE", "/nextPageToken/abc", None, "/epcis/nextPageToken/abc"),
    ("GET", "/queries", None, "/epcis/queries"),
    ("GET", "/", "application/json", "/epcis/"),
    ("GET", "/", "application/ld+json", "/epcis/"),
    ("GET", "/", "text/html,application/json;q=0.9", None),
    ("GET", "/", None, None),
    ("GET", "/", "*/*", None),
    ("OPTIONS", "/", None, "/epcis/"),
    ("GET", "/epcis/events", None, None),  # already there
    ("GET", "/api/v1/lots", None, None),
    ("GET", "/01/08930000000017/10/L1", None, None),
    ("GET", "/eventsX", None, None),
    ("GET", "/capturez/1", None, None),
])
def test_binding_path(method, path, accept, expected):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path}
    if accept:
        environ["HTTP_ACCEPT"] = accept
    assert binding_path(environ) == expected


def test_as_digital_links_converts_every_gs1_key_and_nothing_else():
    event = {
        "type": "AggregationEvent", "parentID": "urn:epc:id:sscc:8934567.0000000001",
        "childEPCs": ["urn:epc:id:sgtin:8934567.012345.S1", "urn:example:not-gs1"],
        "childQuantityList": [{"epcClass": "urn:epc:class:lgtin:8934567.012340.L1",
                               "quantity": 5, "uom": "KGM"}],
        "readPoint": {"id": "urn:epc:id:sgln:8934567.00001.0"},
        "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:8934567.00001"}],
        "bizStep": "packing", "ilmd": {"x": "urn:epc:id:sgtin:8934567.012345.S1"},
    }
    out = as_digital_links(event)
    assert out["parentID"] == "https://id.gs1.org/00/089345670000000017"
    assert out["childEPCs"] == ["https://id.gs1.org/01/08934567123457/21/S1",
                                "urn:example:not-gs1"]
    assert out["childQuantityList"][0] == {"epcClass": "https://id.gs1.org/01/08934567123402/10/L1",
                                           "quantity": 5, "uom": "KGM"}
    assert out["readPoint"] == {"id": "https://id.gs1.org/414/8934567000017"}
    assert out["sourceList"][0]["source"].startswith("https://id.gs1.org/417/")
    assert out["bizStep"] == "packing" and out["ilmd"] == event["ilmd"]
    assert event["childEPCs"][0].startswith("urn:")  # the stored event is not changed

"""The EPCIS events the cooperative steps write: standard shapes, hash-safe values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from tracechain.domain.step_events import (
    CONTEXT,
    Amount,
    document,
    harvest_event,
    movement_event,
    offset,
    packing_event,
    timestamp,
    transformation_event,
    unpacking_event,
)

ICT = timezone(timedelta(hours=7))
WHEN = datetime(2025, 3, 10, 7, 30, tzinfo=ICT)
LOT = Amount("https://id.gs1.org/01/08936100000119/10/CL25-001", 820.0, "KGM")


def test_times_are_milliseconds_with_the_offset_given():
    assert timestamp(WHEN) == "2025-03-10T07:30:00.000+07:00"
    assert offset(WHEN) == "+07:00"
    assert offset(datetime(2025, 1, 1, tzinfo=timezone(-timedelta(hours=3, minutes=30)))) \
        == "-03:30"
    assert offset(datetime(2025, 1, 1, tzinfo=UTC)) == "+00:00"
    with pytest.raises(ValueError):
        timestamp(datetime(2025, 1, 1))


def test_document_declares_our_prefix_inline():
    doc = document({"type": "ObjectEvent"}, WHEN)
    assert doc["@context"] == CONTEXT
    assert doc["@context"][1] == {"tc": "https://ns.tracechain.dev/epcis/"}
    assert doc["schemaVersion"] == "2.0" and doc["creationDate"].endswith("+07:00")


def test_harvest_is_commissioning_with_plot_in_ilmd():
    event = harvest_event(LOT, WHEN, plot_id=7, harvest_date=date(2025, 3, 9),
                          crop_kind="pepper_berries", gln="8936100000010",
                          ilmd={"tc:variety": "Vĩnh Linh"})
    assert event["action"] == "ADD" and event["bizStep"] == "commissioning"
    assert event["disposition"] == "active"
    assert event["quantityList"] == [{"epcClass": LOT.uri, "quantity": 820.0, "uom": "KGM"}]
    assert event["bizLocation"] == {"id": "https://id.gs1.org/414/8936100000010"}
    assert event["ilmd"] == {"tc:harvestDate": "2025-03-09", "tc:plot": "urn:tracechain:plot:7",
                             "tc:cropKind": "pepper_berries", "tc:variety": "Vĩnh Linh"}


def test_transformation_and_aggregations():
    out = Amount("https://id.gs1.org/01/08936100000126/10/CL25-D01", 300.0, "KGM")
    event = transformation_event([LOT], [out], WHEN, biz_step="https://x/bizstep/drying",
                                 gln=None, ilmd={})
    assert event["type"] == "TransformationEvent" and "ilmd" not in event
    assert "readPoint" not in event and event["outputQuantityList"][0]["quantity"] == 300.0
    sscc = "https://id.gs1.org/00/389300000000000013"
    packed = packing_event(sscc, [out], WHEN, gln=None)
    assert (packed["action"], packed["bizStep"], packed["parentID"]) == ("ADD", "packing", sscc)
    emptied = unpacking_event(sscc, [], WHEN, gln=None)
    assert emptied["action"] == "DELETE" and "childQuantityList" not in emptied


def test_shipping_names_both_owning_parties_and_typed_transactions():
    whole = Amount(LOT.uri, None, None)
    event = movement_event("shipping", containers=[], lots=[whole], when=WHEN,
                           source_gln="8936100000010", destination_gln="8936101000019",
                           gln="8936100000010",
                           transactions=[("desadv", "urn:epcglobal:cbv:bt:8936100000010:DA1")])
    assert event["action"] == "OBSERVE" and event["disposition"] == "in_transit"
    assert event["quantityList"] == [{"epcClass": LOT.uri}]
    assert event["sourceList"] == [{"type": "owning_party",
                                    "source": "https://id.gs1.org/417/8936100000010"}]
    assert event["destinationList"][0]["destination"].endswith("/417/8936101000019")
    assert event["bizTransactionList"][0]["type"] == "desadv"
    received = movement_event("receiving", containers=["https://id.gs1.org/00/1"], lots=[],
                              when=WHEN, source_gln="1", destination_gln="2", gln=None,
                              transactions=[])
    assert received["disposition"] == "in_progress" and "bizTransactionList" not in received
    assert received["epcList"] == ["https://id.gs1.org/00/1"]

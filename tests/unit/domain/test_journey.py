"""Each EPCIS event as one step of the journey a consumer reads."""

from __future__ import annotations

import pytest

from tracechain.domain.journey import STEPS, destination, place_gln, step_of
from tracechain.domain.vocabulary import CBV, TC_BIZSTEP

COUNTRIES = {"8936104000016": "VN", "4068810000012": "DE", "8936101000019": "VN"}


def shipment(to: str) -> dict:
    return {"type": "ObjectEvent", "action": "OBSERVE",
            "bizLocation": {"id": "https://id.gs1.org/414/8936104000016"},
            "sourceList": [{"type": "owning_party",
                            "source": "https://id.gs1.org/417/8936104000016"}],
            "destinationList": [{"type": "owning_party",
                                 "destination": f"https://id.gs1.org/417/{to}"}]}


@pytest.mark.parametrize("event, biz_step, step", [
    ({"ilmd": {"tc:harvestDate": "2025-03-03"}}, CBV + "BizStep-commissioning", "harvesting"),
    ({"epcList": ["https://id.gs1.org/01/08936101000217/21/A1"]},
     CBV + "BizStep-commissioning", "serialising"),
    ({}, CBV + "BizStep-commissioning", "commissioning"),
    ({}, TC_BIZSTEP + "drying", "drying"),
    ({}, TC_BIZSTEP + "roasting", "roasting"),
    ({}, TC_BIZSTEP + "polishing", "processing"),  # ours, but no words for it yet
    ({}, CBV + "BizStep-packing", "packing"),
    ({}, CBV + "BizStep-departing", "shipping"),
    ({}, CBV + "BizStep-arriving", "receiving"),
    ({}, CBV + "BizStep-cycle_counting", "recorded"),
    ({}, "https://example.com/steps/anything", "recorded"),
    ({}, None, "recorded"),
])
def test_step_of(event, biz_step, step):
    assert step_of(event, biz_step) == step and step in STEPS


def test_a_shipment_abroad_is_an_export_and_its_receipt_an_import():
    country = COUNTRIES.get
    assert step_of(shipment("4068810000012"), CBV + "BizStep-shipping", country) == "exporting"
    assert step_of(shipment("8936101000019"), CBV + "BizStep-shipping", country) == "shipping"
    assert step_of(shipment("4068810000012"), CBV + "BizStep-receiving", country) == "importing"
    # An organisation we do not know: we cannot say it crossed a border.
    assert step_of(shipment("4000000000006"), CBV + "BizStep-shipping", country) == "shipping"


def test_where_and_to_whom():
    event = shipment("4068810000012")
    assert place_gln(event) == "8936104000016" and destination(event) == "4068810000012"
    assert place_gln({"readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"}}) is None
    assert destination({"destinationList": "not a list"}) is None

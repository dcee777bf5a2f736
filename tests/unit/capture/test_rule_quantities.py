from __future__ import annotations

import pytest

from tracechain.capture.rule_quantities import mass_kg
from tracechain.capture.rules import check_document

LIMITS = {"capture_limit": 100, "max_yield": 1.02}


def event(doc: dict, index: int = 0) -> dict:
    return doc["epcisBody"]["eventList"][index]


def test_positive_quantities_pass(harvest, now):
    event(harvest)["quantityList"][0]["quantity"] = 0.5
    assert check_document(harvest, now=now, **LIMITS) == []


def test_quantity_may_be_left_out(harvest, now):
    del event(harvest)["quantityList"][0]["quantity"]
    del event(harvest)["quantityList"][0]["uom"]
    assert check_document(harvest, now=now, **LIMITS) == []


@pytest.mark.parametrize("quantity", [0, -850, "850", True, None])
def test_quantity_must_be_a_positive_number(harvest, now, quantity):
    event(harvest)["quantityList"][0]["quantity"] = quantity
    [problem] = check_document(harvest, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].quantityList[0].quantity"
    assert "greater than 0" in problem.message


@pytest.mark.parametrize(
    ("list_name", "index"),
    [("childQuantityList", 2), ("inputQuantityList", 1), ("outputQuantityList", 1)],
)
def test_every_quantity_list_is_checked(coffee, now, list_name, index):
    event(coffee, index)[list_name][0]["quantity"] = 0
    [problem] = check_document(coffee, now=now, **LIMITS)
    assert problem.path == f"$.epcisBody.eventList[{index}].{list_name}[0].quantity"
    assert problem.event_index == index


@pytest.mark.parametrize("uom", ["KGM", "TNE", "H87", "58"])
def test_rec20_units_pass(harvest, now, uom):
    event(harvest)["quantityList"][0]["uom"] = uom
    assert check_document(harvest, now=now, **LIMITS) == []


@pytest.mark.parametrize("uom", ["kg", "K", "KGMS", "", 1])
def test_other_units_fail(harvest, now, uom):
    event(harvest)["quantityList"][0]["uom"] = uom
    [problem] = check_document(harvest, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].quantityList[0].uom"
    assert "Rec 20" in problem.message


def test_mass_in_kg_converts_units():
    items = [
        {"epcClass": "x", "quantity": 1, "uom": "TNE"},
        {"epcClass": "x", "quantity": 500, "uom": "GRM"},
        {"epcClass": "x", "quantity": 10, "uom": "LBR"},
        {"epcClass": "x", "quantity": 16, "uom": "ONZ"},
    ]
    assert mass_kg(items) == pytest.approx(1000 + 0.5 + 4.5359237 + 0.45359237)
    assert mass_kg([{"epcClass": "x", "quantity": 3, "uom": "LTR"}]) is None
    assert mass_kg([{"epcClass": "x", "quantity": 3}]) is None
    assert mass_kg([]) is None


def test_drying_loses_mass(drying, now):
    assert check_document(drying, now=now, **LIMITS) == []


def test_yield_within_tolerance_passes(drying, now):
    event(drying)["outputQuantityList"][0]["quantity"] = 867  # 850 kg x 1.02
    assert check_document(drying, now=now, **LIMITS) == []


def test_output_heavier_than_input(drying, now):
    event(drying)["outputQuantityList"][0]["quantity"] = 310.5
    event(drying)["outputQuantityList"][0]["uom"] = "TNE"  # typed TNE for KGM
    [problem] = check_document(drying, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[0].outputQuantityList"
    assert problem.event_index == 0
    assert problem.event_id == "urn:uuid:0c9b7e4a-1f6d-4a8e-b2c3-5d6e7f8a9b01"
    assert "310,500 kg" in problem.message and "850 kg" in problem.message
    assert "1.02" in problem.message


def test_yield_adds_several_lots_in_different_units(coffee, now):
    hulling = event(coffee, 1)
    hulling["inputQuantityList"] = [
        {"epcClass": "https://id.gs1.org/01/08936100020018/10/A", "quantity": 0.3, "uom": "TNE"},
        {"epcClass": "https://id.gs1.org/01/08936100020018/10/B", "quantity": 200, "uom": "KGM"},
    ]
    hulling["outputQuantityList"][0]["quantity"] = 500  # input 500 kg: passes
    assert check_document(coffee, now=now, **LIMITS) == []
    hulling["outputQuantityList"][0]["quantity"] = 520  # 1.04 x input: fails
    [problem] = check_document(coffee, now=now, **LIMITS)
    assert problem.path == "$.epcisBody.eventList[1].outputQuantityList"


def test_yield_is_not_judged_without_known_input_mass(drying, now):
    ev = event(drying)
    ev["outputQuantityList"][0]["quantity"] = 5000
    ev["inputEPCList"] = ["https://id.gs1.org/01/08936100010019/21/sack-7"]  # weight unknown
    assert check_document(drying, now=now, **LIMITS) == []
    del ev["inputEPCList"]
    ev["inputQuantityList"][0]["uom"] = "H87"  # pieces, not mass
    assert check_document(drying, now=now, **LIMITS) == []


def test_max_yield_is_a_parameter(drying, now):
    event(drying)["outputQuantityList"][0]["quantity"] = 900
    assert check_document(drying, now=now, capture_limit=100, max_yield=1.1) == []
    assert len(check_document(drying, now=now, capture_limit=100, max_yield=1.0)) == 1

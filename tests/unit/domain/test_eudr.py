"""EUDR rules (domain/eudr.py) against the facts of shared/eudr/README.md: the geolocation
file's shape, decimals, holes, points and polygons, the split limits, the statement's fields and
the EU's numbers."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.support.eudr_rules import violations
from tracechain.domain import eudr
from tracechain.domain.eudr import PlotFacts, StatementChoices

SQUARE = {"type": "Polygon", "coordinates": [[
    [108.061524, 12.672318], [108.063734, 12.672398], [108.063814, 12.674036],
    [108.062187, 12.67414], [108.061468, 12.673349], [108.061524, 12.672318]]]}


def plot(n: int = 1, producer: str = "Y Bhin Niê", **changes) -> PlotFacts:
    base = PlotFacts(n, f"P-{n}", 2.5, {"type": "Point", "coordinates": [108.05, 12.684512]},
                     producer, "VN", f"P-{n}, Ea Tu, Đắk Lắk")
    return replace(base, **changes)


def test_a_file_of_points_and_polygons_follows_the_eu_rules_with_exactly_6_decimals():
    files, wrong = eudr.geolocation_files([plot(1), plot(2, area_ha=4.47, geometry=SQUARE)])
    assert wrong == [] and len(files) == 1
    text = files[0].text
    assert violations(text) == []
    assert "[108.050000,12.684512]" in text and "12.674140" in text  # zeros written
    doc = json.loads(text, parse_float=Decimal)
    assert doc["features"][0]["properties"] == {
        "ProducerName": "Y Bhin Niê", "ProducerCountry": "VN",
        "ProductionPlace": "P-1, Ea Tu, Đắk Lắk", "Area": Decimal("2.5")}


def test_a_point_for_a_plot_over_4_ha_is_refused_and_named():
    _, wrong = eudr.geolocation_files([plot(1), plot(7, area_ha=5.2)])
    assert [w.code for w in wrong] == ["P-7"]
    assert "Polygon" in wrong[0].describe()


def test_a_hole_is_refused_not_dropped():
    holed = {"type": "Polygon", "coordinates": [
        SQUARE["coordinates"][0],
        [[108.0625, 12.6729], [108.063, 12.6729], [108.063, 12.6733], [108.0625, 12.6729]]]}
    files, wrong = eudr.geolocation_files([plot(3, area_ha=4.4, geometry=holed)])
    assert files == [] and "hole" in wrong[0].describe()


def test_corners_that_collapse_at_6_decimals_are_checked_after_rounding():
    # distinct at 10 decimals; at 6 the second and the fourth corner meet: a figure eight
    ring = [[108.0, 12.0], [108.0000021234, 12.0000021234], [108.000004, 12.0],
            [108.0000019, 12.000002], [108.0, 12.000004], [108.0, 12.0]]
    _, wrong = eudr.geolocation_files([plot(4, area_ha=0.001, geometry={
        "type": "Polygon", "coordinates": [ring]})])
    assert wrong and "P-4" in wrong[0].describe()


def test_over_the_limits_the_file_is_split_and_a_producer_stays_in_one_part():
    plots = [plot(i, producer=f"Hộ {i // 2}") for i in range(10)]  # 5 producers, 2 plots each
    files, _ = eudr.geolocation_files(plots, max_producers=2)
    assert [len(f.producers) for f in files] == [2, 2, 1]
    assert sum(len(f.features) for f in files) == 10
    for f in files:
        assert violations(f.text) == []
    one = len(eudr.geolocation_files(plots[:2])[0][0].text.encode())
    by_bytes, _ = eudr.geolocation_files(plots, max_bytes=one)
    assert len(by_bytes) == 5


CHOICES = StatementChoices(country_of_activity="DE", border_cross_country="DE",
                           hs_heading="0901", eori="DE123456789012345")


@pytest.mark.parametrize(("change", "path"), [
    ({"hs_heading": "0901.11"}, "$.hs_heading"),
    ({"country_of_activity": "VN"}, "$.country_of_activity"),
    ({"country_of_activity": ""}, "$.country_of_activity"),
    ({"eori": "DE 1234"}, "$.eori"),
    ({"eori": ""}, "$.eori"),  # needed for IMPORT
    ({"activity": "TRADE"}, "$.activity"),  # V3 has no TRADE
    ({"operator_role": "REPRESENTATIVE_OPERATOR"}, "$.operator_name"),
    ({"net_mass_kg": "-3"}, "$.net_mass_kg"),
    ({"net_mass_kg": "1.1234567"}, "$.net_mass_kg"),
])
def test_a_choice_the_eu_would_refuse_is_named_by_its_field(change, path):
    problems = eudr.statement_problems(replace(CHOICES, **change), 1500, "KGM", [plot()])
    assert path in [p.path for p in problems]


def test_net_mass_is_needed_for_import_when_the_lot_is_not_in_kilograms():
    problems = eudr.statement_problems(CHOICES, 320, "H87", [plot()])
    assert [p.path for p in problems] == ["$.net_mass_kg"]
    domestic = replace(CHOICES, activity="DOMESTIC", eori="")
    assert eudr.statement_problems(domestic, 320, "H87", [plot()]) == []
    assert eudr.statement_problems(CHOICES, 1500, "KGM", []) [0].path == "$.plots"


def test_over_1000_producers_the_lot_is_several_commodities_sharing_its_mass():
    plots = [plot(i, producer=f"Hộ {i}") for i in range(2001)]
    kg = {i: 2.0 if i < 1000 else 1.0 for i in range(2001)}
    draft = eudr.draft(CHOICES, lot_label="ET24-GC01", product="green coffee",
                       lot_quantity=3001, lot_unit="KGM", plots=plots, harvested_kg=kg)
    assert [len(c.producers) for c in draft.commodities] == [1000, 1000, 1]
    masses = [c.net_mass_kg for c in draft.commodities]
    assert masses == [2000.0, 1000.0, 1.0] and sum(masses) == 3001


def test_the_eus_numbers_have_their_formats():
    assert eudr.number_problems("26BE7XTVCZAQ2S", "SFFCB4Y3") == []
    assert [p.path for p in eudr.number_problems("26BE7", "SF")] == [
        "$.reference_number", "$.verification_number"]
    assert eudr.number_problems("26be7xtvczaq2s", "SFFCB4Y3")  # the caller upper-cases

"""The product kinds registry: kinds, attributes and which process turns which kind into which."""

from __future__ import annotations

import pytest

from tracechain.domain.attributes import ATTRIBUTES, ilmd_of, text_problem
from tracechain.domain.products import (
    KINDS,
    PROCESS_STEPS,
    check_attributes,
    check_process,
    kind_problem,
    to_kg,
    unit_problem,
)
from tracechain.domain.vocabulary import TC_BIZSTEP


def test_every_kind_has_both_names_a_crop_and_known_attributes():
    assert {"pepper_berries", "black_pepper", "white_pepper", "coffee_cherry", "dried_cherry",
            "green_coffee", "roasted_coffee", "ground_coffee"} <= set(KINDS)
    for kind in KINDS.values():
        assert kind.name_vi and kind.name_en and kind.default_unit == "KGM"
        assert kind.crop in ("pepper", "coffee")
        assert set(kind.attributes) <= set(ATTRIBUTES)
    assert KINDS["black_pepper"].name_vi == "Tiêu đen"
    assert KINDS["green_coffee"].name_vi == "Cà phê nhân"
    assert {k for k, v in KINDS.items() if v.harvestable} == {"pepper_berries", "coffee_cherry"}


def test_process_steps_are_our_uris_and_only_name_known_kinds():
    assert PROCESS_STEPS["drying"].uri == TC_BIZSTEP + "drying"
    for step in PROCESS_STEPS.values():
        assert step.turns
        assert all(a in KINDS and b in KINDS for a, b in step.turns)
        # Crops never mix: nothing turns pepper into coffee.
        assert all(KINDS[a].crop == KINDS[b].crop for a, b in step.turns)


@pytest.mark.parametrize(("step", "inputs", "outputs"), [
    ("drying", ["pepper_berries"], ["black_pepper"]),
    ("drying", ["coffee_cherry", "coffee_cherry"], ["dried_cherry"]),
    ("hulling", ["dried_cherry"], ["green_coffee"]),
    ("roasting", ["green_coffee"], ["roasted_coffee"]),
    ("grinding", ["roasted_coffee"], ["ground_coffee"]),
    ("grading", ["black_pepper"], ["black_pepper", "black_pepper"]),
    ("peeling", ["pepper_berries"], ["white_pepper"]),
])
def test_allowed_transformations(step, inputs, outputs):
    assert check_process(step, inputs, outputs) == []


def test_refused_transformations_say_what_the_step_does():
    (problem,) = check_process("roasting", ["green_coffee"], ["black_pepper"])
    assert problem.path == "$.outputs[0]"
    assert "green coffee into roasted coffee" in problem.message
    (problem,) = check_process("hulling", ["coffee_cherry"], ["green_coffee"])[:1]
    assert problem.path == "$.inputs[0]" and "does not take robusta coffee cherries" in \
        problem.message
    (problem,) = check_process("juggling", ["green_coffee"], ["green_coffee"])
    assert problem.path == "$.process" and "drying" in problem.message


def test_attributes_checked_by_kind_type_and_range():
    assert check_attributes("black_pepper", {"moisture_pct": 12.5, "density_g_l": 550,
                                             "grade": "FAQ 550"}) == []
    assert check_attributes("green_coffee", {"screen_size": 16, "grade": "R1"}) == []
    problems = check_attributes("black_pepper", {"moisture_pct": 130, "screen_size": 16,
                                                 "density_g_l": "550", "grade": "1"})
    by_path = {p.path: p.message for p in problems}
    assert by_path["$.attributes.moisture_pct"] == "must be at most 100"
    assert "not an attribute of black pepper" in by_path["$.attributes.screen_size"]
    assert by_path["$.attributes.density_g_l"] == "must be a number (not text)"
    assert "reads as a number" in by_path["$.attributes.grade"]
    assert check_attributes("green_coffee", {"screen_size": 16.5})[0].message == \
        "must be a whole number"
    assert check_attributes("roasted_coffee", {"roast_level": "burnt"})[0].message.startswith(
        "must be one of light")


@pytest.mark.parametrize("value", ["12", " 5", "1e3", "inf", "NaN", "1_000", "true", "False",
                                   "active", "po", "", 12])
def test_texts_that_hash_implementations_would_rewrite_are_refused(value):
    assert text_problem(value)


def test_hash_safe_texts_and_ilmd_names():
    for value in ("Vĩnh Linh", "TR4", "FAQ 550", "R1", "G12"):
        assert text_problem(value) is None
    assert ilmd_of({"variety": "TR4", "moisture_pct": 12.5}) == {
        "tc:moisturePercent": 12.5, "tc:variety": "TR4"}


def test_kinds_and_units():
    assert kind_problem("black_pepper") is None
    assert "unknown product kind 'tea'" in kind_problem("tea").message
    assert unit_problem("KGM", "$.unit") is None
    assert "not a mass unit" in unit_problem("LTR", "$.unit").message
    assert to_kg(2, "TNE") == 2000 and to_kg(500, "GRM") == 0.5 and to_kg(1, "H87") is None

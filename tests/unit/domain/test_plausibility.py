"""Unusual harvests and transformations: flagged from the numbers, never refused."""

from __future__ import annotations

from datetime import date

import pytest

from tracechain.domain.plausibility import (
    DEFAULT_CONVERSIONS,
    DEFAULT_HARVEST_LIMITS,
    Harvest,
    Transformation,
    harvest_flags,
    parse_limits,
    season_of,
    transformation_flags,
)


def _harvest(pk, kg, day=date(2025, 3, 3), plot=1, area=1.5, kind="pepper_berries"):
    return Harvest(pk, 7, plot, area, kind, kg, day)


def test_the_demo_harvests_are_plausible():
    assert harvest_flags([_harvest(1, 820), _harvest(2, 640, plot=2, area=2.8)],
                         DEFAULT_HARVEST_LIMITS) == []


def test_one_harvest_above_the_limit_per_hectare_is_flagged():
    [flag] = harvest_flags([_harvest(1, 33_000)], DEFAULT_HARVEST_LIMITS)  # 22 t/ha fresh
    assert (flag.rule, flag.event_pk, flag.measured, flag.high) == (
        "harvest-yield", 1, 22.0, 21.0)
    assert flag.id == "harvest-yield-1" and "season 2025" in flag.about


def test_many_small_harvests_of_one_plot_and_season_add_up():
    """The attacker who splits an impossible harvest into plausible pieces."""
    pieces = [_harvest(i, 2_500, day=date(2025, 2, i)) for i in range(1, 15)]  # 35 t on 1.5 ha
    assert {f.event_pk for f in harvest_flags(pieces, DEFAULT_HARVEST_LIMITS)} == set(
        range(1, 15))
    # The same amounts over two seasons are fine.
    spread = [_harvest(i, 2_500, day=date(2024 + i % 2, 3, 1)) for i in range(1, 15)]
    assert harvest_flags(spread, DEFAULT_HARVEST_LIMITS) == []


def test_coffee_seasons_run_october_to_september():
    assert season_of("coffee_cherry", date(2024, 11, 20)) == "2024/25"
    assert season_of("coffee_cherry", date(2025, 1, 5)) == "2024/25"
    assert season_of("coffee_cherry", date(2025, 10, 1)) == "2025/26"
    assert season_of("pepper_berries", date(2025, 3, 3)) == "2025"
    november = _harvest(1, 41_000, date(2024, 11, 20), kind="coffee_cherry", area=2.5)
    january = _harvest(2, 40_000, date(2025, 1, 20), kind="coffee_cherry", area=2.5)
    # 32.4 t/ha in one season
    assert len(harvest_flags([november, january], DEFAULT_HARVEST_LIMITS)) == 2


@pytest.mark.parametrize("process, given, made, flagged", [
    ("drying", ("pepper_berries", 2610), ("black_pepper", 950), False),  # the demo
    ("drying", ("pepper_berries", 1000), ("black_pepper", 900), True),   # barely dried
    ("drying", ("pepper_berries", 1000), ("black_pepper", 100), True),   # most of it gone
    ("hulling", ("dried_cherry", 2700), ("green_coffee", 1500), False),
    ("hulling", ("dried_cherry", 1000), ("green_coffee", 990), True),
    ("roasting", ("green_coffee", 600), ("roasted_coffee", 500), False),
    ("grading", ("black_pepper", 950), ("black_pepper", 900), False),
    ("grading", ("black_pepper", 1000), ("black_pepper", 300), True),
])
def test_transformation_yields_out_of_range_are_flagged(process, given, made, flagged):
    t = Transformation(1, 7, process, (given,), (made,))
    assert bool(transformation_flags([t], DEFAULT_CONVERSIONS)) is flagged


def test_a_transformation_without_quantities_or_known_kinds_is_not_judged():
    assert transformation_flags([Transformation(1, 7, "drying", (), ())],
                                DEFAULT_CONVERSIONS) == []
    odd = Transformation(1, 7, "mystery", (("black_pepper", 1.0),), (("green_coffee", 9.0),))
    assert transformation_flags([odd], DEFAULT_CONVERSIONS) == []


def test_limits_are_overridden_by_kind():
    limits = parse_limits("coffee_cherry=25, pepper_berries=12", DEFAULT_HARVEST_LIMITS)
    assert limits["coffee_cherry"] == 25 and limits["pepper_berries"] == 12
    assert limits["green_coffee"] == DEFAULT_HARVEST_LIMITS["green_coffee"]
    for bad in ("tea=3", "coffee_cherry", "coffee_cherry=-1", "coffee_cherry=x"):
        with pytest.raises(ValueError):
            parse_limits(bad, DEFAULT_HARVEST_LIMITS)

"""EUDR plot geometry, on plots that look like Quảng Trị pepper gardens and Đắk Lắk coffee farms.

Areas are checked against squares built from the WGS-84 radii of curvature, not against the
code's own formula.
"""

from __future__ import annotations

import copy
import math
from decimal import Decimal

import pytest

from tracechain.domain.geo import geometry_area_ha, polygon_area_ha, to_feature, validate_plot

# A pepper garden in Cam Lộ, Quảng Trị (about 1.25 ha), walked with a phone GPS.
PEPPER_RING = [
    [107.012341, 16.704512],
    [107.013187, 16.704398],
    [107.013402, 16.705273],
    [107.012866, 16.705619],
    [107.012213, 16.705332],
    [107.012341, 16.704512],
]
# A Robusta farm near Buôn Ma Thuột, Đắk Lắk (about 2.71 ha), with a 0.14 ha pond as a hole.
COFFEE_RING = [
    [108.041237, 12.701186],
    [108.042689, 12.701092],
    [108.042903, 12.702467],
    [108.041118, 12.702591],
    [108.041237, 12.701186],
]
POND = [
    [108.041700, 12.701600],
    [108.041700, 12.701900],
    [108.042100, 12.701900],
    [108.042100, 12.701600],
    [108.041700, 12.701600],
]
# A larger coffee estate in Cư M'gar (about 7.28 ha).
ESTATE_RING = [
    [108.051204, 12.698417],
    [108.053911, 12.698236],
    [108.054187, 12.700392],
    [108.051352, 12.700604],
    [108.051204, 12.698417],
]
PEPPER_POINT = {"type": "Point", "coordinates": [107.012782, 16.704961]}


def polygon(*rings) -> dict:
    return {"type": "Polygon", "coordinates": [copy.deepcopy(r) for r in rings]}


def square_ring(lon: float, lat: float, side_m: float) -> list[list[float]]:
    """A square of ``side_m`` metres built from the WGS-84 radii of curvature at ``lat``: an
    independent way to know the area a correct implementation must find."""
    a, e2 = 6378137.0, 0.00669437999014
    phi = math.radians(lat)
    w = 1 - e2 * math.sin(phi) ** 2
    meridian, normal = a * (1 - e2) / w**1.5, a / math.sqrt(w)
    dlat = math.degrees(side_m / meridian)
    dlon = math.degrees(side_m / (normal * math.cos(phi)))
    return [[lon, lat], [lon + dlon, lat], [lon + dlon, lat + dlat], [lon, lat + dlat], [lon, lat]]


def paths(problems) -> list[str]:
    return [p.path for p in problems]


# --- area ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lon", "lat"), [(107.0, 16.7), (108.0, 12.7), (2.35, 48.85), (0, 0)])
def test_one_hectare_square(lon, lat):
    assert polygon_area_ha(square_ring(lon, lat, 100)) == pytest.approx(1.0, rel=1e-4)


def test_large_square():
    assert polygon_area_ha(square_ring(108.0, 12.7, 2000)) == pytest.approx(400, rel=1e-3)


def test_area_ignores_orientation_and_closing_position():
    ring = PEPPER_RING
    assert polygon_area_ha(ring[::-1]) == pytest.approx(polygon_area_ha(ring))
    assert polygon_area_ha(ring[:-1]) == pytest.approx(polygon_area_ha(ring))


def test_area_of_real_looking_plots():
    assert polygon_area_ha(PEPPER_RING) == pytest.approx(1.246, abs=0.001)
    assert polygon_area_ha(COFFEE_RING) == pytest.approx(2.709, abs=0.001)


def test_holes_are_subtracted():
    with_pond = polygon(COFFEE_RING, POND)
    assert geometry_area_ha(with_pond) == pytest.approx(
        polygon_area_ha(COFFEE_RING) - polygon_area_ha(POND)
    )
    multi = {"type": "MultiPolygon", "coordinates": [[PEPPER_RING], [COFFEE_RING, POND]]}
    assert geometry_area_ha(multi) == pytest.approx(
        polygon_area_ha(PEPPER_RING) + geometry_area_ha(with_pond)
    )
    assert geometry_area_ha(PEPPER_POINT) == 0


# --- valid plots --------------------------------------------------------------------------------

def test_small_plot_as_a_point():
    assert validate_plot(copy.deepcopy(PEPPER_POINT), 1.2) == []


def test_polygons():
    assert validate_plot(polygon(PEPPER_RING), 1.25) == []
    assert validate_plot(polygon(COFFEE_RING, POND), 2.57) == []
    assert validate_plot(polygon(ESTATE_RING), 7.3) == []


def test_multipolygon():
    multi = {"type": "MultiPolygon", "coordinates": [[PEPPER_RING], [copy.deepcopy(ESTATE_RING)]]}
    assert validate_plot(multi, 8.5) == []


def test_altitude_is_allowed():
    ring = [[*p, 412.5] for p in COFFEE_RING]
    assert validate_plot(polygon(ring), 2.7) == []


def test_declared_area_within_ten_percent():
    assert validate_plot(polygon(COFFEE_RING), 2.5) == []  # drawn 2.71: 8% off
    assert validate_plot(polygon(COFFEE_RING), 2.95) == []


# --- area and geometry type ---------------------------------------------------------------------

@pytest.mark.parametrize("area", [0, -1.2, None, "1.2", float("nan"), True])
def test_area_must_be_positive(area):
    problems = validate_plot(copy.deepcopy(PEPPER_POINT), area)
    assert paths(problems) == ["$.area_ha"]


def test_declared_area_far_from_drawn():
    [problem] = validate_plot(polygon(COFFEE_RING), 2.2)
    assert problem.path == "$.area_ha"
    assert "2.2 ha" in problem.message and "2.71 ha" in problem.message


def test_point_only_up_to_four_hectares():
    assert validate_plot(copy.deepcopy(PEPPER_POINT), 4) == []
    [problem] = validate_plot(copy.deepcopy(PEPPER_POINT), 7.3)
    assert problem.path == "$.geometry.type"
    assert "needs a Polygon" in problem.message


@pytest.mark.parametrize("geometry", [{"type": "LineString", "coordinates": []}, {}, None, []])
def test_unsupported_geometry(geometry):
    assert paths(validate_plot(geometry, 1.0)) == ["$.geometry.type"]


@pytest.mark.parametrize(
    ("geometry", "path"),
    [
        ({"type": "Polygon", "coordinates": "x"}, "$.geometry.coordinates"),
        ({"type": "Polygon", "coordinates": []}, "$.geometry.coordinates"),
        ({"type": "MultiPolygon", "coordinates": None}, "$.geometry.coordinates"),
        ({"type": "MultiPolygon", "coordinates": [[PEPPER_RING], 5]}, "$.geometry.coordinates[1]"),
        ({"type": "Point", "coordinates": [107.012782]}, "$.geometry.coordinates"),
        ({"type": "Point", "coordinates": ["107.012782", 16.704961]}, "$.geometry.coordinates"),
    ],
)
def test_badly_nested_coordinates(geometry, path):
    assert paths(validate_plot(geometry, 1.0)) == [path]


# --- positions ----------------------------------------------------------------------------------

def test_longitude_out_of_range():
    [problem] = validate_plot({"type": "Point", "coordinates": [187.012782, 16.704961]}, 1.0)
    assert problem.path == "$.geometry.coordinates"
    assert "longitude" in problem.message


def test_swapped_latitude_and_longitude():
    ring = [[lat, lon] for lon, lat in PEPPER_RING]
    problems = validate_plot(polygon(ring), 1.25)
    assert problems[0].path == "$.geometry.coordinates[0][0]"
    assert "[longitude, latitude]" in problems[0].message
    assert len(problems) == len(ring)


def test_point_with_coarse_coordinates():
    [problem] = validate_plot({"type": "Point", "coordinates": [107.0128, 16.705]}, 1.0)
    assert problem.path == "$.geometry.coordinates"
    assert "6 decimals" in problem.message


def test_one_dropped_trailing_zero_is_not_held_against_a_float():
    # 107.012780 and 16.704960 arrive as 107.01278 and 16.70496.
    assert validate_plot({"type": "Point", "coordinates": [107.012780, 16.704960]}, 1.0) == []
    assert validate_plot({"type": "Point", "coordinates": [107.0128, 16.704961]}, 1.0) == []


def test_polygon_with_coarse_coordinates():
    ring = [[round(lon, 4), round(lat, 4)] for lon, lat in COFFEE_RING]
    [problem] = validate_plot(polygon(ring), 2.7)
    assert problem.path == "$.geometry.coordinates[0][0]"
    assert "too coarse" in problem.message


def test_decimal_coordinates_are_judged_exactly():
    exact = [[Decimal(f"{lon:.6f}"), Decimal(f"{lat:.6f}")] for lon, lat in COFFEE_RING]
    assert validate_plot(polygon(exact), Decimal("2.7")) == []
    exact[2][1] = Decimal("12.70247")
    [problem] = validate_plot(polygon(exact), 2.7)
    assert problem.path == "$.geometry.coordinates[0][2]"
    assert "only 5 decimals" in problem.message


# --- rings --------------------------------------------------------------------------------------

def test_ring_not_closed():
    [problem] = validate_plot(polygon(PEPPER_RING[:-1]), 1.25)
    assert problem.path == "$.geometry.coordinates[0][4]"
    assert "not closed" in problem.message


def test_positions_that_are_not_positions():
    assert paths(validate_plot({"type": "Polygon", "coordinates": [[1, 2]]}, 1.0)) == [
        "$.geometry.coordinates[0][0]",
        "$.geometry.coordinates[0][1]",
    ]


def test_ring_too_short():
    ring = [PEPPER_RING[0], PEPPER_RING[1], PEPPER_RING[0]]
    [problem] = validate_plot(polygon(ring), 1.0)
    assert problem.path == "$.geometry.coordinates[0]"
    assert "at least 4 positions" in problem.message


def test_bow_tie_crosses_itself():
    a, b, c, d = COFFEE_RING[:4]
    [problem] = validate_plot(polygon([a, b, d, c, a]), 1.4)
    assert problem.path == "$.geometry.coordinates[0][3]"  # edge 3 (c-a) meets edge 1 (b-d)
    assert "crosses itself" in problem.message and "position 1" in problem.message


def test_figure_eight_in_a_longer_ring():
    ring = copy.deepcopy(PEPPER_RING)
    ring[1], ring[3] = ring[3], ring[1]
    problems = validate_plot(polygon(ring), 1.0)
    assert "crosses itself" in problems[0].message


def test_spike_that_folds_back():
    a, b, c, d = COFFEE_RING[:4]
    mid = [(b[0] + c[0]) / 2, (b[1] + c[1]) / 2]
    ring = [a, b, c, mid, d, a]  # c -> mid runs back along b -> c
    problems = validate_plot(polygon(ring), 2.7)
    assert "crosses itself" in problems[0].message


def test_repeated_gps_positions_are_tolerated():
    ring = copy.deepcopy(PEPPER_RING)
    ring.insert(2, list(ring[1]))
    assert validate_plot(polygon(ring), 1.25) == []


def test_hole_outside_the_outer_ring():
    pond = [[lon + 0.01, lat] for lon, lat in POND]
    [problem] = validate_plot(polygon(COFFEE_RING, pond), 2.57)
    assert problem.path == "$.geometry.coordinates[1]"
    assert "hole 1 is not inside" in problem.message


def test_hole_crossing_the_outer_ring():
    pond = [[lon + 0.0007, lat] for lon, lat in POND]  # pokes out of the east edge
    [problem] = validate_plot(polygon(COFFEE_RING, pond), 2.57)
    assert problem.path == "$.geometry.coordinates[1]"


def test_problem_paths_inside_a_multipolygon():
    bad = copy.deepcopy(ESTATE_RING)
    bad[-1] = [108.051205, 12.698417]
    multi = {"type": "MultiPolygon", "coordinates": [[PEPPER_RING], [bad]]}
    [problem] = validate_plot(multi, 8.5)
    assert problem.path == "$.geometry.coordinates[1][0][4]"


def test_a_few_hundred_corners_are_quick():
    # A circle-like plot walked with 400 GPS fixes.
    ring = [[108.0 + 0.001 * math.cos(t / 400 * 2 * math.pi) + 1e-7,
             12.7 + 0.001 * math.sin(t / 400 * 2 * math.pi) + 1e-7] for t in range(400)]
    ring.append(ring[0])
    ring = [[round(lon, 7), round(lat, 7)] for lon, lat in ring]
    assert validate_plot(polygon(ring), polygon_area_ha(ring)) == []


# --- export -------------------------------------------------------------------------------------

def test_feature():
    feature = to_feature("QT-CL-0157", copy.deepcopy(PEPPER_POINT), {"area_ha": 1.2})
    assert feature == {
        "type": "Feature",
        "id": "QT-CL-0157",
        "geometry": PEPPER_POINT,
        "properties": {"area_ha": 1.2},
    }
    assert to_feature(7, PEPPER_POINT, None)["properties"] == {}

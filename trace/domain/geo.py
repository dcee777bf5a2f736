"""EUDR plot geometry: GeoJSON Point / Polygon / MultiPolygon in WGS-84, ``[longitude, latitude]``.

The EU Deforestation Regulation wants each plot as a point (plots up to 4 ha) or a polygon (above),
coordinates with at least 6 decimals, rings closed and not crossing themselves. `validate_plot`
says what is wrong in a clerk's words; `polygon_area_ha` checks the declared area.

Decimals of floats: JSON parsing keeps no trailing zeros (107.123450 reads back as 107.12345), so
a float's decimals are counted in its shortest form (``repr``) and 5 shown decimals count as 6.
One number can still end in two zeros by chance (1 in 100), so floats are judged per geometry:
it is "too coarse" when more than half of its numbers show 4 decimals or fewer. Numbers given as
`decimal.Decimal` (``json.loads(..., parse_float=Decimal)``) keep their zeros and are judged one
by one, strictly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise
from typing import Any

from .errors import Problem
from .json_types import JsonObject

POINT_MAX_HA = 4.0  # EUDR: a single point is enough only for plots up to 4 ha
MIN_DECIMALS = 6  # EUDR: about 0.1 m
AREA_TOLERANCE = 0.10  # declared vs drawn area; a hand-walked GPS track is rarely better

# WGS-84 ellipsoid.
_A = 6378137.0
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_E = math.sqrt(_E2)

Number = float | Decimal  # a JSON number: float (int included), or Decimal with parse_float=Decimal
Position = Sequence[Number]  # [longitude, latitude] or [longitude, latitude, altitude]
XY = Sequence[float]  # a corner as (x, y); a ring's corners after `_flat`


def _q(lat_rad: float) -> float:
    """The authalic function q(phi) of the ellipsoid (Snyder, Map Projections, eq. 3-12)."""
    s = math.sin(lat_rad)
    return (1 - _E2) * (s / (1 - _E2 * s * s) - math.log((1 - _E * s) / (1 + _E * s)) / (2 * _E))


def polygon_area_ha(ring: Sequence[Position]) -> float:
    """Area of one ring in hectares, on the WGS-84 ellipsoid.

    Projects with the Lambert cylindrical equal-area projection of the ellipsoid (x = a*lon,
    y = a*q(lat)/2), which keeps areas exactly, then applies the shoelace formula. Edges are
    straight in that projection rather than geodesics; for plots of a few hectares the difference
    is far below 0.01%. Orientation does not matter; the ring may or may not repeat its first
    position.
    """
    points = [(_A * math.radians(p[0]), _A * _q(math.radians(p[1])) / 2) for p in ring]
    x0, y0 = points[0] if points else (0.0, 0.0)
    points = [(x - x0, y - y0) for x, y in points]  # small numbers: no cancellation in shoelace
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(points + points[:1]))
    return abs(twice) / 2 / 10_000


def geometry_area_ha(geometry: JsonObject) -> float:
    """Area of a Polygon or MultiPolygon (outer rings minus holes) in hectares; 0 for a Point."""
    kind = geometry.get("type")
    coordinates: Any = geometry.get("coordinates")  # raw JSON: checked by validate_plot
    polygons: list[list[list[Position]]] = (
        [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else [])
    return sum(polygon_area_ha(rings[0]) - sum(polygon_area_ha(h) for h in rings[1:])
               for rings in polygons)


def to_feature(plot_id: str | int, geometry: JsonObject,
               properties: JsonObject | None = None) -> JsonObject:
    """A GeoJSON Feature for one plot (the unit of the EUDR geolocation file)."""
    return {"type": "Feature", "id": plot_id, "geometry": geometry,
            "properties": dict(properties or {})}


# --- validation --------------------------------------------------------------------------------

def _is_number(value: object) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _decimals(value: float | int | Decimal) -> int:
    exponent = (value if isinstance(value, Decimal) else Decimal(repr(value))).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _position_problems(pos: object, path: str) -> list[Problem]:
    if not isinstance(pos, list) or len(pos) not in (2, 3) or not all(map(_is_number, pos)):
        return [Problem(path, "a position must be [longitude, latitude] with two numbers")]
    lon, lat = pos[0], pos[1]
    if abs(lat) > 90:
        swapped = " - swapped? GeoJSON wants [longitude, latitude]" if abs(lon) <= 90 else ""
        return [Problem(path, f"latitude {lat} is outside -90..90{swapped}")]
    if abs(lon) > 180:
        return [Problem(path, f"longitude {lon} is outside -180..180")]
    return []


def _rings_of(
        geometry: JsonObject) -> tuple[list[tuple[str, list[list[Position]]]], list[Problem]]:
    """(path, rings) of every polygon, or problems when the nesting is wrong (the rings are lists
    of lists only when there are no problems)."""
    coordinates: Any = geometry.get("coordinates")  # raw JSON, checked below
    base = "$.geometry.coordinates"
    if geometry.get("type") == "Polygon":
        polygons: list[tuple[str, list[list[Position]]]] = [(base, coordinates)]
    elif isinstance(coordinates, list):
        polygons = [(f"{base}[{i}]", rings) for i, rings in enumerate(coordinates)]
    else:
        polygons = []
    if not polygons:
        return [], [Problem(base, "a MultiPolygon needs a list of polygons")]
    bad = [Problem(path, "a polygon needs a list of rings, each a list of positions")
           for path, rings in polygons
           if not isinstance(rings, list) or not rings
           or not all(isinstance(r, list) for r in rings)]
    return polygons, bad


def _orient(a: XY, b: XY, c: XY) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: XY, b: XY, p: XY) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _segments_cross(a: XY, b: XY, c: XY, d: XY) -> bool:
    """Do segments ab and cd share any point (touching and collinear overlap included)?"""
    o1, o2, o3, o4 = _orient(a, b, c), _orient(a, b, d), _orient(c, d, a), _orient(c, d, b)
    if ((o1 > 0) != (o2 > 0)) and ((o3 > 0) != (o4 > 0)) and 0 not in (o1, o2, o3, o4):
        return True
    return any(o == 0 and _on_segment(s, e, p) for o, s, e, p in
               ((o1, a, b, c), (o2, a, b, d), (o3, c, d, a), (o4, c, d, b)))


def _folds_back(a: XY, shared: XY, b: XY) -> bool:
    """Do the edges a-shared and shared-b run back along each other (a spike of zero width)?
    "Along" allows for rounding: a corner typed as the midpoint of an edge is off by ~1e-16."""
    u = (shared[0] - a[0], shared[1] - a[1])
    v = (b[0] - shared[0], b[1] - shared[1])
    dot = u[0] * v[0] + u[1] * v[1]
    return dot < 0 and abs(u[0] * v[1] - u[1] * v[0]) <= 1e-9 * math.hypot(*u) * math.hypot(*v)


def _boxes_apart(a: XY, b: XY, c: XY, d: XY) -> bool:
    return (max(a[0], b[0]) < min(c[0], d[0]) or max(c[0], d[0]) < min(a[0], b[0])
            or max(a[1], b[1]) < min(c[1], d[1]) or max(c[1], d[1]) < min(a[1], b[1]))


def _self_intersection(ring: list[tuple[float, float]]) -> tuple[int, int] | None:
    """Position indexes where two edges of a closed ring start that meet anywhere but at their
    shared corner.

    Plain O(n^2) pair test with a bounding-box shortcut: plots have at most a few hundred corners.
    Repeated consecutive positions are skipped, not reported (GPS apps write them).
    """
    kept = [i for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]]
    edges = [(start, ring[start], ring[end]) for start, end in pairwise(kept)]
    n = len(edges)
    for i in range(n):
        first, a, b = edges[i]
        for j in range(i + 1, n):
            second, c, d = edges[j]
            if j == i + 1:
                meet = _folds_back(a, b, d)
            elif i == 0 and j == n - 1:
                meet = _folds_back(c, a, b)
            else:
                meet = not _boxes_apart(a, b, c, d) and _segments_cross(a, b, c, d)
            if meet:
                return first, second
    return None


def _inside(point: XY, ring: list[tuple[float, float]]) -> bool:
    """Ray casting; a point on the boundary counts as inside."""
    x, y = point[0], point[1]
    inside = False
    for (x1, y1, *_), (x2, y2, *_) in pairwise(ring + ring[:1]):
        if _orient((x1, y1), (x2, y2), (x, y)) == 0 and _on_segment((x1, y1), (x2, y2), (x, y)):
            return True
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _flat(ring: Sequence[Position]) -> list[tuple[float, float]]:
    return [(float(p[0]), float(p[1])) for p in ring]


def _ring_problems(ring: list[Position], path: str) -> list[Problem]:
    problems = [p for i, pos in enumerate(ring) for p in _position_problems(pos, f"{path}[{i}]")]
    if problems:
        return problems
    if len(ring) < 4:
        return [Problem(path, f"a ring needs at least 4 positions (has {len(ring)}): 3 corners "
                        "and the first one again to close it")]
    if list(ring[0][:2]) != list(ring[-1][:2]):
        return [Problem(f"{path}[{len(ring) - 1}]", "the ring is not closed: the last position "
                        f"must repeat the first {[float(v) for v in ring[0][:2]]}")]
    crossing = _self_intersection(_flat(ring))
    if crossing:
        i, j = crossing
        return [Problem(f"{path}[{j}]", f"the ring crosses itself: the edge from position {j} "
                        f"meets the edge from position {i} (corners out of order?)")]
    return []


def _polygon_problems(rings: list[list[Position]], path: str) -> list[Problem]:
    problems = [p for k, ring in enumerate(rings) for p in _ring_problems(ring, f"{path}[{k}]")]
    if problems:
        return problems
    outer = _flat(rings[0])
    for k, hole in enumerate(map(_flat, rings[1:]), start=1):
        crosses = any(_segments_cross(a, b, c, d)
                      for a, b in pairwise(hole) for c, d in pairwise(outer))
        if crosses or not all(_inside(p, outer) for p in hole):
            problems.append(Problem(f"{path}[{k}]", f"hole {k} is not inside the outer ring"))
    return problems


def _precision_problems(geometry: JsonObject) -> list[Problem]:
    numbers: list[tuple[str, Number]] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, list) and node and all(_is_number(v) for v in node):
            numbers.extend((path, v) for v in node[:2])
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{path}[{i}]")

    walk(geometry.get("coordinates"), "$.geometry.coordinates")
    hint = f"EUDR needs at least {MIN_DECIMALS} decimals (about 0.1 m)"
    exact = [(p, v) for p, v in numbers if isinstance(v, Decimal) and _decimals(v) < MIN_DECIMALS]
    problems = [Problem(p, f"{v} has only {_decimals(v)} decimals: {hint}") for p, v in exact]
    floats = [(p, v) for p, v in numbers if not isinstance(v, Decimal)]
    coarse = [(p, v) for p, v in floats if _decimals(v) < MIN_DECIMALS - 1]
    if floats and len(coarse) * 2 > len(floats):
        path, value = coarse[0]
        problems.append(Problem(path, f"coordinates are too coarse ({len(coarse)} of "
                                f"{len(floats)} numbers, e.g. {value}, have 4 decimals or "
                                f"fewer): {hint}"))
    return problems


def validate_plot(geometry: JsonObject, area_ha: float) -> list[Problem]:
    """Problems of a plot's geometry and declared area (hectares); empty when it is fit for EUDR."""
    area_ok = _is_number(area_ha) and area_ha > 0
    area = float(area_ha) if area_ok else 0.0
    problems = [] if area_ok else [
        Problem("$.area_ha", f"the plot area must be a number of hectares above 0 (is {area_ha!r})")
    ]
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in ("Point", "Polygon", "MultiPolygon"):
        return problems + [Problem("$.geometry.type", "the geometry must be a GeoJSON Point, "
                                   f"Polygon or MultiPolygon (is {kind!r})")]
    if kind == "Point":
        shape = _position_problems(geometry.get("coordinates"), "$.geometry.coordinates")
        if area > POINT_MAX_HA:
            problems.append(Problem("$.geometry.type", f"a plot of {area:g} ha needs a "
                                    f"Polygon: a Point is allowed only up to {POINT_MAX_HA:g} ha"))
        return problems + (shape or _precision_problems(geometry))
    polygons, shape = _rings_of(geometry)
    if not shape:
        shape = [p for path, rings in polygons for p in _polygon_problems(rings, path)]
    if shape:
        return problems + shape
    problems += _precision_problems(geometry)
    drawn = geometry_area_ha(geometry)
    if area_ok and abs(drawn - area) > AREA_TOLERANCE * area:
        problems.append(Problem("$.area_ha", f"the declared area {area:g} ha differs from the "
                                f"drawn polygon's {drawn:.2f} ha by more than "
                                f"{AREA_TOLERANCE:.0%}: check the area or the corners"))
    return problems

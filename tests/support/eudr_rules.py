"""The EU Information System's rules for a geolocation file (shared/eudr/README.md §4), checked
independently of the code that writes the file: the text is parsed with Decimal so that the
written decimals are counted, and every rule gives a message naming the feature."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from tracechain.domain import geo

RECOGNISED = {"ProducerName", "ProducerCountry", "ProductionPlace", "Area"}
_NUMBER = re.compile(r"-?\d+\.\d+")


def _positions(node):
    if isinstance(node, list) and node and all(isinstance(v, Decimal) for v in node):
        yield node
    elif isinstance(node, list):
        for child in node:
            yield from _positions(child)


def violations(text: str) -> list[str]:
    """What the EU system would refuse in ``text`` (empty: nothing)."""
    out: list[str] = []
    try:
        doc = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    if doc.get("type") != "FeatureCollection" or "crs" in doc:
        out.append("not a plain FeatureCollection (WGS-84 has no crs member)")
    for i, feature in enumerate(doc.get("features", [])):
        where = f"feature {i}"
        props, geometry = feature.get("properties") or {}, feature.get("geometry") or {}
        if feature.get("type") != "Feature":
            out.append(f"{where}: not a Feature")
        wrong_case = [k for k in props if k not in RECOGNISED
                      and k.lower() in {r.lower() for r in RECOGNISED}]
        if wrong_case:
            out.append(f"{where}: properties in the wrong case: {wrong_case}")
        country = props.get("ProducerCountry")
        if not (isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country)):
            out.append(f"{where}: ProducerCountry {country!r} is not ISO alpha-2")
        if not props.get("ProducerName"):
            out.append(f"{where}: no ProducerName")
        area = props.get("Area")
        if not isinstance(area, (int, Decimal)) or isinstance(area, bool) or area < Decimal(
                "0.0001"):
            out.append(f"{where}: Area {area!r} is not a number of at least 0.0001 ha")
        kind = geometry.get("type")
        if kind not in ("Point", "MultiPoint", "Polygon", "MultiPolygon", "GeometryCollection"):
            out.append(f"{where}: geometry type {kind!r} is refused")
            continue
        for pos in _positions(geometry.get("coordinates")):
            lon, lat = pos[0], pos[1]
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                out.append(f"{where}: position {pos} out of range (lon, lat)")
            for v in pos:
                if -v.as_tuple().exponent != 6:
                    out.append(f"{where}: {v} is not written with exactly 6 decimals")
        if kind == "Point":
            coords = geometry.get("coordinates")
            if not (isinstance(coords, list) and len(coords) == 2
                    and all(isinstance(v, Decimal) for v in coords)):
                out.append(f"{where}: a Point is [lon, lat], not nested")
            if isinstance(area, Decimal) and area > 4:
                out.append(f"{where}: a point for {area} ha (over 4 ha needs a polygon)")
        polygons = ([geometry["coordinates"]] if kind == "Polygon" else
                    geometry["coordinates"] if kind == "MultiPolygon" else [])
        for rings in polygons:
            if len(rings) != 1:
                out.append(f"{where}: a polygon with a hole")
            ring = rings[0]
            if len(ring) < 4 or ring[0] != ring[-1]:
                out.append(f"{where}: a ring not closed or under 4 positions")
            floats = {"type": "Polygon", "coordinates": [[[float(v) for v in p] for p in ring]]}
            crossing = [p for p in geo.validate_plot(floats, 1.0)
                        if "crosses" in p.message or "ring" in p.message]
            out += [f"{where}: {p.message}" for p in crossing]
    return out

"""The plot map: inline SVG from GeoJSON, sized and framed so every plot shows."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tracechain.present.plot_map import HEIGHT, WIDTH, plot_map

SVG = "{http://www.w3.org/2000/svg}"
POLYGON = {"type": "Polygon", "coordinates": [[
    [107.021437, 16.794512], [107.023877, 16.794592], [107.023957, 16.79632],
    [107.022169, 16.796424], [107.021381, 16.795597], [107.021437, 16.794512]]]}
POINT = {"type": "Point", "coordinates": [107.012345, 16.781234]}


def points_of(svg: ET.Element) -> list[tuple[float, float]]:
    out = []
    for path in svg.iter(SVG + "path"):
        if path.get("fill") == "#6a9a3a":
            nums = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
            out += list(zip(nums[::2], nums[1::2], strict=True))
    return out


def test_a_polygon_fills_the_frame_and_keeps_its_shape():
    svg = ET.fromstring(plot_map([{"code": "CL-003-A", "areaHa": 5.08, "geometry": POLYGON}],
                                 label="Bản đồ"))
    assert svg.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}" and svg.get("aria-label") == "Bản đồ"
    pts = points_of(svg)
    assert len(pts) == 6 and all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in pts)
    # North is up: the southern edge (lat 16.7945) is drawn below the northern (16.7964).
    assert pts[0][1] > pts[3][1]
    assert "CL-003-A" in "".join(t.text for t in svg.iter(SVG + "text"))


def test_a_point_is_a_circle_of_the_plots_own_area_and_a_scale_bar_says_how_big():
    svg = ET.fromstring(plot_map([{"code": "CL-001-A", "areaHa": 1.5, "geometry": POINT}]))
    [circle] = svg.iter(SVG + "circle")
    labels = [t.text for t in svg.iter(SVG + "text")]
    assert float(circle.get("r")) > 10
    assert any(label.endswith(" m") or label.endswith(" km") for label in labels)


def test_plots_far_apart_share_one_frame():
    far = {"type": "Point", "coordinates": [107.10, 16.70]}
    svg = ET.fromstring(plot_map([{"code": "A", "areaHa": 2, "geometry": POINT},
                                  {"code": "B", "areaHa": 2, "geometry": far}]))
    for circle in svg.iter(SVG + "circle"):
        assert 0 <= float(circle.get("cx")) <= WIDTH and 0 <= float(circle.get("cy")) <= HEIGHT


def test_nothing_to_draw_gives_nothing():
    assert plot_map([]) == ""
    assert plot_map([{"code": "X", "geometry": {"type": "LineString", "coordinates": []}}]) == ""
    assert "&lt;script&gt;" in plot_map([{"code": "<script>", "areaHa": 1, "geometry": POINT}])

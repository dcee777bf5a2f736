"""A small map of plots drawn from their GeoJSON as inline SVG: no tiles, no requests.

Longitude is scaled by cos(latitude) (a local equirectangular projection: exact enough over a
few kilometres). A Point plot is drawn as a circle of the plot's own area, so a 1.5 ha plot
looks its size beside a 5 ha polygon; a scale bar says how far is how far.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from xml.sax.saxutils import escape

WIDTH, HEIGHT, PAD = 320, 200, 24
M_PER_DEG = 111_320.0  # metres per degree of latitude
_SCALES = (10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000)


def _rings(geometry: dict) -> list[list[tuple[float, float]]]:
    if geometry.get("type") == "Polygon":
        return [[(float(x), float(y)) for x, y, *_ in ring] for ring in geometry["coordinates"]]
    return []


def _extent(shapes: list[tuple[dict, dict, tuple[float, float]]],
            metres: Callable[[float, float], tuple[float, float]], *,
            as_dots: bool = False) -> tuple[list[float], list[float]]:
    """The x and y (in metres) a map must hold for ``shapes`` ((plot, geometry, centre)): a
    Point's circle of the plot's area (every shape's, when drawn ``as_dots``), a Polygon's
    vertices."""
    xs: list[float] = []
    ys: list[float] = []
    for p, g, c in shapes:
        if g["type"] == "Point" or as_dots:
            cx, cy = metres(*c)
            r = _radius(p)
            xs += [cx - r, cx + r]
            ys += [cy - r, cy + r]
        else:
            for x, y in (metres(*pt) for ring in _rings(g) for pt in ring):
                xs.append(x)
                ys.append(y)
    return xs, ys


def plot_map(plots: list[dict], *, label: str = "") -> str:
    """An SVG of ``plots`` (each ``{"code", "areaHa", "geometry"}``), or "" when none has a
    geometry we can draw."""
    shapes = [(p, p["geometry"]) for p in plots
              if isinstance(p.get("geometry"), dict)
              and p["geometry"].get("type") in ("Point", "Polygon")]
    if not shapes:
        return ""
    lat0 = sum(_centre(g)[1] for _, g in shapes) / len(shapes)
    k = math.cos(math.radians(lat0))

    def metres(lon: float, lat: float) -> tuple[float, float]:
        return lon * k * M_PER_DEG, lat * M_PER_DEG

    xs, ys = _extent([(p, g, _centre(g)) for p, g in shapes], metres)
    span = max(max(xs) - min(xs), max(ys) - min(ys), 200.0)
    scale = min((WIDTH - 2 * PAD) / span, (HEIGHT - 2 * PAD) / span)
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return WIDTH / 2 + (x - mid_x) * scale, HEIGHT / 2 - (y - mid_y) * scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-label="{escape(label)}" class="plot-map">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#eef3e8"/>']
    for p, g in shapes:
        code = escape(str(p.get("code") or ""))
        if g["type"] == "Point":
            cx, cy = at(*metres(*_centre(g)))
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{max(_radius(p) * scale, 3):.1f}"'
                         f' fill="#6a9a3a" fill-opacity=".55" stroke="#3d6b1f"/>')
            ty = cy
        else:
            d = " ".join("M" + " L".join(f"{a:.1f} {b:.1f}" for a, b in
                                         (at(*metres(*pt)) for pt in ring)) + "Z"
                         for ring in _rings(g))
            parts.append(f'<path d="{d}" fill="#6a9a3a" fill-opacity=".55" stroke="#3d6b1f" '
                         'fill-rule="evenodd"/>')
            ty = at(*metres(*_centre(g)))[1]
        tx = at(*metres(*_centre(g)))[0]
        parts.append(f'<text x="{tx:.1f}" y="{ty - 8:.1f}" font-size="11" text-anchor="middle" '
                     f'fill="#1f3a0f">{code}</text>')
    parts += _scale_bar(scale) + _north()
    parts.append("</svg>")
    return "".join(parts)


def _centre(g: dict) -> tuple[float, float]:
    if g["type"] == "Point":
        x, y, *_ = g["coordinates"]
        return float(x), float(y)
    ring = _rings(g)[0]
    pts = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
    return sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)


def _radius(p: dict) -> float:
    """Metres: the radius of a circle as large as the plot (at least 20 m, to be seen)."""
    area = p.get("areaHa")
    return max(math.sqrt(float(area) * 10_000 / math.pi), 20.0) if area else 50.0


def _scale_bar(scale: float) -> list[str]:
    # The longest round distance that fits in a third of the width.
    length = max((d for d in _SCALES if d * scale <= WIDTH / 3), default=_SCALES[0])
    px = length * scale
    label = f"{length // 1000} km" if length >= 1000 else f"{length} m"
    y = HEIGHT - 10
    return [f'<path d="M10 {y}h{px:.1f}" stroke="#333" stroke-width="2"/>',
            f'<path d="M10 {y - 4}v8M{10 + px:.1f} {y - 4}v8" stroke="#333"/>',
            f'<text x="{10 + px / 2:.1f}" y="{y - 6}" font-size="10" text-anchor="middle">'
            f'{label}</text>']


def _north() -> list[str]:
    x = WIDTH - 16
    return [f'<path d="M{x} 8l5 14h-10z" fill="#333"/>',
            f'<text x="{x}" y="34" font-size="10" text-anchor="middle">N</text>']


# --- the inspector's dossier: every plot of a lineage and the route (docs/inspector/DOSSIER.md) --

DOSSIER_W, DOSSIER_H = WIDTH, HEIGHT
DOT_LIMIT = 150  # above this many plots, each is a dot at its centre (the page stays small)
LABEL_LIMIT = 30  # above this many, plots go unlabelled (the list under the map names them)


def _shape_of(geometry: object) -> dict | None:
    """A Point or a Polygon to draw (a MultiPolygon's first polygon), or None."""
    if not isinstance(geometry, dict):
        return None
    if geometry.get("type") in ("Point", "Polygon"):
        return geometry
    if geometry.get("type") == "MultiPolygon" and geometry.get("coordinates"):
        return {"type": "Polygon", "coordinates": geometry["coordinates"][0]}
    return None


def lineage_map(plots: list[dict], route: list[tuple[float, float]], *,
                label: str = "") -> str:
    """An SVG of a lineage's ``plots`` (each ``{"code", "areaHa", "geometry"}``) and its
    ``route`` (``(lon, lat)`` of the places events happened at, in order: a line with numbered
    stops); "" when there is nothing to draw. Many plots draw as dots, unlabelled."""
    shapes = [(p, s) for p in plots if (s := _shape_of(p.get("geometry"))) is not None]
    try:
        centres = [_centre(s) for _, s in shapes]
    except (KeyError, IndexError, TypeError, ValueError, ZeroDivisionError):
        return ""
    if not shapes and not route:
        return ""
    lats = [c[1] for c in centres] + [lat for _, lat in route]
    k = math.cos(math.radians(sum(lats) / len(lats)))

    def metres(lon: float, lat: float) -> tuple[float, float]:
        return lon * k * M_PER_DEG, lat * M_PER_DEG

    dots = len(shapes) > DOT_LIMIT
    xs, ys = _extent([(p, g, c) for (p, g), c in zip(shapes, centres, strict=True)], metres,
                     as_dots=dots)
    for lon, lat in route:
        x, y = metres(lon, lat)
        xs.append(x)
        ys.append(y)
    w, h, pad = DOSSIER_W, DOSSIER_H, 24
    span_x, span_y = max(max(xs) - min(xs), 200.0), max(max(ys) - min(ys), 200.0)
    scale = min((w - 2 * pad) / span_x, (h - 2 * pad) / span_y)
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return w / 2 + (x - mid_x) * scale, h / 2 - (y - mid_y) * scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
             f'aria-label="{escape(label)}" class="plot-map dossier-map">',
             f'<rect width="{w}" height="{h}" fill="#eef3e8"/>']
    if dots:
        parts.append('<g fill="#3d6b1f">')
        parts += [f'<circle cx="{x:.0f}" cy="{y:.0f}" r="2"/>'
                  for x, y in (at(*metres(*c)) for c in centres)]
        parts.append("</g>")
    else:
        labelled = len(shapes) <= LABEL_LIMIT
        for (p, g), c in zip(shapes, centres, strict=True):
            cx, cy = at(*metres(*c))
            if g["type"] == "Point":
                parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" '
                             f'r="{max(_radius(p) * scale, 3):.1f}" fill="#6a9a3a" '
                             'fill-opacity=".55" stroke="#3d6b1f"/>')
            else:
                d = " ".join("M" + " L".join(f"{a:.1f} {b:.1f}" for a, b in
                                             (at(*metres(*pt)) for pt in ring)) + "Z"
                             for ring in _rings(g))
                parts.append(f'<path d="{d}" fill="#6a9a3a" fill-opacity=".55" '
                             'stroke="#3d6b1f" fill-rule="evenodd"/>')
            if labelled:
                parts.append(f'<text x="{cx:.1f}" y="{cy - 8:.1f}" font-size="11" '
                             f'text-anchor="middle" fill="#1f3a0f">'
                             f'{escape(str(p.get("code") or ""))}</text>')
    if route:
        pts = [at(*metres(lon, lat)) for lon, lat in route]
        if len(pts) > 1:
            parts.append('<path d="M' + " L".join(f"{x:.1f} {y:.1f}" for x, y in pts)
                         + '" fill="none" stroke="#8a3b12" stroke-width="1.5" '
                         'stroke-dasharray="4 3"/>')
        for i, (x, y) in enumerate(pts, start=1):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="#fff" '
                         f'stroke="#8a3b12"/><text x="{x:.1f}" y="{y + 3.5:.1f}" '
                         f'font-size="9" text-anchor="middle">{i}</text>')
    parts += _scale_bar(scale) + _north()
    parts.append("</svg>")
    return "".join(parts)

"""A small map of plots drawn from their GeoJSON as inline SVG: no tiles, no requests.

Longitude is scaled by cos(latitude) (a local equirectangular projection: exact enough over a
few kilometres). A Point plot is drawn as a circle of the plot's own area, so a 1.5 ha plot
looks its size beside a 5 ha polygon; a scale bar says how far is how far.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

WIDTH, HEIGHT, PAD = 320, 200, 24
M_PER_DEG = 111_320.0  # metres per degree of latitude
_SCALES = (10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000)


def _rings(geometry: dict) -> list[list[tuple[float, float]]]:
    if geometry.get("type") == "Polygon":
        return [[(float(x), float(y)) for x, y, *_ in ring] for ring in geometry["coordinates"]]
    return []


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

    xs, ys = [], []
    for p, g in shapes:
        if g["type"] == "Point":
            cx, cy = metres(*_centre(g))
            r = _radius(p)
            xs += [cx - r, cx + r]
            ys += [cy - r, cy + r]
        else:
            for x, y in (metres(*pt) for ring in _rings(g) for pt in ring):
                xs.append(x)
                ys.append(y)
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

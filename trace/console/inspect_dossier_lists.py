"""The dossier's three long lists, written here rather than in the template: for a lot fed by
2,000 plots each has about 2,000 items (the plots, the lots folded into one box of the graph,
and the lot histories not checked when the chain cannot be asked), and through Jinja they were
about half of the page's rendering (docs/inspector/DOSSIER.md, "Speed"). The markup is what the
template wrote; every value is escaped."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape


def plot_items(plots: Iterable[Mapping[str, Any]]) -> Markup:
    """``<li>`` of each plot: code, farmer, commune and province, area, kind of geometry."""
    return Markup("".join(
        f'<li data-testid="plot">{escape(p["code"])} <small>{escape(p["farmer"])} · '
        f'{escape(p["commune"])}, {escape(p["province"])} · {escape(p["areaHa"])} ha · '
        f'{escape(_geometry_type(p["geometry"]))}</small></li>' for p in plots))


def member_items(members: Iterable[Any], lot_path: Callable[[str, str], str],
                 to: Callable[[str], str]) -> Markup:
    """``<li>`` of each node folded into one box of the graph: a lot links to its dossier, a
    shipment to its event in the timeline."""
    out = []
    for n in members:
        if n.kind == "lot" and n.gtin:
            what = f'<a href="{escape(lot_path(n.gtin, n.lot))}">{escape(n.lot)}</a>'
        elif n.anchor:
            what = f'<a href="{escape(to(n.anchor))}">{escape(n.label)}</a>'
        else:
            what = str(escape(n.label))
        out.append(f"<li>{what} <small>{escape(n.detail)}</small></li>")
    return Markup("".join(out))


def problem_items(checks: Iterable[Any], name: Callable[[Any], str]) -> Markup:
    """``<li>`` of each lot history that does not match what the chain committed."""
    return Markup("".join(
        f'<li class="ev missing" data-status="{escape(c.status)}"><b>{escape(name(c))}</b> '
        f"<small>{escape(c.reason)}</small></li>" for c in checks))


def _geometry_type(geometry: Any) -> Any:
    return geometry.get("type", "") if isinstance(geometry, dict) else ""

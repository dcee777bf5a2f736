"""A lot's lineage as an inline SVG drawn on the server: no script, no library, no request.

Nodes (lots, containers, shipments) are laid out in rows by their longest path from the first
lots (plots' harvests at the top, shipments at the bottom); each edge is one transformation,
packing (dashed) or shipment (dotted). A row holding more than ``MAX_PER_ROW`` nodes keeps the
viewed lot and folds the others of each kind into one node ("2,000 harvest lots"), whose members
the page lists under the graph: a lot fed by 2,000 plots draws as a handful of boxes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

MAX_PER_ROW = 8
BOX_W, BOX_H, GAP_X, ROW_H, PAD = 136, 40, 12, 72, 12


@dataclass
class Group:
    """Nodes folded into one: the page lists them under the graph."""

    key: str
    kind: str
    harvest: bool
    members: list[Any] = field(default_factory=list)


@dataclass
class Graph:
    svg: str
    groups: list[Group]
    node_count: int


def layers(keys: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Each node's row: the longest path to it from a node nothing leads to (a cycle, which the
    records should never hold, is cut where it is met)."""
    preds: dict[str, list[str]] = {k: [] for k in keys}
    succs: dict[str, list[str]] = {k: [] for k in keys}
    for s, t in edges:
        if s in preds and t in preds:
            succs[s].append(t)
            preds[t].append(s)
    waiting = {k: len(v) for k, v in preds.items()}
    row = {k: 0 for k in keys}
    ready = [k for k in keys if waiting[k] == 0]
    done: set[str] = set()
    while ready or len(done) < len(keys):
        if not ready:  # a cycle: take the first node not placed yet
            ready = [next(k for k in keys if k not in done)]
        k = ready.pop()
        if k in done:
            continue
        done.add(k)
        for t in succs[k]:
            if t in done:
                continue
            row[t] = max(row[t], row[k] + 1)
            waiting[t] -= 1
            if waiting[t] <= 0:
                ready.append(t)
    return row


def lineage_graph(nodes: Sequence[Any], edges: Sequence[Any], *,
                  href: Callable[[Any], str | None], group_label: Callable[[Group], str],
                  label: str = "") -> Graph:
    """The SVG of ``nodes`` (``.key``, ``.kind``, ``.label``, ``.detail``, ``.here``,
    ``.harvest``) and ``edges`` (``.source``, ``.target``, ``.kind``); ``href(node)`` is where
    a node links to (None: nowhere), ``group_label(group)`` what a folded node says."""
    keys = [n.key for n in nodes]
    row = layers(keys, [(e.source, e.target) for e in edges])
    by_row: dict[int, list[Any]] = {}
    for n in nodes:
        by_row.setdefault(row[n.key], []).append(n)
    folded: dict[str, str] = {}  # node key -> group key
    groups: dict[str, Group] = {}
    for r, members in by_row.items():
        if len(members) <= MAX_PER_ROW:
            continue
        for n in members:
            if n.here:
                continue
            gkey = f"group:{r}:{n.kind}:{int(n.harvest)}"
            group = groups.setdefault(gkey, Group(gkey, n.kind, n.harvest))
            group.members.append(n)
            folded[n.key] = gkey
    # Boxes per row, in order: each below the mean place of what leads to it.
    shown: dict[int, list[str]] = {}
    box: dict[str, Any] = {}
    for n in nodes:
        k = folded.get(n.key, n.key)
        if k not in box:
            box[k] = groups.get(k, n)
            shown.setdefault(row[n.key], []).append(k)
    links: dict[tuple[str, str], str] = {}
    for e in edges:
        s, t = folded.get(e.source, e.source), folded.get(e.target, e.target)
        if s != t and s in box and t in box:
            links.setdefault((s, t), e.kind)
    preds: dict[str, list[str]] = {}
    for s, t in links:
        preds.setdefault(t, []).append(s)
    place: dict[str, float] = {}
    for r in sorted(shown):
        ordered = sorted(shown[r], key=lambda k: (
            sum(place.get(p, 0) for p in preds.get(k, [])) / max(len(preds.get(k, [])), 1),
            str(k)))
        for i, k in enumerate(ordered):
            place[k] = i
        shown[r] = ordered
    widest = max((len(v) for v in shown.values()), default=1)
    width = max(widest * (BOX_W + GAP_X) - GAP_X + 2 * PAD, 320)
    height = max(len(shown), 1) * ROW_H - (ROW_H - BOX_H) + 2 * PAD
    at: dict[str, tuple[float, float]] = {}
    for r, ks in shown.items():
        span = len(ks) * (BOX_W + GAP_X) - GAP_X
        x0 = (width - span) / 2
        for i, k in enumerate(ks):
            at[k] = (x0 + i * (BOX_W + GAP_X), PAD + r * ROW_H)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="{width:.0f}" height="{height:.0f}" role="img" '
             f'aria-label={quoteattr(label)} class="lineage-graph">',
             '<defs><marker id="arr" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" '
             'markerHeight="6" orient="auto"><path d="M0 0L8 4L0 8z" fill="#587064"/></marker>'
             '</defs>']
    for (s, t), kind in links.items():
        (sx, sy), (tx, ty) = at[s], at[t]
        x1, y1, x2, y2 = sx + BOX_W / 2, sy + BOX_H, tx + BOX_W / 2, ty
        if ty <= sy:  # an edge back up (a cycle cut): from the side
            x1, y1 = sx + BOX_W, sy + BOX_H / 2
        mid = (y1 + y2) / 2
        parts.append(f'<path class="e {kind}" d="M{x1:.0f} {y1:.0f}C{x1:.0f} {mid:.0f} '
                     f'{x2:.0f} {mid:.0f} {x2:.0f} {y2:.0f}" marker-end="url(#arr)"/>')
    for k, (x, y) in at.items():
        item = box[k]
        link: str | None
        if isinstance(item, Group):
            title, detail, cls, link = group_label(item), "", f"n group {item.kind}", \
                "#" + k.replace(":", "-")
        else:
            title, detail = item.label, item.detail
            cls = f"n {item.kind}" + (" here" if item.here else "") + (
                " harvest" if item.harvest else "")
            link = href(item)
        inner = (f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="5"/>'
                 f'<text x="{x + 6:.0f}" y="{y + 16:.0f}">{escape(_cut(title))}</text>'
                 + (f'<text x="{x + 6:.0f}" y="{y + 32:.0f}" class="d">{escape(_cut(detail))}'
                    '</text>' if detail else ""))
        testid = ' data-testid="graph-here"' if not isinstance(item, Group) and item.here \
            else ""
        if link:
            parts.append(f'<a href={quoteattr(link)} class={quoteattr(cls)}{testid}>'
                         f'<title>{escape(title)}</title>{inner}</a>')
        else:
            parts.append(f'<g class={quoteattr(cls)}{testid}><title>{escape(title)}</title>'
                         f'{inner}</g>')
    parts.append("</svg>")
    return Graph("".join(parts), list(groups.values()), len(nodes))


def _cut(text: str, most: int = 21) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"

"""The dossier's lineage graph and map (trace/present/lineage_graph.py, plot_map.lineage_map):
rows by longest path, a crowded row folded into one box, and many plots drawn as dots."""

from __future__ import annotations

from dataclasses import dataclass

from tracechain.present.lineage_graph import MAX_PER_ROW, layers, lineage_graph
from tracechain.present.plot_map import DOT_LIMIT, lineage_map


@dataclass(frozen=True)
class N:
    key: str
    kind: str = "lot"
    label: str = ""
    detail: str = ""
    here: bool = False
    harvest: bool = False


@dataclass(frozen=True)
class E:
    source: str
    target: str
    kind: str = "transformation"


def test_rows_are_the_longest_path_and_a_cycle_does_not_hang():
    assert layers(["a", "b", "c"], [("a", "b"), ("b", "c"), ("a", "c")]) == {
        "a": 0, "b": 1, "c": 2}
    assert set(layers(["a", "b"], [("a", "b"), ("b", "a")])) == {"a", "b"}


def test_two_thousand_harvests_fold_into_one_box_and_the_viewed_lot_stays():
    harvests = [N(f"h{i}", label=f"H-{i:04d}", harvest=True) for i in range(2000)]
    nodes = [*harvests, N("dried", label="D-01", here=True), N("ship:1", "shipment", "Hamburg")]
    edges = [E(h.key, "dried") for h in harvests] + [E("dried", "ship:1", "shipping")]
    graph = lineage_graph(nodes, edges, href=lambda n: f"/lots/{n.label}",
                          group_label=lambda g: f"{len(g.members)} harvest lots")
    assert [len(g.members) for g in graph.groups] == [2000]
    assert graph.svg.count("<rect") == 3 and "2000 harvest lots" in graph.svg
    assert 'data-testid="graph-here"' in graph.svg and 'href="/lots/D-01"' in graph.svg
    assert len(graph.svg) < 3000
    few = lineage_graph(nodes[:MAX_PER_ROW] + nodes[2000:], edges, href=lambda n: None,
                        group_label=str)
    assert few.groups == [] and few.svg.count("<rect") == MAX_PER_ROW + 2


def test_labels_are_escaped():
    graph = lineage_graph([N("a", label="<script>&")], [], href=lambda n: None,
                          group_label=str)
    assert "<script>" not in graph.svg and "&lt;script&gt;&amp;" in graph.svg


def test_many_plots_are_dots_and_the_route_is_numbered():
    plots = [{"code": f"P{i}", "areaHa": 2.0,
              "geometry": {"type": "Point", "coordinates": [107 + i * 1e-3, 16.7]}}
             for i in range(DOT_LIMIT + 1)]
    svg = lineage_map(plots, [(107.0, 16.7), (107.1, 16.8)])
    assert svg.count('r="2"') == DOT_LIMIT + 1 and "P0" not in svg
    assert ">1</text>" in svg and ">2</text>" in svg
    assert lineage_map([], []) == ""
    few = lineage_map(plots[:3], [])
    assert all(f">P{i}</text>" in few for i in range(3))

"""LazyBuildRule: the same URLs as werkzeug's Rule, its builder written on first use."""

from __future__ import annotations

import pytest
from werkzeug.routing import Map, Rule

from tracechain.url_rules import LazyBuildRule

RULES = [("/lots/<gtin>/<path:lot>", "lot"), ("/v/<int:n>", "number"),
         ("/page/", "page"), ("/sub/<name>", "with_default")]
CASES = [("lot", {"gtin": "0893", "lot": "A/B (1)!"}), ("number", {"n": 7}),
         ("page", {"lang": "vi"}), ("with_default", {}), ("with_default", {"name": "x"})]


def _map(rule_class: type[Rule]) -> Map:
    rules = [rule_class(path, endpoint=endpoint) for path, endpoint in RULES[:-1]]
    rules.append(rule_class("/sub/", endpoint="with_default", defaults={"name": "all"}))
    rules.append(rule_class(RULES[-1][0], endpoint="with_default"))
    return Map(rules)


@pytest.mark.parametrize("endpoint, values", CASES)
def test_lazy_rules_build_what_werkzeug_builds(endpoint, values):
    lazy = _map(LazyBuildRule).bind("example.vn")
    eager = _map(Rule).bind("example.vn")
    for _ in range(2):  # the first build compiles, the second uses what it compiled
        assert lazy.build(endpoint, values) == eager.build(endpoint, values)
        assert lazy.build(endpoint, values, force_external=True) == \
            eager.build(endpoint, values, force_external=True)


def test_the_builder_is_written_on_first_use_only():
    url_map = _map(LazyBuildRule)
    rule = next(url_map.iter_rules("number"))
    assert rule._build.__name__ == rule._build_unknown.__name__ == "first_use"
    url_map.bind("example.vn").build("number", {"n": 3})  # append_unknown: _build_unknown
    assert rule._build_unknown.__name__ != "first_use"
    assert rule._build.__name__ == "first_use"
    assert url_map.bind("example.vn").match("/v/3") == ("number", {"n": 3})

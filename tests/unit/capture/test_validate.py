from __future__ import annotations

import copy
import random

from tracechain.capture import validate_capture

LIMITS = {"capture_limit": 100, "max_yield": 1.02}


def test_valid_document(coffee, now):
    assert validate_capture(coffee, now=now, **LIMITS) == []


def test_schema_and_rules_together_each_mistake_once(harvest, now):
    ev = harvest["epcisBody"]["eventList"][0]
    ev["quantityList"][0]["uom"] = "kg"  # schema and rule both see it
    ev["quantityList"][0]["quantity"] = 0  # only the rule
    ev["action"] = "OBSERVE"  # ilmd now misplaced: schema and rule
    problems = validate_capture(harvest, now=now, **LIMITS)
    assert [p.path for p in problems] == [
        "$.epcisBody.eventList[0].ilmd",
        "$.epcisBody.eventList[0].quantityList[0].quantity",
        "$.epcisBody.eventList[0].quantityList[0].uom",
    ]


def test_not_a_document(harvest, now):
    harvest["type"] = "ObjectEvent"
    [problem] = validate_capture(harvest, now=now, **LIMITS)
    assert problem.path == "$.type"


def test_capture_limit_comes_first(coffee, now):
    coffee["schemaVersion"] = 2
    [problem] = validate_capture(coffee, now=now, capture_limit=1, max_yield=1.02)
    assert problem.path == "$.epcisBody.eventList"


_ODD_VALUES = [None, True, 0, -1, 1.5, "", "x", "urn:epc:id:sgtin:1.2", [], [None], {}, {"a": 1}]


def _mutate(node, rng: random.Random) -> None:
    """Replace one random value somewhere inside ``node`` with an odd one."""
    while True:
        keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return
        key = rng.choice(keys)
        child = node[key]
        if isinstance(child, (dict, list)) and child and rng.random() < 0.7:
            node = child
            continue
        node[key] = copy.deepcopy(rng.choice(_ODD_VALUES))  # shared lists would make cycles
        return


def test_never_crashes_on_odd_input(load_doc, now):
    rng = random.Random(2024)
    names = ["pepper_harvest.jsonld", "pepper_drying.jsonld", "coffee_chain.jsonld"]
    for _ in range(600):
        doc = load_doc(rng.choice(names))
        for _ in range(rng.randint(1, 3)):
            _mutate(doc, rng)
        problems = validate_capture(doc, now=now, **LIMITS)
        assert len({(p.path, p.message) for p in problems}) == len(problems)
        for problem in problems:
            assert problem.path.startswith("$") and problem.message

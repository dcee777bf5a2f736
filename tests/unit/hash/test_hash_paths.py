"""The short cuts (fast_*.py) give exactly the text of the full node walk, on random events."""

from __future__ import annotations

import importlib

import pytest

from tests.unit.hash.random_events import Generator
from tracechain.hash import HashContext, events_of

prehash_module = importlib.import_module("tracechain.hash.prehash")


@pytest.mark.parametrize("seed", range(8))
def test_member_by_member_equals_the_whole_walk(seed):
    generator = Generator(seed)
    compared = 0
    for _ in range(60):
        doc = generator.document()
        ctx = HashContext.from_document(doc)
        for event in events_of(doc):
            if not isinstance(event.get("eventTime"), str) or \
                    prehash_module.has_unsorted_marker(event):
                continue  # prehash() itself takes the whole walk for these
            fast = prehash_module._member_by_member(event, ctx)
            assert fast == prehash_module._whole_event(event, ctx), event
            compared += 1
    assert compared > 60


def test_short_cuts_are_used_for_the_common_shapes(monkeypatch):
    """Our own chain events never need the node walk (that is what makes hashing fast)."""
    from tests.unit.hash.own_cases import drying, harvest, receiving_and_packing, shipping

    def no_walk(*args, **kwargs):
        raise AssertionError("the node walk was used")

    monkeypatch.setattr(prehash_module, "key_nodes", no_walk)
    monkeypatch.setattr(prehash_module, "_whole_event", no_walk)
    for event in [harvest(), drying(), shipping(), *receiving_and_packing()]:
        doc = {"@context": ["x", {"tc": "https://ns.tracechain.dev/epcis/"}],
               "epcisBody": {"eventList": [event]}}
        prehash_module.prehash(event, HashContext.from_document(doc))

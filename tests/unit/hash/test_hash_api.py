"""The public API of tracechain.hash."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

from tracechain.hash import EventHash, HashContext, event_hash, events_of, hash_document

OWN = Path(__file__).parent / "own_vectors"


def _doc(name: str) -> dict:
    return json.loads((OWN / f"{name}.jsonld").read_text(encoding="utf-8"))


def test_event_hash_is_the_ni_uri_of_the_sha256_of_the_prehash():
    doc = _doc("pepper_harvest")
    h = event_hash(events_of(doc)[0], HashContext.from_document(doc))
    digest = hashlib.sha256(h.prehash.encode("utf-8")).hexdigest()
    assert h.id == f"ni:///sha-256;{digest}?ver=CBV2.0"
    assert h.prehash.startswith("eventType=ObjectEventeventTime=2024-12-02T01:30:00.000Z")
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.id = "x"
    assert h == EventHash(h.id, h.prehash)


def test_document_shapes():
    assert len(hash_document(_doc("coffee_receiving_packing"))) == 2
    query = hash_document(_doc("query_document"))
    assert [h.id for h in query] == [h.id for h in hash_document(
        {"@context": _doc("query_document")["@context"],
         "epcisBody": {"eventList": _doc("query_document")["epcisBody"]["queryResults"]
                       ["resultsBody"]["eventList"]}})]
    single = hash_document(_doc("single_event_body"))
    assert len(single) == 1


@pytest.mark.parametrize("doc", [{}, {"epcisBody": {}}, {"epcisBody": {"eventList": {}}}, [],
                                 {"epcisBody": {"queryResults": {"resultsBody": {}}}}])
def test_not_an_epcis_document(doc):
    with pytest.raises(ValueError, match="epcisBody"):
        hash_document(doc)


def test_an_event_must_be_an_object():
    with pytest.raises(ValueError, match="event 1"):
        hash_document({"epcisBody": {"eventList": [{"type": "ObjectEvent"}, "x"]}})


def test_context_reads_inline_prefixes_only():
    ctx = HashContext.from_document({"@context": [
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        {"tc": "https://ns.tracechain.dev/epcis/"}, {"ex": {"@id": "https://ex.org/"}}],
        "epcisBody": {"eventList": []}})
    assert ctx.namespaces == {"tc": "https://ns.tracechain.dev/epcis/", "ex": "https://ex.org/"}
    assert ctx.key_name("tc:plot") == "{https://ns.tracechain.dev/epcis/}plot"
    assert ctx.key_name("gs1:x") == "gs1:x"  # gs1 comes only from the standard context here
    assert ctx.value_text("tc:plot") == "https://ns.tracechain.dev/epcis/plot"
    assert ctx.value_text(True) == "True" and ctx.value_text(None) == "None"
    lone = HashContext.from_document({"@context": {"tc": "https://t/"}, "epcisBody": {}})
    assert lone.namespaces == {}  # the reference reads prefixes from an @context array only


def test_bare_words_are_replaced_document_wide():
    doc = {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
           "epcisBody": {"eventList": [{"type": "ObjectEvent", "bizStep": "shipping",
                                        "disposition": "x"}]}}
    ctx = HashContext.from_document(doc)
    assert ctx.replacements["shipping"] == "https://ref.gs1.org/cbv/BizStep-shipping"
    assert ctx.value_text("BizStep-shipping") == "https://ref.gs1.org/cbv/BizStep-shipping"
    assert "x" not in ctx.replacements  # "x" is not a disposition word


def test_the_same_event_hashes_the_same_in_any_key_order_and_with_epc_or_dl_ids():
    doc = _doc("coffee_shipping")
    event = events_of(doc)[0]
    reordered = dict(reversed(list(event.items())))
    ctx = HashContext.from_document(doc)
    assert event_hash(event, ctx) == event_hash(reordered, ctx)
    as_dl = dict(event, epcList=["https://id.gs1.org/00/089361000000000423"])
    assert event_hash(as_dl, ctx).id == event_hash(event, ctx).id


def test_hashing_does_not_modify_the_document():
    doc = _doc("sensor_elements")
    before = json.dumps(doc, sort_keys=True)
    hash_document(doc)
    assert json.dumps(doc, sort_keys=True) == before

"""The members the query's pattern families look up, read from GS1's own example documents."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from tracechain.capture.document import inline_context
from tracechain.capture.query_fields import expand, instant, measurement_type, query_fields
from tracechain.gs1.canonical import canonicalise

GS1 = Path(__file__).resolve().parents[2] / "fixtures" / "epcis" / "query_gs1"
EX1 = "http://example.com/ext1/"


def rows_of(name: str) -> list[tuple[str, list]]:
    doc = orjson.loads((GS1 / name).read_bytes())
    prefixes = inline_context(doc)
    return [(e["type"], query_fields(e, prefixes, canonicalise))
            for e in doc["epcisBody"]["eventList"]]


def names(rows) -> set[str]:
    return {name for name, _, _ in rows}


@pytest.mark.parametrize("name,event_type", [
    ("object_event_all_possible_fields.jsonld", "ObjectEvent"),
    ("aggregation_event_all_possible_fields.jsonld", "AggregationEvent"),
    ("association_event_all_possible_fields.jsonld", "AssociationEvent"),
    ("transaction_event_all_possible_fields.jsonld", "TransactionEvent"),
    ("transformation_event_all_possible_fields.jsonld", "TransformationEvent"),
])
def test_every_event_type_gives_its_members(name, event_type):
    [(kind, rows)] = rows_of(name)
    assert kind == event_type
    got = names(rows)
    # Every GS1 "all possible fields" example carries these.
    assert any(n.startswith("sr.value|") for n in got)
    assert {"ed", "ed.time", "ed.reason", "ed.corrective",
            "sensor", "sr.type", "sm.time", f"x|{EX1}string",
            f"xi|{EX1}object", "src:location", "dst:owning_party"} <= got, got
    # The readPoint / bizLocation ids are the events' columns, not index rows (migration 0012).
    assert not {"readPoint", "bizLocation"} & got
    if event_type in ("ObjectEvent", "TransformationEvent"):
        assert f"ilmd|{EX1}string" in got and "pd.set" in got
    if event_type == "TransformationEvent":
        assert "transformationID" in got
    if event_type != "AssociationEvent":
        assert "quantity" in got


def test_object_event_values():
    [(_, rows)] = rows_of("object_event_all_possible_fields.jsonld")
    assert ("quantity", "KGM", 200.0) in rows
    assert ("pd.set", "https://ref.gs1.org/cbv/Disp-completeness_verified", None) in rows
    assert ("bt:po", "urn:epc:id:gdti:0614141.00001.1618034", None) in rows
    # Source and destination are canonicalised, as MATCH_ and EQ_readPoint values are.
    assert ("src:location", "https://id.gs1.org/414/4012345002256", None) in rows
    assert not [r for r in rows if r[0] in ("readPoint", "bizLocation")]  # events' columns
    assert ("ed.reason", "https://ref.gs1.org/cbv/ER-incorrect_data", None) in rows
    assert ("ed.time", None, instant("2006-11-07T14:00:00.000+01:00")) in rows
    assert ("sr.value|CEL", "CEL", 26.0) in rows  # a measured number carries its unit
    assert ("sr.percRank", None, 50.0) in rows
    assert ("sr.hexBinaryValue", "F0F0F0", None) in rows
    assert ("sr.booleanValue", "true", None) in rows
    # Text that is a number or a date-time is also a number (documents converted from XML).
    assert (f"x|{EX1}float", "20", 20.0) in rows
    assert (f"x|{EX1}time", "2013-06-08T14:58:56.591Z",
            instant("2013-06-08T14:58:56.591Z")) in rows
    assert ("ilmd|urn:epcglobal:cbv:mda:lotNumber", "ABC123", None) in rows
    # Nested members are INNER; the outer one only exists.
    assert (f"x|{EX1}object", None, None) in rows
    assert ("xi|http://example.com/ext3/string", "stringInObjectInObject", None) in rows
    assert ("x|http://example.com/ext3/string", "stringInObjectInObject", None) not in rows


def test_error_declaration_and_persistent_disposition_examples():
    [(_, declared), *_] = rows_of("ErrorDeclarationAndCorrectiveEvent.jsonld")
    assert "ed" in names(declared) and "ed.reason" in names(declared)
    rows = [r for _, rs in rows_of("PersistentDisposition-example.jsonld") for r in rs]
    assert {"pd.set", "pd.unset"} <= names(rows)


def test_sensor_example():
    rows = [r for _, rs in rows_of("SensorDataExample1.jsonld") for r in rs]
    assert "sensor" in names(rows)
    assert any(n == "sr.type" for n, _, _ in rows)
    assert all(t == measurement_type(t) for n, t, _ in rows if n == "sr.type")


def test_an_event_with_nothing_to_index_gives_no_rows():
    assert query_fields({"type": "ObjectEvent", "eventTime": "2025-01-01T00:00:00Z",
                         "action": "OBSERVE", "epcList": []}, {}, canonicalise) == []


@pytest.mark.parametrize("name,prefixes,iri", [
    ("ex:a", {"ex": "https://e.example/"}, "https://e.example/a"),
    ("cbvmda:lotNumber", {}, "urn:epcglobal:cbv:mda:lotNumber"),
    ("gs1:x", {}, "https://gs1.org/voc/x"),
    ("unbound:a", {}, "unbound:a"),
    ("https://e.example/a", {"https": "no"}, "https://e.example/a"),
    ("plain", {}, "plain"),
])
def test_expand(name, prefixes, iri):
    assert expand(name, prefixes) == iri


@pytest.mark.parametrize("text,seconds", [
    ("1970-01-01T00:00:00Z", 0.0),
    ("1970-01-01T07:00:00+07:00", 0.0),
    ("1970-01-01T00:00:00", None),  # no zone: not an instant
    ("1970-01-01", None),
    ("soon", None),
])
def test_instant(text, seconds):
    assert instant(text) == seconds


def test_long_texts_are_cut_and_odd_values_skipped():
    event = {"type": "ObjectEvent", "ex:long": "x" * 1000, "ex:null": None,
             "ex:inf": float("inf"), "ex:obj": {"@value": "12"}}
    rows = query_fields(event, {"ex": "https://e.example/"}, canonicalise)
    assert ("x|https://e.example/long", "x" * 300, None) in rows
    assert ("x|https://e.example/inf", None, None) in rows
    assert ("x|https://e.example/obj", "12", 12.0) in rows
    assert not any(n.endswith("null") for n, _, _ in rows)


@pytest.mark.parametrize("text,number", [
    ("20", 20.0), ("+5", 5.0), ("-1e3", -1000.0), (".5", 0.5), ("0.25", 0.25),
    ("2025-02-09T06:00:00+07:00", 1739055600.0), ("", None), ("abc", None), ("e5", None),
    (" 20", None), ("1-2", None), ("2025-02-09T06:00:00", None), ("NaN", None),
    ("Infinity", None), ("１２", 12.0), ("²", None)])
def test_number_of_a_text(text, number):
    """The texts a number is read from (``number_of``'s first-character shortcut included)."""
    from tracechain.capture.query_fields import number_of
    assert number_of(text) == number


def test_names_expanded_once_per_document_give_the_same_rows():
    """The capture shares one name cache over a document's events: each event's rows are what
    it gives alone, also for a name two documents bind to different namespaces."""
    for name in ("object_event_all_possible_fields.jsonld", "SensorDataExample1.jsonld"):
        doc = orjson.loads((GS1 / name).read_bytes())
        prefixes = inline_context(doc)
        keys: dict = {}
        events = doc["epcisBody"]["eventList"]
        assert [query_fields(e, prefixes, canonicalise, keys) for e in events] == [
            query_fields(e, prefixes, canonicalise) for e in events]
    event = {"type": "ObjectEvent", "ex:t": "x"}
    one, other = {}, {}
    assert query_fields(event, {"ex": "https://a.example/"}, canonicalise, one) == [
        ("x|https://a.example/t", "x", None)]
    assert query_fields(event, {"ex": "https://b.example/"}, canonicalise, other) == [
        ("x|https://b.example/t", "x", None)]

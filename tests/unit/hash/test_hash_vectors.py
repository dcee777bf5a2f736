"""The committed vectors: the reference tool's three, and ours for every rule of §4-7."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracechain.hash import hash_document

HERE = Path(__file__).resolve().parent
SHARED_VECTORS = ["epcisDocWithSingleEvent", "epcisDocWithVariousEventTypes",
                  "epcisDocWithXMLstartTagAndErrorDeclaration"]
OWN = HERE / "own_vectors"
EXPECTED = json.loads((OWN / "expected.json").read_text(encoding="utf-8"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", SHARED_VECTORS)
def test_reference_vectors(name):
    hashes = hash_document(_load(HERE / "vectors" / f"{name}.jsonld"))
    expected = (HERE / "vectors" / f"{name}.hashes").read_text().split()
    prehashes = (HERE / "vectors" / f"{name}.prehashes").read_text().splitlines()
    assert [h.prehash for h in hashes] == prehashes
    assert [h.id for h in hashes] == expected


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_own_vectors(name):
    case = EXPECTED[name]
    hashes = hash_document(_load(OWN / f"{name}.jsonld"))
    assert [h.prehash for h in hashes] == [e["prehash"] for e in case["events"]], case["rule"]
    assert [h.id for h in hashes] == [e["hash"] for e in case["events"]], case["rule"]


def test_own_vectors_cover_every_rule_group():
    names = set(EXPECTED)
    assert {"order_parent_before_epclist", "order_sensor_before_why_lists", "order_sorted_tail",
            "certification_info", "time_normalisation", "numbers", "booleans", "cbv_urns",
            "bare_words_document_wide", "curie_inline_prefix", "curie_without_inline_prefix",
            "gs1_voc_bare_words", "epc_uris_to_digital_link", "digital_link_canonical",
            "percent_encoding", "quantity_elements", "persistent_disposition",
            "pairs_type_first", "readpoint_extensions", "sensor_elements",
            "ilmd_and_nested_extensions", "empty_lists_and_objects", "excluded_fields",
            "pepper_harvest", "pepper_drying", "coffee_shipping"} <= names
    from_reference = [n for n, c in EXPECTED.items() if c["expected_from"].startswith("epcis")]
    assert len(from_reference) >= 30


def _prehashes(name: str) -> list[str]:
    return [e["prehash"] for e in EXPECTED[name]["events"]]


def test_parent_id_before_epc_list():
    text = _prehashes("order_parent_before_epclist")[0]
    assert text.index("parentID=") < text.index("epcList") < text.index("action=")


def test_sensor_elements_before_why_lists_and_sorted_tail():
    text = _prehashes("order_sensor_before_why_lists")[0]
    assert text.index("sensorElementList") < text.index("bizTransactionList")
    tail = _prehashes("order_sorted_tail")[0]
    positions = [tail.index(part) for part in ("bizTransactionList", "destinationList", "ilmd",
                                               "sourceList", "{https://ns.tracechain.dev/epcis/}note")]
    assert positions == sorted(positions)


def test_excluded_fields_and_empty_lists_do_not_change_the_hash():
    for name in ("excluded_fields",):
        first, second = EXPECTED[name]["events"]
        assert first["hash"] == second["hash"]
    plain, empties, empty_ilmd = EXPECTED["empty_lists_and_objects"]["events"]
    assert plain["hash"] == empties["hash"] != empty_ilmd["hash"]
    assert empty_ilmd["prehash"].endswith("ilmd")


def test_milliseconds_round_half_to_even_on_microseconds():
    times = [p.split("eventTime=")[1][:24] for p in _prehashes("time_normalisation")]
    assert times[2:5] == ["2024-12-02T01:30:00.142Z", "2024-12-02T01:30:00.144Z",
                          "2024-12-02T01:30:00.142Z"]
    assert times[0] == times[1] == "2024-12-02T01:30:00.000Z"


def test_divergent_vectors_record_what_the_reference_does():
    divergent = {n: c for n, c in EXPECTED.items() if "reference" in c}
    assert set(divergent) == {"rounding_into_next_second", "infinite_numbers",
                              "biztransaction_without_type", "inline_term_object"}
    for case in divergent.values():
        assert case["expected_from"].startswith("tracechain")
        assert "drops" in case["reference"] or "raises" in case["reference"]

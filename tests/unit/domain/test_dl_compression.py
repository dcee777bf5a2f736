"""Compressed GS1 Digital Links: GS1's own examples decompress to what GS1's toolkit says,
what we compress decompresses back, and garbage is an InvalidIdentifier, never a crash.

The vectors are the GS1 Digital Link toolkit's (gs1/GS1DigitalLinkToolkit.js) examples, as its
Python port's tests (Trust-Codes-Ltd/gs1-compression) reproduce them."""

from __future__ import annotations

import random

import pytest

from tracechain.domain.errors import InvalidIdentifier
from tracechain.gs1.dl_compression import compress, decompress
from tracechain.gs1.resolver_paths import CSET82, DLRequest, request_from_ais

GS1_VECTORS = [
    ("ARHKVAdpQg", {"01": "09780345418913"}, {}),
    ("AQnYUc1gmiERBhQ0ytiyZuAGOLc1TXhXsaXbQKHFuaprwUmrBX6g",
     {"01": "05412345000013", "10": "ABC&+123", "7003": "1903061658"},
     {"expdt": "1903061658", "k1": "v1"}),
    ("AQnYUc1gmiERBhQ0ytiyZuAGOLc1TXgpNWCv1",
     {"01": "05412345000013", "10": "ABC&+123", "7003": "1903061658"}, {"k1": "v1"}),
    ("AREjalurbiAUO-cgohCz45Z67b8A",
     {"01": "09421902960055", "10": "2010005828", "21": "xyz1234"}, {}),
    ("AQEd-1O2-GIGAD6A", {"01": "00614141123452", "3103": "000500"}, {}),
    ("AQnYUc1gmiCNV4JGYgYAF6ckaEPg",
     {"01": "05412345000013", "3103": "000189", "3923": "2172", "10": "ABC123"}, {}),
]


@pytest.mark.parametrize("segment, ais, other", GS1_VECTORS)
def test_gs1_examples_decompress(segment, ais, other):
    got_ais, got_other = decompress(segment)
    assert got_ais == ais and got_other == other


def test_our_compression_is_gs1s_where_no_optimisation_applies():
    """GS1's toolkit spells a GTIN alone, and a GTIN+lot+(7003) with a pair, as we do."""
    assert compress({"01": "09780345418913"}) == "ARHKVAdpQg"
    assert compress({"01": "05412345000013", "10": "ABC&+123", "7003": "1903061658"},
                    {"k1": "v1"}) == "AQnYUc1gmiERBhQ0ytiyZuAGOLc1TXgpNWCv1"


def test_every_cset82_value_round_trips():
    chars = "".join(sorted(CSET82))
    rng = random.Random(82)
    values = [chars[i:i + 20] for i in range(0, 82, 20)] + [
        "".join(rng.choice(chars) for _ in range(rng.randint(1, 20))) for _ in range(300)]
    for value in values:
        ais = {"01": "09506000134352", "22": value, "10": value, "21": value}
        assert decompress(compress(ais)) == (ais, {})
        assert decompress(compress({"01": "09506000134352", "235": value + "X" * 8}))[0][
            "235"] == value + "X" * 8


def test_request_from_ais():
    dl, rest = request_from_ais({"01": "05412345000013", "10": "ABC&+123", "7003": "19030616"})
    assert dl == DLRequest("05412345000013", lot="ABC&+123") and rest == [("7003", "19030616")]
    assert dl.path() == "/01/05412345000013/10/ABC%26%2B123"
    with pytest.raises(InvalidIdentifier, match="must name a GTIN"):
        request_from_ais({"414": "9506000134352"})
    with pytest.raises(InvalidIdentifier, match="on its own"):
        request_from_ais({"01": "05412345000013", "235": "T", "10": "L"})
    with pytest.raises(InvalidIdentifier, match="wrong check digit"):
        request_from_ais({"01": "05412345000014"})


@pytest.mark.parametrize("segment", ["short", "not/base64", "=" * 20, "A" * 601, "_" * 40,
                                     "ARHKVAdpQ", "AQnYUc1gmiERBhQ0ytiyZuAGOLc1TXgpNWCv1"[:-6]])
def test_garbage_is_refused_not_crashed(segment):
    with pytest.raises(InvalidIdentifier):
        decompress(segment)


def test_random_segments_never_crash():
    rng = random.Random(7)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for _ in range(3000):
        segment = "".join(rng.choice(alphabet) for _ in range(rng.randint(10, 80)))
        try:
            decompress(segment)
        except InvalidIdentifier:
            pass

"""canonicalise(): EPC URIs / Digital Links → canonical DL, against the reference's outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracechain.gs1.canonical import canonicalise, normalised_or_none

# [input, what the reference's dl_normaliser makes of it (or the input when it gives None)],
# generated once by make_own_vectors.py.
CASES = json.loads((Path(__file__).parent / "digital_link_cases.json").read_text("utf-8"))


@pytest.mark.parametrize("given, expected", CASES, ids=[c[0][:60] or "empty" for c in CASES])
def test_matches_the_reference(given, expected):
    assert canonicalise(given) == expected


@pytest.mark.parametrize("given, expected", [
    ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
    ("urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234"),
    ("urn:epc:id:sgln:0614141.07346.0", "https://id.gs1.org/414/0614141073467"),
    ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"),
    ("urn:epc:id:pgln:8936100.00000", "https://id.gs1.org/417/8936100000003"),
    ("urn:epc:class:lgtin:8936100.001001.QT24", "https://id.gs1.org/01/08936100010019/10/QT24"),
    ("urn:epc:idpat:sgtin:8936100.001001.*", "https://id.gs1.org/01/08936100010019"),
    ("urn:epc:id:sgtin:8936100.001001.A!(B)*C+D,E:F",
     "https://id.gs1.org/01/08936100010019/21/A%21%28B%29%2AC%2BD%2CE%3AF"),
    ("http://example.com/gtin/8936100010019/lot/L1/ser/7?x=1",
     "https://id.gs1.org/01/08936100010019/21/7"),
    ("https://id.gs1.org/01/93610017/22/V1", "https://id.gs1.org/01/00000093610017"),
])
def test_examples(given, expected):
    assert canonicalise(given) == expected


def test_anything_else_is_returned_unchanged():
    for value in ("urn:uuid:6f1c2a9e-4b1d-4c3e-9a57-0b2d3e4f5a61", "geo:16.8,107.1", "shipping",
                  "https://id.gs1.org/01/08936100010019/21/A/17/251231",  # extra AI: untouched
                  "https://id.gs1.org/01/08936100010019/21/100%25", ""):
        assert canonicalise(value) == value
        assert normalised_or_none(value) is None
    assert canonicalise(None) is None


def test_dl_gtin_check_digit_is_not_verified():
    assert canonicalise("http://id.gs1.org/01/08936100010012") == \
        "https://id.gs1.org/01/08936100010012"  # ...0019 would be right

"""Lot numbers and serials the QR code can carry: at most 20 characters of GS1's set 82."""

from __future__ import annotations

import pytest

from tracechain.capture.rule_lots import lot_or_serial_problem
from tracechain.capture.rules import check_document

LIMITS = {"capture_limit": 100, "max_yield": 1.02}
GTIN = "08936100010019"


@pytest.mark.parametrize("uri", [
    f"https://id.gs1.org/01/{GTIN}/10/QT24-CL-0157",
    f"https://id.gs1.org/01/{GTIN}/10/A+B,(C)!*;=&'",  # every odd character GS1 allows
    f"https://id.gs1.org/01/{GTIN}/10/A%2FB%3A%25",
    f"https://id.gs1.org/01/{GTIN}/21/{'9' * 20}",
    "urn:epc:class:lgtin:893610.0001001.A+B",
    "https://id.gs1.org/414/8936100000102",
])
def test_lots_gs1_allows_pass(uri):
    assert lot_or_serial_problem(uri) is None


@pytest.mark.parametrize("uri, expected", [
    (f"https://id.gs1.org/01/{GTIN}/10/{'L' * 21}", "21 characters; at most 20"),
    (f"https://id.gs1.org/01/{GTIN}/21/{'9' * 21}", "serial (AI 21)"),
    (f"https://id.gs1.org/01/{GTIN}/10/A%20B", "outside the GS1 character set 82"),
])
def test_lots_no_qr_code_could_reach_are_refused(uri, expected):
    assert expected in lot_or_serial_problem(uri)


def test_a_21_character_lot_is_refused_at_capture_naming_the_field(harvest, now):
    event = harvest["epcisBody"]["eventList"][0]
    event["quantityList"][0]["epcClass"] = f"https://id.gs1.org/01/{GTIN}/10/{'X' * 21}"
    problems = check_document(harvest, now=now, **LIMITS)
    assert [p.path for p in problems] == ["$.epcisBody.eventList[0].quantityList[0].epcClass"]
    assert "at most 20" in problems[0].message

"""The scanned-text parser (gs1/scanned.py) against the table its JS mirror (scan.js) is also
tested with in chromium (tests/e2e/test_offline_queue.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracechain.gs1.scanned import MAX_TEXT, ScanRefused, parse_scanned

CASES = json.loads((Path(__file__).parent / "scan_cases.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[repr(c["text"])[:50] for c in CASES])
def test_each_scanned_text_fills_the_field_or_is_refused_with_its_reason(case):
    if "error" in case:
        with pytest.raises(ScanRefused) as refused:
            parse_scanned(case["text"])
        assert refused.value.reason == case["error"]
        return
    got = parse_scanned(case["text"]).as_json()
    assert got == {"kind": case["kind"], "gtin": case.get("gtin"), "lot": case.get("lot"),
                   "sscc": case.get("sscc"), "text": case["text"].strip(" \t\r\n")}


def test_a_huge_text_is_refused_without_being_parsed():
    with pytest.raises(ScanRefused):
        parse_scanned("(01)" + "9" * MAX_TEXT)


def test_the_reason_for_a_wrong_sscc_check_digit_names_the_right_digit():
    with pytest.raises(ScanRefused) as refused:
        parse_scanned("(00)106141411234567890")
    assert refused.value.detail == "7"

"""Value normalisation (EVENT_HASH.md §5): timestamps, numbers, CBV URNs."""

from __future__ import annotations

import pytest

from tracechain.hash.normalise import canonical_value, numeric, timestamp, web_vocabulary


@pytest.mark.parametrize("given, expected", [
    ("2024-12-02T01:30:00.000Z", "2024-12-02T01:30:00.000Z"),  # canonical: kept as it is
    ("2024-12-02T08:30:00+07:00", "2024-12-02T01:30:00.000Z"),
    ("2024-12-01T19:30:00.5-06:00", "2024-12-02T01:30:00.500Z"),
    ("2024-12-02T08:30:00.000+0700", "2024-12-02T01:30:00.000Z"),
    ("2024-12-02T08:30:00.000+07", "2024-12-02T01:30:00.000Z"),
    ("2024-12-02 01:30:00.120z", "2024-12-02T01:30:00.120Z"),
    ("2024-12-02T01:30Z", "2024-12-02T01:30:00.000Z"),
    ("2024-12-02T01:30:00,25Z", "2024-12-02T01:30:00.250Z"),
    ("2024-12-02T01:30:00.1425Z", "2024-12-02T01:30:00.142Z"),  # half-even on µs
    ("2024-12-02T01:30:00.1435Z", "2024-12-02T01:30:00.144Z"),
    ("2024-12-02T01:30:00.1415Z", "2024-12-02T01:30:00.142Z"),
    ("2024-12-02T01:30:00.14250099Z", "2024-12-02T01:30:00.142Z"),  # digits after µs ignored
    ("2024-12-02T01:30:00.1426Z", "2024-12-02T01:30:00.143Z"),
])
def test_timestamps(given, expected):
    assert timestamp(given) == expected


def test_rounding_into_the_next_second_carries():
    """The reference raises (and drops the event) here; we carry, as correct rounding does."""
    assert timestamp("2024-12-02T01:30:59.9995Z") == "2024-12-02T01:31:00.000Z"
    assert timestamp("2024-12-31T23:59:59.9999+00:00") == "2025-01-01T00:00:00.000Z"


def test_time_without_offset_is_utc_and_non_iso_text_is_verbatim():
    assert timestamp("2024-12-02T01:30:00") == "2024-12-02T01:30:00.000Z"
    assert timestamp("2024-12-02") == "2024-12-02T00:00:00.000Z"
    for text in ("yesterday", "2024-13-02T00:00:00Z", "2024-02-30T00:00:00Z", ""):
        assert timestamp(text) == text


@pytest.mark.parametrize("given, expected", [
    ("12.000", "12"), ("20.50", "20.5"), ("+5", "5"), ("1e3", "1000"), ("0012", "12"),
    ("04012345111118", "4012345111118"), ("12345678901234567890", "12345678901234567168"),
    ("0.00005", "5e-05"), ("-0", "0"), ("1_000", "1000"), ("NaN", "NaN"), ("nan", "nan"),
    ("452.0", "452"), ("26.0", "26"), ("abc", "abc"), ("in_transit", "in_transit"),
    ("inf", "inf"), ("-Infinity", "-Infinity"), ("1e999", "1e999"),  # the reference drops these
    ("", ""),
])
def test_numbers(given, expected):
    assert numeric(given) == expected


def test_cbv_urns_become_web_uris_anywhere_in_the_value():
    assert web_vocabulary("urn:epcglobal:cbv:bizstep:shipping") == \
        "https://ref.gs1.org/cbv/BizStep-shipping"
    assert web_vocabulary("see urn:epcglobal:cbv:disp:in_transit") == \
        "see https://ref.gs1.org/cbv/Disp-in_transit"
    for urn, web in (("btt:po", "BTT-po"), ("sdt:location", "SDT-location"),
                     ("er:incorrect_data", "ER-incorrect_data")):
        assert web_vocabulary("urn:epcglobal:cbv:" + urn) == "https://ref.gs1.org/cbv/" + web
    assert web_vocabulary("urn:epcglobal:cbv:bt:8936100000003:PO-1") == \
        "urn:epcglobal:cbv:bt:8936100000003:PO-1"  # an ID, not vocabulary


def test_canonical_value_applies_vocabulary_then_number_then_digital_link():
    assert canonical_value("urn:epc:id:sgtin:0614141.107346.2017") == \
        "https://id.gs1.org/01/10614141073464/21/2017"
    assert canonical_value("3.50") == "3.5"
    assert canonical_value("urn:epcglobal:cbv:disp:active") == "https://ref.gs1.org/cbv/Disp-active"


def test_the_common_shape_takes_a_short_cut_to_the_same_text():
    """Capture's usual times (ms and ±hh:mm) skip the general parser: both must agree, edge
    cases included (day and year boundaries, impossible dates, offsets of a day or more)."""
    import random

    from tracechain.hash.normalise import _any_iso_time, _parse_timestamp

    edges = ["2024-12-31T23:59:59.999-00:30", "2024-01-01T00:00:00.000+14:00",
             "2024-02-29T12:00:00.000+07:00", "2023-02-29T12:00:00.000+07:00",
             "0001-01-01T00:30:00.000+01:00", "9999-12-31T23:30:00.000-01:00",
             "2024-12-02T24:00:00.000+07:00", "2024-12-02T08:30:60.000+07:00",
             "2024-12-02T08:30:00.000+24:00", "2024-12-02T08:30:00.000+07:75",
             "0000-01-01T00:00:00.000+00:00", "2024-12-02T08:30:00.000-23:59"]
    rng = random.Random(7)
    drawn = [f"{rng.randint(1, 9999):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 31):02d}T"
             f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}."
             f"{rng.randint(0, 999):03d}{rng.choice('+-')}{rng.randint(0, 14):02d}:"
             f"{rng.choice((0, 30, 45)):02d}" for _ in range(500)]
    for text in edges + drawn:
        assert _parse_timestamp(text) == _any_iso_time(text), text

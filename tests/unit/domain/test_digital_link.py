"""GS1 Digital Link resolver paths: every rule of parse_path, and the links link_for prints."""

from __future__ import annotations

import pytest

from tracechain.domain.errors import InvalidIdentifier
from tracechain.gs1.keys import ItemKey, LotKey
from tracechain.gs1.resolver_paths import GtinKey, ai_value, item_key, link_for, lot_key, parse_path

GTIN14 = "09506000134352"   # GS1's own example
GTIN13 = "9506000134352"
GTIN12 = "614141000036"     # a UPC-A
GTIN8 = "95060002"          # an EAN-8 (check digit 2)
BASE = "https://trace.example.vn"


def test_gtin8_example_is_valid():
    from tracechain.gs1.keys import has_valid_check_digit

    assert has_valid_check_digit(GTIN8.zfill(14))


@pytest.mark.parametrize("path, key", [
    (f"/01/{GTIN14}/10/ABC123", LotKey(GTIN14, "ABC123")),
    (f"/01/{GTIN14}/21/12345", ItemKey(GTIN14, "12345")),
    (f"/01/{GTIN14}", GtinKey(GTIN14)),
    (f"/01/{GTIN14}/", GtinKey(GTIN14)),
    (f"/gtin/{GTIN14}/lot/ABC123", LotKey(GTIN14, "ABC123")),
    (f"/gtin/{GTIN14}/ser/12345", ItemKey(GTIN14, "12345")),
    (f"/gtin/{GTIN14}", GtinKey(GTIN14)),
    (f"/01/{GTIN14}/lot/X", LotKey(GTIN14, "X")),
    (f"01/{GTIN14}/10/X", LotKey(GTIN14, "X")),
])
def test_parses_long_and_short_names(path, key):
    assert parse_path(path) == key


@pytest.mark.parametrize("gtin", [GTIN13, GTIN12, GTIN8])
def test_short_gtins_are_padded_to_14(gtin):
    assert parse_path(f"/01/{gtin}/10/L1") == LotKey(gtin.zfill(14), "L1")
    assert parse_path(f"/gtin/{gtin}") == GtinKey(gtin.zfill(14))


@pytest.mark.parametrize("gtin, message", [
    ("09506000134353", "wrong check digit: expected 2"),
    ("9506000134350", "wrong check digit: expected 2"),
    ("0950600013435", "wrong check digit"),
    ("123456789", "must be 8, 12, 13 or 14 digits"),
    ("095060001343521", "must be 8, 12, 13 or 14 digits"),
    ("0950600013435A", "must be 8, 12, 13 or 14 digits"),
])
def test_bad_gtins_are_refused(gtin, message):
    with pytest.raises(InvalidIdentifier, match=message):
        parse_path(f"/01/{gtin}/10/L1")


@pytest.mark.parametrize("segment, value", [
    ("AB%2F12", "AB/12"),
    ("A%20B", None),  # a space is not in CSET 82: refused below
    ("%21%22%25%26%27%28%29%2A%2B%2C", "!\"%&'()*+,"),
    ("a%3Ab%3Bc%3Cd%3De%3Ef%3F", "a:b;c<d=e>f?"),
    ("x-y.z_Q", "x-y.z_Q"),
    ("ab%2fc", "ab/c"),  # lower-case hex escapes decode too
])
def test_lot_and_serial_are_percent_decoded(segment, value):
    if value is None:
        with pytest.raises(InvalidIdentifier, match="outside the GS1 character set 82"):
            parse_path(f"/01/{GTIN14}/10/{segment}")
        return
    assert parse_path(f"/01/{GTIN14}/10/{segment}") == LotKey(GTIN14, value)
    assert parse_path(f"/01/{GTIN14}/21/{segment}") == ItemKey(GTIN14, value)


@pytest.mark.parametrize("value, message", [
    ("A" * 21, "has 21 characters; at most 20 allowed"),
    ("LÔ1", "'Ô', outside the GS1 character set 82"),
    ("a b", "' ', outside the GS1 character set 82"),
    ("a~b", "'~', outside"),
    ("a#b", "'#', outside"),
    ("a[b]", "'\\[', '\\]', outside"),
    ("a\\b", "outside the GS1 character set 82"),
    ("", "is empty"),
])
def test_ai_value_rules(value, message):
    with pytest.raises(InvalidIdentifier, match=message):
        ai_value(value, "10")


def test_twenty_characters_of_every_kind_are_fine():
    assert ai_value("A" * 20, "21") == "A" * 20
    assert ai_value("!\"%&'()*+,-./:;<=>?_", "10") == "!\"%&'()*+,-./:;<=>?_"


@pytest.mark.parametrize("path, message", [
    (f"/01/{GTIN14}/10/{'A' * 21}", "lot \\(AI 10\\) 'A{21}' has 21 characters"),
    (f"/01/{GTIN14}/21/{'9' * 21}", "serial \\(AI 21\\)"),
    (f"/01/{GTIN14}/10/%C3%94", "'Ô', outside"),
    (f"/01/{GTIN14}/10/%FF", "does not decode as UTF-8"),
    (f"/01/{GTIN14}/10/AB%2", "malformed %-escape"),
    (f"/01/{GTIN14}/10/AB%ZZ", "malformed %-escape"),
    (f"/01/{GTIN14}/10/%20", "outside the GS1 character set 82"),
])
def test_bad_values_in_paths(path, message):
    with pytest.raises(InvalidIdentifier, match=message):
        parse_path(path)


@pytest.mark.parametrize("path, message", [
    ("/", "is not /01/<gtin>"),
    ("", "is not /01/<gtin>"),
    (f"/01/{GTIN14}/10", "is not /01/<gtin>"),
    (f"/01/{GTIN14}/10/A/21", "is not /01/<gtin>"),
    (f"/01/{GTIN14}/21/B/10/A", "must be 10 \\(lot\\), 21 \\(serial\\), or 10 then 21"),
    (f"/01/{GTIN14}/10/A/10/B", "must be 10 \\(lot\\), 21 \\(serial\\), or 10 then 21"),
    (f"/01/{GTIN14}//A", "is not /01/<gtin>"),
    (f"/414/{GTIN14}", "must start with /01/<gtin>"),
    (f"/10/A/01/{GTIN14}", "must start with /01/<gtin>"),
    # /22/ and /235/ are key qualifiers of AI 01 (issue #10): only their order and mix are wrong
    (f"/01/{GTIN14}/22/A/235/B", "must be 10 \\(lot\\), 21 \\(serial\\)"),
    (f"/01/{GTIN14}/10/A/22/B", "each optionally after 22"),
    (f"/01/{GTIN14}/01/A", "must be 10 \\(lot\\), 21 \\(serial\\)"),
    (f"/01/{GTIN14}/10/A?linkType=all", "no query string"),
    (f"/01/{GTIN14}/10/A#x", "no query string"),
])
def test_bad_shapes(path, message):
    with pytest.raises(InvalidIdentifier, match=message):
        parse_path(path)


def test_lot_then_serial_names_the_item():
    assert parse_path(f"/01/{GTIN14}/10/L1/21/S%2F1") == ItemKey(GTIN14, "S/1")
    assert parse_path(f"/gtin/{GTIN13}/lot/L1/ser/S1/") == ItemKey(GTIN14, "S1")
    with pytest.raises(InvalidIdentifier, match="lot \\(AI 10\\)"):
        parse_path(f"/01/{GTIN14}/10/{'L' * 21}/21/S1")


def test_lot_and_item_keys_check_their_parts():
    assert lot_key(GTIN13, "L/1") == LotKey(GTIN14, "L/1")
    assert item_key(GTIN8, "7") == ItemKey(GTIN8.zfill(14), "7")
    with pytest.raises(InvalidIdentifier, match="wrong check digit"):
        lot_key("09506000134353", "L1")
    with pytest.raises(InvalidIdentifier, match="serial \\(AI 21\\) is empty"):
        item_key(GTIN14, "")


@pytest.mark.parametrize("key, link", [
    (LotKey(GTIN14, "ABC-1.2_3"), f"{BASE}/01/{GTIN14}/10/ABC-1.2_3"),
    (LotKey(GTIN14, "A/B C"), f"{BASE}/01/{GTIN14}/10/A%2FB%20C"),
    (ItemKey(GTIN14, "!\"%&'()*+,"), f"{BASE}/01/{GTIN14}/21/%21%22%25%26%27%28%29%2A%2B%2C"),
    (ItemKey(GTIN14, ":;<=>?"), f"{BASE}/01/{GTIN14}/21/%3A%3B%3C%3D%3E%3F"),
    (GtinKey(GTIN14), f"{BASE}/01/{GTIN14}"),
])
def test_link_for(key, link):
    assert link_for(key, BASE) == link
    assert link_for(key, BASE + "/") == link


@pytest.mark.parametrize("value", ["ABC123", "A/B", "!\"%&'()*+,-./", ":;<=>?_xyz", "%25", "%"])
def test_link_for_round_trips_through_parse_path(value):
    for key in (lot_key(GTIN14, value), item_key(GTIN14, value)):
        link = link_for(key, BASE)
        assert parse_path(link.removeprefix(BASE)) == key

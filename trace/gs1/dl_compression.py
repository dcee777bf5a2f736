"""Compressed GS1 Digital Links (GS1 Digital Link: Compression; the algorithm of GS1's
Digital Link toolkit, gs1/GS1DigitalLinkToolkit.js and gs1/GS1DigitalLinkCompressionPrototype):
decompression, so the resolver answers ``https://host/AQnYUc1gmiER...`` as it answers the
Digital Link it stands for.

The path segment is a URI-safe base64 string (6 bits a character) of a bit string: a sequence of
AI keys, each with its value, until fewer than 9 bits remain (the padding). A key is two hex
digits ``h1 h2``:
- both 0-9: the first two digits of a numeric AI; table P says how many digits the AI has (one
  or two more hex digits follow for 3- and 4-digit AIs);
- otherwise an optimisation code standing for a fixed sequence of AIs (table Opt), or ``F``: a
  non-GS1 key=value pair (the key's length in the next 7 bits, 6 bits a character, then the
  value as below).
A value is encoded per table F, component by component: a fixed-length number as a binary number
of ceil(n·log2 10) bits; a variable-length number as its digit count (ceil(log2 max) bits), then
the number; an alphanumeric value as a 3-bit encoding (0 digits, 1 lower-case hex, 2 upper-case
hex, 3 URI-safe base64, 4 7-bit ASCII), its length (fixed, or ceil(log2 max) bits), then the
characters.

Tables P, F and Opt are those of GS1's toolkit, with AI (235), the third-party controlled
serial (X..28), added as GS1's General Specifications define it.
"""

from __future__ import annotations

import math
import re

from ..domain.errors import InvalidIdentifier

SAFE_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
HEX = "0123456789ABCDEF"
LOOKS_COMPRESSED = re.compile(r"^[A-Za-z0-9_-]{10,}$")  # a GTIN alone takes 10
MAX_SEGMENT = 600  # characters: far beyond any QR code's compressed link

# The number of digits of an AI by its first two (toolkit's table P).
TABLE_P = {
    "00": 2, "01": 2, "02": 2, "10": 2, "11": 2, "12": 2, "13": 2, "15": 2, "16": 2, "17": 2,
    "20": 2, "21": 2, "22": 2, "23": 3, "24": 3, "25": 3, "30": 2, "31": 4, "32": 4, "33": 4,
    "34": 4, "35": 4, "36": 4, "37": 2, "39": 4, "40": 3, "41": 3, "42": 3, "70": 4, "71": 3,
    "72": 4, "80": 4, "81": 4, "82": 4, **{str(n): 2 for n in range(90, 100)}}

# Each AI's value as components: ("N"|"X", fixed length, max length) (toolkit's table F).
Component = tuple[str, int | None, int | None]


def _n(length: int) -> list[Component]:
    return [("N", length, None)]


def _nv(most: int) -> list[Component]:
    return [("N", None, most)]


def _x(most: int) -> list[Component]:
    return [("X", None, most)]


TABLE_F: dict[str, list[Component]] = {
    "00": _n(18), "01": _n(14), "02": _n(14), "10": _x(20), "11": _n(6), "12": _n(6),
    "13": _n(6), "15": _n(6), "16": _n(6), "17": _n(6), "20": _n(2), "21": _x(20),
    "22": _x(20), "235": _x(28), "240": _x(30), "241": _x(30), "242": _nv(6), "243": _x(20),
    "250": _x(30), "251": _x(30), "253": [("N", 13, None), ("X", None, 17)], "254": _x(20),
    "255": [("N", 13, None), ("N", None, 12)], "30": _nv(8), "37": _nv(8),
    "400": _x(30), "401": _x(30), "402": _n(17), "403": _x(30),
    **{f"41{d}": _n(13) for d in range(7)},
    "420": _x(20), "421": [("N", 3, None), ("X", None, 9)], "422": _n(3),
    "423": [("N", 3, None), ("N", None, 12)], "424": _n(3),
    "425": [("N", 3, None), ("N", None, 12)], "426": _n(3), "427": _x(3),
    "7001": _n(13), "7002": _x(30), "7003": _n(10), "7004": _nv(4), "7005": _x(12),
    "7006": _n(6), "7007": [("N", 6, None), ("N", None, 6)], "7008": _x(3), "7009": _x(10),
    "7010": _x(2), "7020": _x(20), "7021": _x(20), "7022": _x(20), "7023": _x(30),
    **{f"703{d}": [("N", 3, None), ("X", None, 27)] for d in range(10)},
    **{f"71{d}": _x(20) for d in range(5)},
    **{f"723{d}": _x(30) for d in range(10)},
    "8001": _n(14), "8002": _x(20), "8003": [("N", 14, None), ("X", None, 16)], "8004": _x(30),
    "8005": _n(6), "8006": _n(18), "8007": _x(24), "8008": [("N", 8, None), ("N", None, 4)],
    "8009": _x(50), "8010": _x(30), "8011": _nv(12), "8012": _x(20), "8013": _x(30),
    "8017": _n(18), "8018": _n(18), "8019": _nv(10), "8020": _x(25), "8026": _n(18),
    "8110": _x(70), "8111": _n(4), "8112": _x(70), "8200": _x(70),
    "90": _x(30), **{str(n): _x(90) for n in range(91, 100)},
}
# Measures: 31xx-36xx are six digits (the toolkit's list: the fourth digit 0-5).
for _third, _count in (("31", 7), ("32", 10), ("33", 8), ("34", 10), ("35", 8), ("36", 10)):
    for _d3 in range(_count):
        for _d4 in range(6):
            TABLE_F[f"{_third}{_d3}{_d4}"] = _n(6)
for _d in range(10):
    TABLE_F[f"390{_d}"] = TABLE_F[f"392{_d}"] = _nv(15)
    TABLE_F[f"391{_d}"] = TABLE_F[f"393{_d}"] = [("N", 3, None), ("N", None, 15)]
for _d in range(4):
    TABLE_F[f"394{_d}"] = _n(4)

# Sequences of AIs one code stands for (toolkit's table Opt).
TABLE_OPT: dict[str, tuple[str, ...]] = {
    "0A": ("01", "22"), "0B": ("01", "10"), "0C": ("01", "21"), "0D": ("01", "17"),
    "0E": ("01", "7003"), "0F": ("01", "30"), "1A": ("01", "10", "21", "17"),
    "1B": ("01", "15"), "1C": ("01", "11"), "1D": ("01", "16"), "1E": ("01", "91"),
    "1F": ("01", "10", "15"),
    **{f"2{c}": ("01", f"310{i}") for i, c in enumerate("ABCDEF")},
    **{f"3{c}": ("01", f"320{i}") for i, c in enumerate("ABCDEF")},
    "9A": ("8010", "8011"), "9B": ("8017", "8019"), "9C": ("8018", "8019"),
    "9D": ("414", "254"),
    **{f"A{i}": ("01", f"392{i}") for i in range(10)},
    **{f"C{i}": ("255", f"390{i}") for i in range(10)},
    **{f"C{c}": ("255", f"394{i}") for i, c in enumerate("ABCD")},
}


def length_bits(most: int) -> int:
    """Bits of a length indicator for values of up to ``most`` characters."""
    return math.ceil(math.log2(most) + 0.01)


def value_bits(digits: int) -> int:
    """Bits of a ``digits``-digit number."""
    return math.ceil(digits * math.log2(10) + 0.01)


class _Bits:
    def __init__(self, bits: str):
        self.bits = bits
        self.at = 0

    def left(self) -> int:
        return len(self.bits) - self.at

    def take(self, n: int) -> int:
        if n < 0 or n > self.left():
            raise InvalidIdentifier("the compressed Digital Link ends in the middle of a value")
        chunk = self.bits[self.at:self.at + n]
        self.at += n
        return int(chunk, 2) if chunk else 0

    def hex(self) -> str:
        return HEX[self.take(4)]


def _text(bits: _Bits, encoding: int, count: int) -> str:
    if encoding == 0:
        return str(bits.take(value_bits(count))) if count else ""
    if encoding in (1, 2):
        value = "".join(bits.hex() for _ in range(count))
        return value.lower() if encoding == 1 else value
    if encoding == 3:
        return "".join(SAFE_BASE64[bits.take(6)] for _ in range(count))
    if encoding == 4:
        return "".join(chr(bits.take(7)) for _ in range(count))
    raise InvalidIdentifier(f"unknown character encoding {encoding} in a compressed Digital Link")


def _value(bits: _Bits, ai: str) -> str:
    out = ""
    for kind, fixed, most in TABLE_F[ai]:
        if kind == "N" and fixed is not None:
            number = str(bits.take(value_bits(fixed)))
            if len(number) > fixed:
                raise InvalidIdentifier(f"AI ({ai}) holds more than {fixed} digits")
            out += number.zfill(fixed)
        elif kind == "N":
            assert most is not None
            digits = bits.take(length_bits(most))
            out += str(bits.take(value_bits(digits))) if digits else ""
        else:
            encoding = bits.take(3)
            count = fixed if fixed is not None else bits.take(length_bits(most or 1))
            out += _text(bits, encoding, count)
    return out


def decompress(segment: str) -> tuple[dict[str, str], dict[str, str]]:
    """(GS1 AIs and their values, other key=value pairs) that the compressed path ``segment``
    holds, each in the order encoded.

    :raises InvalidIdentifier: not URI-safe base64, too long, an unknown AI or code, or bits that
        end in the middle of a value.
    """
    if len(segment) > MAX_SEGMENT or not LOOKS_COMPRESSED.match(segment):
        raise InvalidIdentifier("not a compressed GS1 Digital Link")
    bits = _Bits("".join(format(SAFE_BASE64.index(c), "06b") for c in segment))
    ais: dict[str, str] = {}
    other: dict[str, str] = {}
    while bits.left() > 8:
        h1, h2 = bits.hex(), bits.hex()
        if h1 in "0123456789" and h2 in "0123456789":
            size = TABLE_P.get(h1 + h2)
            if size is None:
                raise InvalidIdentifier(f"no GS1 AI begins with {h1}{h2}")
            ai = h1 + h2
            for _ in range(size - 2):
                digit = bits.hex()
                if digit not in "0123456789":
                    raise InvalidIdentifier(f"AI {ai}{digit}... is not all digits")
                ai += digit
            if ai not in TABLE_F:
                raise InvalidIdentifier(f"AI ({ai}) is not supported in compressed links")
            ais[ai] = _value(bits, ai)
        elif h1 + h2 in TABLE_OPT:
            for ai in TABLE_OPT[h1 + h2]:
                ais[ai] = _value(bits, ai)
        elif h1 == "F":
            size = (int(h2, 16) << 3) | bits.take(3)  # 7 bits: h2 and 3 more
            key = "".join(SAFE_BASE64[bits.take(6)] for _ in range(size))
            encoding = bits.take(3)
            other[key] = _text(bits, encoding, bits.take(7))
        else:
            raise InvalidIdentifier(f"no compression code {h1}{h2}")
    return ais, other


def compress(ais: dict[str, str], other: dict[str, str] | None = None) -> str:
    """The compressed path segment for these AIs (and non-GS1 pairs), without the optimisation
    codes (every AI spelled out; any conformant decompressor reads it).

    :raises InvalidIdentifier: an AI this module has no format for, or a value that breaks it.
    """
    out: list[str] = []
    for ai, value in ais.items():
        if ai not in TABLE_F:
            raise InvalidIdentifier(f"AI ({ai}) is not supported in compressed links")
        out.append("".join(format(int(d), "04b") for d in ai))
        rest = value
        for kind, fixed, most in TABLE_F[ai]:
            if kind == "N" and fixed is not None:
                part, rest = rest[:fixed], rest[fixed:]
                if len(part) != fixed or not part.isdigit():
                    raise InvalidIdentifier(f"AI ({ai}) needs {fixed} digits")
                out.append(format(int(part), f"0{value_bits(fixed)}b"))
            elif kind == "N":
                assert most is not None
                part, rest = rest, ""
                if len(part) > most or (part and not part.isdigit()) or part[:1] == "0":
                    raise InvalidIdentifier(f"AI ({ai}) needs up to {most} digits")
                out.append(format(len(part), f"0{length_bits(most)}b"))
                if part:
                    out.append(format(int(part), f"0{value_bits(len(part))}b"))
            else:
                assert most is not None or fixed is not None
                part, rest = rest, ""
                if len(part) > (most or fixed or 0):
                    raise InvalidIdentifier(f"AI ({ai}) holds at most {most} characters")
                out.append(_encoded(part, None if fixed is not None else most))
        if rest:
            raise InvalidIdentifier(f"AI ({ai}) holds more than its format allows")
    for key, value in (other or {}).items():
        if not key or len(key) > 127 or any(c not in SAFE_BASE64 for c in key):
            raise InvalidIdentifier(f"key {key!r} cannot be compressed")
        out.append("1111" + format(len(key), "07b"))
        out.append("".join(format(SAFE_BASE64.index(c), "06b") for c in key))
        out.append(_encoded(value, 128, length_width=7))
    bits = "".join(out)
    bits += "0" * (-len(bits) % 6)
    return "".join(SAFE_BASE64[int(bits[i:i + 6], 2)] for i in range(0, len(bits), 6))


def _encoded(text: str, most: int | None, length_width: int | None = None) -> str:
    """Encoding indicator, length (unless fixed) and characters of an alphanumeric value."""
    if text.isdigit() and text[0] != "0":
        encoding, body = 0, format(int(text), f"0{value_bits(len(text))}b")
    elif text and all(c in "0123456789abcdef" for c in text):
        encoding, body = 1, "".join(format(HEX.index(c.upper()), "04b") for c in text)
    elif text and all(c in HEX for c in text):
        encoding, body = 2, "".join(format(HEX.index(c), "04b") for c in text)
    elif all(c in SAFE_BASE64 for c in text):
        encoding, body = 3, "".join(format(SAFE_BASE64.index(c), "06b") for c in text)
    elif all(ord(c) < 128 for c in text):
        encoding, body = 4, "".join(format(ord(c), "07b") for c in text)
    else:
        raise InvalidIdentifier(f"{text!r} holds characters outside ASCII")
    length = "" if most is None else format(len(text), f"0{length_width or length_bits(most)}b")
    return format(encoding, "03b") + length + body

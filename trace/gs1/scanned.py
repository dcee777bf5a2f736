"""What a scanned code means for a console field: a lot (with its GTIN when the code says it) or
an SSCC. The ONE place scanned text is parsed on the server (``POST /app/scan``); the console's
``web/static/console/scan.js`` mirrors it for the BarcodeDetector path, and both are tested
against the same table of cases (tests/unit/scan_cases.json).

Accepted, in this order:
- a GS1 Digital Link URL on any host, under any path prefix: ``.../01/<gtin>/10/<lot>``
  (``gtin``/``lot`` short names too) or ``.../00/<sscc>``; a compressed link (the last path
  segment, GS1 DL compression) is decompressed;
- a GS1 element string: ``(00)<sscc>`` or ``(01)<gtin>(10)<lot>`` in brackets, or the raw form a
  GS1-128 / GS1 DataMatrix / GS1 QR gives, optionally after a symbology identifier (``]C1``,
  ``]d2``, ``]Q3``, ``]e0``), variable-length values ended by FNC1 (the GS character, 0x1D);
- a plain code: 18 digits are an SSCC (check digit verified); anything else of 1-20 characters
  of the GS1 character set 82 is taken as a lot code, as typed on our labels.

Everything else is refused with a ``ScanRefused`` whose ``reason`` a page translates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from ..domain.errors import InvalidIdentifier
from .dl_compression import LOOKS_COMPRESSED, TABLE_P, decompress
from .keys import check_digit, has_valid_check_digit, normalise_gtin
from .resolver_paths import CSET82, MAX_AI_LENGTH

Kind = Literal["lot", "sscc"]
Reason = Literal["not_gs1", "product_only", "bad_sscc", "bad_gtin", "bad_lot"]

GS = "\x1d"  # FNC1 as a separator in a raw element string
MAX_TEXT = 1000
_SYMBOLOGY = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
# GS1 General Specifications, figure 7.8.5-2: AIs whose values have a predefined length (by the
# AI's first two digits); every other value runs to the next FNC1 or the end.
_PREDEFINED = {"00": 18, "01": 14, "02": 14, "03": 14, "04": 16, "11": 6, "12": 6, "13": 6,
               "14": 6, "15": 6, "16": 6, "17": 6, "18": 6, "19": 6, "20": 2, "31": 6, "32": 6,
               "33": 6, "34": 6, "35": 6, "36": 6, "41": 13}
_BRACKETED = re.compile(r"\((\d{2,4})\)([^()]*)")
_DIGITS = re.compile(r"^\d+$")
_DL_NAMES = {"01": "01", "gtin": "01", "10": "10", "lot": "10", "00": "00", "sscc": "00"}


@dataclass(frozen=True, slots=True)
class Scanned:
    kind: Kind
    text: str
    gtin: str | None = None
    lot: str | None = None
    sscc: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"kind": self.kind, "gtin": self.gtin, "lot": self.lot, "sscc": self.sscc,
                "text": self.text}


class ScanRefused(InvalidIdentifier):
    """Not a code the console can use; ``reason`` says why (translated by the page)."""

    def __init__(self, reason: Reason, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: Reason = reason
        self.detail = detail


def parse_scanned(text: str) -> Scanned:
    """The lot or SSCC ``text`` (what a scanner read) names. :raises ScanRefused:"""
    raw = text.strip(" \t\r\n") if len(text) <= MAX_TEXT else ""
    if not raw:
        raise ScanRefused("not_gs1")
    if re.match(r"^https?://", raw, re.IGNORECASE):
        return _from_ais(_link_ais(raw), raw)
    body = _SYMBOLOGY.sub("", raw, count=1)
    if body.startswith("("):
        return _from_ais(_bracketed_ais(body), raw)
    if body != raw or GS in body:
        return _from_ais(_raw_ais(body.lstrip(GS)), raw)
    if _DIGITS.match(raw) and len(raw) == 18:
        return _from_ais({"00": raw}, raw)
    if _DIGITS.match(raw) and len(raw) in (8, 12, 13, 14):
        raise ScanRefused("product_only", raw)  # a product's barcode (EAN-13...), no lot
    if len(raw) <= MAX_AI_LENGTH and all(ch in CSET82 for ch in raw):
        return Scanned("lot", raw, lot=raw)
    raise ScanRefused("not_gs1")


def _link_ais(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    # the first GS1 primary key in the path, whatever prefix the resolver puts before it
    for i, name in enumerate(segments):
        if _DL_NAMES.get(name) in ("01", "00"):
            ais: dict[str, str] = {}
            pairs = segments[i:]
            for ai, value in zip(pairs[::2], pairs[1::2], strict=False):
                code = _DL_NAMES.get(ai, ai)
                ais.setdefault(code, unquote(value))
            return ais
    if segments and LOOKS_COMPRESSED.match(segments[-1]):
        try:
            ais, _other = decompress(segments[-1])
        except InvalidIdentifier:
            raise ScanRefused("not_gs1") from None
        return ais
    raise ScanRefused("not_gs1")


def _bracketed_ais(body: str) -> dict[str, str]:
    found = _BRACKETED.findall(body)
    if not found or "".join(f"({ai}){value}" for ai, value in found) != body:
        raise ScanRefused("not_gs1")
    return {ai: value for ai, value in found}


def _raw_ais(body: str) -> dict[str, str]:
    ais: dict[str, str] = {}
    pos = 0
    while pos < len(body):
        head = body[pos:pos + 2]
        size = TABLE_P.get(head)
        if size is None:
            raise ScanRefused("not_gs1")
        ai = body[pos:pos + size]
        pos += size
        fixed = _PREDEFINED.get(head)
        if fixed is not None:
            value = body[pos:pos + fixed]
            pos += fixed
            if pos < len(body) and body[pos] == GS:  # a needless FNC1 after a fixed value
                pos += 1
        else:
            end = body.find(GS, pos)
            end = len(body) if end < 0 else end
            value, pos = body[pos:end], end + 1
        if not _DIGITS.match(ai):
            raise ScanRefused("not_gs1")
        ais.setdefault(ai, value)
    return ais


def _from_ais(ais: dict[str, str], text: str) -> Scanned:
    if "00" in ais:
        sscc = ais["00"]
        if not _DIGITS.match(sscc) or len(sscc) != 18:
            raise ScanRefused("bad_sscc", sscc)
        if not has_valid_check_digit(sscc):
            raise ScanRefused("bad_sscc", str(check_digit(sscc[:-1])))
        return Scanned("sscc", text, sscc=sscc)
    if "01" in ais:
        try:
            gtin = normalise_gtin(ais["01"])
        except InvalidIdentifier:
            raise ScanRefused("bad_gtin", ais["01"]) from None
        lot = ais.get("10")
        if lot is None:
            raise ScanRefused("product_only", gtin)
        if not lot or len(lot) > MAX_AI_LENGTH or any(ch not in CSET82 for ch in lot):
            raise ScanRefused("bad_lot", lot)
        return Scanned("lot", text, gtin=gtin, lot=lot)
    raise ScanRefused("not_gs1")

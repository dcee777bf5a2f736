"""GS1 Digital Link URI → constrained canonical form, step by step as the reference tool does it.

The steps and their order come from ``dl_normaliser.normaliser`` (epcis-event-hash-generator
1.9.3). Several look odd but change the hash, so they are kept on purpose:
- the dots in ``id.gs1.org`` are "any character" in the reference's patterns;
- the host is rebuilt from the *first key in a fixed list* found anywhere in the URI, not from the
  first key in the path;
- ``/01/`` is padded by replacing every ``/01/`` of the URI, and 8-11 digit GTINs all get six zeros
  (the result then fails the final check unless it was a GTIN-8);
- percent-escapes and other characters outside the final check's set make the URI "not a key".
The check digit of a DL GTIN is not verified. The patterns are adapted from the reference
(epcis-event-hash-generator, MIT licence, Copyright (c) 2019 RalphTro).
"""

from __future__ import annotations

import re

_KEYS = "01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253" \
        "|gdti|401|ginc|402|gsin|8003|grai|8004|giai"
# Any http(s) URI whose path has /<key>/ followed by four digits and more: what the reference
# accepts as a Digital Link at all (its first pattern, reduced to what decides a match).
_LOOKS_LIKE_DL = re.compile(
    r"https?:(?://(?:(?:[^/?#]*)@)?[^/?#:]*(?::[^/?#]*)?)?"
    rf"(?:[^?#]*/(?:{_KEYS})/\d{{4}}[^/]|/[A-Za-z_-]{{10}}$)")
_SHORT_NAMES = (("/gtin/", "/01/"), ("/itip/", "/8006/"), ("/cpid/", "/8010/"), ("/gln/", "/414/"),
                ("/party/", "/417/"), ("/gsrnp/", "/8017/"), ("/gsrn/", "/8018/"),
                ("/gcn/", "/255/"), ("/sscc/", "/00/"), ("/gdti/", "/253/"), ("/ginc/", "/401/"),
                ("/gsin/", "/402/"), ("/grai/", "/8003/"), ("/giai/", "/8004/"), ("/cpv/", "/22/"),
                ("/lot/", "/10/"), ("/ser/", "/21/"))
_ON_CANONICAL_HOST = re.compile(
    r"https://id.gs1.org/(?:01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)"
    r"/\d{4}[^/]")
# Searched in this order, not by position in the path.
_HOST_KEYS = ("/00/", "/01/", "/253/", "/255/", "/401/", "/402/", "/414/", "/417/", "/8003/",
              "/8004/", "/8006/", "/8010/", "/8017/", "/8018/")
_GTIN14 = re.compile(r"https://id.gs1.org/01/\d{14}")
_GTIN13 = re.compile(r"https://id.gs1.org/01/\d{13}")
_GTIN12 = re.compile(r"https://id.gs1.org/01/\d{12}")
_GTIN8 = re.compile(r"https://id.gs1.org/01/\d{8}")
# The character set the final check allows in serials, lots, CPVs and references.
_X = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"
_CPV_LAST = re.compile(rf"https://id.gs1.org/(?:8006/\d{{18}}|01/\d{{14}})/22/{_X}{{0,20}}$")
_CPV_INNER = re.compile(
    r"https://id.gs1.org/(?:8006/\d{18}|01/\d{14})/22/[\x2F\x22\x27\x2D\x2E\x30-\x39"
    r"\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{0,20}$")
_LOT_AND_SERIAL = re.compile(
    rf"https://id.gs1.org/(?:8006/\d{{18}}|01/\d{{14}})/10/{_X}{{0,20}}/21/{_X}{{0,20}}$")
_CANONICAL = re.compile("|".join((
    r"https://id.gs1.org/00/\d{18}$",
    rf"https://id.gs1.org/01/\d{{14}}/21/{_X}{{0,20}}$",
    rf"https://id.gs1.org/01/\d{{14}}/10/{_X}{{0,20}}$",
    r"https://id.gs1.org/01/\d{14}$",
    rf"https://id.gs1.org/01/\d{{14}}/235/{_X}{{0,28}}$",
    rf"https://id.gs1.org/253/\d{{13}}{_X}{{0,17}}$",
    r"https://id.gs1.org/255/\d{13}\d{0,12}$",
    rf"https://id.gs1.org/401/{_X}{{0,30}}$",
    r"https://id.gs1.org/402/\d{17}$",
    r"https://id.gs1.org/414/\d{13}$",
    rf"https://id.gs1.org/414/\d{{13}}/254/{_X}{{0,20}}$",
    r"https://id.gs1.org/417/\d{13}$",
    rf"https://id.gs1.org/8003/\d{{14}}{_X}{{0,16}}$",
    rf"https://id.gs1.org/8004/{_X}{{0,30}}$",
    rf"https://id.gs1.org/8006/\d{{18}}/21/{_X}{{0,20}}$",
    rf"https://id.gs1.org/8006/\d{{18}}/10/{_X}{{0,20}}$",
    r"https://id.gs1.org/8006/\d{18}$",
    r"https://id.gs1.org/8010/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}/8011/\d{0,12}$",
    r"https://id.gs1.org/8010/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}$",
    r"https://id.gs1.org/8017/\d{18}$",
    r"https://id.gs1.org/8018/\d{18}$",
)))


def constrained_canonical(uri: str) -> str | None:
    """The constrained canonical GS1 DL of ``uri``, or None if it does not end up canonical."""
    if _LOOKS_LIKE_DL.match(uri) is None:
        return None
    uri = uri.split("?", 1)[0]
    for short, ai in _SHORT_NAMES:
        if short in uri:
            uri = uri.replace(short, ai)
    if _ON_CANONICAL_HOST.match(uri) is None:
        for key in _HOST_KEYS:
            at = uri.find(key)
            if at != -1:
                uri = "https://id.gs1.org" + uri[at:]
                break
    if _GTIN14.match(uri) is None:
        if _GTIN13.match(uri):
            uri = uri.replace("/01/", "/01/0")
        elif _GTIN12.match(uri):
            uri = uri.replace("/01/", "/01/00")
        elif _GTIN8.match(uri):
            uri = uri.replace("/01/", "/01/000000")
    uri = _without_cpv(uri)
    if _LOT_AND_SERIAL.match(uri):
        after_lot = uri[uri.find("/10/") + 4:]
        uri = uri[:uri.find("/10/")] + after_lot[after_lot.find("/"):]
    return uri if _CANONICAL.match(uri) else None


def _without_cpv(uri: str) -> str:
    # The reference computes the tail once and uses it for both cases; so do we.
    tail = uri[uri.find("/22/") + 4:]
    if _CPV_LAST.match(uri):
        uri = uri[:uri.find("/22/")]  # tail has no '/', so nothing of it is kept
    if _CPV_INNER.match(uri):
        uri = uri[:uri.find("/22/")] + tail[tail.find("/"):]
    return uri

"""Value normalisation of the pre-hash string (EVENT_HASH.md §5): timestamps, numbers, CBV URNs.

Every function here mirrors what the reference tool (epcis-event-hash-generator 1.9.3) does to a
value that it has already stripped of surrounding whitespace; each place where we deliberately
do something else (because the reference raises and drops the event) says so.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from ..gs1.canonical import normalised_or_none

# The CBV 1.x URN prefixes and their CBV 2.0 web-URI replacements. The reference replaces them
# anywhere in the value (str.replace), not only at its start, and so do we.
_CBV_URNS = (
    ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
)
# float() accepts only strings starting with one of these (or a non-ASCII digit): checking first
# saves raising and catching ValueError for every URI and word.
_FLOAT_START = frozenset("0123456789+-.iInN")
_CACHE_LIMIT = 200_000


def web_vocabulary(text: str) -> str:
    if "urn:epcglobal:cbv:" in text:
        for urn, web in _CBV_URNS:
            text = text.replace(urn, web)
    return text


def numeric(text: str) -> str:
    """Numbers as Python writes them: ``12.000`` → ``12``, ``0.00005`` → ``5e-05``, ``+5`` → ``5``.

    Like the reference, this applies to every value float() accepts, numeric-looking strings
    included (``"0012"`` → ``12``). Deliberate difference: ``inf`` / ``1e999`` make the reference
    raise OverflowError and drop the whole event; we keep such a value verbatim, as the
    reference already does for ``NaN``.
    """
    if not text or (text[0] not in _FLOAT_START and text[0] < "\x80"):
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    if number != number or number in (float("inf"), float("-inf")):
        return text
    return str(int(number)) if int(number) == number else str(number)


_canonical_values: dict[str, str] = {}
# Hot loops call this first (a bare dict lookup) and canonical_value only on a miss.
cached_value = _canonical_values.get


def canonical_value(text: str) -> str:
    """A (stripped, non-time) value as hashed: CBV URNs → web URIs, numbers, GS1 keys → DL."""
    done = _canonical_values.get(text)
    if done is not None:
        return done
    value = numeric(web_vocabulary(text))
    value = normalised_or_none(value) or value
    if len(_canonical_values) >= _CACHE_LIMIT:
        _canonical_values.clear()
    _canonical_values[text] = value
    return value


_CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
# The ISO 8601 shapes dateutil.parser.parse (what the reference uses) reads the same way.
_ISO_TIME = re.compile(
    r"(\d{4})-?(\d\d)-?(\d\d)"
    r"(?:[T ](\d\d):?(\d\d)(?::?(\d\d)(?:[.,](\d+))?)?)?"
    r"\s*(?:([Zz])|([+-])(\d\d)(?::?(\d\d))?)?")
_timestamps: dict[str, str] = {}
# What capture documents nearly always send: milliseconds and a ±hh:mm offset. Read by
# datetime.fromisoformat (C) instead of the general path below: the same text, in half the time.
_COMMON_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d")


def timestamp(text: str) -> str:
    """A time value in UTC with exactly three fractional digits and ``Z``.

    Milliseconds are rounded half-to-even on the microsecond value, like the reference's
    ``round(µs, -3)``; digits after the sixth are ignored. Deliberate differences: when rounding
    reaches the next second (``…:59.9995Z``) the reference raises and drops the event, we carry
    into the next second; a time without offset is read as UTC (the reference uses the machine's
    local zone); values outside the ISO 8601 shapes above are hashed verbatim (the reference
    would still try dateutil's free-form parser).
    """
    if len(text) == 24 and _CANONICAL_TIME.fullmatch(text):
        return text  # already canonical, and the common case: skip parsing
    done = _timestamps.get(text)
    if done is None:
        done = _parse_timestamp(text)
        if len(_timestamps) >= _CACHE_LIMIT:
            _timestamps.clear()
        _timestamps[text] = done
    return done


def _parse_timestamp(text: str) -> str:
    if len(text) == 29 and _COMMON_TIME.fullmatch(text):
        try:
            moment = datetime.fromisoformat(text)
            offset = moment.utcoffset()
            assert offset is not None  # the shape has one
            # Three fractional digits: rounding to milliseconds changes nothing.
            return (moment.replace(tzinfo=None) - offset).isoformat(timespec="milliseconds") + "Z"
        except (ValueError, OverflowError):
            pass  # an impossible date, an offset of 24 h or more...: the general path decides
    return _any_iso_time(text)


def _any_iso_time(text: str) -> str:
    m = _ISO_TIME.fullmatch(text)
    if m is None:
        return text
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = m.groups()
    micro = int((fraction or "")[:6].ljust(6, "0"))
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0))
        if sign:
            offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
            moment -= offset if sign == "+" else -offset
        moment += timedelta(microseconds=round(micro, -3))
    except (ValueError, OverflowError):
        return text  # the reference also hashes an impossible date verbatim
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"

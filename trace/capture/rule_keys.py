"""GS1 keys inside identifiers: check digits and lengths in Digital Link URIs, digit counts in URNs.

The JSON schema only asks for "a URI", so `https://id.gs1.org/01/08931234567890` with a wrong check
digit, or an SGTIN URN with a digit too many, would pass it; the reference hash tool does not check
either and the lot would then be unfindable by its QR code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import urlsplit

from ..domain.errors import Problem
from ..domain.json_types import EpcisEvent
from ..gs1.keys import check_digit, has_valid_check_digit
from .document import EventRef, key_path
from .rule_lots import lot_or_serial_problem

# Digital Link primary-key AIs (numeric and short-name forms) -> (name, allowed lengths).
_DL_KEYS = {
    "01": ("GTIN", (8, 12, 13, 14)),
    "gtin": ("GTIN", (8, 12, 13, 14)),
    "00": ("SSCC", (18,)),
    "sscc": ("SSCC", (18,)),
    "414": ("GLN", (13,)),
    "gln": ("GLN", (13,)),
    "417": ("party GLN", (13,)),
    "party": ("party GLN", (13,)),
}
_CANONICAL_HOST = "id.gs1.org"

# EPC URN scheme -> (how many dot-separated fields, digits company prefix + reference must have,
# what the reference is called).
_URN_SCHEMES = {
    ("id", "sgtin"): (3, 13, "item reference"),
    ("class", "lgtin"): (3, 13, "item reference"),
    ("idpat", "sgtin"): (3, 13, "item reference"),
    ("id", "sgln"): (3, 12, "location reference"),
    ("id", "pgln"): (2, 12, "party reference"),
    ("id", "sscc"): (2, 17, "serial reference"),
}
_URN = re.compile(r"^urn:epc:(id|class|idpat):([a-z]+):(.*)$")

Where = tuple[str, int | None, str | None]
"""Where an identifier stands in an event: (member, list index, field of a list item)."""
_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


_ON_CANONICAL_HOST = "https://id.gs1.org/"
# Characters after which urlsplit's path would not be the rest of the URI (query, fragment) or
# that it removes (tab, newlines).
_NOT_PLAIN_PATH = frozenset("?#\t\r\n")


def digital_link_problem(uri: str) -> str | None:
    """What is wrong with the GS1 key in a Digital Link URI, or None (also for non-DL URIs).

    On id.gs1.org every primary key is checked. On other hosts (a cooperative's own resolver) a
    path counts as Digital Link only when the key's value is at least 8 digits (the shortest GS1
    key) and the rest of the path is AI/value pairs, so that an ordinary web address such as
    ``https://example.com/2024/01/15`` is not mistaken for one.
    """
    if uri.startswith(_ON_CANONICAL_HOST) and _NOT_PLAIN_PATH.isdisjoint(uri):
        # What urlsplit would give for a plain id.gs1.org path, without its cost (a bulk
        # capture brings hundreds of new lot URIs): the path is all that follows the host.
        segments = uri[len(_ON_CANONICAL_HOST) - 1:].split("/")
        canonical = True
    else:
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https"):
            return None
        segments = parts.path.split("/")
        canonical = parts.hostname == _CANONICAL_HOST
    for i, segment in enumerate(segments[:-1]):
        if segment not in _DL_KEYS:
            continue
        value = segments[i + 1]
        if not canonical and (not value.isdigit() or len(value) < 8 or len(segments[i + 2:]) % 2):
            continue
        name, lengths = _DL_KEYS[segment]
        return _key_problem(name, value, lengths)
    return None


@lru_cache(maxsize=4096)
def _key_problem(name: str, value: str, lengths: tuple[int, ...]) -> str | None:
    if not value.isdigit():
        return f"{name} {value} must be digits only"
    if len(value) not in lengths:
        allowed = str(lengths[-1])
        if len(lengths) > 1:
            allowed = ", ".join(map(str, lengths[:-1])) + " or " + allowed
        return f"{name} {value} must have {allowed} digits (has {len(value)})"
    if not has_valid_check_digit(value):
        return (f"{name} {value} has a wrong check digit: the last digit should be "
                f"{check_digit(value[:-1])}")
    return None


def epc_urn_problem(uri: str) -> str | None:
    """What is wrong with the digit counts of an SGTIN/LGTIN/SGLN/PGLN/SSCC EPC URN, or None."""
    match = _URN.match(uri)
    scheme = _URN_SCHEMES.get((match[1], match[2])) if match else None
    if not match or not scheme:
        return None
    count, digits, reference = scheme
    fields = match.group(3).split(".", count - 1)
    if len(fields) != count:
        return f"EPC URN {uri} must have {count} parts separated by dots"
    prefix, ref = fields[0], fields[1]
    if match.group(1) == "idpat" and "*" in (prefix, ref):
        return None  # a pattern: nothing fixed to count
    if not (prefix.isdigit() and (ref.isdigit() or ref == "")):
        return f"EPC URN {uri}: the company prefix and {reference} must be digits"
    if len(prefix) + len(ref) != digits:
        return (f"EPC URN {uri}: company prefix + {reference} must have {digits} digits "
                f"together (has {len(prefix) + len(ref)})")
    return None


def identifier_problem(uri: object) -> str | None:
    # The same GTINs and GLNs come back thousands of times in one bulk document.
    return _identifier_problem(uri) if isinstance(uri, str) else _uncached_problem(uri)


@lru_cache(maxsize=65536)
def _identifier_problem(uri: str) -> str | None:
    return _uncached_problem(uri)


def _uncached_problem(uri: object) -> str | None:
    if not isinstance(uri, str):
        return None  # not a string: the schema says so
    return epc_urn_problem(uri) if uri.startswith("urn:") else digital_link_problem(uri)


def identifiers(event: EpcisEvent) -> Iterator[tuple[Where, object]]:
    """(where, value) of every identifier field of an event; ``where_path(where)`` is its
    JSONPath suffix, built only for a value that has a problem (this runs for every
    identifier of every captured event)."""
    for name in _EPC_LISTS:
        values = event.get(name)
        if isinstance(values, list):
            for i, value in enumerate(values):
                yield (name, i, None), value
    for name in _QUANTITY_LISTS:
        items = event.get(name)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    yield (name, i, "epcClass"), item.get("epcClass")
    yield ("parentID", None, None), event.get("parentID")
    for name in ("readPoint", "bizLocation"):
        place = event.get(name)
        if isinstance(place, dict):
            yield (name, None, "id"), place.get("id")
    for name, member in (("sourceList", "source"), ("destinationList", "destination")):
        items = event.get(name)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    yield (name, i, member), item.get(member)


def where_path(where: Where) -> str:
    name, index, member = where
    path = key_path(name) + (f"[{index}]" if index is not None else "")
    return path + (f".{member}" if member else "")


def check_keys(ref: EventRef) -> list[Problem]:
    """Every identifier is a well-formed EPC URN or GS1 Digital Link, and a lot or serial one
    whose QR code can carry it (``rule_lots``): one pass over the identifiers for both."""
    problems = []
    for where, value in identifiers(ref.event):
        if not isinstance(value, str):
            wrong = identifier_problem(value)
        else:
            wrong = identifier_problem(value) or lot_or_serial_problem(value)
        if wrong:
            problems.append(ref.problem(where_path(where), wrong))
    return problems

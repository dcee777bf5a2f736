"""An eventID written as a hash (``ni:///sha-256;…?ver=CBV2.0``) must be the event's hash.

CBV 2.0 §8.9 lets a capturing application name an event by its own hash. A caller-supplied
``ni:`` eventID that is not the hash of the event it names is a lie the chain would then
anchor; capture refuses it (400, naming the event). The reference tool's other algorithms
(sha-384, sha-512, sha3-256) are checked too, from the same pre-hash text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from ..domain.errors import Problem
from . import EventHash

_NI = re.compile(r"^ni:///(?P<alg>[A-Za-z0-9_-]+);(?P<hex>[0-9A-Fa-f]+)(?P<rest>\?.*)?$")
_ALGORITHMS = {"sha-256": hashlib.sha256, "sha-384": hashlib.sha384, "sha-512": hashlib.sha512,
               "sha3_256": hashlib.sha3_256, "sha3-256": hashlib.sha3_256}


def hash_id_mismatch(event_id: str, computed: EventHash) -> str | None:
    """Why ``event_id`` (an ``ni:`` name) is not ``computed``'s hash, or None when it is."""
    match = _NI.match(event_id.strip())
    if match is None:
        return (f"eventID {event_id} starts with ni: but is not an RFC 6920 hash name "
                f"(ni:///sha-256;<hex>?ver=CBV2.0)")
    algorithm = _ALGORITHMS.get(match["alg"].lower())
    if algorithm is None:
        return (f"eventID {event_id} uses the hash algorithm {match['alg']}; "
                f"we can check {', '.join(sorted(_ALGORITHMS))}")
    expected = algorithm(computed.prehash.encode()).hexdigest()
    if match["hex"].lower() != expected:
        return (f"eventID {event_id} is not this event's hash: the event hashes to "
                f"{computed.id if algorithm is hashlib.sha256 else expected} "
                f"(CBV 2.0 event hash); leave eventID out to have it computed")
    return None


def hash_id_problems(events: Sequence[object], hashes: Sequence[EventHash],
                     path: str = "$.epcisBody.eventList") -> list[Problem]:
    """One problem per event whose ``ni:`` eventID is not its hash."""
    problems: list[Problem] = []
    for i, (event, computed) in enumerate(zip(events, hashes, strict=True)):
        event_id = event.get("eventID") if isinstance(event, dict) else None
        if isinstance(event_id, str) and event_id[:3].lower() == "ni:":
            why = hash_id_mismatch(event_id, computed)
            if why is not None:
                problems.append(Problem(f"{path}[{i}].eventID", why, i, event_id))
    return problems

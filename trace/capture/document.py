"""Reading an EPCIS 2.0 capture document: parse the bytes, find the events, read `@context`.

Also the small helpers every check shares: JSONPath rendering and `EventRef`, which knows where an
event sits in the document so a problem can point at it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import orjson

from ..domain.errors import Problem, ValidationFailed
from ..domain.json_types import EpcisEvent, JsonObject

_UTF8_BOM = b"\xef\xbb\xbf"
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_json(raw: bytes | bytearray | memoryview | str) -> object:
    """The JSON value in ``raw``.

    A leading UTF-8 byte-order mark is dropped first: spreadsheet and ERP exports on Windows often
    write one, and orjson would reject the whole document for it.

    :raises ValidationFailed: the bytes are not JSON (the problem gives orjson's line/column),
        or nest deeper than ``nesting.MAX_DEPTH``.
    """
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    data = bytes(raw)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ValidationFailed(f"malformed JSON: {exc}", [Problem("$", str(exc))]) from exc
    from .nesting import check_depth  # here: nesting reads this module's key_path

    check_depth(value)  # :raises ValidationFailed: nested too deep to be stored
    return value


def _body(doc: object) -> JsonObject:
    body = doc.get("epcisBody") if isinstance(doc, dict) else None
    return body if isinstance(body, dict) else {}


def events_of(doc: object) -> list[JsonObject]:
    """The events of an EPCISDocument: ``epcisBody.eventList``, or a single ``epcisBody.event``.

    Anything missing (or not a list/object) gives an empty list; the schema check says why.
    Non-object entries are kept so that event indexes match the document.
    """
    body = _body(doc)
    events = body.get("eventList")
    if isinstance(events, list):
        return events
    single = body.get("event")
    return [single] if isinstance(single, dict) else []


def event_path(doc: object, index: int) -> str:
    """The JSONPath of event ``index`` as `events_of` numbered it."""
    if "eventList" not in _body(doc) and "event" in _body(doc):
        return "$.epcisBody.event"
    return f"$.epcisBody.eventList[{index}]"


def inline_context(doc: object) -> dict[str, str]:
    """Prefix -> IRI bindings declared inline in the document's ``@context``.

    ``@context`` may be a URL (no inline bindings), one object, or an array of URLs and objects;
    later objects override earlier ones, as in JSON-LD. A term definition ``{"@id": iri}`` counts
    as a binding to that IRI. Keywords (``@vocab``, ``@version``...) are not prefixes: skipped.
    Only inline objects count because the reference event-hash tool expands a CURIE only when its
    prefix is declared inline (shared/epcis/EVENT_HASH.md, section 7).
    """
    ctx = doc.get("@context") if isinstance(doc, dict) else None
    items = ctx if isinstance(ctx, list) else [ctx]
    bindings: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        for prefix, value in item.items():
            if prefix.startswith("@"):
                continue
            if isinstance(value, dict):
                value = value.get("@id")
            if isinstance(value, str):
                bindings[prefix] = value
    return bindings


@lru_cache(maxsize=1024)
def stored_context_prefixes(context_text: str) -> dict[str, str]:
    """``inline_context`` of a stored ``@context`` text (as capture keeps it, once per
    document); not JSON gives no bindings. The answer is shared: do not change it."""
    try:
        return inline_context({"@context": orjson.loads(context_text)})
    except orjson.JSONDecodeError:
        return {}


def json_path(parts: Sequence[str | int]) -> str:
    """``["epcisBody", "eventList", 3, "action"]`` -> ``$.epcisBody.eventList[3].action``.

    Keys that are not plain identifiers (``@context``, ``example:myField``) use bracket notation.
    """
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _PLAIN_KEY.match(part):
            out.append(f".{part}")
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{escaped}']")
    return "".join(out)


def key_path(key: str) -> str:
    """One member as a JSONPath suffix: ``.action`` or ``['example:myField']``."""
    return json_path([key])[1:]


@dataclass(frozen=True, slots=True)
class EventRef:
    """One event and where it is, so that rules can say "here" in their problems."""

    index: int
    event: EpcisEvent
    path: str

    @property
    def event_id(self) -> str | None:
        event_id = self.event.get("eventID")
        return event_id if isinstance(event_id, str) else None

    @property
    def type(self) -> str:
        event_type = self.event.get("type")
        return event_type if isinstance(event_type, str) else ""

    def problem(self, suffix: str, message: str) -> Problem:
        """A problem at this event's path + ``suffix`` (e.g. ``.outputQuantityList``)."""
        return Problem(self.path + suffix, message, self.index, self.event_id)


def located_events(doc: object) -> list[EventRef]:
    """Every event that is a JSON object, with its index and JSONPath."""
    body = _body(doc)
    if "eventList" not in body and "event" in body:
        return [EventRef(i, event, event_path(doc, i)) for i, event in enumerate(events_of(doc))
                if isinstance(event, dict)]
    return [EventRef(i, event, f"$.epcisBody.eventList[{i}]")  # event_path, for a list
            for i, event in enumerate(events_of(doc)) if isinstance(event, dict)]

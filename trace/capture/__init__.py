"""Validating EPCIS 2.0 capture documents: JSON parsing, the GS1 JSON Schema, and business rules.

Pure functions, no web framework and no database: `parse_json` -> `validate_schema` ->
`check_document` (or all three at once with `validate_capture`). Each returns `Problem`s with a
JSONPath, a plain message and the event's index and eventID.
"""

from .document import events_of, inline_context, parse_json
from .rules import check_document
from .schema import validate_schema
from .validate import validate_capture

__all__ = [
    "check_document",
    "events_of",
    "inline_context",
    "parse_json",
    "validate_capture",
    "validate_schema",
]

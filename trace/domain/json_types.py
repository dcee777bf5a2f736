"""Names for the JSON this project passes around, so that signatures say what they hold.

EPCIS 2.0 events and documents are open JSON-LD: any event may carry extension fields, and their
shape is checked at run time by the EPCIS JSON schema (`capture.schema`) and the business rules,
not by the type checker. So these are aliases of ``dict[str, Any]``: a JSON object whose keys are
strings and whose values are any JSON value. A name says which JSON a function expects.
"""

from __future__ import annotations

from typing import Any, TypeAlias

JsonObject: TypeAlias = dict[str, Any]
"""Any parsed JSON object (``orjson.loads`` of an object)."""

EpcisEvent: TypeAlias = dict[str, Any]
"""One EPCIS 2.0 event as JSON-LD (ObjectEvent, AggregationEvent, TransformationEvent, ...)."""

EpcisDocument: TypeAlias = dict[str, Any]
"""An EPCISDocument (or EPCISQueryDocument): ``@context``, header fields, ``epcisBody``."""

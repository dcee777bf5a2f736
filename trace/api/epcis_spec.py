"""The EPCIS REST binding in our OpenAPI description: the GS1 headers and the query parameters
every binding operation takes, and what of GS1's openapi.json we do not serve, with reasons.

``document(spec)`` runs once the blueprints are registered. The standard's operations are at
``/epcis/...`` here (and at the root, see ``epcis_root``, which is not described twice). What we
do not support is listed in the description's ``x-gs1-unsupported`` (and in
docs/EPCIS_REST.md): an operation or a parameter leaves that list by itself once it is served
(``tests/integration/test_epcis_openapi_coverage.py`` walks GS1's file against ours).
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from ..services.epcis.query import KNOWN_PARAMS
from .epcis_root import PREFIX
from .epcis_versions import CBV_XML_FORMATS, EPC_FORMATS

_VERSION = {"type": "string", "pattern": r"^\d+\.\d+(\.\d+)?$", "example": "2.0.0"}
_HEADERS: dict[str, dict[str, Any]] = {
    "GS1-EPCIS-Version": {"description": "The EPCIS version of the document sent: 2.0 (else "
                                         "406)", "schema": _VERSION},
    "GS1-CBV-Version": {"description": "The CBV version of the document sent: 2.0 (else 406)",
                        "schema": _VERSION},
    "GS1-EPCIS-Min": {"description": "The lowest EPCIS version you accept (above 2.0.0: 406)",
                      "schema": _VERSION},
    "GS1-EPCIS-Max": {"description": "The highest EPCIS version you accept (below 2.0: 406)",
                      "schema": _VERSION},
    "GS1-CBV-Min": {"description": "The lowest CBV version you accept (above 2.0.0: 406)",
                    "schema": _VERSION},
    "GS1-CBV-Max": {"description": "The highest CBV version you accept (below 2.0: 406)",
                    "schema": _VERSION},
    "GS1-Extensions": {"description": "Extensions you require: we support none (any: 406)",
                       "schema": {"type": "string"}},
    "GS1-EPC-Format": {"description": "Never_Translates / No_Preference / none: identifiers as "
                                      "captured; Always_GS1_Digital_Link: as Digital Links; "
                                      "Always_EPC_URN: 406",
                       "schema": {"type": "string", "enum": list(EPC_FORMATS)}},
    "GS1-CBV-XML-Format": {"description": "For XML answers only; every value accepted",
                           "schema": {"type": "string", "enum": list(CBV_XML_FORMATS)}},
}
_CAPTURE_HEADERS = {
    "GS1-Capture-Error-Behaviour": {
        "description": "rollback (the default): all events or none; proceed: the valid events "
                       "are stored, the others reported in the capture job's errors",
        "schema": {"type": "string", "enum": ["rollback", "proceed"]}},
    "GS1-Signatures": {"description": "The organisation's own EIP-191 signatures of the event "
                                      "hashes, comma-separated, one per event",
                       "schema": {"type": "string"}},
}
_PAGING = ("perPage", "nextPageToken")
# Query parameters of the standard's SimpleEventQuery that the query does not read yet: only
# those of them that services/epcis/query.py does not know are listed (the rest are served).
UNSUPPORTED_QUERY_PARAMETERS = {
    name: "not read by our SimpleEventQuery yet (issue #10): a query naming it is refused "
          "with 400 rather than answered without it"
    for name in (
        "EQ_persistentDisposition_set", "EQ_persistentDisposition_unset", "WD_readPoint",
        "WD_bizLocation", "EQ_transformationID", "EQ_quantity", "GT_quantity", "GE_quantity",
        "LT_quantity", "LE_quantity", "EXISTS_errorDeclaration", "GE_errorDeclarationTime",
        "LT_errorDeclarationTime", "EQ_errorReason", "EQ_correctiveEventID", "orderBy",
        "orderDirection", "eventCountLimit", "maxEventCount", "GE_startTime", "LT_startTime",
        "GE_endTime", "LT_endTime", "EQ_type", "EQ_deviceID", "EQ_dataProcessingMethod",
        "EQ_microorganism", "EQ_chemicalSubstance", "EQ_bizRules", "EQ_stringValue",
        "EQ_hexBinaryValue", "EQ_uriValue", "EQ_booleanValue")}
# Operations of GS1's openapi.json we do not serve: listed until they are.
UNSUPPORTED_OPERATIONS = {
    ("GET", "/queries"): "named queries are not served yet (issue #10)",
    ("POST", "/queries"): "named queries are not served yet (issue #10)",
    ("OPTIONS", "/queries"): "named queries are not served yet (issue #10)",
    ("GET", "/queries/{queryName}"): "named queries are not served yet (issue #10)",
    ("DELETE", "/queries/{queryName}"): "named queries are not served yet (issue #10)",
    ("OPTIONS", "/queries/{queryName}"): "named queries are not served yet (issue #10)",
    ("GET", "/queries/{queryName}/events"): "named queries are not served yet (issue #10)",
    ("OPTIONS", "/queries/{queryName}/events"): "named queries are not served yet (issue #10)",
    ("GET", "/queries/{queryName}/subscriptions"): "subscriptions are not served yet (#10)",
    ("POST", "/queries/{queryName}/subscriptions"): "subscriptions are not served yet (#10)",
    ("OPTIONS", "/queries/{queryName}/subscriptions"): "subscriptions are not served yet (#10)",
    ("GET", "/queries/{queryName}/subscriptions/{subscriptionID}"):
        "subscriptions are not served yet (#10)",
    ("DELETE", "/queries/{queryName}/subscriptions/{subscriptionID}"):
        "subscriptions are not served yet (#10)",
    ("OPTIONS", "/queries/{queryName}/subscriptions/{subscriptionID}"):
        "subscriptions are not served yet (#10)",
}


# Parameters of the named-query operations (served by epcis_queries.py), by operation.
_WEBSOCKET_QUERY = ("stream", "reportIfEmpty", "initialRecordTime", "second", "minute", "hour",
                    "dayOfMonth", "month", "dayOfWeek")
_QUERY_OPERATION_PARAMS: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("get", "/queries"): [],
    ("get", "/queries/{}/subscriptions"): [],
    ("get", "/queries/{}/events"): [
        *({"in": "header", "name": name, "required": False, "schema": {"type": "string"},
           "description": "`Upgrade: websocket` subscribes to the query over a WebSocket"}
          for name in ("Upgrade", "Connection")),
        *({"in": "query", "name": name, "required": False, "schema": {"type": "string"},
           "description": "WebSocket subscriptions only: when and what to send"}
          for name in _WEBSOCKET_QUERY)],
}


def _is_events_query(path: str, method: str) -> bool:
    return method == "get" and (path == PREFIX + "/events"
                                or path.endswith("/events") and path.count("/") == 4)


def shape(path: str) -> str:
    """A path with its parameters' names left out (``/a/{x}`` → ``/a/{}``), to compare ours with
    the standard's, whose parameters are named differently (``captureID`` / ``capture_id``)."""
    out, depth = [], 0
    for ch in path:
        if ch == "{":
            depth += 1
            out.append("{")
        elif ch == "}":
            depth -= 1
            out.append("}")
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def document(spec: APISpec) -> None:
    """The binding's GS1 headers and query parameters on each of its operations, and the list
    of what is unsupported (``x-gs1-unsupported``)."""
    paths: dict[str, dict[str, Any]] = spec._paths  # noqa: SLF001 - apispec has no public edit
    served: set[tuple[str, str]] = set()
    for path, item in paths.items():
        if not path.startswith(PREFIX + "/"):
            continue
        for method, operation in item.items():
            if method == "parameters" or not isinstance(operation, dict):
                continue
            served.add((method.upper(), shape(path[len(PREFIX):]) or "/"))
            params = operation.setdefault("parameters", [])
            have = {(p.get("in"), p.get("name")) for p in params if isinstance(p, dict)}
            headers = dict(_HEADERS)
            if method == "post" and path in (PREFIX + "/capture", PREFIX + "/events"):
                headers.update(_CAPTURE_HEADERS)
            params += [{"in": "header", "name": name, "required": False, **spec_}
                       for name, spec_ in headers.items() if ("header", name) not in have]
            extra = _QUERY_OPERATION_PARAMS.get((method, shape(path[len(PREFIX):])))
            if extra is not None:  # a paged list, and the WebSocket's own parameters
                params += [{"in": "query", "name": name, "required": False,
                            "schema": {"type": "integer", "minimum": 1} if name == "perPage"
                            else {"type": "string"}}
                           for name in _PAGING if ("query", name) not in have]
                params += [p for p in extra if (p["in"], p["name"]) not in have]
            if _is_events_query(path, method):
                # (/{resource}/{value}/events: the one the path sets is a 400 if repeated.)
                params += [{"in": "query", "name": name, "required": False,
                            "schema": {"type": "integer", "minimum": 1} if name == "perPage"
                            else {"type": "string"}}
                           for name in sorted(KNOWN_PARAMS) if ("query", name) not in have]
    unsupported = [
        {"operation": f"{method} {path}", "reason": reason}
        for (method, path), reason in UNSUPPORTED_OPERATIONS.items()
        if (method, shape(path)) not in served]
    unsupported += [
        {"parameter": name, "in": "query", "operations": "GET /events and /{resource}/{value}"
         "/events", "reason": reason}
        for name, reason in UNSUPPORTED_QUERY_PARAMETERS.items() if name not in KNOWN_PARAMS]
    spec.options["x-gs1-unsupported"] = unsupported


def unsupported_of(description: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``x-gs1-unsupported`` list of a served description."""
    return list(description.get("x-gs1-unsupported", []))

"""The EPCIS 2.0 REST binding's capture and events: POST and GET /epcis/capture, GET
/epcis/capture/{id}, POST and GET /epcis/events, GET /epcis/events/{eventID}.

The discovery and the top-level resources are in ``epcis_resources``; version negotiation and
the binding's headers in ``epcis_versions``; both apply here too. See docs/EPCIS_REST.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import jsonify, request, url_for
from flask_smorest import Blueprint

from ..capture.document import events_of
from ..domain.errors import Conflict, NotFound, Problem, ValidationFailed
from ..services.epcis.capture_jobs import job_document
from ..services.epcis.capture_proceed import capture_with_behaviour
from ..services.epcis.query import STANDARD_CONTEXT, get_event, query_document, query_events
from ..services.epcis.resources import list_jobs, per_page
from ..services.signatures.sealing import SIGNATURES_HEADER
from .auth import current_actor
from .deps import acting_organisation, capture_settings, settings, uow
from .epcis_versions import apply, events_in_format, limits, own_options
from .media import XML_TYPES
from .negotiation import epcis_response, read_epcis_document

blp = Blueprint("epcis", __name__, url_prefix="/epcis",
                description="GS1 EPCIS 2.0 REST binding: capture and query")
apply(blp)
ERROR_BEHAVIOUR = "GS1-Capture-Error-Behaviour"


@blp.route("/capture", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {
    "application/json": {"schema": {"type": "object"}},
    "application/ld+json": {"schema": {"type": "object"}},
    # EPCIS 2.0 XML (the standard's XSD), read into the same JSON-LD document: api/negotiation.py
    "application/xml": {"schema": {"type": "string"}},
    "text/xml": {"schema": {"type": "string"}}}},
    responses={"202": {"description": "Accepted: `Location` names the capture job"},
               "400": {"description": "Malformed JSON or not a valid EPCIS 2.0 document"},
               "401": {"description": "No valid bearer token"},
               "403": {"description": "Not allowed: inspector, or goods not in your custody"},
               "406": {"description": "A version, extension or format we do not speak"},
               "413": {"description": "Document too large"},
               "415": {"description": "Neither JSON-LD nor XML"}})
@own_options
def capture():
    """Capture an EPCIS 2.0 document: all its events are stored, or none.

    Schema errors answer 400 at once; business-rule errors give a failed capture job. With
    `GS1-Capture-Error-Behaviour: proceed`, the valid events are stored and the others reported
    in the job's `errors`.
    """
    actor = acting_organisation(current_actor())
    behaviour = request.headers.get(ERROR_BEHAVIOUR, "rollback").strip()
    outcome = capture_with_behaviour(read_epcis_document(), actor, uow(), capture_settings(),
                                     behaviour, signatures=_signatures_header())
    job = job_document(outcome)
    job["captureErrorBehaviour"] = behaviour
    response = jsonify(job)
    response.status_code = 202
    response.headers["Location"] = url_for("epcis.capture_job", capture_id=outcome.job_id)
    response.headers.update(limits())
    return response


@blp.route("/capture", methods=["GET"])
@blp.doc(parameters=[{"in": "query", "name": "perPage", "schema": {"type": "integer"}},
                     {"in": "query", "name": "nextPageToken", "schema": {"type": "string"}}],
         responses={"200": {"description": "Your capture jobs (inspectors and admins: all), "
                                           "oldest first; `Link: rel=next` pages on",
                            "content": {"application/json": {"schema": {
                                "type": "array", "items": {"type": "object"}}}}},
                    "400": {"description": "perPage out of range or a bad nextPageToken"},
                    "401": {"description": "No valid bearer token"},
                    "406": {"description": "A version, extension or format we do not speak"}})
@own_options
def capture_jobs():
    """The capture jobs you may read: your own and your organisation's."""
    actor = current_actor()
    size = per_page(request.args.get("perPage"), settings().page_size, settings().page_size_max)
    jobs, token = list_jobs(actor, uow(), size, request.args.get("nextPageToken"))
    response = jsonify(jobs)
    if token:
        url = url_for("epcis.capture_jobs", perPage=size, nextPageToken=token)
        response.headers["Link"] = f'<{url}>; rel="next"'
    response.headers.update(limits())
    return response


def _signatures_header() -> list[str] | None:
    value = request.headers.get(SIGNATURES_HEADER)
    if value is None:
        return None
    return [part.strip() for part in value.split(",")]


@blp.route("/capture/<capture_id>", methods=["GET"])
@blp.doc(responses={"200": {"description": "The capture job"}, "404": {"description": "Unknown"},
                    "406": {"description": "A version, extension or format we do not speak"}})
@own_options
def capture_job(capture_id: str):
    """A capture job: whether it succeeded, and its errors if not."""
    from ..services.epcis.capture_jobs import load_job

    actor = current_actor()
    return jsonify(load_job(capture_id, actor, uow()))


@blp.route("/events", methods=["GET"])
@blp.doc(responses={"200": {"description": "An EPCISQueryDocument; `Link: rel=next` pages on"},
                    "406": {"description": "A version, extension or format we do not speak"}})
@own_options
def events():
    """Query events with the EPCIS 2.0 SimpleEventQuery parameters (pipe-separated lists)."""
    actor = current_actor()
    params = {k: "|".join(request.args.getlist(k)) for k in request.args}
    page = query_events(params, actor, uow(),
                        default_size=settings().page_size, max_size=settings().page_size_max)
    page.events = events_in_format(page.events)
    response = epcis_response(query_document(page))
    if page.next_token:
        # Every value of a repeated parameter (eventType=A&eventType=B), not only the first:
        # the token is bound to the whole query and would not match a shortened one.
        args = {k: request.args.getlist(k) for k in request.args if k != "nextPageToken"}
        url = url_for("epcis.events", **args, nextPageToken=page.next_token)
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


@blp.route("/events/<path:event_id>", methods=["GET"])
@blp.doc(responses={"200": {"description": "An EPCISQueryDocument with the one event"},
                    "404": {"description": "No such event"},
                    "406": {"description": "A version, extension or format we do not speak"}})
@own_options
def event(event_id: str):
    """One event by its eventID (for hash IDs, URL-encode the `ni:///…` value)."""
    actor = current_actor()
    page = get_event(event_id, actor, uow())
    if not page.events:
        raise NotFound(f"no event with eventID {event_id}")
    page.events = events_in_format(page.events)
    return epcis_response(query_document(page))


@blp.route("/events", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {
    "application/json": {"schema": {"type": "object"}},
    "application/ld+json": {"schema": {"type": "object"}},
    # EPCIS 2.0 XML (the standard's XSD), read into the same JSON-LD document: api/negotiation.py
    "application/xml": {"schema": {"type": "string"}},
    "text/xml": {"schema": {"type": "string"}}}},
    responses={"201": {"description": "Captured: `Location` names the event, the body is it"},
               "400": {"description": "Not a valid EPCIS 2.0 event, or it breaks a rule"},
               "401": {"description": "No valid bearer token"},
               "403": {"description": "Not allowed: inspector, or goods not in your custody"},
               "406": {"description": "A version, extension or format we do not speak"},
               "409": {"description": "This event (or its eventID) is already stored"},
               "413": {"description": "Too large"},
               "415": {"description": "Neither JSON-LD nor XML"}})
@own_options
def capture_event():
    """Capture one EPCIS event, synchronously: stored (201), or refused and nothing changed."""
    actor = acting_organisation(current_actor())
    event = read_epcis_document()
    if request.mimetype in XML_TYPES:  # XML has no single-event root: a document of one event
        event = _only_event(event)
    if not isinstance(event, dict) or "epcisBody" in event:
        raise ValidationFailed("send one EPCIS event (an object with a type); a document goes "
                               "to /capture", [Problem("$", "not an EPCIS event")])
    outcome = capture_with_behaviour(_document_of(event), actor, uow(), capture_settings(),
                                     "rollback", signatures=_signatures_header())
    if not outcome.success:
        errors = [Problem(e["path"].replace("$.epcisBody.eventList[0]", "$"), e["message"])
                  for e in outcome.errors]
        if any("already used" in e.message for e in errors):
            raise Conflict("the eventID is already used by a different event", errors)
        raise ValidationFailed("the event breaks a business rule (see errors)", errors)
    if not outcome.stored:
        raise Conflict("this event is already stored (same event hash)", [
            Problem("$", f"stored as {outcome.duplicates[0]['eventID']}")])
    event_id = outcome.event_ids[0]
    page = get_event(event_id, actor, uow())
    page.events = events_in_format(page.events)
    response = jsonify(page.events[0])
    response.status_code = 201
    response.headers["Location"] = url_for("epcis.event", event_id=event_id)
    return response


def _only_event(document: object) -> object:
    """The one event of an EPCIS XML document (with the document's ``@context``)."""
    events = events_of(document)
    if len(events) != 1 or not isinstance(events[0], dict) or not isinstance(document, dict):
        raise ValidationFailed("an XML body of POST /events is an EPCISDocument of exactly one "
                               "event; more go to /capture", [Problem(
                                   "$.epcisBody.eventList", f"{len(events)} events")])
    return {"@context": document.get("@context", STANDARD_CONTEXT), **events[0]}


def _document_of(event: dict[str, Any]) -> dict[str, Any]:
    """The EPCISDocument that holds ``event`` alone (its ``@context`` becomes the document's)."""
    body = {k: v for k, v in event.items() if k != "@context"}
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"@context": event.get("@context", STANDARD_CONTEXT), "type": "EPCISDocument",
            "schemaVersion": "2.0", "creationDate": now, "epcisBody": {"eventList": [body]}}

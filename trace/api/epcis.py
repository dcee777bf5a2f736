"""The EPCIS 2.0 REST binding: POST /epcis/capture, GET /epcis/capture/{id}, GET /epcis/events."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_smorest import Blueprint

from ..domain.errors import NotFound
from ..services.epcis.capture import capture_document
from ..services.epcis.capture_jobs import job_document
from ..services.epcis.query import get_event, query_document, query_events
from ..services.signatures.sealing import SIGNATURES_HEADER
from .auth import current_actor
from .deps import acting_organisation, capture_settings, settings, uow
from .negotiation import epcis_response, read_epcis_document

blp = Blueprint("epcis", __name__, url_prefix="/epcis",
                description="GS1 EPCIS 2.0 REST binding: capture and query")

EPCIS_HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0",
                 "GS1-EPC-Format": "Always_GS1_Digital_Link"}


def _headers(response):
    for k, v in EPCIS_HEADERS.items():
        response.headers[k] = v
    return response


@blp.route("/capture", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {
    "application/json": {"schema": {"type": "object"}},
    "application/ld+json": {"schema": {"type": "object"}}}},
    responses={"202": {"description": "Accepted: `Location` names the capture job"},
               "400": {"description": "Malformed JSON or not a valid EPCIS 2.0 document"},
               "401": {"description": "No valid bearer token"},
               "403": {"description": "Not allowed: inspector, or goods not in your custody"},
               "413": {"description": "Document too large"},
               "415": {"description": "Not application/json or application/ld+json"}})
def capture():
    """Capture an EPCIS 2.0 document: all its events are stored, or none.

    Schema errors answer 400 at once; business-rule errors give a failed capture job.
    """
    actor = acting_organisation(current_actor())
    outcome = capture_document(read_epcis_document(), actor, uow(), capture_settings(),
                               signatures=_signatures_header())
    response = jsonify(job_document(outcome))
    response.status_code = 202
    response.headers["Location"] = url_for("epcis.capture_job", capture_id=outcome.job_id)
    response.headers["GS1-EPCIS-Capture-Limit"] = str(settings().capture_limit)
    return _headers(response)


def _signatures_header() -> list[str] | None:
    value = request.headers.get(SIGNATURES_HEADER)
    if value is None:
        return None
    return [part.strip() for part in value.split(",")]


@blp.route("/capture/<capture_id>", methods=["GET"])
@blp.doc(responses={"200": {"description": "The capture job"}, "404": {"description": "Unknown"}})
def capture_job(capture_id: str):
    """A capture job: whether it succeeded, and its errors if not."""
    from ..services.epcis.capture_jobs import load_job

    actor = current_actor()
    return _headers(jsonify(load_job(capture_id, actor, uow())))


@blp.route("/events", methods=["GET"])
@blp.doc(responses={"200": {"description": "An EPCISQueryDocument; `Link: rel=next` pages on"}})
def events():
    """Query events with the EPCIS 2.0 SimpleEventQuery parameters (pipe-separated lists)."""
    actor = current_actor()
    params = {k: "|".join(request.args.getlist(k)) for k in request.args}
    page = query_events(params, actor, uow(),
                        default_size=settings().page_size, max_size=settings().page_size_max)
    response = epcis_response(query_document(page))
    if page.next_token:
        # Every value of a repeated parameter (eventType=A&eventType=B), not only the first:
        # the token is bound to the whole query and would not match a shortened one.
        args = {k: request.args.getlist(k) for k in request.args if k != "nextPageToken"}
        url = url_for("epcis.events", **args, nextPageToken=page.next_token)
        response.headers["Link"] = f'<{url}>; rel="next"'
    return _headers(response)


@blp.route("/events/<path:event_id>", methods=["GET"])
@blp.doc(responses={"200": {"description": "An EPCISQueryDocument with the one event"},
                    "404": {"description": "No such event"}})
def event(event_id: str):
    """One event by its eventID (for hash IDs, URL-encode the `ni:///…` value)."""
    actor = current_actor()
    page = get_event(event_id, actor, uow())
    if not page.events:
        raise NotFound(f"no event with eventID {event_id}")
    return _headers(epcis_response(query_document(page)))

"""The EPCIS REST binding's discovery and top-level resources, under ``/epcis`` (and at the root,
see ``epcis_root``): ``GET``/``OPTIONS /``, ``/eventTypes``, ``/epcs``, ``/bizSteps``,
``/bizLocations``, ``/readPoints``, ``/dispositions`` (each: the list, one value, and its
events), ``DELETE /nextPageToken/{token}``, and ``OPTIONS`` on every path of the binding.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from flask_smorest import Blueprint
from werkzeug.exceptions import NotAcceptable

from ..services.epcis import resources
from ..services.epcis.query import STANDARD_CONTEXT, query_document, query_events
from .auth import current_actor
from .deps import settings, uow
from .epcis_versions import apply, discovery, events_in_format, own_options
from .negotiation import epcis_response

blp = Blueprint("epcis_resources", __name__, url_prefix="/epcis",
                description="GS1 EPCIS 2.0 REST binding: discovery and top-level resources")
apply(blp)

JSON_TYPES = ("application/json", "application/ld+json")
# Each resource's path parameter, as the standard's openapi.json names it.
PARAMETER = {"eventTypes": "eventType", "epcs": "epc", "bizSteps": "bizStep",
             "bizLocations": "bizLocation", "readPoints": "readPoint",
             "dispositions": "disposition"}
_ERRORS = {"401": {"description": "No valid bearer token"},
           "406": {"description": "A version, extension, EPC format or media type we do not "
                                  "speak (see docs/EPCIS_REST.md)"}}
_LIST_ERRORS = {**_ERRORS, "400": {"description": "perPage out of range, or a nextPageToken "
                                                  "not of this list"}}
_ONE_ERRORS = {**_ERRORS, "404": {"description": "No event you may read has this value"}}
_EVENTS_ERRORS = {**_ONE_ERRORS, "400": {"description": "A query parameter is not valid"}}
_DISCOVERY = {"204": {"description": "What the resource allows (`Allow`) and what we speak: "
                                     "GS1-EPCIS-Version/-Min/-Max, GS1-CBV-Version/-Min/-Max, "
                                     "GS1-EPC-Format, GS1-CBV-XML-Format, GS1-Vendor-Version, "
                                     "capture limits"}}
_COLLECTION = {"type": "object", "required": ["@context", "type", "member"], "properties": {
    "@context": {}, "type": {"type": "string", "enum": ["Collection"]},
    "member": {"type": "array", "items": {"type": "string"}}}}
_PAGING = {"parameters": [
    {"in": "query", "name": "perPage", "schema": {"type": "integer", "minimum": 1}},
    {"in": "query", "name": "nextPageToken", "schema": {"type": "string"}}]}


def collection(members: list[str], next_link: str | None = None):
    """A JSON-LD ``Collection`` of ``members``; ``Link: rel=next`` when there is more.

    :raises NotAcceptable: the client accepts no JSON.
    """
    if request.accept_mimetypes.provided and not request.accept_mimetypes.best_match(JSON_TYPES):
        raise NotAcceptable(f"this resource is answered as {' or '.join(JSON_TYPES)}")
    response = current_app.json.response({"@context": STANDARD_CONTEXT, "type": "Collection",
                                          "member": members})
    if next_link:
        response.headers["Link"] = f'<{next_link}>; rel="next"'
    return response


def query_params() -> dict[str, str]:
    """The request's query parameters, a repeated one joined with ``|`` as the query reads it."""
    return {k: "|".join(request.args.getlist(k)) for k in request.args}


def events_answer(params: dict[str, str], endpoint: str, **path: str):
    """The EPCISQueryDocument of ``params``, ``Link: rel=next`` on to ``endpoint``."""
    page = query_events(params, current_actor(), uow(), default_size=settings().page_size,
                        max_size=settings().page_size_max)
    page.events = events_in_format(page.events)
    response = epcis_response(query_document(page))
    if page.next_token:
        args: dict[str, Any] = {k: request.args.getlist(k) for k in request.args
                                if k != "nextPageToken"}
        url = url_for(endpoint, **{**path, **args, "nextPageToken": page.next_token})
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


def options_route(rule: str, methods: str, endpoint: str, summary: str) -> None:
    """``OPTIONS rule``: the binding's discovery answer."""

    def view(**_path: Any):
        return discovery(methods)

    view.__doc__ = summary
    blp.route(rule, methods=["OPTIONS"], endpoint=endpoint)(
        blp.doc(responses={**_DISCOVERY, **_ERRORS})(view))


# --- discovery --------------------------------------------------------------------------------

@blp.route("/", methods=["GET"])
@blp.doc(responses={"200": {"description": "The top-level resources of this repository",
                            "content": {"application/json": {"schema": _COLLECTION}}}, **_ERRORS})
@own_options
def top_level():
    """The repository's top-level resources (at the root too, for a client asking for JSON)."""
    current_actor()
    return collection(list(resources.TOP_LEVEL))


options_route("/", "OPTIONS, GET", "top_level_options",
              "Discovery: the EPCIS and CBV versions, formats and limits this repository speaks.")
for _rule, _methods in (("/capture", "OPTIONS, GET, POST"),
                        ("/capture/<capture_id>", "OPTIONS, GET"),
                        ("/events", "OPTIONS, GET, POST"),
                        ("/events/<path:event_id>", "OPTIONS, GET"),
                        ("/nextPageToken/<path:token>", "OPTIONS, DELETE")):
    options_route(_rule, _methods, "options" + _rule.split("<")[0].replace("/", "_"),
                  f"Discovery: what {_rule.split('<')[0]} allows and which versions it speaks.")


@blp.route("/nextPageToken/<path:token>", methods=["DELETE"])
@blp.doc(responses={"204": {"description": "Released (our tokens hold no server state: nothing "
                                           "is kept for them, so nothing is left to free)"},
                    "400": {"description": "Not a token this server issued"}, **_ERRORS})
@own_options
def release_token(token: str):
    """Release a nextPageToken."""
    current_actor()
    resources.check_token(token)
    return current_app.response_class(status=204)


# --- the six resources --------------------------------------------------------------------------

def _resource_routes(resource: str, param: str) -> None:
    base = f"/{resource}"
    one = f"{base}/<path:{param}>"
    name = resource.lower()

    def list_view():
        actor = current_actor()
        size = resources.per_page(request.args.get("perPage"), settings().page_size,
                                  settings().page_size_max)
        page = resources.list_values(resource, actor, uow(), size,
                                     request.args.get("nextPageToken"))
        link = url_for(f"epcis_resources.{name}", perPage=size,
                       nextPageToken=page.next_token) if page.next_token else None
        return collection(page.members, link)

    def one_view(**path: str):
        actor = current_actor()
        # perPage and nextPageToken are accepted (GS1 lists them here): one page of one member.
        resources.per_page(request.args.get("perPage"), settings().page_size,
                           settings().page_size_max)
        resources.require_value(resource, path[param], actor, uow())
        return collection(["events"])

    def events_view(**path: str):
        value = path[param]
        resources.require_value(resource, value, current_actor(), uow())
        params = resources.events_parameters(resource, value, query_params())
        return events_answer(params, f"epcis_resources.{name}_events", **path)

    for view in (list_view, one_view, events_view):
        own_options(view)
    list_view.__doc__ = f"The {resource} of the events you may read, in pages."
    one_view.__doc__ = f"One of the {resource}: its sub-resources (`events`)."
    fixed = resources.EVENTS_PARAMETER[resource]
    events_view.__doc__ = (f"The events of one of the {resource}: the SimpleEventQuery "
                           f"parameters of `GET /events`, and `{fixed}` set by the path "
                           "(giving it too is a 400).")
    item = {"200": {"description": "A Collection", "content": {
        "application/json": {"schema": _COLLECTION}}}}
    blp.route(base, methods=["GET"], endpoint=name)(
        blp.doc(responses={**item, **_LIST_ERRORS}, **_PAGING)(list_view))
    blp.route(one, methods=["GET"], endpoint=f"{name}_one")(
        blp.doc(responses={**item, **_ONE_ERRORS}, **_PAGING)(one_view))
    blp.route(f"{one}/events", methods=["GET"], endpoint=f"{name}_events")(
        blp.doc(responses={"200": {"description": "An EPCISQueryDocument; `Link: rel=next` "
                                                  "pages on"}, **_EVENTS_ERRORS})(events_view))
    options_route(base, "OPTIONS, GET", f"{name}_options", f"Discovery: {base}.")
    options_route(one, "OPTIONS, GET", f"{name}_one_options", f"Discovery: {base}/{{{param}}}.")
    options_route(f"{one}/events", "OPTIONS, GET", f"{name}_events_options",
                  f"Discovery: {base}/{{{param}}}/events.")


for _resource, _param in PARAMETER.items():
    _resource_routes(_resource, _param)

"""The EPCIS 2.0 REST binding's named queries and subscriptions, under ``/epcis``:

``/queries`` (list, create), ``/queries/{queryName}`` (read, delete),
``/queries/{queryName}/events`` (run it, paged like ``/epcis/events``; with ``Upgrade: websocket``,
subscribe over a WebSocket),
``/queries/{queryName}/subscriptions`` (list, create a webhook subscription; WebSocket too) and
``/queries/{queryName}/subscriptions/{subscriptionID}`` (read, delete) with its delivery log.
See docs/SUBSCRIPTIONS.md.
"""

from __future__ import annotations

import base64
import binascii

from flask import Blueprint as FlaskBlueprint
from flask import Response, jsonify, request, url_for
from flask_smorest import Blueprint

from ..capture.document import parse_json
from ..domain.errors import Problem, ValidationFailed
from ..services.subscriptions import queries as named
from ..services.subscriptions.destinations import allow_list
from .auth import current_actor
from .deps import settings, uow
from .epcis_versions import apply, discovery, events_in_format
from .media import require_json_body
from .negotiation import document_type, epcis_response

blp = Blueprint("epcis_queries", __name__, url_prefix="/epcis",
                description="GS1 EPCIS 2.0 REST binding: named queries and subscriptions")

QUERY_OPTIONS = "GET, POST, OPTIONS"


apply(blp)  # version negotiation before, the binding's headers after, as on every binding path


def _headers(response: Response) -> Response:
    return response  # the binding's headers: epcis_versions.answer_headers, after every request


def _options(allow: str) -> Response:
    return discovery(allow)


def _per_page() -> int:
    raw = request.args.get("perPage")
    limit = settings().page_size_max
    try:
        value = int(raw) if raw is not None else settings().page_size
    except ValueError:
        value = 0
    if not 1 <= value <= limit:
        raise ValidationFailed("perPage out of range", [
            Problem("$.query.perPage", f"must be an integer from 1 to {limit}")])
    return value


def _token() -> str | None:
    raw = request.args.get("nextPageToken")
    if raw is None:
        return None
    try:
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed("nextPageToken is not valid", [
            Problem("$.query.nextPageToken", "not a token this server issued")]) from None


def _encode(value: object) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def _paged(items: list, after: object, endpoint: str, **values) -> Response:
    response = jsonify(items)
    if after is not None:
        url = url_for(endpoint, **values, perPage=request.args.get("perPage"),
                      nextPageToken=_encode(after))
        response.headers["Link"] = f'<{url}>; rel="next"'
    return _headers(response)


def _json_body() -> object:
    return parse_json(require_json_body())


# --- /queries ---------------------------------------------------------------------------------

@blp.route("/queries", methods=["OPTIONS"])
@blp.doc(responses={"204": {"description": "`Allow` lists the methods"}})
def queries_options():
    """What /queries supports."""
    current_actor()
    return _options(QUERY_OPTIONS)


@blp.route("/queries", methods=["GET"])
@blp.doc(responses={"200": {"description": "Your named queries; `Link: rel=next` pages on"}})
def list_queries():
    """Your (your organisation's) named queries."""
    actor = current_actor()
    token = _token()
    try:
        after = int(token) if token is not None else 0
    except ValueError:
        raise ValidationFailed("nextPageToken is not valid", [
            Problem("$.query.nextPageToken", "not a token this server issued")]) from None
    items, more = named.list_queries(actor, uow(), after=after, limit=_per_page())
    return _paged(items, more, "epcis_queries.list_queries")


@blp.route("/queries", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["name", "query"],
    "properties": {"name": {"type": "string"}, "query": {"type": "object"}}}}}},
    responses={"201": {"description": "Created: `Location` names its events"},
               "400": {"description": "A bad name or query parameter (named)"},
               "409": {"description": "You have a query of that name"}})
def create_query():
    """Create a named query: a name and SimpleEventQuery parameters, checked as
    `/epcis/events` checks them."""
    actor = current_actor()
    view = named.create_query(_json_body(), actor, uow())
    response = jsonify(view)
    response.status_code = 201
    response.headers["Location"] = url_for("epcis_queries.query_events", name=view["name"])
    return _headers(response)


@blp.route("/queries/<name>", methods=["OPTIONS"])
@blp.doc(responses={"204": {"description": "`Allow` lists the methods"}})
def query_options(name: str):
    """What a named query supports."""
    named.get_query(name, current_actor(), uow())
    return _options("GET, DELETE, OPTIONS")


@blp.route("/queries/<name>", methods=["GET"])
@blp.doc(responses={"200": {"description": "The query definition"},
                    "404": {"description": "You have no query of that name"}})
def get_query(name: str):
    """A named query's definition."""
    return _headers(jsonify(named.get_query(name, current_actor(), uow())))


@blp.route("/queries/<name>", methods=["DELETE"])
@blp.doc(responses={"204": {"description": "Deleted, with every subscription to it"}})
def delete_query(name: str):
    """Delete a named query; every subscription to it ends."""
    named.delete_query(name, current_actor(), uow())
    return _headers(Response(status=204))


@blp.route("/queries/<name>/events", methods=["OPTIONS"])
@blp.doc(responses={"204": {"description": "`Allow` lists the methods"}})
def query_events_options(name: str):
    """What a named query's events support."""
    named.get_query(name, current_actor(), uow())
    return _options("GET, OPTIONS")


@blp.route("/queries/<name>/events", methods=["GET"])
@blp.doc(responses={"200": {"description": "An EPCISQueryDocument; `Link: rel=next` pages on"},
                    "101": {"description": "With `Upgrade: websocket`: a WebSocket subscription"}})
def query_events(name: str):
    """Run a named query with your access (paged like `/epcis/events`), or subscribe to it over
    a WebSocket (`Upgrade: websocket` with `stream=true` or a schedule)."""
    actor = current_actor()
    if _is_websocket():
        return _websocket(name, actor)
    paging = {k: request.args[k] for k in request.args}
    page = named.run_query(name, paging, actor, uow(), default_size=settings().page_size,
                           max_size=settings().page_size_max)
    from ..services.subscriptions.deliverer import subscription_document

    page.events = events_in_format(page.events)
    response = epcis_response(subscription_document(page, name, None))
    if page.next_token:
        url = url_for("epcis_queries.query_events", name=name,
                      perPage=request.args.get("perPage"), nextPageToken=page.next_token)
        response.headers["Link"] = f'<{url}>; rel="next"'
    return _headers(response)


# --- subscriptions ----------------------------------------------------------------------------

@blp.route("/queries/<name>/subscriptions", methods=["OPTIONS"])
@blp.doc(responses={"204": {"description": "`Allow` lists the methods"}})
def subscriptions_options(name: str):
    """What a query's subscriptions support."""
    named.get_query(name, current_actor(), uow())
    return _options(QUERY_OPTIONS)


@blp.route("/queries/<name>/subscriptions", methods=["GET"])
@blp.doc(responses={"200": {"description": "The query's webhook subscriptions"},
                    "101": {"description": "With `Upgrade: websocket`: a WebSocket subscription"}})
def list_subscriptions(name: str):
    """The webhook subscriptions to a named query (or, with `Upgrade: websocket`, subscribe
    over a WebSocket)."""
    actor = current_actor()
    if _is_websocket():
        return _websocket(name, actor)
    items, more = named.list_subscriptions(name, actor, uow(), after=_token() or "",
                                           limit=_per_page())
    return _paged(items, more, "epcis_queries.list_subscriptions", name=name)


@blp.route("/queries/<name>/subscriptions", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["dest"], "properties": {
        "dest": {"type": "string"}, "signatureToken": {"type": "string"},
        "stream": {"type": "boolean"}, "schedule": {"type": "object"},
        "reportIfEmpty": {"type": "boolean"},
        "initialRecordTime": {"type": "string", "format": "date-time"}}}}}},
    responses={"201": {"description": "Subscribed: `Location` names the subscription"},
               "400": {"description": "Bad controls, or a `dest` we may not call"},
               "406": {"description": "`Accept` allows neither JSON-LD nor XML"}})
def create_subscription(name: str):
    """Subscribe a webhook to a named query: `dest`, `signatureToken`, and `stream: true` or a
    `schedule` (with `reportIfEmpty`), from `initialRecordTime` (default: now). The documents
    are sent in the media type the request's `Accept` prefers: JSON-LD (the default) or EPCIS
    2.0 XML (`application/xml`); the answer's `mediaType` says which."""
    actor = current_actor()
    view = named.create_subscription(name, _json_body(), actor, uow(),
                                     allow=allow_list(settings().webhook_allow),
                                     media_type=document_type())
    response = jsonify(view)
    response.status_code = 201
    response.headers["Location"] = url_for("epcis_queries.get_subscription", name=name,
                                           sub_id=view["subscriptionID"])
    return _headers(response)


@blp.route("/queries/<name>/subscriptions/<sub_id>", methods=["OPTIONS"])
@blp.doc(responses={"204": {"description": "`Allow` lists the methods"}})
def subscription_options(name: str, sub_id: str):
    """What a subscription supports."""
    named.get_subscription(name, sub_id, current_actor(), uow())
    return _options("GET, DELETE, OPTIONS")


@blp.route("/queries/<name>/subscriptions/<sub_id>", methods=["GET"])
@blp.doc(responses={"200": {"description": "The subscription and its delivery state"}})
def get_subscription(name: str, sub_id: str):
    """A subscription: its controls, when it last notified, and whether it is retrying."""
    view = named.get_subscription(name, sub_id, current_actor(), uow())
    view["deliveries"] = url_for("epcis_queries.subscription_deliveries", name=name,
                                 sub_id=sub_id)
    return _headers(jsonify(view))


@blp.route("/queries/<name>/subscriptions/<sub_id>", methods=["DELETE"])
@blp.doc(responses={"204": {"description": "Unsubscribed: nothing more is sent"}})
def delete_subscription(name: str, sub_id: str):
    """Unsubscribe."""
    named.delete_subscription(name, sub_id, current_actor(), uow())
    return _headers(Response(status=204))


@blp.route("/queries/<name>/subscriptions/<sub_id>/deliveries", methods=["GET"])
@blp.doc(responses={"200": {"description": "Delivery attempts, newest first"}})
def subscription_deliveries(name: str, sub_id: str):
    """The delivery log: every attempt with its time, HTTP status, events and error."""
    token = _token()
    try:
        before = int(token) if token is not None else None
    except ValueError:
        raise ValidationFailed("nextPageToken is not valid", [
            Problem("$.query.nextPageToken", "not a token this server issued")]) from None
    items, more = named.delivery_log(name, sub_id, current_actor(), uow(), before=before,
                                     limit=_per_page())
    return _paged(items, more, "epcis_queries.subscription_deliveries", name=name,
                  sub_id=sub_id)


# --- WebSocket --------------------------------------------------------------------------------

def _is_websocket() -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def _websocket(name: str, actor):
    from .websocket import serve_subscription

    return serve_subscription(name, actor)


def _websocket_only(name: str):
    return _websocket(name, current_actor())


# Werkzeug matches a request carrying `Upgrade: websocket` only against rules made for it: the
# same two paths again, for WebSockets (kept out of the OpenAPI document, which shows them as
# the GET's 101 answer).
for _path, _endpoint in (("/queries/<name>/events", "query_events_websocket"),
                         ("/queries/<name>/subscriptions", "subscriptions_websocket")):
    FlaskBlueprint.add_url_rule(blp, _path, _endpoint, _websocket_only, methods=["GET"],
                                websocket=True)

"""Named queries (/epcis/queries) and webhook subscriptions, over a real database and real HTTP
receivers on 127.0.0.1: the user's tests, each with the attacker's beside it.

Delivery runs by calling ``deliver_once`` (what `tracechain deliver` and `serve` loop over).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from tests.integration.epcis_docs import document, harvest
from tests.support.webhooks import Receiver
from tracechain.app_services import app_services
from tracechain.services.subscriptions.deliverer import (
    DeliverySettings,
    Urllib3Transport,
    deliver_once,
    signature,
    signature_ok,
)

JSONLD = "application/ld+json"
LOCAL = ("127.0.0.1",)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def capture(client, token, *events) -> list[str]:
    r = client.post("/epcis/capture", data=json.dumps(document(*events)), content_type=JSONLD,
                    headers=auth(token))
    assert r.status_code == 202 and r.json["success"], r.json
    return r.json["eventIDs"]


def deliver(app, now: datetime | None = None, **kw):
    settings = DeliverySettings(allow=kw.pop("allow", LOCAL), workers=kw.pop("workers", 1),
                                backoff_base=kw.pop("backoff_base", 5.0), **kw)
    return deliver_once(app_services(app).unit_of_work, Urllib3Transport(), settings, now=now)


class World:
    """Cooperatives A and B, a member of each and an inspector; receivers closed at the end."""

    def __init__(self, app, client, actions):
        self.app, self.client = app, client
        app_services(app).reconfigure(webhook_allow="127.0.0.1")
        self.a = actions.token("member", actions.org("HTX Cam Lộ"))
        self.b = actions.token("member", actions.org("HTX Gio Linh"))
        self.inspector = actions.token("inspector")
        self.receivers: list[Receiver] = []
        self._lots = 0

    def receiver(self, **kw) -> Receiver:
        r = Receiver(**kw)
        self.receivers.append(r)
        return r

    def harvests(self, token, n: int = 1) -> list[str]:
        events = []
        for _ in range(n):
            self._lots += 1
            events.append(harvest(f"L{self._lots}"))
        return capture(self.client, token, *events)

    def query(self, token, name="harvests", query=None, status=201):
        r = self.client.post("/epcis/queries", json={
            "name": name, "query": query or {"eventType": ["ObjectEvent"],
                                             "EQ_bizStep": ["commissioning"]}},
            headers=auth(token))
        assert r.status_code == status, r.json
        return r

    def subscribe(self, token, dest, name="harvests", status=201, accept=None, **controls):
        body = {"dest": dest, **({"stream": True} if "schedule" not in controls else {}),
                **controls}
        r = self.client.post(f"/epcis/queries/{name}/subscriptions", json=body,
                             headers={**auth(token), **({"Accept": accept} if accept else {})})
        assert r.status_code == status, r.json
        return r.json


@pytest.fixture
def world(app, client, actions):
    w = World(app, client, actions)
    yield w
    for r in w.receivers:
        r.close()


def problem_paths(response) -> set[str]:
    return {p["path"] for p in response.json["errors"]}


# --- named queries ----------------------------------------------------------------------------

def test_named_query_is_created_read_listed_and_deleted(world):
    c = world.client
    r = world.query(world.a)
    assert r.headers["Location"].endswith("/epcis/queries/harvests/events")
    assert r.json["name"] == "harvests"
    assert c.get("/epcis/queries/harvests", headers=auth(world.a)).json["query"] == {
        "eventType": ["ObjectEvent"], "EQ_bizStep": ["commissioning"]}
    assert [q["name"] for q in c.get("/epcis/queries", headers=auth(world.a)).json] == [
        "harvests"]
    world.query(world.a, status=409)  # the same name again
    assert c.options("/epcis/queries", headers=auth(world.a)).status_code == 204
    assert c.delete("/epcis/queries/harvests", headers=auth(world.a)).status_code == 204
    assert c.get("/epcis/queries/harvests", headers=auth(world.a)).status_code == 404
    assert c.get("/epcis/queries", headers=auth(world.a)).json == []


def test_a_bad_parameter_is_a_400_naming_it_and_nothing_is_stored(world):
    for query, path in (({"EQ_bizStep": ["shipping"], "EQ_nonsense": ["x"]}, "$.query.EQ_nonsense"),
                        ({"eventType": ["Nope"]}, "$.query.eventType"),
                        ({"GE_eventTime": "yesterday"}, "$.query.GE_eventTime"),
                        ({"perPage": "5"}, "$.query.perPage"),
                        ({"EQ_bizStep": []}, "$.query.EQ_bizStep")):
        r = world.query(world.a, query=query, status=400)
        assert path in problem_paths(r), (query, r.json)
    r = world.client.post("/epcis/queries", json={"name": "a/b", "query": {}},
                          headers=auth(world.a))
    assert r.status_code == 400 and "$.name" in problem_paths(r)
    assert world.client.get("/epcis/queries", headers=auth(world.a)).json == []


def test_a_named_query_runs_with_the_callers_access(world):
    mine = world.harvests(world.a, 3)
    world.harvests(world.b, 2)
    world.query(world.a)
    r = world.client.get("/epcis/queries/harvests/events", query_string={"perPage": 2},
                         headers=auth(world.a))
    assert r.status_code == 200
    results = r.json["epcisBody"]["queryResults"]
    assert results["queryName"] == "harvests"
    got = [e["eventID"] for e in results["resultsBody"]["eventList"]]
    nxt = r.headers["Link"].split(";")[0].strip("<>")
    r = world.client.get(nxt, headers=auth(world.a))
    got += [e["eventID"] for e in r.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
    assert got == mine
    bad = world.client.get("/epcis/queries/harvests/events", query_string={"EQ_action": "ADD"},
                           headers=auth(world.a))
    assert bad.status_code == 400 and "$.query.EQ_action" in problem_paths(bad)


def test_another_organisation_never_sees_runs_or_deletes_my_query(world):
    world.query(world.a)
    world.harvests(world.a, 1)
    c = world.client
    for method, path in (("get", "/epcis/queries/harvests"),
                         ("get", "/epcis/queries/harvests/events"),
                         ("get", "/epcis/queries/harvests/subscriptions"),
                         ("options", "/epcis/queries/harvests"),
                         ("delete", "/epcis/queries/harvests")):
        assert getattr(c, method)(path, headers=auth(world.b)).status_code == 404, path
    assert c.get("/epcis/queries", headers=auth(world.b)).json == []
    r = c.post("/epcis/queries/harvests/subscriptions",
               json={"dest": "http://127.0.0.1:9/x", "stream": True}, headers=auth(world.b))
    assert r.status_code == 404
    # B may use the same name for a query of its own; each runs over its own events only.
    world.query(world.b)
    r = c.get("/epcis/queries/harvests/events", headers=auth(world.b))
    assert r.json["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []
    assert c.get("/epcis/queries/harvests", headers=auth(world.a)).status_code == 200
    assert c.get("/epcis/queries/harvests", headers={}).status_code == 401


# --- webhook subscriptions --------------------------------------------------------------------

def test_stream_subscription_delivers_signed_ordered_and_only_mine(world):
    world.query(world.a)
    rx = world.receiver(token="s3cret-token")
    sub = world.subscribe(world.a, rx.url, signatureToken="s3cret-token")
    assert sub["signatureToken"] == "s3cr…"  # never shown whole again
    assert sub["stream"] is True and sub["subscriptionID"]
    sent = world.harvests(world.a, 2)
    world.harvests(world.b, 2)  # another organisation's: never delivered to A's subscription
    sent += world.harvests(world.a, 3)
    report = deliver(world.app)
    assert report.failures == 0, report.errors
    assert rx.event_ids() == sent
    assert rx.bad_signatures == 0
    doc = rx.received[0]
    assert doc["type"] == "EPCISQueryDocument"
    assert doc["epcisBody"]["queryResults"]["queryName"] == "harvests"
    assert doc["epcisBody"]["queryResults"]["subscriptionID"] == sub["subscriptionID"]
    assert rx.headers[0]["GS1-Signature"].startswith("sha256=")
    # Nothing new: nothing sent again.
    deliver(world.app)
    assert rx.event_ids() == sent
    later = world.harvests(world.a, 1)
    deliver(world.app)
    assert rx.event_ids() == sent + later
    log = world.client.get(f"/epcis/queries/harvests/subscriptions/{sub['subscriptionID']}"
                           "/deliveries", headers=auth(world.a)).json
    assert [d["ok"] for d in log] == [True, True] and log[0]["eventCount"] == 1
    assert world.client.get(f"/epcis/queries/harvests/subscriptions/{sub['subscriptionID']}"
                            "/deliveries", headers=auth(world.b)).status_code == 404


def test_a_subscriber_that_accepts_only_xml_gets_signed_epcis_xml(world):
    """An ERP that speaks only XML subscribes with ``Accept: application/xml``: each delivery
    is an EPCISQueryDocument valid against GS1's XSD, signed over its XML bytes, holding the
    same events in the same order as a JSON-LD subscriber's."""
    from lxml import etree

    from tests.integration.test_epcis_xml import XSD

    world.query(world.a)
    xml_rx, json_rx = world.receiver(token="xml-token"), world.receiver()
    sub = world.subscribe(world.a, xml_rx.url, signatureToken="xml-token",
                          accept="application/xml")
    assert sub["mediaType"] == "application/xml"
    assert world.subscribe(world.a, json_rx.url)["mediaType"] == JSONLD
    sent = world.harvests(world.a, 3)
    report = deliver(world.app, batch=2)
    assert report.failures == 0, report.errors
    assert xml_rx.bad_signatures == 0
    assert xml_rx.event_ids() == json_rx.event_ids() == sent
    assert {h["Content-Type"] for h in xml_rx.headers} == {"application/xml"}
    schema = etree.XMLSchema(etree.parse(str(XSD / "EPCglobal-epcis-query-2_0.xsd")))
    for body in xml_rx.bodies:
        tree = etree.fromstring(body)
        assert schema.validate(tree), schema.error_log
        assert signature_ok(body, "xml-token", xml_rx.headers[0]["GS1-Signature"]) == (
            body == xml_rx.bodies[0])
    # The bodies as delivered, not re-serialised: a changed byte fails the signature.
    body = xml_rx.bodies[0]
    assert not signature_ok(body.replace(b"commissioning", b"shipping", 1), "xml-token",
                            xml_rx.headers[0]["GS1-Signature"])
    got = world.client.get(f"/epcis/queries/harvests/subscriptions/{sub['subscriptionID']}",
                           headers=auth(world.a)).json
    assert got["mediaType"] == "application/xml"


def test_a_subscription_no_format_of_ours_can_serve_is_refused_and_not_stored(world):
    world.query(world.a)
    rx = world.receiver()
    r = world.client.post("/epcis/queries/harvests/subscriptions",
                          json={"dest": rx.url, "stream": True},
                          headers={**auth(world.a), "Accept": "text/csv"})
    assert r.status_code == 406, r.json
    assert world.client.get("/epcis/queries/harvests/subscriptions",
                            headers=auth(world.a)).json == []
    world.harvests(world.a, 1)
    deliver(world.app)
    assert rx.received == []


def test_batches_keep_the_order(world):
    world.query(world.a)
    rx = world.receiver()
    world.subscribe(world.a, rx.url)
    sent = world.harvests(world.a, 7)
    deliver(world.app, batch=3)
    assert rx.event_ids() == sent
    assert [len(d["epcisBody"]["queryResults"]["resultsBody"]["eventList"])
            for d in rx.received] == [3, 3, 1]
    # The log keeps the row ids of each delivery's first and last event.
    from sqlalchemy import select

    from tracechain.store.events import Event
    from tracechain.store.subscription_models import Delivery

    with app_services(world.app).sessions() as s:
        pk = dict(s.execute(select(Event.event_id, Event.id)).all())
        logged = s.execute(select(Delivery.first_event, Delivery.last_event)
                           .order_by(Delivery.id)).all()
    assert [tuple(r) for r in logged] == [(pk[sent[0]], pk[sent[2]]), (pk[sent[3]], pk[sent[5]]),
                                          (pk[sent[6]], pk[sent[6]])]


def test_the_delivery_log_keeps_attempts_for_its_retention_only(world):
    world.query(world.a)
    rx = world.receiver()
    sub = world.subscribe(world.a, rx.url)
    sent = world.harvests(world.a, 7)
    deliver(world.app, batch=3)
    log_url = f"/epcis/queries/harvests/subscriptions/{sub['subscriptionID']}/deliveries"
    assert len(world.client.get(log_url, headers=auth(world.a)).json) == 3
    later = datetime.now(UTC) + timedelta(days=91)
    # 0 days: kept for ever; 90 days: at most ``prune_batch`` a round, oldest first.
    assert deliver(world.app, now=later, log_days=0).pruned == 0
    assert deliver(world.app, now=later, prune_batch=2, prune_every=0).pruned == 2
    kept = world.client.get(log_url, headers=auth(world.a)).json
    assert [d["eventCount"] for d in kept] == [1]  # the newest attempt
    # Not caught up (a full batch was deleted): the next round prunes again at once.
    assert deliver(world.app, now=later, prune_batch=2).pruned == 1
    # Caught up: not again within ``prune_every``, so idle rounds take no write lock.
    world.harvests(world.a, 1)
    deliver(world.app)
    assert deliver(world.app, now=later + timedelta(days=1), prune_batch=2).pruned == 0
    assert deliver(world.app, now=later + timedelta(days=1), prune_batch=2,
                   prune_every=0).pruned == 1
    assert deliver(world.app, prune_every=0).pruned == 0  # nothing is 90 days old today
    # The events and the subscription's place are untouched.
    assert len(rx.event_ids()) == len(sent) + 1 and rx.event_ids()[:len(sent)] == sent


def test_a_receiver_that_is_down_loses_nothing(world):
    world.query(world.a)
    rx = world.receiver(status=503)
    sub = world.subscribe(world.a, rx.url)
    path = f"/epcis/queries/harvests/subscriptions/{sub['subscriptionID']}"
    first = world.harvests(world.a, 2)
    report = deliver(world.app)
    assert report.failures == 1 and "HTTP 503" in report.errors[sub["subscriptionID"]]
    state = world.client.get(path, headers=auth(world.a)).json["state"]
    assert state["status"] == "retrying" and state["failures"] == 1
    retry_at = datetime.fromisoformat(state["retryAt"])
    # Exponential back-off with jitter: the first retry after 2.5–5 s (base 5 s).
    assert timedelta(seconds=2) < retry_at - datetime.now(UTC) <= timedelta(seconds=5)
    assert deliver(world.app).failures == 0  # not yet due: no attempt at all
    rx.status = 200  # still failing at the next attempt? no: nobody answers at all
    rx.close()
    then = datetime.now(UTC) + timedelta(seconds=6)
    report = deliver(world.app, now=then)
    assert report.failures == 1 and "no answer" in report.errors[sub["subscriptionID"]]
    state = world.client.get(path, headers=auth(world.a)).json["state"]
    assert state["failures"] == 2
    second = world.harvests(world.a, 2)  # captured while the receiver is away
    back = world.receiver()  # it comes back (at a new address: the subscription is updated)
    _move_dest(world.app, sub["subscriptionID"], back.url)
    deliver(world.app, now=datetime.now(UTC) + timedelta(hours=1))
    assert back.event_ids() == first + second  # everything, once, in order
    log = world.client.get(path + "/deliveries", headers=auth(world.a)).json
    assert [(d["ok"], d["status"]) for d in log][::-1] == [(False, 503), (False, None),
                                                           (True, 200)]
    assert log[-1]["error"] == "HTTP 503"
    state = world.client.get(path, headers=auth(world.a)).json
    assert state["state"] == {"status": "active", "failures": 0, "retryAt": None,
                              "lastError": None}
    assert state["lastNotifiedAt"] is not None


def _move_dest(app, sub_id: str, dest: str) -> None:
    from tracechain.store.subscription_models import Subscription

    with app_services(app).sessions() as s:
        s.get(Subscription, sub_id).dest = dest
        s.commit()


def test_deleting_a_subscription_stops_delivery(world):
    world.query(world.a)
    rx = world.receiver()
    sub = world.subscribe(world.a, rx.url)
    path = f"/epcis/queries/harvests/subscriptions/{sub['subscriptionID']}"
    first = world.harvests(world.a, 1)
    deliver(world.app)
    assert world.client.delete(path, headers=auth(world.b)).status_code == 404  # not B's
    assert world.client.get(path, headers=auth(world.b)).status_code == 404
    assert world.client.delete(path, headers=auth(world.a)).status_code == 204
    assert world.client.get(path, headers=auth(world.a)).status_code == 404
    world.harvests(world.a, 2)
    deliver(world.app)
    assert rx.event_ids() == first


def test_deleting_the_query_ends_its_subscriptions(world):
    world.query(world.a)
    rx = world.receiver()
    world.subscribe(world.a, rx.url)
    assert world.client.delete("/epcis/queries/harvests", headers=auth(world.a)).status_code == 204
    world.harvests(world.a, 1)
    assert deliver(world.app).subscriptions == 0
    assert rx.received == []


def test_initial_record_time_decides_where_delivery_starts(world):
    world.query(world.a)
    old = world.harvests(world.a, 2)
    past, now_rx = world.receiver(), world.receiver()
    world.subscribe(world.a, past.url, initialRecordTime="2020-01-01T00:00:00Z")
    world.subscribe(world.a, now_rx.url)  # default: from now on
    new = world.harvests(world.a, 1)
    deliver(world.app)
    assert past.event_ids() == old + new
    assert now_rx.event_ids() == new


def test_scheduled_subscription_reports_on_time_even_if_empty(world):
    world.query(world.a)
    rx, quiet = world.receiver(), world.receiver()
    sub = world.subscribe(world.a, rx.url, schedule={"minute": "0,30"}, reportIfEmpty=True)
    world.subscribe(world.a, quiet.url, schedule={"minute": "0,30"})
    due = datetime.fromisoformat(sub["nextRunAt"])
    assert due.second == 0 and due.minute in (0, 30) and due > datetime.now(UTC)
    assert sub["schedule"] == {"minute": "0,30"}
    deliver(world.app)  # not due yet
    assert rx.received == []
    deliver(world.app, now=due + timedelta(seconds=1))
    assert len(rx.received) == 1 and rx.event_ids() == []  # reportIfEmpty: an empty report
    assert quiet.received == []
    deliver(world.app, now=due + timedelta(seconds=2))  # already ran: next is 30 min later
    assert len(rx.received) == 1
    sent = world.harvests(world.a, 2)
    deliver(world.app, now=due + timedelta(minutes=30, seconds=1))
    assert rx.event_ids() == sent and quiet.event_ids() == sent


@pytest.mark.parametrize("body, path", [
    ({"dest": "ftp://example.com/x", "stream": True}, "$.dest"),
    ({"dest": "http://127.0.0.1:9/x", "stream": True}, "$.dest"),  # loopback, not allowed here
    ({"dest": "http://169.254.169.254/latest/meta-data", "stream": True}, "$.dest"),
    ({"dest": "http://10.1.2.3/x", "stream": True}, "$.dest"),
    ({"dest": "http://[::1]:8080/x", "stream": True}, "$.dest"),
    ({"dest": "http://u:p@example.com/x", "stream": True}, "$.dest"),
    ({"dest": "https://example.com/x"}, "$.stream"),
    ({"dest": "https://example.com/x", "stream": False}, "$.stream"),
    ({"dest": "https://example.com/x", "stream": True, "schedule": {"hour": "1"}},
     "$.schedule"),
    ({"dest": "https://example.com/x", "schedule": {"hour": "25"}}, "$.schedule.hour"),
    ({"dest": "https://example.com/x", "schedule": {"dayOfMonth": "31", "month": "2"}},
     "$.schedule"),
    ({"dest": "https://example.com/x", "stream": True, "initialRecordTime": "today"},
     "$.initialRecordTime"),
    ({"dest": "https://example.com/x", "stream": True, "colour": "red"}, "$.colour"),
])
def test_bad_or_forbidden_subscriptions_are_refused(world, body, path):
    # example.com is allowed by name (no DNS needed); loopback and private addresses are not.
    app_services(world.app).reconfigure(webhook_allow="example.com")
    world.query(world.a)
    r = world.client.post("/epcis/queries/harvests/subscriptions", json=body,
                          headers=auth(world.a))
    assert r.status_code == 400, r.json
    assert path in problem_paths(r), r.json
    assert world.client.get("/epcis/queries/harvests/subscriptions",
                            headers=auth(world.a)).json == []


def test_a_dest_forbidden_later_is_not_called(world):
    world.query(world.a)
    rx = world.receiver()
    sub = world.subscribe(world.a, rx.url)
    world.harvests(world.a, 1)
    report = deliver(world.app, allow=())  # the operator took 127.0.0.1 off the allow-list
    assert rx.received == []
    assert "dest refused" in report.errors[sub["subscriptionID"]]


def test_a_forged_or_altered_body_fails_the_signature(world):
    body = b'{"type":"EPCISQueryDocument"}'
    good = signature(body, "token-1")
    assert signature_ok(body, "token-1", good)
    assert not signature_ok(body + b" ", "token-1", good)
    assert not signature_ok(body, "token-2", good)
    assert not signature_ok(body, "token-1", None)
    # A receiver that holds another token rejects what we send, and we log the refusal.
    world.query(world.a)
    rx = world.receiver(token="the-receivers-token")
    sub = world.subscribe(world.a, rx.url, signatureToken="what-was-subscribed")
    world.harvests(world.a, 1)
    report = deliver(world.app)
    assert rx.bad_signatures == 1 and rx.received == []
    assert report.errors[sub["subscriptionID"]] == "HTTP 401"


def test_subscriptions_are_listed_to_their_owner_only(world):
    world.query(world.a)
    world.query(world.b)
    rx = world.receiver()
    mine = world.subscribe(world.a, rx.url)
    world.subscribe(world.b, rx.url)
    listed = world.client.get("/epcis/queries/harvests/subscriptions", headers=auth(world.a)).json
    assert [s["subscriptionID"] for s in listed] == [mine["subscriptionID"]]
    r = world.client.get(f"/epcis/queries/harvests/subscriptions/{mine['subscriptionID']}",
                         headers=auth(world.b))
    assert r.status_code == 404


def test_an_inspectors_subscription_reads_every_organisation(world):
    world.query(world.inspector)
    rx = world.receiver()
    world.subscribe(world.inspector, rx.url)
    sent = world.harvests(world.a, 1) + world.harvests(world.b, 1)
    deliver(world.app, workers=4)
    assert rx.event_ids() == sent


def test_deliver_command_runs_one_round(world):
    world.query(world.a)
    rx = world.receiver()
    world.subscribe(world.a, rx.url)
    sent = world.harvests(world.a, 2)
    app_services(world.app).reconfigure(webhook_allow="127.0.0.1")
    from tracechain.cli.deliver import deliver_command

    result = world.app.test_cli_runner().invoke(deliver_command, ["--once"])
    assert result.exit_code == 0, result.output
    assert "delivered 2 events in 1 deliveries" in result.output
    assert rx.event_ids() == sent
    assert orjson.loads(orjson.dumps(rx.received[0]))["schemaVersion"] == "2.0"


# --- WebSocket subscriptions, against the app served over real HTTP ---------------------------

@pytest.fixture
def live(app):
    """The test's app served by Werkzeug on 127.0.0.1 (threaded), as `serve --dev` serves it."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _ws_events(ws, count: int, timeout: float = 10.0) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        doc = orjson.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        assert doc["type"] == "EPCISQueryDocument"
        assert doc["epcisBody"]["queryResults"]["queryName"] == "harvests"
        got += [e["eventID"] for e in doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
    return got


def test_websocket_stream_pushes_my_new_events_in_order(world, live):
    from websockets.sync.client import connect

    world.harvests(world.a, 1)  # before the connection: not sent (initialRecordTime = now)
    world.query(world.a)
    url = f"ws://{live}/epcis/queries/harvests/events?stream=true"
    with connect(url, additional_headers=auth(world.a), open_timeout=5) as ws:
        sent = world.harvests(world.a, 2)
        world.harvests(world.b, 1)  # B's: never pushed to A
        sent += world.harvests(world.a, 1)
        assert _ws_events(ws, 3) == sent
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.8)  # nothing else (B's event is not A's)


def test_websocket_subscription_through_headers_and_subscriptions_path(world, live):
    from websockets.sync.client import connect

    world.query(world.a)
    old = world.harvests(world.a, 2)
    url = f"ws://{live}/epcis/queries/harvests/subscriptions"
    headers = {**auth(world.a), "GS1-Query-Stream": "true",
               "GS1-Query-InitialRecordTime": "2020-01-01T00:00:00Z"}
    with connect(url, additional_headers=headers, open_timeout=5) as ws:
        assert _ws_events(ws, 2) == old


def test_websocket_pushes_xml_when_the_handshake_accepts_only_xml(world, live):
    from websockets.sync.client import connect

    from tracechain.capture.xml_document import read_xml

    world.query(world.a)
    url = f"ws://{live}/epcis/queries/harvests/events?stream=true"
    with connect(url, additional_headers={**auth(world.a), "Accept": "application/xml"},
                 open_timeout=5) as ws:
        sent = world.harvests(world.a, 2)
        frame = ws.recv(timeout=10)
        assert frame.startswith("<?xml") or frame.startswith("<epcisq:")
        doc = read_xml(frame.encode())
        got = [e["eventID"] for e in doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
        assert got == sent


def test_websocket_is_refused_before_the_upgrade(world, live):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    world.query(world.a)
    base = f"ws://{live}/epcis/queries/harvests/events"
    for url, headers, status in (
            (base + "?stream=true", {}, 401),  # no token
            (base + "?stream=true", auth(world.b), 404),  # B has no such query
            (base, auth(world.a), 400),  # neither stream nor schedule
            (base + "?stream=true&hour=1", auth(world.a), 400)):  # both
        with pytest.raises(InvalidStatus) as caught:
            with connect(url, additional_headers=headers, open_timeout=5):
                pass
        assert caught.value.response.status_code == status, url


def test_postgres_waits_for_captures_in_flight_so_none_is_skipped(world):
    """On PostgreSQL, event ids come from a sequence and captures commit in any order: the
    deliverer only reads up to what every writer in flight has committed (event_horizon)."""
    engine = app_services(world.app).engine
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: every id it shows is settled")
    from sqlalchemy import text

    world.query(world.a)
    rx = world.receiver()
    world.subscribe(world.a, rx.url)
    sent = world.harvests(world.a, 1)
    with engine.connect() as writer:  # a capture in flight: it holds the table for writing
        writer.execute(text("LOCK TABLE events IN ROW EXCLUSIVE MODE"))
        report = deliver(world.app, horizon_wait=0.2)
        assert report.skipped and report.deliveries == 0
        writer.rollback()
    assert deliver(world.app).deliveries == 1
    assert rx.event_ids() == sent


def test_events_recorded_through_the_cooperative_api_reach_subscribers_too(world, client,
                                                                           actions):
    """Whatever is stored as an EPCIS event reaches subscribers, however it was recorded (the
    steps of /api/v1 too): a recall or hold recorded as an event will, the same way."""
    from tests.support.cooperative import coop

    own = coop(client, actions, "HTX Vĩnh Linh")
    client.post("/epcis/queries", json={"name": "all", "query": {}}, headers=own.headers)
    rx = world.receiver()
    r = client.post("/epcis/queries/all/subscriptions", json={"dest": rx.url, "stream": True},
                    headers=own.headers)
    assert r.status_code == 201, r.json
    harvested = own.harvest(own.plot(), own.product("pepper_berries"), "H1", 100)
    deliver(world.app)
    assert rx.event_ids() == [harvested["eventID"]]

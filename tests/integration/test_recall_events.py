"""A recall (and its lift) is an EPCIS event: signed by the recording organisation, a public
notice every signed-in actor reads, delivered to subscribers' webhooks; and every refusal
stores nothing, neither a recall row nor an event."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import func, select, update

from tests.support.cooperative import Coop, recall_chain
from tests.support.webhooks import Receiver
from tracechain.app_services import app_services
from tracechain.services.subscriptions.deliverer import (
    DeliverySettings,
    Urllib3Transport,
    deliver_once,
)
from tracechain.store.accounts import Organisation
from tracechain.store.events import CaptureJob, Event
from tracechain.store.public_records import Recall
from tracechain.store.uow import SqlUnitOfWork

REASON = "Salmonella found in the retained sample"
DL = "https://id.gs1.org/01/{}/10/{}"


@pytest.fixture
def chain(client, actions, dataset):
    """Cam Lộ harvests H1 and dries it into D1, ships D1 to the processor, which grades it into
    G1; a third organisation has nothing to do with any of it; an authority with an inspector.
    Built once per process and backend (``dataset``), copied for each test."""

    def build() -> dict:
        a, b, c = recall_chain(client, actions)
        authority = actions.org("Sở Khoa học và Công nghệ tỉnh Đắk Lắk", "authority")
        return {"a": (a.org, a.token, {"berries": a.berries, "black": a.black}),
                "b": (b.org, b.token, {"graded": b.graded}), "c": (c.org, c.token, {}),
                "authority": authority,
                "inspector": actions.token("inspector", authority)}

    made = dataset("recall-events-chain", build)
    coops = []
    for key in "abc":
        org, token, extra = made[key]
        one = Coop(client, org, token)
        for name, value in extra.items():
            setattr(one, name, value)
        coops.append(one)
    return (*coops, made["authority"], actions.auth(made["inspector"]))


def _counts(app) -> tuple[int, int, int]:
    """(recall rows, event rows, capture jobs): what a refused request must leave unchanged."""
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        s = uow.session
        return (s.scalar(select(func.count()).select_from(Recall)),
                s.scalar(select(func.count()).select_from(Event)),
                s.scalar(select(func.count()).select_from(CaptureJob)))


def _events(who, **query) -> list[dict]:
    r = who.client.get("/epcis/events", query_string=query, headers=who.headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def _notices(who, **query) -> list[dict]:
    return _events(who, EQ_bizStep="holding", **query)


def test_a_producers_recall_is_a_signed_notice_event_everyone_reads(app, client, chain):
    a, b, c, _, _ = chain
    recall = a.post(f"lots/{a.berries}/H1/recall", {
        "reason": REASON, "recallClass": "II", "reasonVi": "Phát hiện Salmonella",
        "reasonEn": "Salmonella found", "actionVi": "Không sử dụng", "actionEn": "Do not use",
        "contact": "0233 3 861 234"})
    [event] = _notices(a)
    assert (event["type"], event["action"], event["bizStep"], event["disposition"]) == (
        "ObjectEvent", "OBSERVE", "holding", "recalled")
    # The harvest, and every lot made from it downstream, at both organisations.
    assert [q["epcClass"] for q in event["quantityList"]] == [
        DL.format(a.berries, "H1"), DL.format(a.black, "D1"), DL.format(b.graded, "G1")]
    ext = event["tc:recall"]
    assert (ext["id"], ext["class"], ext["reason"], ext["byAuthority"]) == (
        recall["id"], "II", REASON, False)
    assert ext["reasons"] == {"vi": "Phát hiện Salmonella", "en": "Salmonella found"}
    assert ext["actions"] == {"vi": "Không sử dụng", "en": "Do not use"}
    assert ext["contact"] == "0233 3 861 234" and ext["orderedBy"] == "HTX Hồ tiêu Cam Lộ"
    assert event["eventTime"].startswith(recall["createdAt"][:19])
    # Sealed with Cam Lộ's custodial key, under its organisation.
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        row = uow.session.execute(
            select(Event.organisation_id, Event.notice, CaptureJob.seal_signature)
            .join(CaptureJob, CaptureJob.id == Event.capture_id)
            .where(Event.event_id == event["eventID"])).one()
    assert row[0] == a.org["id"] and row[1] is True and row[2]
    # Every signed-in actor reads it: query, resources, GET by id; the stranger too.
    for who in (b, c):
        assert [e["eventID"] for e in _notices(who, EQ_disposition="recalled")] == [
            event["eventID"]]
        assert who.get("/epcis/events/" + quote(event["eventID"], safe=""))["epcisBody"][
            "queryResults"][
            "resultsBody"]["eventList"][0]["eventID"] == event["eventID"]
        assert "recalled" in who.get("/epcis/dispositions")["member"]
    # ... but still not Cam Lộ's ordinary events (the attacker's read).
    assert all(e.get("tc:recall") or e.get("tc:lift") for e in c.events())
    assert all(e["bizStep"] == "holding" for e in c.events())
    harvest_id = next(e["eventID"] for e in a.events() if e["bizStep"] == "commissioning")
    c.get("/epcis/events/" + quote(harvest_id, safe=""), expect=404)
    assert [e["eventID"] for e in _events(c, MATCH_anyEPCClass=DL.format(a.berries, "H1"))
            ] == [event["eventID"]]


def test_an_inspector_recalls_for_its_authority_and_lifts_with_a_reason(app, client, chain):
    a, b, _, authority, inspector = chain
    r = client.post(f"/api/v1/lots/{a.berries}/H1/recall", json={"reason": REASON},
                    headers=inspector)
    assert r.status_code == 201 and r.json["organisationId"] == authority["id"]
    r = client.delete(f"/api/v1/lots/{a.berries}/H1/recall",
                      query_string={"reason": "Re-tested: not detected"}, headers=inspector)
    assert r.status_code == 200 and r.json["active"] is False
    recalled, lifted = _notices(b)
    assert recalled["disposition"] == "recalled" and recalled["tc:recall"]["byAuthority"]
    assert lifted["disposition"] == "conformant" and lifted["action"] == "OBSERVE"
    assert lifted["tc:lift"] == {"recall": recalled["tc:recall"]["id"],
                                 "reason": "Re-tested: not detected"}
    assert lifted["quantityList"] == recalled["quantityList"]
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        orgs = set(uow.session.scalars(select(Event.organisation_id).where(Event.notice)))
    assert orgs == {authority["id"]}
    # A lift needs a reason (issue #12): none, or one too short, is a 400 and stores nothing.
    a.post(f"lots/{a.berries}/H1/recall", {"reason": REASON})
    before = _counts(app)
    r = client.delete(f"/api/v1/lots/{a.berries}/H1/recall", query_string={"reason": "x"},
                      headers=a.headers)
    assert r.status_code == 400 and _counts(app) == before
    r = client.delete(f"/api/v1/lots/{a.berries}/H1/recall", headers=a.headers)
    assert r.status_code == 400 and _counts(app) == before
    assert "reason" in str(r.get_json())
    r = client.delete(f"/api/v1/lots/{a.berries}/H1/recall", headers=a.headers,
                      query_string={"reason": "Supplier's batch re-tested"})
    assert r.status_code == 200
    assert _notices(a)[-1]["tc:lift"]["reason"] == "Supplier's batch re-tested"


def test_refusals_store_nothing_not_even_an_event(app, client, actions, chain):
    a, b, c, _, _ = chain
    before = _counts(app)
    # An inspector of no organisation: nothing could sign the recall.
    lone = actions.auth(actions.token("inspector"))
    r = client.post(f"/api/v1/lots/{a.berries}/H1/recall", json={"reason": REASON},
                    headers=lone)
    assert r.status_code == 403 and "belongs to none" in r.json["message"]
    # Another organisation's member; an unknown lot.
    c.post(f"lots/{a.berries}/H1/recall", {"reason": REASON}, expect=403)
    a.post(f"lots/{a.berries}/NOPE/recall", {"reason": REASON}, expect=404)
    assert _counts(app) == before
    # A second active recall.
    a.post(f"lots/{a.berries}/H1/recall", {"reason": REASON})
    before = _counts(app)
    a.post(f"lots/{a.berries}/H1/recall", {"reason": REASON}, expect=409)
    assert _counts(app) == before
    # An organisation that keeps its own key: the server cannot sign for it.
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        uow.session.execute(update(Organisation).where(Organisation.id == b.org["id"])
                            .values(signing_keystore=None))
        uow.session.commit()
    before = _counts(app)
    r = b.post(f"lots/{b.graded}/G1/recall", {"reason": REASON}, expect=409)
    assert "keeps its own signing key" in r["message"] and "capture" in r["message"]
    assert _counts(app) == before


def test_a_downstream_subscriber_receives_the_authoritys_recall(app, client, chain):
    a, b, _, _, inspector = chain
    app_services(app).reconfigure(webhook_allow="127.0.0.1")
    receivers = []
    try:
        for name, query in (("recalls", {"EQ_disposition": ["recalled"]}),
                            ("my-lot", {"MATCH_anyEPCClass": [DL.format(b.graded, "G1")]})):
            rx = Receiver(token="s3cret-token")
            receivers.append(rx)
            r = client.post("/epcis/queries", json={"name": name, "query": query},
                            headers=b.headers)
            assert r.status_code == 201, r.json
            r = client.post(f"/epcis/queries/{name}/subscriptions", headers=b.headers, json={
                "dest": rx.url, "stream": True, "signatureToken": "s3cret-token"})
            assert r.status_code == 201, r.json
        r = client.post(f"/api/v1/lots/{a.berries}/H1/recall", json={"reason": REASON},
                        headers=inspector)
        assert r.status_code == 201
        report = deliver_once(app_services(app).unit_of_work, Urllib3Transport(),
                              DeliverySettings(allow=("127.0.0.1",), workers=1))
        assert report.failures == 0, report.errors
        [event] = _notices(b, EQ_disposition="recalled")
        for rx in receivers:
            assert rx.event_ids() == [event["eventID"]] and rx.bad_signatures == 0
            assert rx.headers[0]["GS1-Signature"].startswith("sha256=")
            sent = rx.received[0]["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]
            assert sent["disposition"] == "recalled" and sent["tc:recall"]["reason"] == REASON
    finally:
        for rx in receivers:
            rx.close()

"""Holds (issue #12): an inspector puts the pepper's harvest lot on hold; the pepper made from it
reads "made from a lot on hold" and its verdict is red; a release (with a reason) clears it and
keeps the history; members may neither hold nor release; a hold row edited behind the events'
back fails closed. Inspection records are signed events a partner reads."""

from __future__ import annotations

from sqlalchemy import func, select

from tracechain.app_services import app_services
from tracechain.store.events import Event
from tracechain.store.inspection_models import Hold
from tracechain.store.uow import SqlUnitOfWork

from .conftest import HARVEST, PEPPER

BASE = f"/api/v1/inspect/lots/{HARVEST[0]}/{HARVEST[1]}"
REASON = "Aflatoxin above the limit in sample S-12"


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _counts(app) -> tuple[int, int]:
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        s = uow.session
        return (s.scalar(select(func.count()).select_from(Hold)),
                s.scalar(select(func.count()).select_from(Event)))


def _member(demo) -> dict:
    name = next(n for n in demo.tokens if n.startswith("member of") and "Cam Lộ" in n)
    return _auth(demo.tokens[name])


def test_a_hold_reaches_the_pepper_made_from_it_and_a_release_clears_it(demo, actions):
    inspector = _auth(actions.inspector())
    r = demo.client.post(f"{BASE}/hold", json={"reason": REASON}, headers=inspector)
    assert r.status_code == 201, r.json
    hold = r.json
    assert hold["active"] and hold["reason"] == REASON and hold["eventID"]
    # The hold is an EPCIS event: OBSERVE, holding, non_sellable_other, naming what was made.
    [event] = [e for e in demo.client.get("/epcis/events", query_string={
        "EQ_bizStep": "holding", "EQ_disposition": "non_sellable_other"}, headers=inspector
    ).json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
    assert event["tc:hold"] == {"id": hold["id"], "reason": REASON}
    assert len(event["quantityList"]) > 1  # the harvest and the lots made from it
    en = demo.get(PEPPER, "en").get_data(as_text=True)
    assert 'data-testid="hold-banner"' in en and "Made from lot CL25-001, on hold by" in en
    assert REASON in en and 'data-tone="danger"' in en and 'data-caution="on-hold"' in en
    vi = demo.get(PEPPER, "vi").get_data(as_text=True)
    assert "Làm từ lô CL25-001, bị" in vi and "tạm giữ" in vi
    summary = demo.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    [shown] = summary["holds"]
    assert shown["reason"] == REASON and not shown["thisLot"] and shown["since"].endswith(
        "+07:00")
    assert summary["verdict"]["headline"]["cautions"] == ["on-hold"]
    # The harvest's own page: "on hold by <authority> since <date>".
    own = demo.get(f"/01/{HARVEST[0]}/10/{HARVEST[1]}", "en").get_data(as_text=True)
    assert "On hold by Sở Khoa học và Công nghệ (tests) since" in own
    # A release needs a reason; with one, it clears the page and keeps the history.
    before = _counts(demo.app)
    r = demo.client.post(f"{BASE}/release", json={}, headers=inspector)
    assert r.status_code == 400 and _counts(demo.app) == before
    r = demo.client.post(f"{BASE}/release", json={"reason": "x"}, headers=inspector)
    assert r.status_code == 400 and _counts(demo.app) == before
    r = demo.client.post(f"{BASE}/release", json={"reason": "Re-tested: within the limit"},
                         headers=inspector)
    assert r.status_code == 200 and r.json["active"] is False and r.json["releaseEventID"]
    en = demo.get(PEPPER, "en").get_data(as_text=True)
    assert 'data-testid="hold-banner"' not in en and 'data-caution="on-hold"' not in en
    history = demo.client.get(f"{BASE}/holds", headers=inspector).json
    assert [(h["reason"], h["releaseReason"]) for h in history] == [
        (REASON, "Re-tested: within the limit")]


def test_members_neither_hold_nor_release_and_inspectors_record_no_harvest(demo, actions):
    member, inspector = _member(demo), _auth(actions.inspector())
    before = _counts(demo.app)
    r = demo.client.post(f"{BASE}/hold", json={"reason": REASON}, headers=member)
    assert r.status_code == 403 and _counts(demo.app) == before
    r = demo.client.post(f"{BASE}/inspections", json={"kind": "inspection",
                                                     "note": "forged"}, headers=member)
    assert r.status_code == 403 and _counts(demo.app) == before
    assert demo.client.post(f"{BASE}/hold", json={"reason": REASON},
                            headers=inspector).status_code == 201
    before = _counts(demo.app)
    r = demo.client.post(f"{BASE}/release", json={"reason": "We checked it ourselves"},
                         headers=member)
    assert r.status_code == 403 and _counts(demo.app) == before
    # An inspector records inspections, not supply-chain steps.
    r = demo.client.post("/api/v1/harvests", json={}, headers=inspector)
    assert r.status_code == 403
    # A second hold of a lot on hold: 409, nothing stored; an unknown lot: 404.
    r = demo.client.post(f"{BASE}/hold", json={"reason": REASON}, headers=inspector)
    assert r.status_code == 409 and _counts(demo.app) == before
    r = demo.client.post(f"/api/v1/inspect/lots/{HARVEST[0]}/NOPE/hold",
                         json={"reason": REASON}, headers=inspector)
    assert r.status_code == 404 and _counts(demo.app) == before


def test_a_hold_row_edited_in_the_database_fails_closed(demo, actions):
    inspector = _auth(actions.inspector())
    assert demo.client.post(f"{BASE}/hold", json={"reason": REASON},
                            headers=inspector).status_code == 201
    page = demo.get(PEPPER, "en").get_data(as_text=True)  # rendered (and cached) once
    assert 'data-status="verified"' in page or 'data-status="pending"' in page
    # Released behind the events' back: the signed hold still stands, and the records are
    # reported broken (the edit is noticed: the page is not served from before it).
    demo.sql("UPDATE holds SET released_at = created_at, release_reason = 'quietly'")
    page = demo.get(PEPPER, "en").get_data(as_text=True)
    assert 'data-testid="hold-banner"' in page and 'data-tone="danger"' in page
    assert 'data-status="warning"' in page
    summary = demo.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    assert summary["verdict"]["status"] == "warning" and summary["holds"]
    # Its reason changed: the same; deleted outright: the same.
    demo.sql("UPDATE holds SET released_at = NULL, reason = 'a harmless check'")
    summary = demo.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    assert summary["verdict"]["status"] == "warning" and summary["holds"][0]["reason"] == REASON
    demo.sql("DELETE FROM holds")
    summary = demo.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    assert summary["verdict"]["status"] == "warning" and summary["holds"]


def test_inspection_records_are_signed_events_the_holder_reads(demo, actions):
    inspector, member = _auth(actions.inspector()), _auth(demo.token("admin"))
    for body in ({"kind": "inspection", "note": "Warehouse visit, lot sealed"},
                 {"kind": "sample", "sampleId": "S-12"},
                 {"kind": "result", "result": "fail", "sampleId": "S-12", "note": "AFB1"}):
        r = demo.client.post(f"{BASE}/inspections", json=body, headers=inspector)
        assert r.status_code == 201, r.json
    bad = demo.client.post(f"{BASE}/inspections", json={"kind": "result"}, headers=inspector)
    assert bad.status_code == 400 and "result" in str(bad.json)
    events = demo.client.get("/epcis/events", query_string={
        "MATCH_anyEPCClass": f"https://id.gs1.org/01/{HARVEST[0]}/10/{HARVEST[1]}"},
        headers=_member(demo)).json["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    mine = [e for e in events if "tc:inspection" in e]
    assert [(e["bizStep"], e.get("disposition")) for e in mine] == [
        ("inspecting", None), ("sampling", None), ("inspecting", "non_conformant")]
    assert mine[2]["tc:inspection"]["result"] == "fail"
    assert member  # an admin reads them too

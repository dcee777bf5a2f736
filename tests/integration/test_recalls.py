"""Recalls through HTTP: who may recall or lift, a lot's history, and how a recall reaches every
lot made from the recalled one (and none it was made from)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.cooperative import auth, new_gtin, recall_chain
from tracechain.app_services import app_services
from tracechain.services.lots.recalls import recalls_affecting
from tracechain.services.verification.records import lineage_lots
from tracechain.store.lots import Lot
from tracechain.store.public_records import Recall
from tracechain.store.uow import SqlUnitOfWork

REASON = "Salmonella found in the retained sample"


@pytest.fixture
def chain(client, actions):
    """``recall_chain``: Cam Lộ's H1 dried into D1, shipped to the processor, graded into G1; a
    third organisation has nothing to do with any of it."""
    return recall_chain(client, actions)


def _rows(app) -> list[tuple]:
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        return [tuple(r) for r in uow.session.execute(
            select(Recall.id, Recall.lot_id, Recall.reason, Recall.lifted_at,
                   Recall.lifted_by).order_by(Recall.id))]


def _affecting(app, gtin: str, lot: str) -> list:
    """What the consumer page will ask: the active recalls of the lot's back lineage."""
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        s = uow.session
        lot_id = s.scalar(select(Lot.id).where(Lot.gtin == gtin, Lot.code == lot))
        return recalls_affecting(uow, lineage_lots(uow, lot_id, "back"))


def _recall(who, gtin: str, lot: str, expect: int = 201, **body):
    return who.post(f"lots/{gtin}/{lot}/recall", {"reason": REASON, **body}, expect)


def _lift(client, headers: dict, gtin: str, lot: str, expect: int = 200) -> dict:
    r = client.delete(f"/api/v1/lots/{gtin}/{lot}/recall", headers=headers,
                      query_string={"reason": "Re-tested: not detected"})
    assert r.status_code == expect, r.get_json()
    return r.get_json()


def test_recall_reaches_what_was_made_from_the_lot(app, chain):
    a, b, _ = chain
    recall = _recall(a, a.berries, "H1")
    assert recall["reason"] == REASON and recall["active"] is True
    assert (recall["gtin"], recall["lot"]) == (a.berries, "H1")
    assert recall["uri"] == f"https://id.gs1.org/01/{a.berries}/10/H1"
    assert (recall["organisationId"], recall["organisationName"]) == (
        a.org["id"], "HTX Hồ tiêu Cam Lộ")
    assert recall["liftedAt"] is None and recall["createdAt"]

    own = a.get(f"/api/v1/lots/{a.berries}/H1/recalls")
    assert own["recalled"] is True and [r["id"] for r in own["recalls"]] == [recall["id"]]
    assert own["inherited"] == []
    # The graded lot two steps downstream, at another organisation, is recalled with it.
    graded = b.get(f"/api/v1/lots/{b.graded}/G1/recalls")
    assert graded["recalled"] is True and graded["recalls"] == []
    assert [r["id"] for r in graded["inherited"]] == [recall["id"]]
    assert graded["inherited"][0]["lot"] == "H1"

    found = _affecting(app, b.graded, "G1")
    assert [(r.gtin, r.lot, r.reason, r.organisation_name) for r in found] == [
        (a.berries, "H1", REASON, "HTX Hồ tiêu Cam Lộ")]
    assert found[0].uri == recall["uri"] and found[0].created_at.tzinfo is not None
    assert [r.lot for r in _affecting(app, a.black, "D1")] == ["H1"]


def test_recall_does_not_reach_what_the_lot_was_made_from(app, chain):
    a, b, _ = chain
    _recall(b, b.graded, "G1")
    assert _affecting(app, a.berries, "H1") == [] and _affecting(app, a.black, "D1") == []
    assert a.get(f"/api/v1/lots/{a.berries}/H1/recalls")["recalled"] is False
    assert [r.lot for r in _affecting(app, b.graded, "G1")] == ["G1"]


def test_lifting_keeps_the_history_and_ends_the_recall(app, client, chain):
    a, b, _ = chain
    first = _recall(a, a.berries, "H1")
    lifted = _lift(client, a.headers, a.berries, "H1")
    assert lifted["id"] == first["id"] and lifted["active"] is False
    assert lifted["liftedAt"] and lifted["liftedBy"] == lifted["recordedBy"]
    assert _affecting(app, b.graded, "G1") == []
    assert b.get(f"/api/v1/lots/{b.graded}/G1/recalls")["recalled"] is False

    second = _recall(a, a.berries, "H1", reason="Aflatoxin over the EU limit")
    history = a.get(f"/api/v1/lots/{a.berries}/H1/recalls")
    assert [(r["id"], r["active"]) for r in history["recalls"]] == [
        (second["id"], True), (first["id"], False)]
    assert [r.reason for r in _affecting(app, b.graded, "G1")] == [
        "Aflatoxin over the EU limit"]


def test_a_second_active_recall_conflicts_and_a_missing_one_is_not_found(app, client, chain):
    a, _, _ = chain
    _recall(a, a.berries, "H1")
    before = _rows(app)
    assert "already recalled" in _recall(a, a.berries, "H1", expect=409)["message"]
    assert _rows(app) == before
    _lift(client, a.headers, a.berries, "H1")
    before = _rows(app)
    assert "no active recall" in _lift(client, a.headers, a.berries, "H1", 404)["message"]
    _lift(client, a.headers, a.black, "D1", 404)
    assert _rows(app) == before


def test_who_may_recall_and_lift(app, client, actions, chain):
    a, b, c = chain
    # A stranger may neither recall nor lift nor read; nothing changes.
    assert "only the organisation" in _recall(c, a.berries, "H1", expect=403)["message"]
    _recall(a, a.berries, "H1")
    before = _rows(app)
    _lift(client, c.headers, a.berries, "H1", 403)
    c.get(f"/api/v1/lots/{a.berries}/H1/recalls", expect=403)
    # The processor holds D1's output but neither holds nor made H1.
    _recall(b, a.berries, "H1", expect=403)
    _lift(client, b.headers, a.berries, "H1", 403)
    # Without a token: 401, before the body is read.
    assert client.post(f"/api/v1/lots/{a.berries}/H1/recall", json={}).status_code == 401
    assert client.delete(f"/api/v1/lots/{a.berries}/H1/recall").status_code == 401
    assert client.get(f"/api/v1/lots/{a.berries}/H1/recalls").status_code == 401
    assert _rows(app) == before

    # D1: the processor holds it now, Cam Lộ made it; either may recall or lift it.
    _recall(b, a.black, "D1")
    _lift(client, a.headers, a.black, "D1")
    _recall(a, a.black, "D1")
    _lift(client, b.headers, a.black, "D1")
    # Authorities order recalls: an inspector may, though inspectors record nothing else.
    # (An inspector acts for its authority, whose key signs the recall's event.)
    authority = actions.org("Sở Khoa học và Công nghệ", "authority")
    inspector = actions.auth(actions.token("inspector", authority))
    r = client.post(f"/api/v1/lots/{b.graded}/G1/recall", json={"reason": REASON},
                    headers=inspector)
    assert r.status_code == 201 and r.get_json()["organisationId"] == authority["id"]
    assert client.get(f"/api/v1/lots/{b.graded}/G1/recalls",
                      headers=inspector).get_json()["recalled"] is True
    # What an authority ordered, the producer cannot undo; another authority can.
    before = _rows(app)
    assert "only an inspector or an admin" in _lift(client, b.headers, b.graded, "G1",
                                                    403)["message"]
    assert _rows(app) == before
    admin = auth(actions.token("admin"))
    _lift(client, admin, b.graded, "G1")


def test_bad_requests_are_precise_and_change_nothing(app, client, chain):
    a, _, _ = chain
    before = _rows(app)
    missing = a.post(f"lots/{a.berries}/H1/recall", {}, 400)
    assert missing["errors"][0]["path"] == "$.reason"
    short = _recall(a, a.berries, "H1", expect=400, reason="no")
    assert short["errors"][0]["path"] == "$.reason"
    assert _recall(a, a.berries, "H1", expect=400, reason="x" * 1001)["errors"][0][
        "path"] == "$.reason"
    blank = _recall(a, a.berries, "H1", expect=400, reason="      ")
    assert blank["errors"] == [{"path": "$.reason", "message": "must be 3 to 1000 characters"}]
    unknown = _recall(a, a.berries, "H1", expect=400, reason=REASON, severity="high")
    assert unknown["errors"][0]["path"] == "$.severity"
    bad_gtin = a.berries[:-1] + str((int(a.berries[-1]) + 1) % 10)
    body = _recall(a, bad_gtin, "H1", expect=400)
    assert body["errors"][0]["path"] == "$.path.gtin" and "check digit" in body["message"]
    _lift(client, a.headers, bad_gtin, "H1", 400)
    a.get(f"/api/v1/lots/{bad_gtin}/H1/recalls", expect=400)
    assert "no lot" in _recall(a, a.berries, "NOPE", expect=404)["message"]
    _recall(a, "0" + new_gtin(), "H1", expect=404)
    _lift(client, a.headers, a.berries, "NOPE", 404)
    a.get(f"/api/v1/lots/{a.berries}/NOPE/recalls", expect=404)
    assert _rows(app) == before == []


def test_the_lot_and_trace_routes_still_answer_beside_the_recall_routes(chain):
    a, _, _ = chain
    _recall(a, a.berries, "H1")
    assert a.get(f"/api/v1/lots/{a.berries}/H1")["lot"] == "H1"
    assert a.get(f"/api/v1/lots/{a.berries}/H1/trace")["root"]["lot"] == "H1"
    assert a.get(f"/api/v1/lots/{a.berries}/H1/recalls")["lot"] == "H1"

"""Corrections on the console: the organisation's events listed, one corrected (declaration and
corrective event captured together, anchored, shown on the consumer page), a second correction
refused, another organisation's event out of reach; and evidence sealed into an event: editing
the reference in the stored body reads altered once anchored."""

from __future__ import annotations

import hashlib
import io

import orjson
import pytest
from sqlalchemy import text

from tests.integration.verification.conftest import SETTINGS, _deployed_chain, chain  # noqa: F401
from tracechain.app_services import app_services
from tracechain.services.anchoring.anchorer import anchor_pending
from tracechain.services.verification.audit_pack import audit_pack
from tracechain.services.verification.verdicts import VerificationCaches, verify_event

from .evidence_world import PDF, build_world

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is the
# corrections pages; declarations are stored and read on both
# (verification/test_error_declarations.py).
DATABASES = ("sqlite",)


@pytest.fixture
def world(app, client, actions, console, dataset):
    return dataset("console-evidence-world", lambda: build_world(client, actions, console))


def _sql(app, statement, **params):
    with app_services(app).engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return result.all() if result.returns_rows else None


def _harvest_id(app) -> str:
    [(event_id,)] = _sql(app, "SELECT e.event_id FROM events e JOIN event_objects o "
                              "ON o.event_pk = e.id WHERE o.uri LIKE '%/10/VL-01' "
                              "AND e.declaration = :f", f=False)
    return event_id


def _correct(console, client, event_id, data):
    path = f"/app/corrections/event?id={event_id}"
    return client.post("/app/corrections/event",
                       data={"id": event_id, **data, "csrf": console.csrf(client, path)})


def _anchor(app, chain):  # noqa: F811
    report = anchor_pending(app_services(app).unit_of_work(), chain, SETTINGS,
                            keyring=app_services(app).keyring)
    assert not report.waiting and report.skipped is None, report


def test_a_member_corrects_a_harvest_and_the_consumer_page_shows_it(app, console, world,
                                                                     chain):  # noqa: F811
    member = console.signed_in(world["member"])
    listing = member.get("/app/corrections").get_data(as_text=True)
    event_id = _harvest_id(app)
    assert "VL-01" in listing and "Tiêu B" not in listing and "CD-01" not in listing
    form = member.get(f"/app/corrections/event?id={event_id}").get_data(as_text=True)
    assert 'data-testid="as-recorded"' in form and "commissioning" in form
    r = _correct(console, member, event_id, {"reason": "incorrect_data", "quantity": "450",
                                             "unit": "KGM", "lot": "VL-01",
                                             "time": "2025-03-01T16:00"})
    assert r.status_code == 303, r.get_data(as_text=True)
    rows = _sql(app, "SELECT event_id, declaration, body FROM events WHERE capture_id = "
                     "(SELECT capture_id FROM events WHERE declaration = :t)", t=True)
    assert len(rows) == 2  # one document: the corrective event and the declaration
    fixed = next(orjson.loads(b) for _, d, b in rows if not d)
    declaration = next(orjson.loads(b) for _, d, b in rows if d)
    assert fixed["quantityList"][0]["quantity"] == 450
    assert declaration["eventID"] == event_id
    assert declaration["errorDeclaration"]["reason"] == "incorrect_data"
    assert declaration["errorDeclaration"]["correctiveEventIDs"] == [fixed["eventID"]]
    assert "already corrected" in member.get("/app/corrections?lang=en").get_data(as_text=True)
    # A declaration is final: a second correction is refused, readably, and nothing is stored.
    r = _correct(console, member, event_id + "", {"reason": "did_not_occur"})
    assert r.status_code == 409 and "a correction is final" in r.get_data(as_text=True)
    again = member.get(f"/app/corrections/event?id={event_id}&lang=vi").get_data(as_text=True)
    assert "đã được đính chính" in again
    assert _sql(app, "SELECT count(*) FROM events WHERE declaration = :t", t=True) == [(1,)]
    _anchor(app, chain)
    uow = app_services(app).unit_of_work()
    for eid in (event_id, fixed["eventID"]):
        assert verify_event(eid, uow, chain, caches=VerificationCaches()
                            ).verdict.status == "verified"
    assert verify_event(event_id, uow, chain, caches=VerificationCaches(),
                        declaration=True).verdict.status == "verified"
    gtin = world["a"]["gtin"]
    html = app.test_client().get(f"/01/{gtin}/10/VL-01?lang=vi").get_data(as_text=True)
    assert 'data-testid="corrected-step"' in html and "Đã đính chính" in html


def test_it_did_not_happen_needs_no_values(app, console, world):
    member = console.signed_in(world["member"])
    event_id = _harvest_id(app)
    r = _correct(console, member, event_id, {"reason": "did_not_occur"})
    assert r.status_code == 303
    [(body,)] = _sql(app, "SELECT body FROM events WHERE declaration = :t", t=True)
    assert orjson.loads(body)["errorDeclaration"]["reason"] == "did_not_occur"
    assert "correctiveEventIDs" not in orjson.loads(body)["errorDeclaration"]


def test_bad_corrections_change_nothing(app, console, world):
    member = console.signed_in(world["member"])
    event_id = _harvest_id(app)
    before = _sql(app, "SELECT count(*) FROM events")
    for data, field in (({}, "reason"),
                        ({"reason": "incorrect_data"}, "quantity"),  # nothing changed
                        ({"reason": "incorrect_data", "quantity": "-3"}, "quantity"),
                        ({"reason": "incorrect_data", "quantity": "many"}, "quantity"),
                        ({"reason": "incorrect_data", "lot": "VL 01/ü"}, "lot")):
        r = _correct(console, member, event_id, {"quantity": "500", "unit": "KGM",
                                                 "lot": "VL-01", "time": "2025-03-01T16:00",
                                                 **data})
        assert r.status_code == 400, (data, r.status_code)
        assert f'id="{field}-error"' in r.get_data(as_text=True), data
    assert _sql(app, "SELECT count(*) FROM events") == before


def test_who_may_correct(app, console, world):
    event_id = _harvest_id(app)
    r = console.client().get("/app/corrections")
    assert r.status_code == 302 and r.location.startswith("/app/login")
    outsider = console.signed_in(world["outsider"])
    assert "VL-01" not in outsider.get("/app/corrections").get_data(as_text=True)
    gtin = world["a"]["gtin"]
    named = outsider.get(f"/app/corrections?gtin={gtin}&lot=VL-01").get_data(as_text=True)
    assert "/app/corrections/event?id=" not in named  # A's lot, named: none of A's events
    r = outsider.get("/app/corrections?gtin=123&lot=VL-01")
    assert r.status_code == 400 and "Không có lô nào" in r.get_data(as_text=True)
    # Another organisation's event: not found, and posting changes nothing.
    assert outsider.get(f"/app/corrections/event?id={event_id}").status_code == 404
    r = outsider.post("/app/corrections/event", data={
        "id": event_id, "reason": "did_not_occur",
        "csrf": console.csrf(outsider, "/app/corrections")})
    assert r.status_code == 404
    inspector = console.signed_in(world["inspector"])
    assert inspector.get("/app/corrections").status_code == 403
    assert inspector.get(f"/app/corrections/event?id={event_id}").status_code == 403
    admin = console.signed_in(world["admin"])  # an operator without an organisation
    assert admin.get(f"/app/corrections/event?id={event_id}").status_code == 403
    assert _sql(app, "SELECT count(*) FROM events WHERE declaration = :t", t=True) == [(0,)]


def test_evidence_is_sealed_into_the_event_and_its_reference_cannot_be_edited(
        app, console, world, chain):  # noqa: F811
    member = console.signed_in(world["member"])
    path = f"/app/lots/{world['a']['gtin']}/VL-01/evidence"
    r = member.post(path, data={"kind": "lab-result", "csrf": console.csrf(member, path),
                                "evidence": [(io.BytesIO(PDF), "report.pdf")]},
                    content_type="multipart/form-data")
    assert r.status_code == 303
    [(event_id, body)] = _sql(app, "SELECT event_id, body FROM events "
                                   "WHERE biz_step LIKE '%inspecting'")
    _anchor(app, chain)
    uow = app_services(app).unit_of_work()
    assert verify_event(event_id, uow, chain, caches=VerificationCaches()
                        ).verdict.status == "verified"
    pack = audit_pack(world["a"]["gtin"], "VL-01", uow, reader=chain)
    sha = hashlib.sha256(PDF).hexdigest()
    assert pack["evidence"] == [{"sha256": sha, "mediaType": "application/pdf",
                                 "size": len(PDF), "name": "report.pdf", "kind": "lab-result",
                                 "eventIDs": [event_id]}]
    event = orjson.loads(body)
    forged = hashlib.sha256(b"another report").hexdigest()
    event["tc:evidence"][0]["tc:sha256"] = forged
    _sql(app, "UPDATE events SET body = :b WHERE event_id = :e",
         b=orjson.dumps(event).decode(), e=event_id)
    assert verify_event(event_id, uow, chain, caches=VerificationCaches()
                        ).verdict.status == "altered"


def test_a_wrong_lot_code_and_moisture_are_corrected_into_a_new_event(app, console, world):
    member = console.signed_in(world["member"])
    event_id = _harvest_id(app)
    form = member.get(f"/app/corrections/event?id={event_id}").get_data(as_text=True)
    assert "plot" not in form.split('data-testid="as-recorded"')[1].split("</pre>")[1]
    r = _correct(console, member, event_id, {"reason": "incorrect_data", "quantity": "500",
                                             "unit": "KGM", "lot": "VL-01B",
                                             "time": "2025-03-01T15:30"})
    assert r.status_code == 303, r.get_data(as_text=True)
    [(body,)] = _sql(app, "SELECT body FROM events WHERE declaration = :f AND event_id LIKE "
                          "'urn:uuid:%'", f=False)
    fixed = orjson.loads(body)
    assert fixed["quantityList"][0]["epcClass"].endswith("/10/VL-01B")
    assert fixed["eventTime"] == "2025-03-01T15:30:00.000+07:00"
    assert _sql(app, "SELECT count(*) FROM lots WHERE uri LIKE '%/10/VL-01B'") == [(1,)]

"""The inspector's act page (issue #12): the state of a lot and, at once, everything a recall or
hold of it reaches; forms to record an inspection (with the lab's report), hold and release,
recall with a class and lift — each refused with its reason next to its field (400, nothing
stored); members get the 403 page; anonymous callers are sent to sign in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.support.cooperative import recall_chain
from tracechain.app_services import app_services
from tracechain.store.events import Event
from tracechain.store.inspection_models import Hold
from tracechain.store.public_records import Recall
from tracechain.store.uow import SqlUnitOfWork

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(client, actions, console):
    a, b, c = recall_chain(client, actions)
    authority = actions.org("Sở Khoa học và Công nghệ tỉnh Đắk Lắk", "authority")
    inspector = console.signed_in(console.user("inspector", authority))
    member = console.signed_in(console.user("member", a.org))
    return a, b, inspector, member


def _counts(app) -> tuple[int, int, int]:
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        s = uow.session
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Hold, Recall, Event))


def test_an_inspector_records_holds_releases_recalls_and_lifts(app, world, console):
    a, b, inspector, _member = world
    page = f"/app/inspect/lots/{a.berries}/H1/act"
    r = inspector.get(page, headers={"Accept-Language": "vi"})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Không bị tạm giữ, không bị thu hồi." in body
    # Everything a recall reaches is shown at once: H1, D1 (at the processor) and G1.
    affected = body.split('data-testid="affected"')[1].split("</section>")[0]
    assert all(code in affected for code in ("H1", "D1", "G1"))
    assert "Công ty Chế biến Gia vị" in affected
    # An inspection with the lab's report.
    r = inspector.post(page + "/inspection", data={
        "kind": "result", "result": "fail", "sampleId": "S-12", "note": "AFB1 12 µg/kg",
        "report": (__import__("io").BytesIO(PDF), "report.pdf"),
        "csrf": console.csrf(inspector, page)}, content_type="multipart/form-data")
    assert r.status_code == 303 and "done=inspection" in r.headers["Location"]
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        [body_json] = uow.session.scalars(select(Event.body).where(Event.biz_step.in_((
            "inspecting", "https://ref.gs1.org/cbv/BizStep-inspecting"))))
    text = str(body_json)
    assert "non_conformant" in text and "report.pdf" in text and "S-12" in text
    shown = inspector.get(page, headers={"Accept-Language": "vi"}).get_data(as_text=True)
    listed = shown.split('data-testid="inspections"')[1].split("</section>")[0]
    assert "Không đạt: không phù hợp" in listed and "mẫu S-12" in listed
    assert "report.pdf" in listed and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00",
                                                 listed)
    # A hold without a reason: 400, the message next to the field, in Vietnamese; nothing kept.
    before = _counts(app)
    r = console.post(inspector, page + "/hold", {"hold_reason": ""}, csrf_from=page)
    assert r.status_code == 400 and 'id="hold_reason-error"' in r.get_data(as_text=True)
    assert _counts(app) == before
    r = console.post(inspector, page + "/hold", {"hold_reason": "Aflatoxin above the limit"},
                     csrf_from=page)
    assert r.status_code == 303
    body = inspector.get(page, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-testid="on-hold"' in body and "Aflatoxin above the limit" in body
    # Times in one format, in the viewer's zone (Vietnam's by default).
    assert re.search(r"since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00", body)
    before = _counts(app)
    r = console.post(inspector, page + "/release", {"release_reason": ""}, csrf_from=page)
    assert r.status_code == 400 and _counts(app) == before
    r = console.post(inspector, page + "/release", {"release_reason": "Re-tested: fine"},
                     csrf_from=page)
    assert r.status_code == 303
    # A recall with a class; the pair rule refused next to its field.
    r = console.post(inspector, page + "/recall", {"recall_reason": "Salmonella",
                                                   "recallClass": "II", "reasonVi": "Có vi khuẩn"},
                     csrf_from=page)
    assert r.status_code == 400 and 'id="reasonEn-error"' in r.get_data(as_text=True)
    r = console.post(inspector, page + "/recall", {
        "recall_reason": "Salmonella in the retained sample", "recallClass": "II",
        "reasonVi": "Phát hiện Salmonella", "reasonEn": "Salmonella found",
        "actionVi": "Không sử dụng", "actionEn": "Do not use"}, csrf_from=page)
    assert r.status_code == 303
    body = inspector.get(page).get_data(as_text=True)
    assert 'data-testid="recalled"' in body
    # Lifting needs a reason on the console.
    before = _counts(app)
    r = console.post(inspector, page + "/lift", {"lift_reason": ""}, csrf_from=page)
    assert r.status_code == 400 and 'id="lift_reason-error"' in r.get_data(as_text=True)
    assert _counts(app) == before
    r = console.post(inspector, page + "/lift", {"lift_reason": "Not detected on re-test"},
                     csrf_from=page)
    assert r.status_code == 303
    # The graded lot downstream reads the recall's lift and the hold's release in its notices.
    events = b.events()
    assert {e.get("disposition") for e in events if e["bizStep"] == "holding"} >= {
        "recalled", "conformant", "non_sellable_other"}


def test_members_get_403_and_anonymous_callers_sign_in(app, world, console):
    a, _b, inspector, member = world
    page = f"/app/inspect/lots/{a.berries}/H1/act"
    assert member.get(page).status_code == 403
    before = _counts(app)
    for action, data in (("inspection", {"kind": "inspection", "note": "forged"}),
                         ("hold", {"hold_reason": "forged hold"}),
                         ("release", {"release_reason": "forged release"}),
                         ("recall", {"recall_reason": "forged recall"})):
        r = console.post(member, f"{page}/{action}", data)
        assert r.status_code == 403, action
    assert _counts(app) == before
    anonymous = console.client()
    r = anonymous.get(page)
    assert r.status_code in (302, 303) and "/app/login" in r.headers["Location"]
    # The page answers ≤ 30 KB compressed.
    r = inspector.get(page, headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and len(r.data) <= 30_000


def test_members_downstream_see_the_hold_on_their_dashboard_until_it_is_released(
        world, console, actions):
    a, b, inspector, member = world
    downstream = console.signed_in(console.user("member", b.org))
    page = f"/app/inspect/lots/{a.berries}/H1/act"
    assert console.post(inspector, page + "/hold", {"hold_reason": "Aflatoxin above the limit"},
                        csrf_from=page).status_code == 303
    mine = member.get("/app/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    theirs = downstream.get("/app/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert mine.count('data-testid="hold"') == 1 and "Aflatoxin above the limit" in mine
    assert theirs.count('data-testid="hold"') == 1 and "Aflatoxin above the limit" in theirs
    assert console.post(inspector, page + "/release", {"release_reason": "Re-tested: fine"},
                        csrf_from=page).status_code == 303
    theirs = downstream.get("/app/").get_data(as_text=True)
    assert 'data-testid="hold"' not in theirs


def test_a_partner_subscribes_from_the_console_and_its_webhook_hears_of_holds_and_inspections(
        app, world, console):
    from tests.support.webhooks import Receiver
    from tracechain.services.subscriptions.deliverer import (
        DeliverySettings,
        Urllib3Transport,
        deliver_once,
    )

    a, b, inspector, _member = world
    partner = console.signed_in(console.user("member", b.org))
    app_services(app).reconfigure(webhook_allow="127.0.0.1")
    rx = Receiver(token="s3cret-token")
    rx_xml = Receiver(token="xml-token")
    try:
        # Bad input stores nothing (neither the query nor the subscription).
        r = console.post(partner, "/app/subscriptions", {
            "name": "g1", "gtin": b.graded, "lot": "G1", "dest": "ftp://x"},
            csrf_from="/app/subscriptions")
        assert r.status_code == 400 and 'id="dest-error"' in r.get_data(as_text=True)
        assert 'data-testid="subscription"' not in partner.get("/app/subscriptions").get_data(
            as_text=True)
        r = console.post(partner, "/app/subscriptions", {
            "name": "g1", "gtin": b.graded, "lot": "G1", "dest": rx.url,
            "token": "s3cret-token"}, csrf_from="/app/subscriptions")
        assert r.status_code == 303, r.get_data(as_text=True)
        assert partner.get("/app/subscriptions").get_data(as_text=True).count(
            'data-testid="subscription"') == 1
        # A format the form does not offer: 400 on the field, nothing stored.
        r = console.post(partner, "/app/subscriptions", {
            "name": "g1x", "gtin": b.graded, "lot": "G1", "dest": rx_xml.url,
            "format": "text/csv"}, csrf_from="/app/subscriptions")
        assert r.status_code == 400 and 'id="format-error"' in r.get_data(as_text=True)
        # Its XML-only system subscribes too, asking for EPCIS 2.0 XML.
        r = console.post(partner, "/app/subscriptions", {
            "name": "g1x", "gtin": b.graded, "lot": "G1", "dest": rx_xml.url,
            "token": "xml-token", "format": "application/xml"}, csrf_from="/app/subscriptions")
        assert r.status_code == 303, r.get_data(as_text=True)
        listed = partner.get("/app/subscriptions").get_data(as_text=True)
        assert listed.count('data-testid="subscription"') == 2 and "· XML ·" in listed
        # The inspector holds the harvest upstream and records an inspection of the graded lot.
        page = f"/app/inspect/lots/{a.berries}/H1/act"
        assert console.post(inspector, page + "/hold", {"hold_reason": "Aflatoxin found"},
                            csrf_from=page).status_code == 303
        g1 = f"/app/inspect/lots/{b.graded}/G1/act"
        assert console.post(inspector, g1 + "/inspection", {
            "kind": "sample", "sampleId": "S-7"}, csrf_from=g1).status_code == 303
        report = deliver_once(app_services(app).unit_of_work, Urllib3Transport(),
                              DeliverySettings(allow=("127.0.0.1",), workers=1))
        assert report.failures == 0, report.errors
        sent = [e for doc in rx.received for e in
                doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]
        assert {e["bizStep"] for e in sent} == {"holding", "sampling"}
        assert rx.bad_signatures == 0 and rx.headers[0]["GS1-Signature"].startswith("sha256=")
        assert rx_xml.bad_signatures == 0 and rx_xml.headers[0]["Content-Type"] == (
            "application/xml")
        assert [e["eventID"] for doc in rx_xml.received for e in
                doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]] == [
            e["eventID"] for e in sent]
    finally:
        rx.close()
        rx_xml.close()


def test_an_admin_of_no_organisation_holds_for_the_operator(app, world, console):
    a, _b, _inspector, _member = world
    admin = console.signed_in(console.user("admin"))
    page = f"/app/inspect/lots/{a.berries}/H1/act"
    r = console.post(admin, page + "/hold", {"hold_reason": "Operator's precaution"},
                     csrf_from=page)
    assert r.status_code == 303, r.get_data(as_text=True)
    assert 'data-testid="on-hold"' in admin.get(page).get_data(as_text=True)

"""Certifications through HTTP: recorded by an organisation for itself, listed, removed; and what
the consumer page reads (`certifications_of`: the ones not expired)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.support.cooperative import auth, coop
from tracechain.app_services import app_services
from tracechain.services.cooperative.certifications import certifications_of
from tracechain.store.public_records import Certification
from tracechain.store.uow import SqlUnitOfWork

VIETGAP = {"scheme": "VietGAP", "code": "VG-QT-2024-0153",
           "issuer": "Trung tâm Chứng nhận Nông sản Bắc Trung Bộ", "validUntil": "2027-06-30",
           "url": "https://certs.example.vn/VG-QT-2024-0153"}


def _rows(app) -> list[tuple]:
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        return [tuple(r) for r in uow.session.execute(
            select(Certification.id, Certification.organisation_id, Certification.scheme,
                   Certification.code).order_by(Certification.id))]


def _of(app, org_ids, on: date | None = None) -> dict:
    with SqlUnitOfWork(app_services(app).sessions) as uow:
        return certifications_of(uow, org_ids, on=on)


def test_record_list_and_read_for_the_consumer_page(app, client, actions):
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    b = coop(client, actions, "HTX Cà phê Ea Tu")
    created = a.post("certifications", VIETGAP)
    assert created == {"id": created["id"], "organisationId": a.org["id"],
                       "organisationGln": a.org["gln"], "organisationName": "HTX Hồ tiêu Cam Lộ",
                       "scheme": "VietGAP", "code": "VG-QT-2024-0153",
                       "issuer": "Trung tâm Chứng nhận Nông sản Bắc Trung Bộ",
                       "validUntil": "2027-06-30",
                       "url": "https://certs.example.vn/VG-QT-2024-0153", "expired": False,
                       "selfDeclared": False}
    lapsed = a.post("certifications", {"scheme": "EU organic", "code": "VN-BIO-154-0099",
                                       "validUntil": "2020-12-31"})
    assert lapsed["expired"] is True and lapsed["issuer"] is None and lapsed["url"] is None
    bare = b.post("certifications", {"scheme": "4C", "code": "4C-VN-0417"})
    assert bare["validUntil"] is None and bare["expired"] is False
    assert bare["selfDeclared"] is True  # no issuer: nobody independent vouches for it

    assert [c["code"] for c in a.get("/api/v1/certifications")] == [
        "VN-BIO-154-0099", "VG-QT-2024-0153"]  # by scheme
    assert [c["code"] for c in b.get("/api/v1/certifications")] == ["4C-VN-0417"]
    assert a.get(f"/api/v1/certifications?organisation={a.org['gln']}")[0]["organisationId"] \
        == a.org["id"]
    inspector = auth(actions.token("inspector"))
    assert len(client.get("/api/v1/certifications", headers=inspector).get_json()) == 3
    only_b = client.get(f"/api/v1/certifications?organisation={b.org['gln']}", headers=inspector)
    assert [c["code"] for c in only_b.get_json()] == ["4C-VN-0417"]

    # The consumer page: not-expired certificates by organisation, none for those without.
    other = actions.org("Công ty Xuất khẩu", "exporter")
    found = _of(app, [a.org["id"], b.org["id"], other["id"]])
    assert {k: [c.code for c in v] for k, v in found.items()} == {
        a.org["id"]: ["VG-QT-2024-0153"], b.org["id"]: ["4C-VN-0417"]}
    assert found[a.org["id"]][0].issuer == VIETGAP["issuer"]
    assert found[a.org["id"]][0].valid_until == date(2027, 6, 30)
    # Valid through its last day, gone the day after.
    assert len(_of(app, [a.org["id"]], on=date(2027, 6, 30))[a.org["id"]]) == 1
    assert a.org["id"] not in _of(app, [a.org["id"]], on=date(2027, 7, 1))
    assert _of(app, []) == {}


def test_admins_record_for_a_named_organisation(app, client, actions):
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    admin = auth(actions.token("admin"))
    r = client.post("/api/v1/certifications", json={**VIETGAP, "organisation": a.org["gln"]},
                    headers=admin)
    assert r.status_code == 201 and r.get_json()["organisationId"] == a.org["id"]
    r = client.post("/api/v1/certifications", json=VIETGAP, headers=admin)
    assert r.status_code == 400 and r.get_json()["errors"][0]["path"] == "$.organisation"
    # A member may name their own organisation, not another.
    b = coop(client, actions, "HTX Cà phê Ea Tu")
    assert b.post("certifications", {**VIETGAP, "organisation": b.org["gln"]})[
        "organisationId"] == b.org["id"]
    before = _rows(app)
    refused = b.post("certifications", {**VIETGAP, "code": "X-1", "organisation": a.org["gln"]},
                     expect=403)
    assert refused["errors"][0]["path"] == "$.organisation"
    assert _rows(app) == before


def test_bad_requests_are_precise_and_change_nothing(app, client, actions):
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    a.post("certifications", VIETGAP)
    before = _rows(app)

    def refused(body: dict, expect: int = 400) -> list[str]:
        return [e["path"] for e in a.post("certifications", body, expect=expect)["errors"]]

    assert sorted(refused({"issuer": "x"})) == ["$.code", "$.scheme"]
    assert refused({**VIETGAP, "code": "VG-2", "url": "ftp://certs.example.vn/1"}) == ["$.url"]
    assert refused({**VIETGAP, "code": "VG-2", "url": "not a url"}) == ["$.url"]
    assert refused({**VIETGAP, "code": "VG-2", "validUntil": "2027-13-01"}) == ["$.validUntil"]
    assert refused({**VIETGAP, "code": "VG-2", "validUntil": "30/06/2027"}) == ["$.validUntil"]
    assert refused({**VIETGAP, "scheme": "   ", "code": " "}) == ["$.scheme", "$.code"]
    assert refused({**VIETGAP, "code": "x" * 101}) == ["$.code"]
    assert refused({**VIETGAP, "code": "VG-2", "organisation": "8936100000011"}) == [
        "$.organisation"]  # wrong check digit
    assert refused({**VIETGAP, "code": "VG-2", "organisation": "4000000000006"}) == [
        "$.organisation"]  # nobody's
    assert refused({**VIETGAP, "code": "VG-2", "colour": "green"}) == ["$.colour"]
    assert refused(VIETGAP, expect=409) == ["$.code"]
    # Only members and admins record; authentication comes before the body.
    inspector = auth(actions.token("inspector"))
    assert client.post("/api/v1/certifications", json=VIETGAP,
                       headers=inspector).status_code == 403
    assert client.post("/api/v1/certifications", json={}).status_code == 401
    assert client.get("/api/v1/certifications").status_code == 401
    assert _rows(app) == before


def test_listing_someone_else_is_refused(client, actions):
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    b = coop(client, actions, "HTX Cà phê Ea Tu")
    body = a.get(f"/api/v1/certifications?organisation={b.org['gln']}", expect=403)
    assert body["errors"][0]["path"] == "$.query.organisation"
    body = a.get("/api/v1/certifications?organisation=123", expect=400)
    assert body["errors"][0]["path"] == "$.query.organisation"


def test_delete_own_only(app, client, actions):
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    b = coop(client, actions, "HTX Cà phê Ea Tu")
    mine = a.post("certifications", VIETGAP)
    theirs = b.post("certifications", {"scheme": "4C", "code": "4C-VN-0417"})
    before = _rows(app)
    inspector = auth(actions.token("inspector"))
    for headers, cert_id, status in ((a.headers, theirs["id"], 403), (inspector, mine["id"], 403),
                                     ({}, mine["id"], 401), (a.headers, 999_999, 404)):
        r = client.delete(f"/api/v1/certifications/{cert_id}", headers=headers)
        assert r.status_code == status, r.get_json()
    assert _rows(app) == before

    r = client.delete(f"/api/v1/certifications/{mine['id']}", headers=a.headers)
    assert r.status_code == 204 and r.data == b""
    assert a.get("/api/v1/certifications") == []
    assert [c["id"] for c in b.get("/api/v1/certifications")] == [theirs["id"]]
    # Admins may remove any organisation's (they may record for any, too).
    admin = auth(actions.token("admin"))
    assert client.delete(f"/api/v1/certifications/{theirs['id']}",
                         headers=admin).status_code == 204
    assert _rows(app) == []


def test_a_certificate_its_holder_issued_itself_is_self_declared(client, actions):
    b = coop(client, actions, "HTX Cà phê Ea Tu")
    own = b.post("certifications", {"scheme": "Organic", "code": "OWN-1",
                                    "issuer": "  htx cà phê  EA TU "})
    assert own["selfDeclared"] is True

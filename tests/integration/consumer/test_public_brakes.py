"""What the public endpoints refuse: guessing codes (429 with Retry-After, known codes included
while the budget is spent), and what they offer: reporting a suspected fake without giving any
personal data. Certificates say who issued them, or that they are self-declared."""

from __future__ import annotations

from tracechain.app_services import app_services

from .conftest import PEPPER

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is the
# public pages' rate limits.
DATABASES = ("sqlite",)

UNKNOWN = "/01/08936101000217/10/NOPE-{}"
PACK = "/api/v1/public/lots/08936101000217/{}/audit-pack"


def test_an_enumerator_is_slowed_down_and_a_shopper_is_not(demo):
    app_services(demo.app).reconfigure(unknown_code_budget=5)  # a fresh budget
    shopper = {"REMOTE_ADDR": "198.51.100.7"}
    for i in range(5):  # unknown lots of a known product: walked up, and counted all the same
        r = demo.client.get(UNKNOWN.format(i))
        assert r.status_code == 200 and 'data-testid="no-record"' in r.get_data(as_text=True)
    r = demo.client.get(UNKNOWN.format(99))
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
    assert 'data-testid="too-many"' in r.get_data(as_text=True)
    # While its budget is spent, a known code answers 429 too: no oracle for hits.
    assert demo.client.get(PEPPER).status_code == 429
    j = demo.client.get(PEPPER, headers={"Accept": "application/json"})
    assert j.status_code == 429 and j.get_json()["code"] == 429
    assert demo.client.get(PACK.format("NOPE")).status_code == 429
    # Another client scanning real codes is not affected.
    assert demo.client.get(PEPPER, environ_overrides=shopper).status_code == 200
    assert demo.client.get(PACK.format("QT25-G550-01"),
                           environ_overrides=shopper).status_code == 200


def test_the_public_audit_pack_counts_unknown_lots_against_the_budget(demo):
    app_services(demo.app).reconfigure(unknown_code_budget=3)  # a fresh budget
    for i in range(3):
        assert demo.client.get(PACK.format(f"GUESS-{i}")).status_code == 404
    r = demo.client.get(PACK.format("QT25-G550-01"))
    assert r.status_code == 429 and r.headers["Retry-After"]
    assert r.get_json()["status"] == 429 and r.get_json()["title"] == "Too Many Requests"


def test_the_404_page_offers_to_report_a_fake_and_the_report_keeps_nothing_personal(demo):
    html = demo.get(UNKNOWN.format("X"), "en").get_data(as_text=True)
    assert 'data-testid="report-fake"' in html and 'action="/report-fake"' in html
    assert "<script" not in html
    assert "Báo cáo nghi hàng giả" in demo.get(UNKNOWN.format("X"), "vi").get_data(as_text=True)
    r = demo.client.post("/report-fake", data={"code": "/01/08936101000217/10/NOPE-X",
                                               "where": "Chợ Đông Hà", "note": "No seal",
                                               "lang": "vi"})
    assert r.status_code == 201 and "Cảm ơn bạn" in r.get_data(as_text=True)
    rows = demo.sql("SELECT * FROM fake_reports")
    assert len(rows) == 1 and len(rows[0]) == 5  # id, code, where, note, time: nobody's data
    r = demo.client.post("/report-fake", json={"code": "/01/x", "note": "y" * 2001},
                         headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.get_json()["errors"][0]["path"] == "$.note"
    r = demo.client.post("/report-fake", json={}, headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.get_json()["errors"][0]["path"] == "$.code"
    assert len(demo.sql("SELECT * FROM fake_reports")) == 1


def test_reports_cannot_fill_the_table(demo):
    app_services(demo.app).reconfigure(unknown_code_budget=2)  # a fresh budget
    codes = [demo.client.post("/report-fake", json={"code": f"/01/x/{i}"},
                              headers={"Accept": "application/json"}).status_code
             for i in range(4)]
    assert codes == [201, 201, 429, 429]


def test_certificates_show_their_issuer_and_link_and_self_declared_ones_say_so(demo):
    [(org_id,)] = demo.sql("SELECT id FROM organisations WHERE name LIKE 'HTX Hồ tiêu%'")
    demo.sql("INSERT INTO certifications (organisation_id, scheme, code, issuer, created_at) "
             "VALUES (:o, 'Organic (own standard)', 'CL-ORG-1', NULL, CURRENT_TIMESTAMP)",
             o=org_id)
    html = demo.get(PEPPER, "en").get_data(as_text=True)
    assert "Issued by Trung tâm Chứng nhận Nông sản Bắc Trung Bộ" in html
    assert 'href="https://demo.tracechain.dev/certificates/VietGAP-TT-24-03-45-0153"' in html
    assert 'data-self-declared="true"' in html
    assert "Self-declared: no independent body has certified it" in html
    assert "Tự công bố" in demo.get(PEPPER, "vi").get_data(as_text=True)

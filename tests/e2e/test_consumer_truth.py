"""What the consumer page says beyond the records' integrity, in a real browser at 360 px: a
recall's notice, unusual records, a cloned item code, self-declared certificates, and the
report-a-fake form on the page of a lot we have no record of. Each state is screenshotted to
test-artifacts/screenshots/."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.e2e.test_consumer_page import (
    HARVEST,
    PEPPER,
    UNKNOWN_LOT,
    assert_no_horizontal_scroll,
    nfc,
    open_page,
    verdict_status,
)
from tracechain.api.resolver import AnswerCache
from tracechain.app_services import app_services
from tracechain.domain.serials import new_serial
from tracechain.domain.step_events import CONTEXT_WITH_MDA, document, item_commissioning_event
from tracechain.services.cooperative.step_recording import VIETNAM

try:
    from playwright.sync_api import expect
except ImportError:
    expect = None


def _tone(page) -> str:
    return page.locator("[data-testid=verdict]").get_attribute("data-tone")


def _forget_answers(site) -> None:
    app_services(site.app).resolver_cache = AnswerCache()  # instead of STALE_AFTER


@pytest.fixture(autouse=True)
def no_active_recall(request):
    """The scratch site is shared with other tests that recall lots and leave them recalled
    (and whose recall and lift events are pending until anchored)."""
    if "scratch_site" in request.fixturenames:
        site = request.getfixturevalue("scratch_site")
        site.sql("UPDATE recalls SET lifted_at = CURRENT_TIMESTAMP WHERE lifted_at IS NULL")
        site.anchor()
        _forget_answers(site)


@pytest.fixture
def plausibility_limits(scratch_site):
    services = app_services(scratch_site.app)
    before = services.settings.harvest_limits
    yield services
    services.reconfigure(harvest_limits=before)
    _forget_answers(scratch_site)


def test_the_verified_page_claims_intact_records_not_a_genuine_product(site, phone, screenshot):
    page = phone("en")
    open_page(page, site.url(PEPPER.path))
    assert verdict_status(page) == "verified" and _tone(page) == "ok"
    text = nfc(page.locator("[data-testid=verdict]").inner_text())
    assert "Records intact and anchored" in text and "cannot prove" in text
    assert_no_horizontal_scroll(page)
    screenshot(page, "pepper-en-headline")


def test_unusual_harvests_turn_the_headline_amber(scratch_site, phone, screenshot,
                                                  plausibility_limits):
    # Limits far below the demo's harvests (0.2-0.6 t/ha) flag all three of them.
    plausibility_limits.reconfigure(harvest_limits={"pepper_berries": 0.3})
    _forget_answers(scratch_site)
    for lang in ("vi", "en"):
        page = phone(lang)
        open_page(page, scratch_site.url(PEPPER.path))
        assert verdict_status(page) == "verified" and _tone(page) == "caution"
        expect(page.locator("[data-testid=flags]")).to_be_visible()
        expect(page.locator("[data-testid=unusual-step]").first).to_be_visible()
        assert_no_horizontal_scroll(page)
        screenshot(page, f"pepper-{lang}-unusual")


def test_a_recall_notice_in_the_pages_language(scratch_site, phone, screenshot):
    response = scratch_site.app.test_client().post(
        f"/api/v1/lots/{HARVEST[0]}/{HARVEST[1]}/recall",
        json={"reason": "pesticide residue", "recallClass": "I",
              "orderedBy": "Chi cục QLCL Nông lâm thủy sản Quảng Trị",
              "reasonVi": "Dư lượng thuốc bảo vệ thực vật vượt ngưỡng",
              "reasonEn": "Pesticide residue above the limit",
              "actionVi": "Không ăn; mang trả lại nơi mua để được hoàn tiền.",
              "actionEn": "Do not eat it; take it back to the shop for a refund.",
              "contact": "0233 3 861 234"},
        headers={"Authorization": f"Bearer {scratch_site.token('admin')}"})
    assert response.status_code == 201, response.get_json()
    try:
        for lang, words in (("vi", "mang trả lại nơi mua"), ("en", "take it back to the shop")):
            page = phone(lang)
            open_page(page, scratch_site.url(PEPPER.path))
            banner = page.locator("[data-testid=recall-banner]")
            expect(banner).to_be_visible()
            assert words in nfc(banner.inner_text())
            assert _tone(page) == "danger"
            assert_no_horizontal_scroll(page)
            screenshot(page, f"pepper-{lang}-recall-notice")
    finally:
        scratch_site.app.test_client().delete(
            f"/api/v1/lots/{HARVEST[0]}/{HARVEST[1]}/recall",
            query_string={"reason": "End of the journey test"},
            headers={"Authorization": f"Bearer {scratch_site.token('admin')}"})


def test_a_cloned_item_code_and_a_self_declared_certificate(scratch_site, phone, screenshot):
    site = scratch_site
    client = site.app.test_client()
    # The exporter holds the pepper but does not own its GTIN: the operator records the item.
    serial = new_serial()
    event = item_commissioning_event([f"https://id.gs1.org/01/{PEPPER.gtin}/21/{serial}"],
                                     PEPPER.lot, datetime.now(VIETNAM), gln=None)
    minted = client.post("/epcis/capture", content_type="application/ld+json",
                         headers={"Authorization": f"Bearer {site.token('admin')}"},
                         data=json.dumps(document(event, datetime.now(VIETNAM),
                                                  CONTEXT_WITH_MDA)))
    assert minted.status_code == 202 and minted.get_json()["success"], minted.get_json()
    [(org_id,)] = site.sql("SELECT id FROM organisations WHERE name LIKE 'HTX Hồ tiêu%'")
    site.sql("INSERT INTO certifications (organisation_id, scheme, code, created_at) "
             "VALUES (:o, 'Hữu cơ (tự công bố)', 'CL-HC-01', CURRENT_TIMESTAMP)", o=org_id)
    before = app_services(site.app).settings.scan_warning_after
    # the first person already makes it "many"
    app_services(site.app).reconfigure(scan_warning_after=0)
    _forget_answers(site)
    try:
        page = phone("vi")
        open_page(page, site.url(f"/01/{PEPPER.gtin}/21/{serial}"))
        expect(page.locator("[data-testid=scan-warning]")).to_be_visible()
        assert _tone(page) == "caution"
        expect(page.locator("[data-self-declared=true]")).to_be_visible()
        assert_no_horizontal_scroll(page)
        screenshot(page, "item-vi-cloned-code")
    finally:
        app_services(site.app).reconfigure(scan_warning_after=before)
        site.sql("DELETE FROM certifications WHERE code = 'CL-HC-01'")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_walked_up_page_takes_a_report_of_a_fake(scratch_site, phone, screenshot, js):
    """An unknown lot of a known product: the product's page, with the warning and the same
    report form as the 404 page had (same POST /report-fake, same fields)."""
    page = phone("vi", js=js)
    open_page(page, scratch_site.url(UNKNOWN_LOT), 200)
    expect(page.locator("[data-testid=no-record]")).to_be_visible()
    form = page.locator("[data-testid=report-fake] form")
    expect(form).to_be_visible()
    assert form.get_attribute("action") == "/report-fake"
    assert_no_horizontal_scroll(page)
    screenshot(page, "unknown-lot-report")
    form.locator("input[name=where]").fill("Chợ Đông Hà")
    form.locator("textarea[name=note]").fill("Bao bì mờ, không có tem")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=reported]")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "report-fake-thanks")
    stored = scratch_site.sql("SELECT code, where_bought FROM fake_reports "
                              "WHERE note = 'Bao bì mờ, không có tem'")
    assert (UNKNOWN_LOT, "Chợ Đông Hà") in [tuple(r) for r in stored]

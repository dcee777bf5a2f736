"""An error declaration on the consumer page, in a real browser at 360 px: the cooperative
declares one of the pepper's harvests did not occur; the page keeps it, struck out, says so in
Vietnamese and English, and still reads verified once the declaration is anchored. Screenshots
go to test-artifacts/screenshots/."""

from __future__ import annotations

import json

import orjson
import pytest

from tests.e2e.live_site import ANCHOR_SETTINGS, LiveSite
from tests.e2e.test_consumer_page import (
    HARVEST,
    PEPPER,
    assert_no_horizontal_scroll,
    nfc,
    open_page,
    verdict_status,
)
from tracechain.api.resolver import AnswerCache
from tracechain.app_services import app_services
from tracechain.services.anchoring.anchorer import anchor_pending

try:
    from playwright.sync_api import expect
except ImportError:
    expect = None


@pytest.fixture(scope="module")
def corrected_site(browser, tmp_path_factory):
    """A live demo of its own (a declaration is final: no other test should see it), with one
    pepper harvest declared ``did_not_occur`` by the cooperative that recorded it, anchored."""
    site = LiveSite.start(tmp_path_factory.mktemp("e2e-corrections"))
    try:
        [(event_id, body, context)] = site.sql(
            "SELECT e.event_id, e.body, c.body FROM events e "
            "JOIN document_contexts c ON c.id = e.context_id "
            "JOIN event_objects o ON o.event_pk = e.id WHERE o.uri = :uri "
            "AND e.event_type = 'ObjectEvent' AND e.biz_step LIKE '%commissioning'",
            uri=f"https://id.gs1.org/01/{HARVEST[0]}/10/{HARVEST[1]}")
        event = orjson.loads(body)
        event["eventID"] = event_id
        event["errorDeclaration"] = {"declarationTime": "2025-03-20T09:00:00.000+07:00",
                                     "reason": "did_not_occur"}
        doc = {"@context": orjson.loads(context), "type": "EPCISDocument",
               "schemaVersion": "2.0", "creationDate": "2025-03-20T09:00:00.000+07:00",
               "epcisBody": {"eventList": [event]}}
        r = site.app.test_client().post(
            "/epcis/capture", data=json.dumps(doc), content_type="application/ld+json",
            headers={"Authorization": f"Bearer {site.token('Cam Lộ')}"})
        assert r.status_code == 202 and r.get_json()["success"], r.get_json()
        report = anchor_pending(site.uow, site.chain, ANCHOR_SETTINGS, force=True,
                                keyring=app_services(site.app).keyring)
        assert report.events_anchored == 1, report
        app_services(site.app).resolver_cache = AnswerCache()
        site.declared = event_id
        yield site
    finally:
        site.stop()


@pytest.mark.parametrize("lang, words", [
    ("vi", "Bước này đã không diễn ra"), ("en", "This step did not happen")])
def test_a_harvest_that_did_not_occur_is_struck_out(corrected_site, phone, screenshot,
                                                    lang, words):
    page = phone(lang)
    open_page(page, corrected_site.url(PEPPER.path))
    assert verdict_status(page) == "verified"
    note = page.locator("[data-testid=corrected-step]")
    expect(note).to_have_count(1)
    expect(note).to_be_visible()
    assert words in nfc(note.inner_text())
    assert note.get_attribute("data-reason") == "did_not_occur"
    struck = page.locator("ol.timeline li.struck")
    expect(struck).to_have_count(1)
    expect(struck.locator(".step s")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, f"pepper-{lang}-harvest-did-not-occur")

"""A serialised item's page: its lot's story, its own minting, and how often it was scanned."""

from __future__ import annotations

import json
import re
from datetime import datetime

from tracechain.app_services import app_services
from tracechain.domain.serials import new_serial
from tracechain.domain.step_events import CONTEXT_WITH_MDA, document, item_commissioning_event
from tracechain.services.cooperative.step_recording import VIETNAM

from .conftest import PEPPER
from .test_resolver import PEPPER_STEPS, steps, verdict

PEPPER_LOT = "08936101000217/QT25-G550-01"


def mint(demo, count: int) -> list[str]:
    """Serialised items of the graded pepper, which the exporter holds. Only the GTIN's owner
    (the processor, which no longer holds the lot) may mint them through the API, and the
    exporter may not (not its product): the operator records them on its behalf."""
    auth = {"Authorization": f"Bearer {demo.token('Xuất nhập khẩu')}"}
    refused = demo.client.post(f"/api/v1/lots/{PEPPER_LOT}/serials", json={"count": count},
                               headers=auth)
    assert refused.status_code == 403, refused.get_json()
    assert "another organisation's product" in refused.get_json()["message"]
    serials = [new_serial() for _ in range(count)]
    items = [f"https://id.gs1.org/01/08936101000217/21/{s}" for s in serials]
    event = item_commissioning_event(items, "QT25-G550-01", datetime.now(VIETNAM), gln=None)
    r = demo.client.post("/epcis/capture", headers={
        "Authorization": f"Bearer {demo.token('admin')}"}, content_type="application/ld+json",
        data=json.dumps(document(event, datetime.now(VIETNAM), CONTEXT_WITH_MDA)))
    assert r.status_code == 202 and r.get_json()["success"], r.get_json()
    return serials


def test_an_item_tells_its_lots_story_and_its_own(anchored, chain):
    [serial] = mint(anchored, 1)
    anchored.anchor(chain)
    r = anchored.get(f"/01/08936101000217/21/{serial}", "en")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert steps(html) == [*PEPPER_STEPS, "serialising"]
    assert verdict(html) == "verified"
    assert f"Item {serial} of lot QT25-G550-01" in html
    assert "/api/v1/public/lots/08936101000217/QT25-G550-01/audit-pack" in html
    summary = anchored.client.get(f"/gtin/8936101000217/ser/{serial}",
                                  headers={"Accept": "application/json"}).get_json()
    assert summary["lot"]["serial"] == serial and summary["lot"]["lot"] == "QT25-G550-01"


PHONE = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1"}


def _scans(demo, url: str) -> dict:
    return demo.client.get(url, headers={"Accept": "application/json"}).get_json()["scans"]


def _tone(html: str) -> str:
    return re.search(r'data-testid="verdict" data-status="\w+" data-tone="(\w+)"', html).group(1)


def test_distinct_scanners_are_counted_and_a_cloned_code_is_called_out(anchored, chain):
    app_services(anchored.app).reconfigure(scan_warning_after=3)
    [serial, other] = mint(anchored, 2)
    anchored.anchor(chain)
    url = f"/01/08936101000217/21/{serial}"
    first = anchored.get(url, "en", **PHONE)
    html = first.get_data(as_text=True)
    assert 'data-testid="scan-info"' in html and "in the last 30 days: 1" in html
    assert 'data-testid="scan-warning"' not in html and _tone(html) == "ok"
    assert html.count('data-testid="verdict"') == 1  # one of the two cached headlines
    # Not scans: HEAD, OPTIONS, the linkset, JSON, a revalidation, bots, scripts, prefetches.
    anchored.client.head(url, headers=PHONE)
    anchored.client.options(url, headers=PHONE)
    anchored.client.get(url + "?linkType=all", headers=PHONE)
    assert anchored.get(url, "en", **PHONE, **{"If-None-Match": first.headers["ETag"]}
                        ).status_code in (200, 304)
    for agent in ("facebookexternalhit/1.1", "WhatsApp/2.23.20.0", "Slackbot-LinkExpanding 1.0",
                  "TelegramBot (like TwitterBot)", "Mozilla/5.0 (compatible; Discordbot/2.0)",
                  "Mozilla/5.0 (compatible; Googlebot/2.1)", "curl/8.5.0", ""):
        anchored.get(url, "en", **{"User-Agent": agent})
    anchored.get(url, "en", **PHONE, **{"Sec-Purpose": "prefetch"})
    seen = _scans(anchored, url)
    assert (seen["count"], seen["scanners"]) == (1, 1)
    assert seen["firstAt"].endswith("+07:00")  # the lot's zone, not UTC
    # One phone scanning its bag all day is one scanner: no warning.
    for _ in range(30):
        anchored.get(url, "en", **PHONE)
    assert (_scans(anchored, url)["count"], _scans(anchored, url)["scanners"]) == (31, 1)
    # Four more people, each on their own network: a cloned label.
    for i in range(4):
        anchored.client.get(url, headers={**PHONE, "Accept-Language": "en"},
                            environ_overrides={"REMOTE_ADDR": f"10.1.0.{i}"})
    html = anchored.get(url, "en", **PHONE).get_data(as_text=True)
    assert 'data-testid="scan-warning"' in html and "5 different people" in html
    assert _tone(html) == "caution" and 'data-caution="cloned-code"' in html
    summary = anchored.client.get(url, headers={"Accept": "application/json"}).get_json()
    assert summary["verdict"]["headline"]["cautions"] == ["cloned-code"]
    assert summary["verdict"]["status"] == "verified"  # the records are still intact
    # Nothing about who scanned is kept: keyed hashes that change every day.
    rows = anchored.sql("SELECT * FROM scan_visitors")
    assert rows and all(len(r) == 4 for r in rows)
    assert not any("10.1.0" in str(r) or "iPhone" in str(r) for r in rows)
    # The other item, and the lot itself, are not counted.
    assert "in the last 30 days: 1" in anchored.get(
        f"/01/08936101000217/21/{other}", "en", **PHONE).get_data(as_text=True)
    assert 'data-testid="scan-info"' not in anchored.get(PEPPER).get_data(as_text=True)


def test_one_client_rotating_its_browser_name_cannot_make_a_code_look_cloned(anchored):
    app_services(anchored.app).reconfigure(scan_warning_after=3)
    [serial] = mint(anchored, 1)
    url = f"/01/08936101000217/21/{serial}"
    for i in range(40):
        anchored.get(url, "en", **{"User-Agent": f"Mozilla/5.0 (Android 14; Pixel {i})"})
    seen = _scans(anchored, url)
    assert seen["count"] == 40 and seen["scanners"] == 3 and not seen["warn"]
    assert 'data-testid="scan-warning"' not in anchored.get(url, "en", **PHONE).get_data(
        as_text=True)


def test_scanners_older_than_the_window_are_forgotten(anchored):
    app_services(anchored.app).reconfigure(scan_warning_after=3)
    [serial] = mint(anchored, 1)
    url = f"/01/08936101000217/21/{serial}"
    anchored.get(url, "en", **PHONE)
    [(lot_id,)] = anchored.sql("SELECT id FROM lots WHERE code = :s", s=serial)
    for i in range(10):  # ten people, forty days ago
        anchored.sql("INSERT INTO scan_visitors (lot_id, day, visitor, network) "
                     "VALUES (:l, :d, :v, :n)", l=lot_id, d="2020-01-01", v=f"v{i}", n=f"n{i}")
    assert _scans(anchored, url)["scanners"] == 1 and not _scans(anchored, url)["warn"]
    anchored.get(url, "en", **PHONE)  # a counted scan also drops them
    assert anchored.sql("SELECT count(*) FROM scan_visitors WHERE lot_id = :l",
                        l=lot_id) == [(1,)]

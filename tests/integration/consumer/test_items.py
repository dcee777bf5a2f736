"""A serialised item's page: its lot's story, its own minting, and how often it was scanned."""

from __future__ import annotations

import json
import re
from datetime import datetime

from tracechain.domain.serials import new_serial
from tracechain.domain.step_events import CONTEXT_WITH_MDA, document, item_commissioning_event
from tracechain.services.step_support import VIETNAM

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


def test_scans_are_counted_and_a_cloned_code_is_called_out(anchored):
    anchored.app.config["SCAN_WARNING_AFTER"] = 3
    [serial, other] = mint(anchored, 2)
    url = f"/01/08936101000217/21/{serial}"
    first = anchored.get(url, "en").get_data(as_text=True)
    assert 'data-testid="scan-info"' in first and "scans so far: 1" in first
    assert 'data-testid="scan-warning"' not in first
    anchored.client.head(url)  # a HEAD, an OPTIONS or a linkset is not a scan
    anchored.client.options(url)
    anchored.client.get(url + "?linkType=all")
    assert anchored.client.get(url, headers={"Accept": "application/json"}).get_json()[
        "scans"]["count"] == 2
    anchored.get(url)
    html = anchored.get(url, "en").get_data(as_text=True)
    assert 'data-testid="scan-warning"' in html
    assert re.search(r"scanned 4 times", html)
    # Nothing about who scanned is kept: a count and two times per item.
    columns = anchored.sql("SELECT * FROM scan_counts WHERE lot_id = "
                           "(SELECT id FROM lots WHERE code = :s)", s=serial)
    assert len(columns) == 1 and len(columns[0]) == 4 and columns[0][1] == 4
    # The other item, and the lot itself, are not counted.
    assert "scans so far: 1" in anchored.get(f"/01/08936101000217/21/{other}", "en").get_data(
        as_text=True)
    assert 'data-testid="scan-info"' not in anchored.get(PEPPER).get_data(as_text=True)

"""Times in the lot's zone: each step in its event's own offset, a harvest on its harvest date."""

from __future__ import annotations

import orjson

from tests.integration.epcis_docs import BERRIES, PEPPER, document, drying, harvest
from tests.support.cooperative import auth, coop

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is how
# times are written on the page.
DATABASES = ("sqlite",)


def test_a_harvest_recorded_a_day_late_keeps_its_harvest_date(client, actions):
    farm = coop(client, actions, "HTX Cam Lộ")
    berries = farm.product("pepper_berries")
    farm.harvest(farm.plot(), berries, "LATE", harvestDate="2025-03-01",
                 eventTime="2025-03-02T09:00:00.000+07:00")
    html = client.get(f"/01/{berries}/10/LATE", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    timeline = html[html.index('data-testid="timeline"'):html.index("</ol>")]
    assert "Mar 1, 2025" in timeline and "Mar 2, 2025" not in timeline
    [step] = client.get(f"/01/{berries}/10/LATE",
                        headers={"Accept": "application/json"}).get_json()["journey"]
    assert step["date"] == "2025-03-01" and step["time"].endswith("+07:00")


def test_an_event_sent_in_utc_reads_in_its_own_offset(client, actions):
    farm = coop(client, actions, "HTX Cam Lộ")
    farm.post("products", {"gtin": BERRIES, "kind": "pepper_berries", "nameVi": "Tiêu tươi",
                           "nameEn": "Fresh pepper"})
    late_night = drying([("H1", 300)], ("D1", 100), when="2025-02-19T18:30:00.000Z")
    r = client.post("/epcis/capture", data=orjson.dumps(document(harvest("H1"), late_night)),
                    headers={**auth(farm.token), "Content-Type": "application/ld+json"})
    assert r.get_json()["success"] is True, r.get_json()
    summary = client.get(f"/01/{PEPPER}/10/D1", headers={"Accept": "application/json"})
    assert summary.status_code == 200
    dried = summary.get_json()
    assert dried["lot"]["timeZone"] == "+07:00"
    steps = {s["step"]: s for s in dried["journey"]}
    assert steps["drying"]["time"] == "2025-02-20T01:30:00+07:00"  # the 20th in Vietnam
    assert steps["harvesting"]["date"] == "2025-02-10"

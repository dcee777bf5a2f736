"""A lot blended from many harvests: the page stays short and light."""

from __future__ import annotations

import re

from tests.support.cooperative import coop
from tracechain.present.consumer_page import DETAILS_LIMIT


def test_forty_harvests_read_as_one_step_and_the_details_stop_at_the_limit(client, actions):
    a = coop(client, actions, "HTX Hồ tiêu Vĩnh Linh")
    berries, black = a.product("pepper_berries"), a.product("black_pepper")
    plot = a.plot()
    lots = [f"H{i:02d}" for i in range(40)]
    for lot in lots:
        a.harvest(plot, berries, lot, 100)
    a.transform("drying", [(berries, lot, 100) for lot in lots], [(black, "BLEND-1", 1400)])
    r = client.get(f"/01/{black}/10/BLEND-1", headers={"Accept-Language": "en"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert re.findall(r'data-step="([\w-]+)"(?: data-count="(\d+)")?', html) == [
        ("harvesting", "40"), ("drying", "")]
    assert "40 times" in html and "4,000 kg" in html
    assert html.count('class="ev"') == DETAILS_LIMIT
    assert f"and {41 - DETAILS_LIMIT} more records" in html
    assert len(r.data) < 100_000
    summary = client.get(f"/01/{black}/10/BLEND-1", headers={"Accept": "application/json"})
    assert len(summary.get_json()["journey"]) == 41  # the JSON keeps every step

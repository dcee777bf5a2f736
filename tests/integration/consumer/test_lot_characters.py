"""Lot numbers with any character GS1 allows in AI (10) resolve, however they were captured and
however the QR code spells them; a lot no QR code could carry is refused at capture."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests.integration.epcis_docs import BERRIES, document, harvest, lot_uri
from tests.support.cooperative import coop

ODD = "A+B,(C)!*;=&':"  # 14 characters, every one of them in GS1's set 82
ENCODED = quote(ODD, safe="")
LOWER_HEX = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), ENCODED)


def _capture(client, token, doc):
    return client.post("/epcis/capture", json=doc, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/ld+json"})


def _summary(client, path: str):
    return client.get(path, headers={"Accept": "application/json"})


@pytest.mark.parametrize("spelling", [ODD, ENCODED, LOWER_HEX])
def test_a_lot_captured_through_epcis_resolves_under_every_spelling(client, actions, spelling):
    org = actions.org("HTX Cam Lộ")
    token = actions.token("member", org)
    event = harvest("x")
    event["quantityList"][0]["epcClass"] = lot_uri(BERRIES, spelling)
    assert _capture(client, token, document(event)).status_code == 202
    for path in (f"/01/{BERRIES}/10/{ENCODED}", f"/01/{BERRIES}/10/{ODD}",
                 f"/01/{BERRIES}/10/{LOWER_HEX}"):
        r = _summary(client, path)
        assert r.status_code == 200, (path, r.get_json())
        assert r.get_json()["lot"]["lot"] == ODD
    assert client.get(f"/01/{BERRIES}/10/{ENCODED}").status_code == 200  # the page


def test_a_lot_with_a_slash_from_the_cooperative_api_resolves(client, actions):
    member = coop(client, actions, "HTX Cam Lộ")
    berries = member.product("pepper_berries")
    member.harvest(member.plot(), berries, "QT:25/01(a)")
    r = _summary(client, f"/01/{berries}/10/{quote('QT:25/01(a)', safe='')}")
    assert r.status_code == 200 and r.get_json()["lot"]["lot"] == "QT:25/01(a)"


def test_a_21_character_lot_is_refused_at_capture_and_nothing_is_stored(client, actions):
    """Through the EPCIS binding a business rule fails the capture job (202, ``success``
    false, as the binding does for every rule); the cooperative API answers 400."""
    org = actions.org("HTX Cam Lộ")
    token = actions.token("member", org)
    r = _capture(client, token, document(harvest("L" * 21)))
    job = r.get_json()
    assert job["success"] is False
    [error] = job["errors"]
    assert error["path"] == "$.epcisBody.eventList[0].quantityList[0].epcClass"
    assert "at most 20" in error["message"]
    assert _summary(client, f"/01/{BERRIES}/10/{'L' * 20}").status_code == 404
    member = coop(client, actions, "HTX Cam Lộ 2")
    refused = member.harvest(member.plot(), member.product("pepper_berries"), "L" * 21,
                             expect=400)
    assert refused["errors"][0]["path"] == "$.lot" and "20" in refused["errors"][0][
        "message"]

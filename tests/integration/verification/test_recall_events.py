"""A recall's EPCIS event is verified like any event: sealed with the recording organisation's
custodial key, anchored, and an edit of its row in the database reads as the failure it is."""

from __future__ import annotations

import copy
from urllib.parse import quote

from tests.integration.epcis_docs import BERRIES, PEPPER, lot_uri
from tests.integration.verification.conftest import with_verification_api

REASON = "Salmonella found in the retained sample"


def _recall_event_id(w) -> str:
    [(event_id,)] = w.sql("SELECT event_id FROM events WHERE notice")
    return event_id


def test_a_recall_event_verifies_once_anchored_and_an_edited_one_does_not(world):
    w = world
    r = w.client.post(f"/api/v1/lots/{BERRIES}/{w.h1}/recall", json={"reason": REASON},
                      headers=w.actions.auth(w.t_coop))
    assert r.status_code == 201, r.json
    w.ids["recall"] = _recall_event_id(w)
    body = w.body("recall")
    assert body["disposition"] == "recalled" and body["action"] == "OBSERVE"
    # The harvest, and the dried lot made from it, are named.
    assert [q["epcClass"] for q in body["quantityList"]] == [
        lot_uri(BERRIES, w.h1), lot_uri(PEPPER, w.product)]
    assert w.status("recall") == "pending"
    w.register_signers()
    w.anchor()
    assert w.status("recall", fresh=True) == "verified"
    # A stranger reads the public notice, and may check it; not the harvest it names.
    with_verification_api(w.app)
    stranger = w.actions.auth(w.t_stranger)
    r = w.client.get("/api/v1/verify/event/" + quote(w.ids["recall"], safe=""),
                     headers=stranger)
    assert r.status_code == 200 and r.json["status"] == "verified", r.json
    assert w.client.get("/api/v1/verify/event/" + quote(w.ids["h1"], safe=""),
                        headers=stranger).status_code == 404
    checks = {c.name for c in w.verdict("recall").verdict.checks}
    assert {"hash", "signature", "signer", "anchor"} <= checks
    # Forged: the recall's disposition changed in the database (a recall turned harmless).
    forged = copy.deepcopy(body)
    forged["disposition"] = "conformant"
    w.set_body("recall", forged)
    assert w.status("recall") == "altered"
    w.set_body("recall", body)
    assert w.status("recall") == "verified"

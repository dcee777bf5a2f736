"""An event captured in GS1's simple context before issue #10's hash fix keeps verifying.

Before the fix, a simple-context document was hashed with the full context's vocabulary (a
sensor exception ALARM_CONDITION became https://gs1.org/voc/ALARM_CONDITION in the pre-hash);
now it follows the simple context (the bare word stays). Capture under the old rules is
simulated by hashing with ``legacy_vocabulary``; the stored, sealed hash is then anchored and
verified, and an edit of the stored body still reads altered (docs/XML_AND_HASH.md).
"""

from __future__ import annotations

import copy
import json

from tests.integration.epcis_docs import harvest
from tracechain.hash import HashContext, hash_document
from tracechain.services.epcis import capture as capture_service

SIMPLE = "https://gs1.github.io/EPCIS/epcis-context-simple.jsonld"


def _sensed_harvest(lot: str) -> dict:
    event = harvest(lot)
    event["sensorElementList"] = [{"sensorReport": [
        {"type": "Temperature", "value": 41.5, "uom": "CEL", "exception": "ALARM_CONDITION"}]}]
    return event


def _simple_document(event: dict) -> dict:
    return {"@context": [SIMPLE, {"tc": "https://ns.tracechain.dev/epcis/"}],
            "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2025-03-01T08:00:00.000+07:00",
            "epcisBody": {"eventList": [event]}}


class _RulesBeforeTheFix:
    """HashContext as capture used it before the fix: the full context's words, always."""

    @staticmethod
    def from_document(doc, **kw):
        return HashContext.from_document(doc, legacy_vocabulary=True, **kw)


def test_a_hash_stored_by_the_old_rules_is_anchored_and_verified(world, monkeypatch):
    doc = _simple_document(_sensed_harvest(f"S{world.suffix}"))
    [old] = hash_document(doc, legacy_vocabulary=True)
    [new] = hash_document(doc)
    assert old.id != new.id and "exception=https://gs1.org/voc/ALARM_CONDITION" in old.prehash

    monkeypatch.setattr(capture_service, "HashContext", _RulesBeforeTheFix)
    r = world.client.post("/epcis/capture", data=json.dumps(doc),
                          content_type="application/json",
                          headers=world.actions.auth(world.t_coop))
    monkeypatch.undo()
    assert r.status_code == 202 and r.json["success"], r.json
    [(event_id, stored_hash)] = world.sql(
        "SELECT event_id, event_hash FROM events ORDER BY id DESC LIMIT 1")
    assert stored_hash == old.id  # what the old rules stored, and sealed
    world.ids["old"] = event_id

    world.register_signers()
    world.anchor()  # the anchorer re-checks the pending hash: by the old rules it matches
    assert world.status("old") == "verified"
    verdict = world.verdict("old").verdict
    assert [c.name for c in verdict.checks] == ["hash", "signature", "signer", "anchor"]

    # An edit of what is stored still reads altered: neither rule gives the stored hash.
    body = world.body("old")
    edited = copy.deepcopy(body)
    edited["sensorElementList"][0]["sensorReport"][0]["value"] = 21.5
    world.set_body("old", edited)
    assert world.status("old") == "altered"
    world.set_body("old", body)
    assert world.status("old") == "verified"

"""The verification API: proofs, verdicts and audit packs over HTTP, and who may see them."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.integration.epcis_docs import BERRIES, PEPPER
from tracechain.app_services import app_services
from tracechain.domain.merkle import event_hash_bytes, verify


def get(w, path: str, token: str | None, **query):
    headers = w.actions.auth(token) if token else {}
    return w.client.get(path, query_string=query, headers=headers)


def event_path(w, kind: str, name: str) -> str:
    event_id = quote(w.ids[name], safe="")
    return f"/api/v1/events/{event_id}/proof" if kind == "proof" else \
        f"/api/v1/verify/event/{event_id}"


def test_proof_holds_everything_to_check_an_event_and_verifies_on_chain(anchored):
    w = anchored
    r = get(w, event_path(w, "proof", "dry"), w.t_inspector)
    assert r.status_code == 200, r.json
    p = r.json
    assert p["eventID"] == w.ids["dry"] == p["eventHash"] == p["event"]["eventID"]
    assert p["prehash"] and p["signer"] == w.signing_address(w.coop)
    assert p["organisation"]["gln"] == w.coop["gln"]
    a = p["anchor"]
    assert a["status"] == "confirmed" and a["leafCount"] == 6 and a["leafIndex"] == 2
    assert a["txHash"].startswith("0x") and a["blockNumber"] and a["blockTime"]
    assert a["contract"] == w.chain.address and a["chainId"] == w.chain.chain_id
    root, leaf = bytes.fromhex(a["root"][2:]), event_hash_bytes(p["eventHash"])
    proof = [bytes.fromhex(x[2:]) for x in a["proof"]]
    assert p["leaf"] == "0x" + leaf.hex()
    assert verify(root, leaf, proof)
    assert w.chain.verify_event(root, leaf, proof)  # TraceAnchor.verifyEvent agrees


def test_verdicts_of_an_event_and_a_lot(anchored):
    w = anchored
    r = get(w, event_path(w, "verify", "h1"), w.t_coop)
    assert r.status_code == 200, r.json
    assert r.json["status"] == "verified" and r.json["fresh"] is False
    assert [c["check"] for c in r.json["checks"]] == ["hash", "signature", "signer", "anchor"]
    r = get(w, event_path(w, "verify", "h1"), w.t_coop, fresh=1)
    assert r.json["status"] == "verified" and r.json["fresh"] is True
    assert "checked on chain just now" in r.json["reason"]

    r = get(w, f"/api/v1/verify/lot/{PEPPER}/{w.product}", w.t_exporter, direction="both")
    assert r.status_code == 200, r.json
    assert r.json["status"] == "verified" and r.json["counts"] == {"verified": 5}
    assert r.json["lot"] == {"gtin": PEPPER, "lot": w.product,
                             "uri": f"https://id.gs1.org/01/{PEPPER}/10/{w.product}"}

    # Someone edits a harvest record in the database: the consumer's lot turns red.
    event = w.body("h1")
    event["quantityList"][0]["quantity"] = 900
    w.set_body("h1", event)
    r = get(w, f"/api/v1/verify/lot/{PEPPER}/{w.product}", w.t_inspector)
    assert r.json["status"] == "altered" and w.ids["h1"] in r.json["reason"]
    assert r.json["counts"] == {"altered": 1, "verified": 4}


def test_who_may_verify(anchored):
    w = anchored
    lot = f"/api/v1/verify/lot/{BERRIES}/{w.h1}"
    pack = f"/api/v1/lots/{BERRIES}/{w.h1}/audit-pack"
    for path in (event_path(w, "proof", "h1"), event_path(w, "verify", "h1"), lot, pack):
        assert get(w, path, None).status_code == 401
        assert get(w, path, w.t_inspector).status_code == 200, path
        assert get(w, path, w.t_coop).status_code == 200, path
    # The exporter received what h1 became: it takes part in the lineage forward of h1.
    assert get(w, event_path(w, "verify", "h1"), w.t_exporter).status_code == 200
    assert get(w, lot, w.t_exporter, direction="forward").status_code == 200
    assert get(w, lot, w.t_exporter).status_code == 403  # h1's past is the cooperative's alone
    assert get(w, event_path(w, "verify", "h1"), w.t_stranger).status_code == 404
    assert get(w, event_path(w, "proof", "h1"), w.t_stranger).status_code == 404
    assert get(w, lot, w.t_stranger).status_code == 403
    assert get(w, pack, w.t_stranger).status_code == 403
    assert get(w, f"/api/v1/verify/lot/{PEPPER}/nope", w.t_inspector).status_code == 404
    assert get(w, "/api/v1/verify/event/urn:uuid:nope", w.t_inspector).status_code == 404
    assert get(w, lot, w.t_inspector, direction="sideways").status_code == 400


def test_audit_pack_is_a_download_with_every_event_of_the_lineage(anchored):
    w = anchored
    r = get(w, f"/api/v1/lots/{PEPPER}/{w.product}/audit-pack", w.t_inspector)
    assert r.status_code == 200, r.json
    assert r.headers["Content-Disposition"] == (
        f'attachment; filename="audit-pack-{PEPPER}-{w.product}.json"')
    pack = r.json
    assert (pack["format"], pack["version"], pack["view"]) == ("tracechain-audit-pack", 2,
                                                              "full")
    assert pack["generatedAt"].endswith("Z")
    assert pack["chains"] == [{"chainId": w.chain.chain_id, "contract": w.chain.address}]
    doc = pack["epcisDocument"]
    assert doc["type"] == "EPCISDocument" and doc["@context"][0].startswith("https://ref.gs1.org")
    ids = [e["eventID"] for e in doc["epcisBody"]["eventList"]]
    assert sorted(ids) == sorted(w.ids.values())
    assert [e["eventID"] for e in pack["events"]] == ids
    for entry in pack["events"]:
        seal = pack["captures"][entry["seal"]["capture"]]
        assert seal["signature"] and entry["organisation"]["gln"] == seal["organisation"]
        assert entry["anchor"]["proof"] is not None and entry["anchor"]["root"]
        assert entry["@context"] == doc["@context"]
    assert pack["state"]["stateRoot"] and pack["state"]["leafProof"] is not None
    histories = {lot["uri"]: lot["history"] for lot in pack["lots"]}
    assert len(histories) == 3 and all(histories.values())


def test_the_public_pack_withholds_the_events_content(anchored):
    w = anchored
    r = w.client.get(f"/api/v1/public/lots/{PEPPER}/{w.product}/audit-pack")
    assert r.status_code == 200
    pack = r.json
    assert pack["view"] == "public" and "epcisDocument" not in pack
    text = r.get_data(as_text=True)
    assert "bizTransaction" not in text and "quantity" not in text and "prehash" not in text
    assert all(set(e["view"]) <= {"type", "action", "bizStep", "eventTime",
                                  "eventTimeZoneOffset"} for e in pack["events"])


def test_without_a_chain_reader_answers_say_so(anchored):
    w = anchored
    app_services(w.app).chain_reader = None
    r = get(w, event_path(w, "verify", "h1"), w.t_inspector, fresh=1)
    assert r.json["status"] == "not-on-chain" and "no chain configured" in r.json["reason"]


def test_a_chain_out_of_reach_is_answered_honestly_not_with_an_error(anchored):
    from tracechain.anchor.wiring import LazyChainReader

    w = anchored
    # No node, no deployment under this VAR_DIR: the app's lazy reader cannot connect.
    app_services(w.app).chain_reader = LazyChainReader(app_services(w.app).settings.config)
    for fresh in (0, 1):
        r = get(w, event_path(w, "verify", "h1"), w.t_inspector, fresh=fresh)
        assert r.status_code == 200, r.json
        assert r.json["status"] == "not-on-chain" and "could not be asked" in r.json["reason"]
    r = get(w, f"/api/v1/verify/lot/{PEPPER}/{w.product}", w.t_inspector)
    assert r.status_code == 200 and r.json["status"] == "not-on-chain"


@pytest.mark.parametrize("name", ["h1", "receive"])
def test_pending_before_anchoring_over_http(world, name):
    r = get(world, event_path(world, "verify", name), world.t_inspector)
    assert r.status_code == 200 and r.json["status"] == "pending"

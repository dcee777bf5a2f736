"""Verification of a real lineage: pending, then verified once anchored; then each kind of edit
made directly in the database reads as the failure it is, and only for the event edited."""

from __future__ import annotations

import copy
import os

from eth_account import Account

from tests.integration.epcis_docs import BERRIES, PEPPER, harvest, lot_uri
from tracechain.hash import hash_document
from tracechain.services.verification.evidence import one_event_document
from tracechain.services.verification.verdicts import VerificationCaches
from tracechain.sign.signatures import sign_event_hash

ALL = ("h1", "h2", "dry", "ship", "receive")


def only(changed: dict[str, str]) -> dict[str, str]:
    """Every event verified except those named."""
    return {name: changed.get(name, "verified") for name in ALL}


def test_pending_until_anchored_then_verified(world):
    assert world.statuses() == {name: "pending" for name in ALL}
    assert world.lot_status(PEPPER, world.product) == "pending"
    world.register_signers()
    world.anchor()
    assert world.statuses() == only({})
    assert world.statuses(fresh=True) == only({})
    for direction in ("back", "forward", "both"):
        assert world.lot_status(PEPPER, world.product, direction=direction) == "verified"
    assert world.lot_status(BERRIES, world.h1, fresh=True, direction="both") == "verified"
    checks = {c.name: c for c in world.verdict("h1", fresh=True).verdict.checks}
    assert set(checks) == {"hash", "signature", "signer", "anchor"}
    assert "checked on chain just now" in checks["anchor"].reason


BODY_EDITS = {
    "a value": lambda e: e.update(disposition="inactive"),
    "a quantity": lambda e: e["quantityList"][0].update(quantity=5000),
    "a time": lambda e: e.update(eventTime="2025-02-11T07:30:00.000+07:00"),
    "an ilmd value": lambda e: e["ilmd"].update({"tc:variety": "Lộc Ninh"}),
    "an identifier": lambda e: e["quantityList"][0].update(epcClass=lot_uri(BERRIES, "X1")),
    "a removed member": lambda e: e.pop("disposition"),
}


def test_every_kind_of_body_edit_reads_altered_and_turns_the_lineage_red(anchored):
    w = anchored
    original = w.body("h1")
    for kind, edit in BODY_EDITS.items():
        event = copy.deepcopy(original)
        edit(event)
        w.set_body("h1", event)
        assert w.statuses() == only({"h1": "altered"}), kind
        verdict = w.verdict("h1").verdict
        assert verdict.checks[0].code == "hash-mismatch" and "changed" in verdict.reason, kind
        assert w.lot_status(PEPPER, w.product) == "altered", kind  # downstream of h1
        assert w.lot_status(BERRIES, w.h2) == "verified", kind  # h1 is not in h2's past
        w.set_body("h1", original)
    assert w.statuses() == only({})


def test_an_edited_hash_or_prehash_reads_altered_and_spares_its_batch_mates(anchored):
    w = anchored
    stored = w.column("h1", "event_hash")
    w.set_column("h1", "event_hash", "ni:///sha-256;" + "1" * 64 + "?ver=CBV2.0")
    # A cold cache: the batch's tree is rebuilt from the events themselves.
    assert w.statuses() == only({"h1": "altered"})
    w.set_column("h1", "event_hash", stored)
    prehash = w.column("h1", "prehash")
    w.set_column("h1", "prehash", prehash + " ")
    assert w.statuses() == only({"h1": "altered"})
    assert w.verdict("h1").verdict.checks[0].code == "prehash-mismatch"


def test_a_consistently_rewritten_record_reads_altered(anchored):
    w = anchored
    warm = VerificationCaches()
    assert w.statuses(caches=warm) == only({})  # the batch's verified tree is now cached
    event = w.body("h1")
    event["quantityList"][0]["quantity"] = 5000
    [context] = w.sql("SELECT d.body FROM document_contexts d JOIN events e "
                      "ON e.context_id = d.id WHERE e.event_id = :e", e=w.ids["h1"])
    import orjson

    [new] = hash_document(one_event_document(event, orjson.loads(context[0])))
    w.set_body("h1", event)
    w.sql("UPDATE events SET event_hash = :h, prehash = :p WHERE event_id = :e",
          h=new.id, p=new.prehash, e=w.ids["h1"])
    rewritten = w.verdict("h1", caches=warm).verdict
    assert rewritten.status == "altered" and rewritten.checks[0].code == "rewritten"
    assert w.statuses(caches=warm) == only({"h1": "altered"})
    # The batch keeps its tree's values, so a cold cache proves the others all the same; the
    # rewritten hash breaks the histories of the lots the event names.
    assert w.statuses() == only({"h1": "altered"})
    assert w.lot_status(BERRIES, w.h1) == "altered"


def test_an_edited_seal_reads_bad_signature_or_unsigned(anchored):
    w = anchored
    [(capture,)] = w.sql("SELECT capture_id FROM events WHERE event_id = :e", e=w.ids["h1"])
    [(seal, signer)] = w.sql("SELECT seal_signature, seal_signer FROM capture_jobs "
                             "WHERE id = :c", c=capture)
    sealed = ("h1", "h2", "dry")  # captured in one document
    other = sign_event_hash(Account.create(), w.column("h1", "event_hash"))
    for value, code in ((other, "wrong-signer"), ("0x1234", "malformed")):
        w.sql("UPDATE capture_jobs SET seal_signature = :v WHERE id = :c", v=value, c=capture)
        assert w.statuses() == only(dict.fromkeys(sealed, "bad-signature")), value
        assert w.verdict("h1").verdict.checks[1].code == code
    w.sql("UPDATE capture_jobs SET seal_signature = NULL WHERE id = :c", c=capture)
    assert w.statuses() == only(dict.fromkeys(sealed, "unsigned"))
    w.sql("UPDATE capture_jobs SET seal_signature = :s, user_id = NULL WHERE id = :c", s=seal,
          c=capture)
    assert w.statuses() == only(dict.fromkeys(sealed, "bad-signature"))
    assert "capture's record" in w.verdict("h1").verdict.reason


def test_a_revoked_signer_reads_unknown_signer_when_the_chain_is_asked(anchored):
    w = anchored
    caches = VerificationCaches()
    assert w.statuses(caches=caches) == only({})
    w.chain.revoke_signer(w.signing_address(w.coop))
    # The registration was read moments ago: within its short cache time it stands...
    assert w.status("h1", caches=caches) == "verified"
    # ...and asking the chain now sees the revocation (and refreshes the cache).
    revoked = {n: "unknown-signer" for n in ("h1", "h2", "dry", "ship")}
    assert w.statuses(fresh=True, caches=caches) == only(revoked)
    assert w.statuses(caches=caches) == only(revoked)
    assert "revoked" in w.verdict("h1", fresh=True).verdict.reason


def test_unregistered_or_foreign_signers_read_unknown_signer(world):
    world.register_signers(world.coop)
    # The exporter's key is registered, but for another organisation.
    from tracechain.domain.identity import organisation_id_bytes

    world.chain.register_signer(world.signing_address(world.exporter),
                                organisation_id_bytes(world.stranger["gln"]))
    world.anchor()
    assert world.statuses() == only({"receive": "unknown-signer"})
    assert world.verdict("receive").verdict.checks[2].code == "other-organisation"


def test_a_signer_never_registered_reads_unknown_signer(world):
    world.anchor(register_signers=False)
    assert world.statuses() == {n: "unknown-signer" for n in ALL}
    assert "not registered" in world.verdict("h1").verdict.reason


def test_edited_batch_links_read_altered_and_spare_the_rest(anchored):
    w = anchored
    for column, value in (("batch_id", None), ("leaf_index", 0)):
        stored = w.column("dry", column)
        w.set_column("dry", column, value)
        assert w.statuses() == only({"dry": "altered"}), column
        w.set_column("dry", column, stored)
    # Both cleared: it looks unbatched, but its batch holds events before and after it.
    stored = w.column("dry", "batch_id"), w.column("dry", "leaf_index")
    w.sql("UPDATE events SET batch_id = NULL, leaf_index = NULL WHERE event_id = :e",
          e=w.ids["dry"])
    assert w.statuses() == only({"dry": "altered"})
    assert "link to its batch was removed" in w.verdict("dry").verdict.reason
    w.sql("UPDATE events SET batch_id = :b, leaf_index = :i WHERE event_id = :e",
          b=stored[0], i=stored[1], e=w.ids["dry"])
    assert w.statuses() == only({})


def test_an_event_moved_to_another_batch_reads_altered(anchored):
    w = anchored
    [later] = w.capture(w.t_coop, harvest(f"H3{w.suffix}"))
    w.anchor()
    w.ids["later"] = later
    [(first,)] = w.sql("SELECT batch_id FROM events WHERE event_id = :e", e=w.ids["dry"])
    [(second,)] = w.sql("SELECT batch_id FROM events WHERE event_id = :e", e=later)
    assert first != second
    w.set_column("dry", "batch_id", second)
    assert w.statuses() == {**only({"dry": "altered"}), "later": "verified"}


def test_an_edited_batch_root_or_leaf_count_reads_altered(anchored):
    w = anchored
    [(batch, root)] = w.sql("SELECT b.id, b.root FROM anchor_batches b JOIN events e "
                            "ON e.batch_id = b.id WHERE e.event_id = :e", e=w.ids["h1"])
    w.sql("UPDATE anchor_batches SET root = :r WHERE id = :b", r="0x" + os.urandom(32).hex(),
          b=batch)
    assert w.statuses() == {n: "altered" for n in ALL}
    assert w.statuses(fresh=True) == {n: "altered" for n in ALL}
    w.sql("UPDATE anchor_batches SET root = :r, leaf_count = 9 WHERE id = :b", r=root, b=batch)
    assert w.statuses() == {n: "altered" for n in ALL}
    assert "leaves" in w.verdict("h1").verdict.reason


def test_without_a_chain_nothing_reads_verified(world):
    assert world.status("h1", reader=None) == "pending"
    world.register_signers()
    world.anchor()
    verdict = world.verdict("h1", reader=None).verdict
    assert verdict.status == "not-on-chain" and "no chain configured" in verdict.reason
    assert world.verdict("h1", reader=None, fresh=True).verdict.status == "not-on-chain"


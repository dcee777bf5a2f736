"""What a database writer without the organisations' keys can do, and how each ends red: rows
written behind the capture's back are never signed nor anchored; deleted events, index rows and
lineage links break the lot histories the chain's lot state commits to; anchoring records that
differ from the chain read altered."""

from __future__ import annotations

import copy

import orjson
import pytest

from tests.integration.epcis_docs import BERRIES, PEPPER, harvest
from tracechain.hash import hash_document
from tracechain.services.verification.evidence import one_event_document


def _insert_copy(w, name: str, new_lot: str) -> str:
    """A new event written straight into the database, with a correct hash, as a forger would."""
    event = copy.deepcopy(w.body(name))
    event.pop("eventID", None)
    event["quantityList"][0]["epcClass"] = event["quantityList"][0]["epcClass"].replace(
        w.h1, new_lot)
    [(context, context_id, capture, org)] = w.sql(
        "SELECT d.body, e.context_id, e.capture_id, e.organisation_id FROM events e JOIN "
        "document_contexts d ON d.id = e.context_id WHERE e.event_id = :e", e=w.ids[name])
    [h] = hash_document(one_event_document(event, orjson.loads(context)))
    w.sql("INSERT INTO events (event_hash, event_id, event_type, event_time, record_time, body, "
          "prehash, context_id, capture_id, organisation_id) SELECT :h, :h, event_type, "
          "event_time, record_time, :b, :p, context_id, capture_id, organisation_id FROM events "
          "WHERE event_id = :e", h=h.id, b=orjson.dumps(event).decode(), p=h.prehash,
          e=w.ids[name])
    [(pk,)] = w.sql("SELECT id FROM events WHERE event_id = :h", h=h.id)
    w.sql("INSERT INTO event_objects (event_pk, role, uri) VALUES (:pk, 'epc_class', :u)",
          pk=pk, u=event["quantityList"][0]["epcClass"])
    return h.id


def test_a_row_written_behind_the_capture_is_never_signed_nor_anchored(anchored):
    w = anchored
    forged = _insert_copy(w, "h1", "FORGED")
    w.ids["forged"] = forged
    w.sql("INSERT INTO capture_jobs (id, running, success, error_behaviour, event_count, "
          "stored_count, errors, duplicates, created_at) SELECT :c, running, success, "
          "error_behaviour, 1, 1, errors, duplicates, created_at FROM capture_jobs "
          "WHERE id = :h", c="f" * 32, h=w.column("h1", "capture_id"))
    w.set_column("forged", "capture_id", "f" * 32)
    assert w.status("forged") == "unsigned"
    report = w.anchor()
    assert forged in report.refused and "no signature covers it" in report.refused[forged]
    assert w.column("forged", "batch_id") is None
    assert w.status("forged") == "unsigned"
    # Claiming a genuine capture does not help: its seal does not cover the forged hash.
    w.set_column("forged", "capture_id", w.column("h1", "capture_id"))
    assert w.status("forged") == "bad-signature"
    assert "does not cover" in w.verdict("forged").verdict.reason
    assert w.status("h1") == "verified"


def test_deleting_an_event_leaves_its_lots_incomplete(anchored):
    w = anchored
    assert w.lot_status(PEPPER, w.product) == "verified"
    pk = w.column("ship", "id")
    w.sql("DELETE FROM event_objects WHERE event_pk = :pk", pk=pk)
    w.sql("DELETE FROM events WHERE id = :pk", pk=pk)
    result = _lot(w, PEPPER, w.product)
    assert result.verdict.status == "incomplete"
    assert "was removed" in result.verdict.reason


def test_deleting_an_index_row_leaves_the_lot_incomplete(anchored):
    w = anchored
    pk = w.column("receive", "id")
    w.sql("DELETE FROM event_objects WHERE event_pk = :pk", pk=pk)
    assert w.lot_status(PEPPER, w.product) == "incomplete"


def test_a_deleted_lineage_link_cuts_no_step_out_of_what_is_verified(anchored):
    w = anchored
    before = {e.event_id for e in _lot(w, PEPPER, w.product).events}
    w.sql("DELETE FROM lot_links")
    after = _lot(w, PEPPER, w.product)
    assert {e.event_id for e in after.events} == before  # walked through the events themselves
    assert after.verdict.status == "verified"


def test_an_index_row_naming_a_foreign_event_reads_incomplete(anchored):
    w = anchored
    [later] = w.capture(w.t_coop, harvest(f"H9{w.suffix}"))
    w.anchor()
    [(pk,)] = w.sql("SELECT id FROM events WHERE event_id = :e", e=later)
    [(uri,)] = w.sql("SELECT uri FROM event_objects WHERE event_pk = :pk",
                     pk=w.column("h1", "id"))
    w.sql("INSERT INTO event_objects (event_pk, role, uri) VALUES (:pk, 'epc_class', :u)",
          pk=pk, u=uri)
    assert w.lot_status(BERRIES, w.h1) == "incomplete"


def test_a_deleted_anchoring_batch_record_reads_incomplete(anchored):
    w = anchored
    [later] = w.capture(w.t_coop, harvest(f"H8{w.suffix}"))
    w.anchor()
    [(batch,)] = w.sql("SELECT batch_id FROM events WHERE event_id = :e", e=later)
    w.sql("DELETE FROM lot_heads WHERE batch_id = :b", b=batch)
    w.sql("UPDATE events SET batch_id = NULL, leaf_index = NULL WHERE batch_id = :b", b=batch)
    w.sql("DELETE FROM anchor_batches WHERE id = :b", b=batch)
    result = _lot(w, PEPPER, w.product, fresh=True)
    assert result.verdict.status == "incomplete"
    assert "records lack" in result.verdict.reason


def test_an_edited_lot_head_reads_altered(anchored):
    w = anchored
    w.sql("UPDATE lot_heads SET count = count + 1")
    assert _lot(w, PEPPER, w.product, fresh=True).verdict.status == "altered"


def test_anchoring_records_that_differ_from_the_chain_read_altered(anchored):
    w = anchored
    [(batch, block, tx)] = w.sql("SELECT b.id, b.block_number, b.tx_hash FROM anchor_batches b "
                                 "JOIN events e ON e.batch_id = b.id WHERE e.event_id = :e",
                                 e=w.ids["h1"])
    w.sql("UPDATE anchor_batches SET block_number = :n WHERE id = :b", n=block + 7, b=batch)
    verdict = w.verdict("h1").verdict
    assert verdict.status == "altered" and "block" in verdict.reason
    w.sql("UPDATE anchor_batches SET block_number = :n, tx_hash = :t WHERE id = :b", n=block,
          t="0x" + "ab" * 32, b=batch)
    verdict = w.verdict("h1").verdict
    assert verdict.status == "altered" and "transaction" in verdict.reason
    w.sql("UPDATE anchor_batches SET tx_hash = :t WHERE id = :b", t=tx, b=batch)
    assert w.status("h1") == "verified"


def test_the_anchoring_time_shown_is_the_chains(anchored):
    w = anchored
    check = next(c for c in w.verdict("h1").verdict.checks if c.name == "anchor")
    assert check.status == "verified" and "block" in check.reason


def _lot(w, gtin, lot, **kw):
    from tracechain.services.verification.verdicts import VerificationCaches, verify_lot

    return verify_lot(gtin, lot, w.uow, w.chain, caches=VerificationCaches(), **kw)


# Every stored fact a verdict rests on, changed behind the service's back: (what, SQL, the
# event whose verdict turns, the status it turns to, words its reason must hold).
EDITS = [
    ("an event's organisation", "UPDATE events SET organisation_id = (SELECT organisation_id "
     "FROM events WHERE event_id = :receive) WHERE event_id = :h1", "h1", "bad-signature",
     "was sealed for"),
    ("a capture's sealed hashes", "UPDATE capture_jobs SET seal_leaves = :junk WHERE id = "
     "(SELECT capture_id FROM events WHERE event_id = :h1)", "h1", "bad-signature",
     "no longer rebuild"),
    ("a capture's sealed root", "UPDATE capture_jobs SET seal_root = :root WHERE id = "
     "(SELECT capture_id FROM events WHERE event_id = :h1)", "h1", "bad-signature",
     "no longer rebuild"),
    ("a capture's organisation", "UPDATE capture_jobs SET organisation_id = (SELECT "
     "organisation_id FROM events WHERE event_id = :receive) WHERE id = (SELECT capture_id "
     "FROM events WHERE event_id = :h1)", "h1", "bad-signature", ""),
    ("a capture's time", "UPDATE capture_jobs SET created_at = '2020-01-01 00:00:00' WHERE id "
     "= (SELECT capture_id FROM events WHERE event_id = :h1)", "h1", "bad-signature",
     "capture's record"),
    ("a batch's anchoring time", "UPDATE anchor_batches SET block_time = '2020-01-01 "
     "00:00:00' WHERE id = (SELECT batch_id FROM events WHERE event_id = :h1)", "h1", "altered",
     "anchoring time"),
    ("a batch's stored leaves", "UPDATE anchor_batches SET leaves = :junk WHERE id = "
     "(SELECT batch_id FROM events WHERE event_id = :h1)", "h1", "altered", "no longer rebuild"),
    ("an event's context", "UPDATE document_contexts SET body = '[\"https://example.com/x\"]' "
     "WHERE id = (SELECT context_id FROM events WHERE event_id = :h1)", "h1", "altered",
     "re-hashes"),
    # A GLN no test's organisation has (make_gln numbers them 893000000001x, 893000000002x, ...).
    ("an organisation's GLN", "UPDATE organisations SET gln = '8939999999991' WHERE id = "
     "(SELECT organisation_id FROM events WHERE event_id = :h1)", "h1", "bad-signature", ""),
]


@pytest.mark.parametrize("what, statement, name, status, words", EDITS,
                         ids=[e[0] for e in EDITS])
def test_every_stored_fact_a_verdict_rests_on_is_checked(anchored, what, statement, name,
                                                         status, words):
    w = anchored
    assert w.status(name) == "verified"
    w.sql(statement, h1=w.ids["h1"], receive=w.ids["receive"], junk=b"\x01" * 64,
          root="0x" + "ab" * 32)
    verdict = w.verdict(name, fresh=True).verdict
    assert verdict.status == status, (what, verdict.reason)
    assert words in verdict.reason, (what, verdict.reason)
    assert _lot(w, PEPPER, w.product, fresh=True).verdict.status != "verified", what

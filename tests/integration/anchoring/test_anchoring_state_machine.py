"""The anchoring rounds over a real database and an in-memory chain that can 'crash'."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, update

from tests.integration.anchoring.fake_chain import Crash, FakeChain
from tests.integration.epcis_docs import document, harvest
from tracechain.app_services import app_services
from tracechain.domain.commitments import state_leaf
from tracechain.domain.merkle import MerkleTree, event_hash_bytes, verify
from tracechain.services.anchoring.anchorer import AnchorSettings, anchor_pending, take_lease
from tracechain.store.anchoring import AnchorBatch
from tracechain.store.events import CaptureJob, Event
from tracechain.store.uow import SqlUnitOfWork

SETTINGS = AnchorSettings(interval=0, max_batch=4, receipt_timeout=0.05)


@pytest.fixture
def uow(app):
    return SqlUnitOfWork(app_services(app).sessions)


@pytest.fixture
def capture(client, actions):
    token = actions.token("member", actions.org("HTX A"))

    def send(*lots: str):
        doc = document(*[harvest(lot) for lot in lots])
        r = client.post("/epcis/capture", data=json.dumps(doc), content_type="application/json",
                        headers=actions.auth(token))
        assert r.status_code == 202 and r.json["success"], r.json

    return send


def batches(uow):
    with uow:
        return uow.session.scalars(select(AnchorBatch).order_by(AnchorBatch.id)).all()


def unbatched(uow) -> int:
    with uow:
        return uow.session.scalar(select(func.count()).select_from(Event)
                                  .where(Event.batch_id.is_(None)))


def test_pending_events_are_batched_by_size_and_each_anchored_once(uow, capture):
    capture(*[f"L{i}" for i in range(10)])
    chain = FakeChain()
    report = anchor_pending(uow, chain, SETTINGS)
    assert (report.batches_built, report.batches_confirmed, report.events_anchored) == (3, 3, 10)
    # Each batch: its events, and one more leaf committing to the lot state after it.
    assert [b.leaf_count for b in batches(uow)] == [5, 5, 3]
    assert all(b.status == "confirmed" and b.block_number for b in batches(uow))
    assert unbatched(uow) == 0
    assert len(chain.sent) == 3
    # The events' hashes and the state leaf rebuild each batch's root, and each event's proof
    # verifies against it.
    all_batches = batches(uow)
    with uow:
        for b in all_batches:
            rows = uow.session.execute(select(Event.event_hash, Event.leaf_index)
                                       .where(Event.batch_id == b.id)
                                       .order_by(Event.leaf_index)).all()
            values = [event_hash_bytes(r.event_hash) for r in rows]
            tree = MerkleTree([*values, state_leaf(bytes.fromhex(b.state_root[2:]))])
            assert "0x" + tree.root.hex() == b.root and bytes(b.leaves) == b"".join(tree.values)
            for i, r in enumerate(rows):
                assert r.leaf_index == i
                assert verify(tree.root, event_hash_bytes(r.event_hash), tree.proof(i))
    assert anchor_pending(uow, chain, SETTINGS).batches_built == 0


def test_batch_waits_for_interval_unless_full_or_forced(uow, capture):
    capture("A", "B")
    slow = AnchorSettings(interval=3600, max_batch=4, receipt_timeout=0.05)
    chain = FakeChain()
    assert anchor_pending(uow, chain, slow).batches_built == 0
    capture("C", "D")
    assert anchor_pending(uow, chain, slow).batches_built == 1  # full
    capture("E")
    assert anchor_pending(uow, chain, slow, force=True).events_anchored == 1


def test_roots_the_chain_lost_are_anchored_again(uow, capture):
    capture("A", "B")
    anchor_pending(uow, FakeChain(), SETTINGS)
    wiped = FakeChain()  # same contract address, none of its anchors (a chain reset)
    report = anchor_pending(uow, wiped, SETTINGS)
    assert report.batches_confirmed == 1 and len(wiped.anchors) == 1
    [b] = batches(uow)
    assert b.status == "confirmed" and "lost" in b.last_error


def test_crash_before_send_resends_the_same_transaction(uow, capture):
    capture("A", "B")
    chain = FakeChain()
    chain.crash_on_send = True
    with pytest.raises(Crash):
        anchor_pending(uow, chain, SETTINGS)
    [b] = batches(uow)
    assert b.status == "sent" and b.tx_hash and b.raw_tx
    take_lease(uow, "someone-else", -1)  # the dead process's lease has expired
    report = anchor_pending(uow, chain, SETTINGS)
    assert report.batches_confirmed == 1 and report.batches_built == 0
    [b2] = batches(uow)
    assert b2.status == "confirmed" and b2.tx_hash == b.tx_hash
    assert chain.sent == [b.tx_hash]


def test_crash_after_mined_confirms_without_anchoring_twice(uow, capture):
    capture("A", "B")
    chain = FakeChain()
    chain.crash_after_mined = True
    with pytest.raises(Crash):
        anchor_pending(uow, chain, SETTINGS)
    take_lease(uow, "x", -1)
    anchor_pending(uow, chain, SETTINGS)
    [b] = batches(uow)
    assert b.status == "confirmed" and len(chain.sent) == 1 and len(chain.anchors) == 1


def test_crash_after_building_before_signing(uow, capture, monkeypatch):
    capture("A", "B")
    chain = FakeChain()
    monkeypatch.setattr(chain, "build_anchor_tx", lambda *a: (_ for _ in ()).throw(Crash("x")))
    with pytest.raises(Crash):
        anchor_pending(uow, chain, SETTINGS)
    [b] = batches(uow)
    assert b.status == "built" and b.tx_hash is None and unbatched(uow) == 0
    monkeypatch.undo()
    take_lease(uow, "x", -1)
    anchor_pending(uow, chain, SETTINGS)
    assert [x.status for x in batches(uow)] == ["confirmed"]
    assert len(chain.anchors) == 1


def test_chain_down_leaves_events_pending_and_catches_up(uow, capture):
    capture("A", "B")
    chain = FakeChain()
    chain.down = True
    with pytest.raises(ConnectionError):
        anchor_pending(uow, chain, SETTINGS)
    capture("C")  # capture goes on while the chain is down
    chain.down = False
    take_lease(uow, "x", -1)
    anchor_pending(uow, chain, SETTINGS)
    assert unbatched(uow) == 0
    assert all(b.status == "confirmed" for b in batches(uow))


def test_only_one_anchorer_at_a_time(uow, capture):
    capture("A")
    assert take_lease(uow, "first", 60)
    report = anchor_pending(uow, FakeChain(), SETTINGS, holder="second")
    assert report.skipped and batches(uow) == []


def test_events_are_sealed_at_capture_and_the_anchorer_signs_nothing(uow, capture, app):
    from tracechain.services.signatures.seal_checks import SealChecks
    from tracechain.store.accounts import Organisation

    capture("A", "B", "C")
    anchor_pending(uow, FakeChain(), SETTINGS, keyring=app_services(app).keyring)
    with uow:
        rows = uow.session.execute(
            select(Event.event_hash, Event.signature, Event.capture_id, Organisation.gln,
                   Organisation.signing_address)
            .join(Organisation, Organisation.id == Event.organisation_id)).all()
        seals = SealChecks().of_captures(uow, {r.capture_id for r in rows})
    assert len(rows) == 3 and {r.signature for r in rows} == {None}
    for row in rows:
        facts = seals[row.capture_id].facts(row.event_hash, row.gln)
        assert facts.problem is None and facts.recovered == row.signing_address


def test_rows_no_seal_covers_are_never_anchored(uow, capture):
    capture("A", "B")
    with uow.writing() as w:
        w.session.execute(update(CaptureJob).values(seal_signature=None))
        w.commit()
    report = anchor_pending(uow, FakeChain(), SETTINGS)
    assert report.batches_built == 0 and len(report.refused) == 2
    assert unbatched(uow) == 2


def test_a_killed_anchorers_lease_is_taken_over_within_seconds(uow, capture):
    import time

    assert AnchorSettings().lease_seconds <= 15  # renewed after every step of a round
    capture("A")
    assert take_lease(uow, "killed", 0.3)  # a holder that died without releasing it
    assert anchor_pending(uow, FakeChain(), SETTINGS, holder="next").skipped
    time.sleep(0.35)
    assert anchor_pending(uow, FakeChain(), SETTINGS, holder="next").batches_built == 1

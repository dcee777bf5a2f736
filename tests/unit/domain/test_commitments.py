"""The values organisations sign and batches commit to, and the lots an event names."""

from __future__ import annotations

import pytest

from tracechain.domain.commitments import (
    ZERO,
    LotState,
    StateTree,
    capture_statement,
    chain_head,
    lot_key,
    next_head,
    sources_digest,
    state_leaf,
)
from tracechain.domain.event_lots import event_lots
from tracechain.domain.merkle import verify
from tracechain.domain.verification import (
    INCOMPLETE,
    VERIFIED,
    HistoryFacts,
    check_history,
)

LOT = "https://id.gs1.org/01/08936101000217/10/A"
H = [bytes([i]) * 32 for i in range(1, 5)]
ORG = b"8930000000019".ljust(32, b"\0")


def test_a_statement_binds_every_field():
    base = dict(organisation=ORG, capture_id="ab" * 16, user_id=7, recorded_at=1_700_000_000,
                count=3, root=H[0])
    first = capture_statement(**base)
    for field, value in (("organisation", b"8930000000026".ljust(32, b"\0")),
                         ("capture_id", "cd" * 16), ("user_id", 8), ("recorded_at", 1),
                         ("count", 4), ("root", H[1])):
        assert capture_statement(**{**base, field: value}) != first, field
    with pytest.raises(ValueError):
        capture_statement(**{**base, "capture_id": "nothex"})


def test_a_history_head_depends_on_every_event_its_order_its_lot_and_its_sources():
    key = lot_key(LOT)
    steps = [(h, ZERO) for h in H]
    head, count = chain_head(key, steps)
    assert count == 4 and head != ZERO
    assert chain_head(key, steps[:3])[0] != head  # one removed
    assert chain_head(key, [steps[1], steps[0], *steps[2:]])[0] != head  # reordered
    assert chain_head(lot_key(LOT + "B"), steps)[0] != head  # another lot's
    other = [*steps[:3], (H[3], sources_digest([LOT + "X"]))]
    assert chain_head(key, other)[0] != head  # a changed lineage edge
    assert sources_digest(["a", "b"]) == sources_digest(["b", "a", "a"])
    assert next_head(key, ZERO, H[0]) == chain_head(key, steps[:1])[0]


def test_the_state_proves_each_lot_entry_and_its_leaf():
    entries = [LotState(lot_key(f"{LOT}{i}"), i + 1, H[i]) for i in range(4)]
    state = StateTree(entries)
    for e in entries:
        assert verify(state.root, e.value, state.proof(e.key))
    assert StateTree(entries[:3]).root != state.root
    assert StateTree(()).root == ZERO and StateTree(()).proof(entries[0].key) is None
    assert state_leaf(state.root) != state_leaf(ZERO)


def test_the_lots_an_event_names_and_makes_from_what():
    transform = {"type": "TransformationEvent",
                 "inputQuantityList": [{"epcClass": LOT, "quantity": 5, "uom": "KGM"}],
                 "outputQuantityList": [{"epcClass": LOT + "D", "quantity": 2, "uom": "KGM"}]}
    lots = event_lots(transform, {}, lambda u: u)
    assert lots.named == {LOT, LOT + "D"}
    assert lots.sources_of(LOT + "D") == {LOT} and lots.targets_of(LOT) == {LOT + "D"}
    pack = {"type": "AggregationEvent", "action": "ADD", "parentID": "urn:pallet:1",
            "childQuantityList": [{"epcClass": LOT}]}
    packed = event_lots(pack, {}, lambda u: u)
    assert packed.containers_of(LOT) == {"urn:pallet:1"}
    assert packed.sources_of("urn:pallet:1") == {LOT}


def test_a_history_check_names_what_is_wrong():
    head, _ = chain_head(lot_key(LOT), [(h, ZERO) for h in H])
    ok = HistoryFacts(LOT, (4, head), (4, head))
    assert check_history(ok).status == VERIFIED
    short = check_history(HistoryFacts(LOT, (4, head), (3, H[0])))
    assert short.status == INCOMPLETE and short.code == "events-missing"
    extra = check_history(HistoryFacts(LOT, (4, head), (5, H[0])))
    assert extra.code == "events-added"
    swapped = check_history(HistoryFacts(LOT, (4, head), (4, H[0])))
    assert swapped.code == "head-mismatch"
    assert check_history(HistoryFacts(LOT, None, (0, ZERO))).status == VERIFIED

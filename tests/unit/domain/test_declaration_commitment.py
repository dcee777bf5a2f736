"""The error declaration's commitment (domain.commitments.declaration_event_hash): it binds the
declaration's content to the declared event's CBV 2.0 hash, in one spelling, and is a leaf like
any event hash."""

from __future__ import annotations

import hashlib

import pytest

from tracechain.domain.actor import Actor
from tracechain.domain.commitments import (
    DECLARATION_TAG,
    declaration_event_hash,
    declaration_json,
)
from tracechain.domain.merkle import event_hash_bytes
from tracechain.domain.policy import may_declare_error

CBV = "ni:///sha-256;" + "ab" * 32 + "?ver=CBV2.0"
DECL = {"declarationTime": "2025-03-05T09:00:00.000+07:00", "reason": "incorrect_data",
        "correctiveEventIDs": ["urn:uuid:1"]}


def test_it_is_a_leaf_like_any_event_hash_and_never_the_cbv_hash():
    value = declaration_event_hash(CBV, DECL)
    assert len(event_hash_bytes(value)) == 32 and value != CBV
    expected = hashlib.sha256(DECLARATION_TAG + bytes.fromhex("ab" * 32) + hashlib.sha256(
        b'{"correctiveEventIDs":["urn:uuid:1"],"declarationTime":"2025-03-05T09:00:00.000'
        b'+07:00","reason":"incorrect_data"}').digest()).hexdigest()
    assert value == f"ni:///sha-256;{expected}?ver=CBV2.0"


def test_member_order_does_not_matter_but_every_value_does():
    reordered = dict(reversed(list(DECL.items())))
    assert declaration_event_hash(CBV, reordered) == declaration_event_hash(CBV, DECL)
    for change in ({"reason": "did_not_occur"}, {"correctiveEventIDs": []},
                   {"declarationTime": "2025-03-05T09:00:01.000+07:00"}, {"x:note": "ok"}):
        assert declaration_event_hash(CBV, {**DECL, **change}) != \
            declaration_event_hash(CBV, DECL), change
    other = "ni:///sha-256;" + "cd" * 32 + "?ver=CBV2.0"
    assert declaration_event_hash(other, DECL) != declaration_event_hash(CBV, DECL)


def test_non_ascii_is_hashed_as_utf8():
    assert declaration_json({"x:lýDo": "sai số"}) == '{"x:lýDo":"sai số"}'.encode()


@pytest.mark.parametrize("cbv, declaration", [
    ("not a hash", DECL), (CBV, "incorrect_data"), (CBV, None), (CBV, {"x": float("nan")}),
])
def test_anything_else_is_refused(cbv, declaration):
    with pytest.raises(ValueError):
        declaration_event_hash(cbv, declaration)


def test_only_the_recording_organisations_writers_may_declare():
    member = Actor(user_id=1, role="member", organisation_id=7)
    assert may_declare_error(member, 7)
    assert not may_declare_error(member, 8) and not may_declare_error(member, None)
    assert not may_declare_error(Actor(user_id=2, role="inspector", organisation_id=7), 7)
    assert may_declare_error(Actor(user_id=3, role="admin", organisation_id=7), 7)
    assert not may_declare_error(Actor(user_id=3, role="admin", organisation_id=None), 7)

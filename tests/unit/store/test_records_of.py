"""``records_of`` builds bulk verification's ``Record``s without the dataclass's ``__init__``:
the same records, and a row of the wrong length is refused, never half a record."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from tracechain.store.verification_reads import Record, records_of

ROW = (7, "urn:uuid:1", "ni:///sha-256;ab?ver=CBV2.0", "eventType=ObjectEvent", "{}", "[]", 1,
       "capture-1", datetime(2025, 3, 1, tzinfo=UTC), None, None, 3, "8930000000019", "Co-op",
       "0xabc", 5, 2, True, "0x" + "00" * 32, 4, "confirmed", "0xtx", 12,
       datetime(2025, 3, 2, tzinfo=UTC), 31337, "0xcontract", False, None, True)


def test_records_of_builds_the_records_init_would():
    [rec] = records_of([ROW])
    assert rec == Record(*ROW) and hash(rec) == hash(Record(*ROW))
    assert rec.notice is True and rec.event() == {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.body = "{}"  # type: ignore[misc]


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        records_of([ROW[:-1]])

"""The recall's event (pure): its layout, and LGTIN classes that read as the lot's Digital Link."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracechain.domain.recall_events import (
    NoticeLot,
    lgtin_class,
    lift_event,
    prefix_length,
    recall_event,
)
from tracechain.gs1.canonical import canonicalise
from tracechain.gs1.keys import LotKey

WHEN = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("lot", ["CL25-001", "A!B(1)*", "x/y%z"])
def test_an_lgtin_class_names_the_same_lot_as_its_digital_link(lot):
    gtin = "08936100000119"
    n = prefix_length(gtin, ["8936100", "893610", "4068810"])
    assert n == 7
    urn = lgtin_class(NoticeLot(gtin, lot, n))
    assert urn.startswith("urn:epc:class:lgtin:8936100.000011.")
    assert canonicalise(urn) == canonicalise(LotKey(gtin, lot).uri)
    # Without a known company prefix: the Digital Link.
    assert lgtin_class(NoticeLot(gtin, lot)) == LotKey(gtin, lot).uri


def test_recall_and_lift_events():
    lots = [NoticeLot("08936100000119", "H1", 7), NoticeLot("08936100000126", "D1", 7),
            NoticeLot("08936100000119", "H1", 7)]
    e = recall_event(5, WHEN, lots, {"recallClass": "I", "reasons": {"vi": "a", "en": "b"},
                                     "orderedBy": "Sở"}, "why")
    assert (e["action"], e["bizStep"], e["disposition"]) == ("OBSERVE", "holding", "recalled")
    assert len(e["quantityList"]) == 2  # each class once
    assert e["tc:recall"] == {"id": 5, "class": "I", "reason": "why", "byAuthority": False,
                              "reasons": {"vi": "a", "en": "b"}, "orderedBy": "Sở"}
    lift = lift_event(5, WHEN, lots, None)
    assert lift["disposition"] == "conformant" and lift["tc:lift"] == {"recall": 5}
    with pytest.raises(ValueError):
        lift_event(5, WHEN, [], "x")

"""The dossier's markers and active holds, from the events the inspector's actions record
(domain/inspection_events.py, domain/recall_events.py): a recall's lift is not a hold's release,
and a hold is active until a release of it is among the lineage's events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tracechain.domain.inspection_events import hold_event, release_event
from tracechain.domain.recall_events import NoticeLot, lift_event, recall_event
from tracechain.services.inspection.dossier import _active_holds, _marker

WHEN = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
HARVEST = NoticeLot("08936100000119", "CL25-001", 7)
PEPPER = NoticeLot("08936101000217", "QT25-G550-01", 7)


@dataclass
class _Rec:  # the two fields _active_holds reads of a verification Record
    event_id: str
    event_time: datetime
    organisation_name: str | None = "Sở KH&CN"


def test_each_action_is_its_own_marker():
    assert _marker(hold_event(1, WHEN, [HARVEST, PEPPER], "aflatoxin")) == "hold"
    assert _marker(release_event(1, WHEN, [HARVEST, PEPPER], "đạt")) == "release"
    recall = recall_event(2, WHEN, [HARVEST], {"recallClass": "II"}, "aflatoxin")
    assert _marker(recall) == "recall"
    assert _marker(lift_event(2, WHEN, [HARVEST], "đạt")) == "lift"  # not "release"


def test_a_hold_is_active_until_its_release_is_in_the_lineage():
    hold = hold_event(1, WHEN, [HARVEST, PEPPER], "aflatoxin")
    other = hold_event(3, WHEN, [PEPPER], "nhãn sai")
    records = [_Rec("urn:uuid:1", WHEN), _Rec("urn:uuid:3", WHEN)]
    active = _active_holds(records, [hold, other])
    assert [(h.lot, h.reason, h.by) for h in active] == [
        ("CL25-001", "aflatoxin", "Sở KH&CN"), ("QT25-G550-01", "nhãn sai", "Sở KH&CN")]
    released = _active_holds([*records, _Rec("urn:uuid:2", WHEN)],
                             [hold, other, release_event(1, WHEN, [HARVEST, PEPPER], "đạt")])
    assert [h.lot for h in released] == ["QT25-G550-01"]
    # A lift of a recall releases no hold.
    assert len(_active_holds([*records, _Rec("urn:uuid:4", WHEN)],
                             [hold, other, lift_event(1, WHEN, [HARVEST], "đạt")])) == 2

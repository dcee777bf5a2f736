"""``lots.made_at`` / ``lots.made_by`` (migration 0025): the search's copy of the time and the
organisation of the event that made each lot. A copy that went wrong would hide a lot from an
inspector's "organisation" filter or misplace it in "sorted by first event", so after every kind
of event that makes or touches lots — a capture (harvests, a transformation, a shipment and its
receipt), an error declaration, a correction — each lot's copy must equal its making event, and
the search must list exactly the lots the events say (holder, or maker), in their order.
Both backends: the store's SQL changed on both (docs/inspector/FIND.md, "Speed")."""

from __future__ import annotations

import uuid

from tests.integration.epcis_docs import harvest
from tests.integration.verification.conftest import (  # noqa: F401
    _deployed_chain,
    chain,
    world,
)
from tests.integration.verification.test_error_declarations import declaring
from tracechain.domain.actor import Actor
from tracechain.domain.viewer_time import zone
from tracechain.services.inspection import find_lots


def _copies_that_disagree(w) -> list:
    """Lots whose made_at/made_by differ from the event that made them (or that have a copy
    without a making event)."""
    rows = w.sql("SELECT l.id, l.created_event_pk, l.made_at, l.made_by, e.event_time, "
                 "e.organisation_id FROM lots l LEFT JOIN events e ON e.id = l.created_event_pk")
    return [r for r in rows if (r.made_at, r.made_by) != (r.event_time, r.organisation_id)]


def _found(w, org: dict) -> list[str]:
    inspector = Actor(1, "inspector", org["id"])
    q, page = find_lots.read_query({"organisation": str(org["id"]), "sort": "first",
                                    "order": "desc", "limit": "200"}, zone(None), per_page=200)
    return [lot.uri for lot in find_lots.find_lots(inspector, q, page, w.uow).lots]


def _expected(w, org: dict) -> list[str]:
    """The same search answered from the events themselves: held by ``org`` or made by one of
    its events, by the making event's time then row id, latest first."""
    return [uri for (uri,) in w.sql(
        "SELECT l.uri FROM lots l LEFT JOIN events e ON e.id = l.created_event_pk "
        "WHERE l.kind = 'lot' AND (l.owner_id = :o OR e.organisation_id = :o) "
        "ORDER BY e.event_time DESC, l.id DESC", o=org["id"])]


def _check(w) -> None:
    assert _copies_that_disagree(w) == []
    for org in (w.coop, w.exporter):
        expected = _expected(w, org)
        assert expected and _found(w, org) == expected, org


def test_made_at_and_made_by_stay_the_making_events_after_each_kind_of_event(world):  # noqa: F811
    w = world
    assert len(w.sql("SELECT id FROM lots WHERE made_by = :o", o=w.coop["id"])) == 3
    _check(w)  # harvests, drying, shipment, receipt: the product is the exporter's, made by A

    early = harvest(f"E{w.suffix}", when="2025-01-02T07:00:00.000+07:00")  # a new capture
    w.capture(w.t_coop, early)
    [(made_at, made_by)] = w.sql("SELECT made_at, made_by FROM lots WHERE uri LIKE :u",
                                 u=f"%/10/E{w.suffix}")
    assert made_by == w.coop["id"] and made_at is not None
    assert _found(w, w.coop)[-1].endswith(f"/10/E{w.suffix}")  # made first: last, latest first
    _check(w)

    w.capture(w.t_coop, declaring(early, "did_not_occur"))  # an error declaration
    _check(w)  # the declared harvest's lot is still listed: search is a finding aid

    fixed = {**harvest(f"F{w.suffix}", 450), "eventID": f"urn:uuid:{uuid.uuid4()}"}
    w.capture(w.t_coop, fixed, declaring(harvest(w.h1), "incorrect_data",
                                         [fixed["eventID"]]))  # a correction
    _check(w)


def test_the_check_sees_an_edited_copy(world):  # noqa: F811
    """An attacker's edit, or a writer that forgot the copy: the check above can fail."""
    w = world
    w.sql("UPDATE lots SET made_by = NULL WHERE id = (SELECT max(id) FROM lots)")
    assert len(_copies_that_disagree(w)) == 1

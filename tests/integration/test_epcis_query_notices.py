"""A member's query reads its own events and every public notice (recalls and lifts, of any
organisation) as one order: ``store.event_reads`` reads the two apart and merges them, so
pages, ``orderBy``, ``eventCountLimit`` and ``maxEventCount`` must cross from one to the other
without repeating, skipping or leaking an event (the attacker's read: a stranger pages through
the same orders and gets the notices alone)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from tests.support.cooperative import Coop, coop

REASON = "Salmonella found in the retained sample"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture
def world(client, actions, dataset):
    """Cooperative B's harvests before, between and after public notices: an authority's
    recall and lift of A's lot, and A's own recall (a notice of A's: A reads it once)."""

    def build() -> dict:
        a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
        a.berries = a.product("pepper_berries")
        a.harvest(a.plot(), a.berries, "H1", 800)
        b = coop(client, actions, "HTX Cà phê Ea Tu")
        c = coop(client, actions, "Công ty Xuất khẩu", "exporter")
        authority = actions.org("Sở Khoa học và Công nghệ tỉnh Đắk Lắk", "authority")
        inspector = actions.auth(actions.token("inspector", authority))
        berries, plot = b.product("pepper_berries"), b.plot()
        b.harvest(plot, berries, "B1", 100, eventTime="2025-03-01T16:00:00.000+07:00")
        r = client.post(f"/api/v1/lots/{a.berries}/H1/recall", json={"reason": REASON},
                        headers=inspector)
        assert r.status_code == 201, r.json
        b.harvest(plot, berries, "B2", 200, eventTime=_now())
        b.harvest(plot, berries, "B3", 300, eventTime="2025-03-02T16:00:00.000+07:00")
        r = client.delete(f"/api/v1/lots/{a.berries}/H1/recall", headers=inspector,
                          query_string={"reason": "Re-tested: not detected"})
        assert r.status_code == 200, r.json
        b.harvest(plot, berries, "B4", 400, eventTime=_now())
        a.post(f"lots/{a.berries}/H1/recall", {"reason": REASON})
        b.harvest(plot, berries, "B5", 500, eventTime="2025-03-03T16:00:00.000+07:00")
        return {k: (o.org, o.token) for k, o in (("a", a), ("b", b), ("c", c))}

    made = dataset("query-notices", build)
    return {k: Coop(client, org, token) for k, (org, token) in made.items()}


def _pages(who: Coop, **params) -> list[dict]:
    """Every page of a query, one after the other."""
    out: list[dict] = []
    query = dict(params)
    while True:
        r = who.client.get("/epcis/events", query_string=query, headers=who.headers)
        assert r.status_code == 200, r.get_json()
        out += r.get_json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        link = r.headers.get("Link")
        if not link:
            return out
        token = link.split("nextPageToken=")[1].split(">")[0].split("&")[0]
        query = {**params, "nextPageToken": unquote(token)}


ORDERS = [{}, {"orderBy": "eventTime"}, {"orderBy": "eventTime", "orderDirection": "ASC"},
          {"orderBy": "recordTime", "orderDirection": "ASC"}]


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: "-".join(o.values()) or "stored")
def test_pages_cross_between_own_events_and_notices(world, order):
    a, b, c = world["a"], world["b"], world["c"]
    whole = _pages(b, perPage="100", **order)
    notices = [e for e in whole if e.get("tc:recall") or e.get("tc:lift")]
    own = [e for e in whole if e not in notices]
    assert len(notices) == 3 and len(own) == 5
    # One page at a time gives the same events in the same order.
    assert [e["eventID"] for e in _pages(b, perPage="1", **order)] == [
        e["eventID"] for e in whole]
    if order:
        # In that order (the own events and the notices interleave in every order).
        col = "eventTime" if order["orderBy"] == "eventTime" else "recordTime"
        times = [datetime.fromisoformat(e[col].replace("Z", "+00:00")) for e in whole]
        desc = order.get("orderDirection", "DESC") == "DESC"
        assert times == sorted(times, reverse=desc)
        kinds = ["n" if e in notices else "o" for e in whole]
        assert "non" in "".join(kinds) or "ono" in "".join(kinds), kinds
        # The first N of that order, over pages.
        limited = _pages(b, perPage="2", eventCountLimit="4", **order)
        assert [e["eventID"] for e in limited] == [e["eventID"] for e in whole[:4]]
    # maxEventCount counts both halves.
    r = b.client.get("/epcis/events", query_string={"maxEventCount": "7", **order},
                     headers=b.headers)
    assert r.status_code == 413
    assert len(_pages(b, maxEventCount="8", **order)) == 8
    # A's own recall is its event and a notice: read once.
    mine = _pages(a, perPage="1", **order)
    assert len(mine) == len({e["eventID"] for e in mine}) == 4
    # The stranger pages through the notices alone, never B's or A's ordinary events.
    theirs = _pages(c, perPage="1", **order)
    assert [e["eventID"] for e in theirs] == [e["eventID"] for e in notices]

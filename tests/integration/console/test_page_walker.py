"""The page benchmark's walker (tests/e2e/console_pages.py, used by benchmarks/bench_console.py
and the README's screenshots) finds every console page from the blueprint's routes: a page
added later is measured without anyone touching the benchmark, and a page whose parameters it
cannot fill fails here, saying where to add them."""

from __future__ import annotations

import pytest

from tests.e2e.console_pages import (
    FILL,
    NOT_PAGES,
    Fill,
    UnfilledPage,
    console_pages,
    get_endpoints,
)
from tracechain import create_app
from tracechain.domain.products import PROCESS_STEPS

FILLED = Fill(gtin="08936101000217", lot="QT25-G550-01", event_id="ni:///sha-256;ab?ver=CBV2.0",
              invite_token="one-time")


@pytest.fixture(scope="module")
def console_app():
    """Read-only: the tests that add routes make an app of their own."""
    return create_app({"DATABASE_URL": "sqlite://"})


def test_every_get_route_of_the_console_is_a_page_or_named_as_not_one(console_app):
    routes = get_endpoints(console_app)
    pages = console_pages(console_app, FILLED)
    measured = {p.endpoint for p in pages}
    assert measured | set(NOT_PAGES) == set(routes), (
        "GET routes of the console neither measured nor named in NOT_PAGES: "
        f"{sorted(set(routes) - measured - set(NOT_PAGES))}")
    assert not measured & set(NOT_PAGES)
    assert len(pages) == len({p.key for p in pages}), "a page is listed twice"
    # what is on main when the benchmark was written: all there, each with its reader
    who = {p.name: p.who for p in pages}
    assert {"login": "anonymous", "set_password": "anonymous", "home": "member",
            "organisations": "admin", "users": "admin", "tokens": "admin",
            "lot_evidence": "member", "corrections": "member", "correct_event": "member",
            "bulk_harvests": "member", "waiting": "member", "farms": "member", "farm": "member",
            "record": "member", "record_harvest": "member", "record_process": "member",
            "record_packing": "member", "record_shipping": "member",
            "record_receiving": "member", "labels": "member"}.items() <= who.items(), who


def test_pages_with_parameters_take_them_from_the_demo(console_app):
    paths = {p.name: p.path for p in console_pages(console_app, FILLED)}
    assert paths["set_password"] == "/app/set-password/one-time"
    assert paths["lot_evidence"] == "/app/lots/08936101000217/QT25-G550-01/evidence"
    assert paths["correct_event"].startswith("/app/corrections/event?id=ni:")
    assert paths["home"] == "/app/"
    assert paths["labels"] == "/app/lots/08936101000217/QT25-G550-01/labels"
    steps = [p.path for p in console_pages(console_app, FILLED) if p.name == "record_process"]
    assert "/app/record/process/drying" in steps and len(steps) == len(PROCESS_STEPS)


def test_the_names_the_walker_keeps_are_real_routes(console_app):
    """A renamed or removed route must not leave a stale entry that hides a new page."""
    routes = get_endpoints(console_app)
    assert set(NOT_PAGES) <= set(routes), set(NOT_PAGES) - set(routes)
    assert set(FILL) <= set(routes), set(FILL) - set(routes)


def test_pages_added_later_are_measured_or_fail_saying_where_to_add_their_parameters():
    app = create_app({"DATABASE_URL": "sqlite://"})
    app.add_url_rule("/app/harvests/new", "console.harvest_form", lambda: "")
    app.add_url_rule("/app/admin/partners", "console.partners", lambda: "")
    pages = {p.name: p for p in console_pages(app, FILLED)}
    assert (pages["harvest_form"].path, pages["harvest_form"].who) == ("/app/harvests/new",
                                                                        "member")
    assert (pages["partners"].path, pages["partners"].who) == ("/app/admin/partners", "admin")

    app.add_url_rule("/app/plots/<int:plot_id>/map", "console.plot_map", lambda plot_id: "")
    with pytest.raises(UnfilledPage) as raised:
        console_pages(app, FILLED)
    message = str(raised.value)
    assert "console.plot_map (/app/plots/<int:plot_id>/map: plot_id)" in message
    assert "FILL in tests/e2e/console_pages.py" in message and "NOT_PAGES" in message


def test_a_route_filled_with_several_values_is_a_page_each(monkeypatch):
    """E.g. one recording form per processing step: each is measured."""
    app = create_app({"DATABASE_URL": "sqlite://"})
    app.add_url_rule("/app/sorting/<grade>", "console.sorting_by_grade", lambda grade: "")
    monkeypatch.setitem(FILL, "console.sorting_by_grade",
                        lambda f: [{"grade": g} for g in ("FAQ", "ASTA")])
    pages = [p for p in console_pages(app, FILLED) if p.name == "sorting_by_grade"]
    assert [p.path for p in pages] == ["/app/sorting/FAQ", "/app/sorting/ASTA"]
    assert len({p.key for p in pages}) == 2

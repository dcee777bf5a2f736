"""What changes the consumer page: an edited record, a recall, a farm's publication choices."""

from __future__ import annotations

import orjson

from tracechain.api.resolver import AnswerCache
from tracechain.app_services import app_services

from .conftest import COFFEE, HARVEST, PEPPER
from .test_resolver import verdict

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is what
# the consumer page shows; edited rows are read on both (verification/test_verify_edits.py,
# test_completeness.py).
DATABASES = ("sqlite",)


def _harvest_body(demo) -> tuple[int, dict]:
    [(pk, body)] = demo.sql(
        "SELECT e.id, e.body FROM events e JOIN event_objects o ON o.event_pk = e.id "
        "WHERE o.uri = :uri AND e.event_type = 'ObjectEvent' AND e.biz_step LIKE '%commissioning'",
        uri=f"https://id.gs1.org/01/{HARVEST[0]}/10/{HARVEST[1]}")
    return pk, orjson.loads(body)


def test_an_edited_harvest_turns_the_verdict_red_at_once(anchored):
    page = anchored.get(PEPPER).get_data(as_text=True)
    assert verdict(page) == "verified"  # and now cached
    pk, event = _harvest_body(anchored)
    event["quantityList"][0]["quantity"] = 8200  # ten times the pepper, behind our back
    anchored.sql("UPDATE events SET body = :b WHERE id = :pk", b=orjson.dumps(event).decode(),
                 pk=pk)
    html = anchored.get(PEPPER).get_data(as_text=True)
    assert verdict(html) == "warning"
    assert "Cảnh báo" in html and 'class="bad"' in html
    summary = anchored.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    assert summary["verdict"]["status"] == "warning"
    assert summary["verdict"]["detail"] == "altered"
    # The coffee's records are untouched.
    assert verdict(anchored.get(COFFEE).get_data(as_text=True)) == "verified"


def test_a_recalled_harvest_lot_puts_a_banner_on_what_was_made_from_it(anchored):
    assert "recall-banner" not in anchored.get(PEPPER).get_data(as_text=True)
    [(lot_id,)] = anchored.sql("SELECT id FROM lots WHERE code = :c", c=HARVEST[1])
    anchored.sql("INSERT INTO recalls (lot_id, reason, created_at) VALUES "
                 "(:l, 'Salmonella found in a sample', CURRENT_TIMESTAMP)", l=lot_id)
    html = anchored.get(PEPPER, "en").get_data(as_text=True)
    assert 'data-testid="recall-banner"' in html
    assert "made from lot CL25-001" in html and "Salmonella found in a sample" in html
    summary = anchored.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    assert [r["lot"]["lot"] for r in summary["recalls"]] == ["CL25-001"]
    assert "recall-banner" not in anchored.get(COFFEE).get_data(as_text=True)
    anchored.sql("UPDATE recalls SET lifted_at = CURRENT_TIMESTAMP")
    assert "recall-banner" not in anchored.get(PEPPER).get_data(as_text=True)


def test_farmer_names_and_plot_coordinates_only_when_published(anchored):
    anchored.sql("UPDATE farms SET publish_farmer_name = false, publish_plot_location = false")
    html = anchored.get(PEPPER, "en").get_data(as_text=True)
    summary = anchored.client.get(PEPPER, headers={"Accept": "application/json"}).get_data(
        as_text=True)
    for farmer in ("Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tư"):
        assert farmer not in html and farmer not in summary
    for coordinate in ("107.012345", "16.781234", "107.021437"):
        assert coordinate not in summary
    assert 'data-testid="plot-map"' not in html
    assert "commune Cam Thành" in html and "commune Cam Nghĩa" in html

    anchored.sql("UPDATE farms SET publish_farmer_name = true, publish_plot_location = true "
                 "WHERE code = 'CL-003'")
    app_services(anchored.app).resolver_cache = AnswerCache()  # instead of STALE_AFTER seconds
    html = anchored.get(PEPPER, "en").get_data(as_text=True)
    summary = anchored.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    assert "Lê Văn Tư" in html and "Nguyễn Văn Hùng" not in html
    assert 'data-testid="plot-map"><svg' in html and "<path" in html
    [published] = [p for p in summary["origin"]["places"] if p["plot"]]
    assert published["plot"]["geometry"]["type"] == "Polygon"
    assert published["plot"]["code"] == "CL-003-A"


def test_a_deleted_step_or_a_row_written_behind_the_capture_turns_the_page_red(anchored):
    assert verdict(anchored.get(PEPPER).get_data(as_text=True)) == "verified"
    pk, event = _harvest_body(anchored)
    # A copy of the harvest with another quantity, hashed correctly, written straight in.
    from tracechain.hash import hash_document
    from tracechain.services.verification.evidence import one_event_document

    [(context,)] = anchored.sql("SELECT d.body FROM document_contexts d JOIN events e "
                                "ON e.context_id = d.id WHERE e.id = :pk", pk=pk)
    event["quantityList"][0]["quantity"] = 12
    event.pop("eventID", None)
    [h] = hash_document(one_event_document(event, orjson.loads(context)))
    anchored.sql("INSERT INTO events (event_hash, event_id, event_type, event_time, record_time, "
                 "body, prehash, context_id, capture_id, organisation_id) SELECT :h, :h, "
                 "event_type, event_time, record_time, :b, :p, context_id, capture_id, "
                 "organisation_id FROM events WHERE id = :pk", h=h.id,
                 b=orjson.dumps(event).decode(), p=h.prehash, pk=pk)
    anchored.sql("INSERT INTO event_objects (event_pk, role, uri) SELECT id, 'epc_class', :u "
                 "FROM events WHERE event_id = :h",
                 u=f"https://id.gs1.org/01/{HARVEST[0]}/10/{HARVEST[1]}", h=h.id)
    summary = anchored.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    assert summary["verdict"]["status"] == "warning"
    assert summary["verdict"]["detail"] == "bad-signature"  # its capture's seal does not cover it
    anchored.sql("DELETE FROM event_objects WHERE event_pk IN (SELECT id FROM events "
                 "WHERE event_id = :h)", h=h.id)
    anchored.sql("DELETE FROM events WHERE event_id = :h", h=h.id)
    assert verdict(anchored.get(PEPPER).get_data(as_text=True)) == "verified"
    # Now a genuine, anchored step taken out: the harvest lot's history is incomplete.
    anchored.sql("DELETE FROM event_objects WHERE event_pk = :pk", pk=pk)
    summary = anchored.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    assert summary["verdict"]["status"] == "warning"
    assert summary["verdict"]["detail"] == "incomplete"


def test_every_time_of_the_summary_is_in_the_lots_zone(anchored):
    summary = anchored.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    assert summary["lot"]["timeZone"] == "+07:00"
    for step in summary["journey"]:
        assert step["time"].endswith("+07:00"), step["time"]
        assert step["verification"]["anchor"]["blockTime"].endswith("+07:00")
    assert summary["verdict"]["headline"] == {"tone": "ok", "claim": "records-intact",
                                              "cautions": [], "claimsGenuine": False}

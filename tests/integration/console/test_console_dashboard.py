"""The member's dashboard on /app/ and the labels page (issue #11): what the member sees,
what another organisation never sees, and the label PDF the form makes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.cooperative import coop
from tests.support.pdf_labels import read_pdf
from tracechain.app_services import app_services

BASE = "https://trace.example.vn"


@pytest.fixture
def clock(clock):
    """The console's clock starts at the server's real time: events carry real record times and
    the dashboard's warnings compare them with it (a session signed in at a fixed morning hour
    would expire at 20:00 UTC, or on any later day, before the clock is moved on)."""
    clock.now = datetime.now(UTC)
    return clock


@pytest.fixture
def world(app, client, actions, console):
    """Cam Lộ harvests HVCL01 (30 t on 1.2 ha: an unusual yield) and dries part of it into DRCL01;
    the processor ships nothing. Cam Lộ's member and the processor's member have passwords."""
    app_services(app).reconfigure(public_base_url=BASE)
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    a.berries = a.product("pepper_berries", "Hồ tiêu quả tươi")
    a.black = a.product("black_pepper", "Tiêu đen phơi nắng")
    a.harvest(a.plot(), a.berries, "HVCL01", 30000)
    a.transform("drying", [(a.berries, "HVCL01", 800)], [(a.black, "DRCL01", 300)])
    b = coop(client, actions, "Công ty Chế biến Gia vị", "processor")
    member = console.signed_in(console.user("member", a.org))
    other = console.signed_in(console.user("member", b.org))
    return a, b, member, other


def page(client, path: str = "/app/?lang=vi") -> str:
    r = client.get(path)
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


def test_the_member_sees_lots_stock_waiting_events_and_warnings(world, console, clock):
    a, _, member, other = world
    html = page(member)
    assert "Tiêu đen phơi nắng" in html and "DRCL01" in html and "HVCL01" in html
    assert "còn 29200 / 30000 kg" in html  # HVCL01: 800 kg of 30 t went into DRCL01
    assert 'data-testid="waiting"' in html and "2 sự kiện đang chờ" in html
    assert 'data-testid="flag"' in html  # the unusual harvest
    assert f"/app/lots/{a.black}/DRCL01/labels" in html
    assert 'data-testid="stuck"' not in html
    # Nothing anchored them (no anchorer runs here): 16 minutes after they were recorded,
    # they are a warning.
    clock.advance(minutes=16)
    assert 'data-testid="stuck"' in page(member)
    # Another organisation's member sees none of it.
    theirs = page(other)
    assert "HVCL01" not in theirs and "DRCL01" not in theirs and 'data-testid="flag"' not in theirs
    assert "Mọi sự kiện đã được neo" in theirs or "0 sự kiện" not in theirs


def test_a_recall_upstream_of_a_held_lot_is_a_warning(world, client, actions):
    a, _, member, _ = world
    authority = actions.org("Sở Khoa học và Công nghệ", "authority")
    inspector = actions.auth(actions.token("inspector", authority))
    r = client.post(f"/api/v1/lots/{a.berries}/HVCL01/recall", json={"reason": "Dư lượng"},
                    headers=inspector)
    assert r.status_code == 201, r.get_json()
    html = page(member)
    assert html.count('data-testid="recall"') == 1 and "Dư lượng" in html


def test_admins_and_inspectors_keep_their_start_page(app, console):
    admin = console.signed_in(console.user("admin"))
    html = page(admin)
    assert 'data-testid="lots"' not in html and "/app/admin/users" in html


def test_the_labels_form_asks_the_net_weight_per_bag_and_prints_it(world, console):
    a, _, member, _ = world
    path = f"/app/lots/{a.black}/DRCL01/labels"
    form = page(member, path + "?lang=vi")
    assert 'name="net"' in form and "300 kg" in form  # the lot's size is said, not defaulted
    r = console.post(member, path, {"what": "lot", "count": "3", "net": "",
                                    "label_lang": "vi"}, csrf_from=path)
    assert r.status_code == 400
    assert "Nhập khối lượng tịnh của một bao" in r.get_data(as_text=True)
    r = console.post(member, path, {"what": "lot", "count": "3", "net": "500 g",
                                    "best_before": "2026-03-01", "label_lang": "vi"},
                     csrf_from=path)
    assert r.status_code == 200 and r.mimetype == "application/pdf", r.get_data(as_text=True)
    text = read_pdf(r.data)[0].flat_text()
    assert text.count("KL tịnh / Net wt: 500 g") == 3
    assert "Thu hoạch / Harvested: 01/03/2025" in text
    assert "HSD / Best before: 01/03/2026" in text
    assert "300 kg" not in text
    # The link is written out (broken across lines where it must be: it has no spaces).
    assert f"trace.example.vn/01/{a.black}/10/DRCL01" in "".join(text.split())


def test_the_labels_form_refuses_bad_input_and_other_organisations(world, console):
    a, _, member, other = world
    path = f"/app/lots/{a.black}/DRCL01/labels"
    r = console.post(member, path, {"what": "lot", "count": "0", "net": "1 kg",
                                    "best_before": "2024-01-01", "label_lang": "en"},
                     csrf_from=path)
    assert r.status_code == 400 and "Mỗi lần in từ 1 đến 1000 nhãn." in r.get_data(as_text=True)
    # The use case's message (a Text with a value), in the reader's language, by its field.
    r = console.post(member, path + "?lang=vi", {"what": "lot", "count": "2", "net": "1 kg",
                                                 "best_before": "2024-01-01",
                                                 "label_lang": "vi"}, csrf_from=path)
    assert r.status_code == 400
    assert 'id="best_before-error" role="alert">không được sớm hơn 01/03/2025' in \
        r.get_data(as_text=True)
    r = console.post(member, path + "?lang=en", {"what": "lot", "count": "2", "net": "1 kg",
                                                 "best_before": "2024-01-01",
                                                 "label_lang": "en"}, csrf_from=path)
    assert "must not be before 1 Mar 2025" in r.get_data(as_text=True)
    r = console.post(member, path, {"what": "serials", "count": "", "net": "1 kg",
                                    "label_lang": "en"}, csrf_from=path)
    assert r.status_code == 400 and "no serials yet" in r.get_data(as_text=True)  # now in en
    assert other.get(path).status_code == 403
    # Acting for another organisation with a valid form of its own: refused, no PDF.
    r = console.post(other, path, {"what": "lot", "count": "1", "net": "1 kg",
                                   "label_lang": "vi"}, csrf_from="/app/")
    assert r.status_code == 403 and r.mimetype == "text/html"
    inspector = console.signed_in(console.user("inspector"))
    assert inspector.get(path).status_code == 403  # inspectors verify; they do not label
    assert member.get(f"/app/lots/{a.black}/NOPE/labels").status_code == 404


def test_a_received_lot_of_anothers_product_shows_without_a_labels_link(world):
    a, b, _, other = world
    a.ship(b.org, [(a.black, "DRCL01")])
    b.receive([(a.black, "DRCL01")])
    html = page(other)
    assert "Tiêu đen phơi nắng" in html and "còn 300 / 300 kg" in html  # the processor's now
    assert "/labels" not in html  # Cam Lộ's GTIN: only its owner prints labels for it
    assert other.get(f"/app/lots/{a.black}/DRCL01/labels").status_code == 403

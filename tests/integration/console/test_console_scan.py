"""``POST /app/scan`` (a label's photo decoded on the server, for phones without
BarcodeDetector) × role, and the offline queue's server side: the waiting page, the service
worker's headers, what every console page carries for offline.js."""

from __future__ import annotations

import gzip
import io

import pytest
import qrcode
import zxingcpp
from PIL import Image

from tests.support.multipart import multipart
from tracechain.console import scan as scan_view

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is the
# scan page and the offline queue's HTTP side.
DATABASES = ("sqlite",)

DL = "https://id.gs1.org/01/09506000134352/10/HT-2026-07"


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(text).save(out)
    return out.getvalue()


def barcode_png(text: str, kind) -> bytes:
    """A GS1 DataMatrix / GS1-128 (zxing-cpp's writer: '(01)...' makes it a GS1 symbol)."""
    pixels = memoryview(zxingcpp.write_barcode_to_image(zxingcpp.create_barcode(text, kind),
                                                        scale=4))
    height, width = pixels.shape
    out = io.BytesIO()
    Image.frombytes("L", (width, height), pixels.tobytes()).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def people(console, actions, dataset):
    def build() -> dict:
        org = actions.org("HTX Cà Phê Cầu Đất")
        return {"member": console.user("member", org, email="binh@cau-dat.vn"),
                "admin": console.user("admin", email="admin@cau-dat.vn"),
                "inspector": console.user("inspector", email="thanh-tra@example.vn")}
    return dataset("console-scan-people", build)


def send(console, client, photo: bytes | None = None, text: str | None = None, lang="vi"):
    data: dict = {"csrf": console.csrf(client, "/app/")}
    if photo is not None:
        data["photo"] = (photo, "label.png", "image/png")
    if text is not None:
        data["text"] = text
    return client.post(f"/app/scan?lang={lang}", **multipart(data),
                       headers={"Accept": "application/json"})


def test_scan_by_role(app, console, people):
    anonymous = console.client()
    r = anonymous.post("/app/scan", data={"csrf": console.csrf(anonymous)})
    assert r.status_code == 302 and r.location.startswith("/app/login")
    inspector = console.signed_in(people["inspector"])
    assert send(console, inspector, qr_png(DL)).status_code == 403
    for role in ("member", "admin"):
        r = send(console, console.signed_in(people[role]), qr_png(DL))
        assert r.status_code == 200, (role, r.get_json())
        assert r.get_json() == {"kind": "lot", "gtin": "09506000134352", "lot": "HT-2026-07",
                                "sscc": None, "text": DL}


def test_a_scan_without_the_csrf_token_is_refused(app, console, people):
    member = console.signed_in(people["member"])
    r = member.post("/app/scan", data={"photo": (io.BytesIO(qr_png(DL)), "x.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 400 and b'"kind"' not in r.data
    assert b"form has expired" in member.post("/app/scan?lang=en").data


def test_gs1_codes_in_photos(app, console, people):
    member = console.signed_in(people["member"])
    r = send(console, member, barcode_png("(01)09506000134352(10)LOT-9",
                                          zxingcpp.BarcodeFormat.DataMatrix))
    assert r.status_code == 200 and r.get_json()["lot"] == "LOT-9", r.get_json()
    r = send(console, member, barcode_png("(00)106141411234567897",
                                          zxingcpp.BarcodeFormat.Code128))
    assert r.get_json() == {"kind": "sscc", "gtin": None, "lot": None,
                            "sscc": "106141411234567897", "text": "(00)106141411234567897"}
    # a wrong check digit: refused, with the digit it should end in, in the reader's language
    r = send(console, member, barcode_png("(00)106141411234567890",
                                          zxingcpp.BarcodeFormat.Code128))
    assert r.status_code == 400 and r.get_json()["ok"] is False
    assert "số kiểm tra" in r.get_json()["message"] and "7" in r.get_json()["message"]
    r = send(console, member, barcode_png("(00)106141411234567890",
                                          zxingcpp.BarcodeFormat.Code128), lang="en")
    assert r.get_json()["message"] == "This SSCC has a wrong check digit (it should end in 7)."


def test_what_cannot_be_used_is_refused_readably(app, console, people, monkeypatch):
    member = console.signed_in(people["member"])
    cases = [
        (qr_png("https://example.com/hello/world"), "not a GS1 label"),
        (qr_png("https://id.gs1.org/01/09506000134352"), "names a product, not a lot"),
        (b"GIF89a not really", "not a photo"),
        (b"%PDF-1.7\n", "not a photo"),
        (_blank_png(), "No code was found"),
    ]
    for photo, message in cases:
        r = send(console, member, photo, lang="en")
        assert r.status_code == 400 and message in r.get_json()["message"], r.get_json()
    r = send(console, member, _blank_png())
    assert r.status_code == 400 and "Không tìm thấy mã" in r.get_json()["message"]
    r = console.post(member, "/app/scan?lang=en", {})
    assert r.status_code == 400 and "Choose a photo" in r.get_json()["message"]


def test_a_photo_too_large_is_refused_before_it_is_decoded(app, console, people, monkeypatch):
    member = console.signed_in(people["member"])
    r = send(console, member, b"\xff\xd8" + b"\0" * (scan_view.MAX_UPLOAD + 100_000), lang="en")
    assert r.status_code == 413 and "too large" in r.get_json()["message"]
    # a small file of too many pixels (a decompression bomb) is refused from its header
    monkeypatch.setattr(scan_view, "MAX_PIXELS", 10_000)
    r = send(console, member, _blank_png(200, 200), lang="en")
    assert r.status_code == 400 and "too large" in r.get_json()["message"]


def test_a_text_the_camera_read_is_parsed_by_the_same_function(app, console, people):
    """scan.js hands the server what it cannot parse itself: a compressed Digital Link."""
    member = console.signed_in(people["member"])
    r = send(console, member, text="https://example.com/ARFKk4XBoCDUOn9tpt19p2")
    assert r.get_json()["lot"] == "HT-2026-07" and r.get_json()["gtin"] == "09506000134352"
    r = send(console, member, text="Xin chào", lang="en")
    assert r.status_code == 400 and "not a GS1 label" in r.get_json()["message"]


def _blank_png(width: int = 64, height: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, "PNG")
    return out.getvalue()


# --- the offline queue's pages ------------------------------------------------------------------

def test_the_waiting_page_by_role_and_without_javascript(app, console, people):
    r = console.client().get("/app/waiting")
    assert r.status_code == 302 and r.location == "/app/login?next=/app/waiting"
    for role in ("member", "admin", "inspector"):
        page = console.signed_in(people[role]).get("/app/waiting").get_data(as_text=True)
        assert 'id="tc-waiting"' in page and "<noscript>" in page
        assert "cần JavaScript" in page  # the queue is in the browser: without JS, say so
        assert len(gzip.compress(page.encode())) < 30 * 1024


def test_every_console_page_carries_the_queue_s_texts_the_badge_and_the_token(app, console,
                                                                             people):
    member = console.signed_in(people["member"])
    page = member.get("/app/").get_data(as_text=True)
    csrf = console.csrf(member, "/app/")
    assert f'<meta name="csrf-token" content="{csrf}">' in page
    assert 'data-offline-badge' in page and "hidden>" in page  # hidden until the JS counts
    assert f'data-user="{people["member"]["id"]}"' in page
    assert "Đã lưu trên điện thoại này" in page and "/app/static/offline.js" in page
    signed_out = console.client().get("/app/login").get_data(as_text=True)
    assert 'data-user=""' in signed_out and "data-offline-badge" not in signed_out


def test_the_service_worker_is_served_for_the_console_s_scope_and_never_cached(app, console):
    r = console.client().get("/app/sw.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Service-Worker-Allowed"] == "/app/"
    assert r.headers["Cache-Control"] == "no-cache"
    assert b"tc-pages-" in r.data and b"X-Console-User" in r.data


def test_a_signed_in_page_says_whose_it_is_and_a_signed_out_one_does_not(app, console, people):
    member = console.signed_in(people["member"])
    r = member.get("/app/")
    assert r.headers["X-Console-User"] == str(people["member"]["id"])
    assert "X-Console-User" not in console.client().get("/app/login").headers

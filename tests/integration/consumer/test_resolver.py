"""The GS1 Digital Link resolver over the demo data: paths, negotiation, headers, errors."""

from __future__ import annotations

import hashlib
import re

import pytest

from .conftest import COFFEE, PEPPER

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is the
# resolver's HTTP answers (lot spellings in the database: test_lot_characters.py, both).
DATABASES = ("sqlite",)

PEPPER_STEPS = ["harvesting", "harvesting", "harvesting", "drying", "shipping", "receiving",
                "grading", "shipping", "receiving"]
COFFEE_STEPS = ["harvesting", "harvesting", "drying", "hulling", "shipping", "receiving",
                "roasting", "packing", "exporting"]


def steps(html: str) -> list[str]:
    return re.findall(r'data-step="([\w-]+)"', html)


def verdict(html: str) -> str:
    return re.search(r'data-testid="verdict" data-status="(\w+)"', html).group(1)


def test_pepper_page_in_vietnamese_is_verified_with_its_journey(anchored):
    r = anchored.get(PEPPER, "vi-VN,vi;q=0.9,en;q=0.5")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert '<html lang="vi">' in html and r.headers["Content-Language"] == "vi"
    assert steps(html) == PEPPER_STEPS
    assert verdict(html) == "verified"
    for words in ("Thu hoạch", "Phơi khô", "Phân loại", "Vận chuyển", "Nhận hàng",
                  "Tiêu đen Quảng Trị FAQ 550", "HTX Hồ tiêu Cam Lộ", "Quảng Trị",
                  "Hồ sơ nguyên vẹn và đã được neo trên blockchain"):
        assert words in html, words
    assert 'href="http://localhost:5000/api/v1/public/lots/08936101000217/QT25-G550-01/' \
           'audit-pack"' in html
    # Nothing the page would fetch: no script, stylesheet, image or font from anywhere.
    assert not re.search(r'<(script|img|link rel="stylesheet")|@import|url\(', html)
    assert len(r.data) < 100_000


def test_coffee_page_in_english_shows_the_export_to_hamburg(anchored):
    r = anchored.get(COFFEE, "en-GB,en;q=0.8")
    html = r.get_data(as_text=True)
    assert '<html lang="en">' in html and steps(html) == COFFEE_STEPS
    for words in ("Harvested", "Dried", "Hulled", "Roasted", "Packed", "Exported",
                  "Kaffeehandel Hamburg GmbH", "Records intact and anchored on the blockchain",
                  "Đắk Lắk"):
        assert words in html, words


def test_language_switch_and_fallback(anchored):
    html = anchored.get(PEPPER + "?lang=en", "vi").get_data(as_text=True)
    assert '<html lang="en">' in html and "Harvested" in html
    assert 'hreflang="vi"' in html and "lang=vi" in html  # the switch back
    # A language we have no page in falls back to English; no header at all too.
    assert '<html lang="en">' in anchored.get(PEPPER, "de-DE,de").get_data(as_text=True)
    assert '<html lang="en">' in anchored.client.get(PEPPER).get_data(as_text=True)
    assert '<html lang="vi">' in anchored.get(PEPPER + "?lang=xx", "vi").get_data(as_text=True)


def test_short_names_and_short_gtins_resolve_to_the_same_lot(anchored):
    for path in ("/gtin/8936101000217/lot/QT25-G550-01", "/01/8936101000217/10/QT25-G550-01/",
                 "/01/08936101000217/lot/QT25-G550-01"):
        r = anchored.get(path, headers_accept := "vi")
        assert r.status_code == 200, (path, headers_accept)
        assert steps(r.get_data(as_text=True)) == PEPPER_STEPS


def test_json_summary_is_cross_origin_and_names_every_step(anchored):
    r = anchored.client.get(PEPPER, headers={"Accept": "application/json",
                                             "Origin": "https://shop.example"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    # Every link in the header has a title (GS1's resolver test suite checks it; issue #10).
    assert r.headers["Link"] == ('<http://localhost:5000/01/08936101000217/10/QT25-G550-01?'
                                 'linkType=all>; rel="linkset"; type="application/linkset+json"; '
                                 'title="The links of this item (RFC 9264 linkset)"')
    body = r.get_json()
    assert body["product"]["name"] == {"vi": "Tiêu đen Quảng Trị FAQ 550",
                                       "en": "Quảng Trị black pepper FAQ 550"}
    assert body["lot"]["lot"] == "QT25-G550-01" and body["lot"]["quantity"] == 900
    assert [s["step"] for s in body["journey"]] == PEPPER_STEPS
    assert body["verdict"]["status"] == "verified" and body["verdict"]["events"] == 9
    assert body["origin"]["harvestDates"] == {"from": "2025-03-03", "to": "2025-03-05"}
    assert body["origin"]["provinces"] == ["Quảng Trị"]
    anchor = body["journey"][0]["verification"]["anchor"]
    assert anchor["txHash"].startswith("0x") and anchor["blockNumber"] >= 1 and anchor["proof"]
    same = anchored.client.get(PEPPER + "?linkType=gs1:traceability").get_json()
    assert same["journey"] == body["journey"]


def test_linkset_lists_page_data_audit_pack_and_certifications(anchored):
    for r in (anchored.client.get(PEPPER + "?linkType=all"),
              anchored.client.get(PEPPER, headers={"Accept": "application/linkset+json"})):
        assert r.status_code == 200 and r.mimetype == "application/linkset+json"
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        # the lot's own context object, then the product's (every level up to the GTIN)
        entry, product = r.get_json()["linkset"]
        assert product["anchor"] == "http://localhost:5000/01/08936101000217"
        assert entry["anchor"] == "http://localhost:5000" + PEPPER
        voc = "https://gs1.org/voc/"
        assert entry[voc + "defaultLink"][0]["href"] == entry["anchor"]
        assert {link["type"] for link in entry[voc + "traceability"]} == {"application/json"}
        assert voc + "certificationInfo" in entry and voc + "pip" in entry
    pack_url = next(link["href"] for link in entry[voc + "traceability"]
                    if "audit-pack" in link["href"])
    pack = anchored.client.get(pack_url.removeprefix("http://localhost:5000"))
    assert pack.status_code == 200  # public: no token
    assert pack.get_json()["format"] == "tracechain-audit-pack"
    assert len(pack.get_json()["events"]) == 9
    assert "attachment" in pack.headers["Content-Disposition"]


def test_head_and_options(anchored):
    head = anchored.client.head(PEPPER, headers={"Accept-Language": "vi"})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"].startswith("text/html") and "Link" in head.headers
    pre = anchored.client.options(PEPPER, headers={
        "Origin": "https://shop.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Accept"})
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]
    assert "Accept" in pre.headers["Access-Control-Allow-Headers"]
    assert "OPTIONS" in pre.headers["Allow"]


def test_etag_gives_a_phone_a_304_until_something_changes(anchored):
    first = anchored.get(PEPPER)
    etag = first.headers["ETag"]
    # A hash of the body itself, so every worker process gives the same page the same tag.
    assert etag == '"' + hashlib.blake2b(first.data, digest_size=12).hexdigest() + '"'

    again = anchored.get(PEPPER, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert anchored.get(PEPPER, "en", **{"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("path, accept, status, needle", [
    ("/01/08936101000218/10/X", "text/html", 400, "check digit"),
    ("/01/08936101000217/10/" + "L" * 21, "text/html", 400, "at most 20"),
    ("/01/08936101000217/99/X", "text/html", 400, "must be 10 (lot), 21 (serial)"),
    ("/01/08936101000224", "text/html", 404, "no product with GTIN 08936101000224"),
    ("/01/08936101000224/10/NOPE-1", "text/html", 404, "no product with GTIN 08936101000224"),
    ("/01/08936101000224/10/NOPE-1", "application/json", 404, "no product with GTIN"),
    ("/01/08936101000218/10/X", "application/json", 400, "check digit"),
])
def test_bad_and_unknown_codes_get_a_friendly_answer(demo, path, accept, status, needle):
    r = demo.client.get(path, headers={"Accept": accept, "Accept-Language": "vi"})
    assert r.status_code == status
    text = r.get_data(as_text=True)
    assert needle in text and "Traceback" not in text
    if accept == "application/json":
        assert r.get_json()["code"] == status and r.headers["Access-Control-Allow-Origin"] == "*"
    else:
        testid = "not-found" if status == 404 else "bad-request"
        assert f'data-testid="{testid}"' in text and '<html lang="vi">' in text
        assert ('action="/report-fake"' in text) == (status == 404)


PRODUCT = "http://localhost:5000/01/08936101000217"


@pytest.mark.parametrize("path, what, code", [
    ("/01/08936101000217/10/NOPE-1", "lot", "NOPE-1"),
    ("/01/08936101000217/21/NOPE-1", "serial", "NOPE-1"),
    ("/01/08936101000217/10/QT25-G550-01/21/NOPE-1", "serial", "NOPE-1"),  # a known lot's
    ("/01/08936101000217/10/NOPE-1?linkType=gs1:defaultLink", "lot", "NOPE-1"),
])
def test_an_unknown_lot_or_item_walks_up_to_the_product_page_with_a_warning(demo, path, what,
                                                                             code):
    """GS1's walk-up, said plainly: the product's page, topped by the warning and the form to
    report a fake (a code nobody recorded is what a counterfeit looks like)."""
    r = demo.get(path, "en")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    word = "item" if what == "serial" else "lot"
    warning = f"We have no record of {word} {code} of this product."
    assert warning in html and "it may be a fake: tell us" in html
    assert html.index('data-testid="no-record"') < html.index('data-testid="product"')
    assert "Quảng Trị black pepper FAQ 550" in html and "Công ty CP Chế biến Gia vị" in html
    assert 'action="/report-fake"' in html and 'data-testid="report-fake"' in html
    assert f'name="code" value="{path.split("?")[0]}"' in html
    assert 'data-testid="timeline"' not in html  # no lot's records shown for this code
    assert f'<{PRODUCT}>; rel="up"' in r.headers["Link"]
    assert "ETag" not in r.headers and r.headers["Cache-Control"] == "no-cache"
    assert not re.search(r'<(script|img|link rel="stylesheet")|@import|url\(', html)
    assert len(r.data) < 20_000
    vi = demo.get(path, "vi").get_data(as_text=True)
    assert ("Chúng tôi không có hồ sơ nào về " + ("mã sê-ri " if what == "serial" else "lô ")
            + code) in vi and "Báo cáo nghi hàng giả" in vi


def test_an_unknown_lot_s_summary_walks_up_with_explicit_members(demo):
    path = "/01/08936101000217/10/NOPE-1"
    for how in ({"headers": {"Accept": "application/json"}}, {"query_string": {
            "linkType": "gs1:traceability"}}):
        r = demo.client.get(path, **how)
        assert r.status_code == 200 and r.mimetype == "application/json"
        body = r.get_json()
        assert body["requested"] == "http://localhost:5000" + path
        assert body["answeredFor"] == PRODUCT and body["noRecordOf"] == "lot"
        assert body["noRecordOfValue"] == "NOPE-1"
        assert body["product"]["maker"] == "Công ty CP Chế biến Gia vị Quảng Trị"
        assert "journey" not in body and "verdict" not in body
        assert f'<{PRODUCT}>; rel="up"' in r.headers["Link"] and "ETag" not in r.headers
    item = demo.client.get("/01/08936101000217/21/S-9", headers={"Accept": "application/json"})
    assert item.get_json()["noRecordOf"] == "serial"
    # A known lot answers for itself, as before: no walk-up members.
    known = demo.client.get(PEPPER, headers={"Accept": "application/json"}).get_json()
    assert "noRecordOf" not in known and known["lot"]["lot"] == "QT25-G550-01"


def test_product_code_alone_names_the_product(demo):
    r = demo.get("/01/08936101000217", "en")
    assert r.status_code == 200 and "Quảng Trị black pepper FAQ 550" in r.get_data(as_text=True)
    body = demo.client.get("/gtin/8936101000217", headers={"Accept": "application/json"})
    assert body.get_json()["product"]["maker"] == "Công ty CP Chế biến Gia vị Quảng Trị"


def test_before_anchoring_the_verdict_is_pending(demo):
    assert verdict(demo.get(PEPPER).get_data(as_text=True)) == "pending"


def test_every_walked_up_answer_counts_against_the_guessing_budget(demo):
    """A walked-up answer says as plainly as a 404 that a code is unknown: the page, the summary
    and the linkset of an unknown lot each cost the client one of its guesses."""
    from tracechain.app_services import app_services

    app_services(demo.app).reconfigure(unknown_code_budget=3)  # a fresh budget
    unknown = "/01/08936101000217/10/GUESS-{}"
    assert demo.client.get(unknown.format(1)).status_code == 200
    assert demo.client.get(unknown.format(2), headers={"Accept": "application/json"}
                           ).status_code == 200
    assert demo.client.get(unknown.format(3) + "?linkType=linkset").status_code == 200
    assert demo.client.get(unknown.format(4)).status_code == 429


def test_the_product_page_shows_its_owner_s_certificates(demo):
    [(org_id,)] = demo.sql("SELECT id FROM organisations WHERE name = "
                           "'Công ty CP Chế biến Gia vị Quảng Trị'")
    demo.sql("INSERT INTO certifications (organisation_id, scheme, code, issuer, created_at) "
             "VALUES (:o, 'HACCP', 'QT-HACCP-7', 'Bureau Veritas', CURRENT_TIMESTAMP)", o=org_id)
    for path in ("/01/08936101000217", "/01/08936101000217/10/NOPE-1"):
        html = demo.get(path, "en").get_data(as_text=True)
        assert 'data-testid="certifications"' in html and "QT-HACCP-7" in html, path
        assert "Issued by Bureau Veritas" in html
        summary = demo.client.get(path, headers={"Accept": "application/json"}).get_json()
        assert [c["code"] for c in summary["product"]["certifications"]] == ["QT-HACCP-7"]

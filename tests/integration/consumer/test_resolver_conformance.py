"""GS1-Conformant resolver rules, one by one (GS1 Digital Link URI syntax 1.4, the resolver
standard and GS1's resolver test suite), over a cooperative's product set up through the API;
and what an attacker would try next to each: another organisation's links, hostile hrefs, odd
paths."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import jsonschema_rs
import pytest
from sqlalchemy import text

from tests.support.cooperative import auth, coop
from tracechain.app_services import app_services
from tracechain.gs1.resolver_paths import CSET82

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is
# GS1's resolver rules over HTTP (lot spellings in the database: test_lot_characters.py, both).
DATABASES = ("sqlite",)

BASE = "http://localhost:5000"
VOC = "https://gs1.org/voc/"
LINKSET = "application/linkset+json"
SCHEMA = jsonschema_rs.Draft7Validator(json.loads(
    (Path(__file__).parents[2] / "fixtures/digital-link/gs1-linkset-schema.json").read_text()))


@pytest.fixture
def shop(client, actions):
    """A cooperative with a product (GTIN-13, so paths are padded) and one lot of it."""
    member = coop(client, actions, "HTX Cam Lộ")
    gtin = member.product("pepper_berries", "Tiêu đen Cam Lộ")
    member.harvest(member.plot(), gtin, "L1")
    member.gtin, member.gtin14 = gtin, gtin.zfill(14)
    return member


def _link(member, body: dict, expect: int = 201) -> dict:
    return member.post(f"products/{member.gtin}/links", body, expect)


def _linkset(client, path: str, how: str = "query") -> dict:
    if how == "query":
        r = client.get(path + "?linkType=linkset")
    elif how == "all":
        r = client.get(path + "?linkType=all")
    else:
        r = client.get(path, headers={"Accept": LINKSET})
    assert r.status_code == 200 and r.mimetype == LINKSET, r.data[:300]
    body = r.get_json()
    errors = [e.message for e in SCHEMA.iter_errors(body)]
    assert errors == [], errors
    return body


# --- the resolver description file ----------------------------------------------------------

def test_resolver_description_file(client):
    r = client.get("/.well-known/gs1resolver", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    body = r.get_json()
    assert body["resolverRoot"] == BASE and body["supportedPrimaryKeys"] == ["01"]
    assert body["linkTypeDefaultCanBeLinkset"] is False and "name" in body
    assert "gs1:pip" in body["linkTypes"]


# --- linksets -------------------------------------------------------------------------------

def test_lot_linkset_is_valid_against_gs1_schema_with_every_level(client, shop):
    brand = _link(shop, {"linkType": "gs1:pip", "href": "https://camlo.example/tieu",
                         "title": "Trang của HTX", "language": "vi", "mediaType": "text/html"})
    manual = _link(shop, {"linkType": "gs1:instructions", "lot": "L1",
                          "href": "https://camlo.example/l1.pdf", "title": "Hướng dẫn L1"})
    lot = f"/01/{shop.gtin14}/10/L1"
    for how in ("query", "all", "accept"):
        own, product = _linkset(client, lot, how)["linkset"]
        assert own["anchor"] == BASE + lot and own["itemDescription"] == "Tiêu đen Cam Lộ"
        assert product["anchor"] == f"{BASE}/01/{shop.gtin14}"
        assert own[VOC + "defaultLink"] == [{"href": BASE + lot, "title": "Provenance / Nguồn gốc",
                                             "type": "text/html", "hreflang": ["vi", "en"]}]
        for rel in ("traceability", "certificationInfo", "recallStatus"):
            assert all({"href", "title", "type", "hreflang"} <= set(x) for x in own[VOC + rel])
        # the product's link is the lot's too; the lot's is not the product's
        assert {"href": brand["href"], "title": brand["title"], "hreflang": ["vi"],
                "type": "text/html"} in own[VOC + "pip"]
        assert own[VOC + "instructions"] == [{"href": manual["href"], "title": "Hướng dẫn L1"}]
        assert VOC + "instructions" not in product
        assert brand["href"] in {x["href"] for x in product[VOC + "pip"]}
    [product_only] = _linkset(client, f"/01/{shop.gtin}")["linkset"]
    assert product_only["itemDescription"] == "Tiêu đen Cam Lộ"


def test_the_linkset_link_in_every_answer_has_a_title(client, shop):
    for accept in ("text/html", "application/json", LINKSET):
        r = client.get(f"/01/{shop.gtin}/10/L1", headers={"Accept": accept})
        assert 'rel="linkset"' in r.headers["Link"] and 'title="' in r.headers["Link"]
        assert "OPTIONS" in r.headers["Access-Control-Allow-Methods"]


# --- linkType semantics ---------------------------------------------------------------------

def test_link_types(client, shop):
    lot = f"/01/{shop.gtin}/10/L1"
    unknown = client.get(lot + "?linkType=gs1:nonsense", headers={"Accept": "application/json"})
    assert unknown.status_code == 404 and "not a GS1 link type" in unknown.get_json()["message"]
    missing = client.get(lot + "?linkType=gs1:instructions",
                         headers={"Accept": "application/json"})
    assert missing.status_code == 404 and "has no gs1:instructions" in missing.get_json()[
        "message"]
    assert client.get(lot + "?linkType=gs1:defaultLink").mimetype == "text/html"
    assert client.get(lot + "?linkType=gs1:traceability").get_json()["lot"]["lot"] == "L1"
    recalls = client.get(lot + "?linkType=https://gs1.org/voc/recallStatus")
    assert recalls.status_code == 200 and recalls.get_json()["recalls"] == []
    # registered: a 307 to it, the query string passed on, the language chosen by the client
    _link(shop, {"linkType": "gs1:instructions", "href": "https://camlo.example/how?x=1",
                 "title": "How to store pepper", "language": "en"})
    _link(shop, {"linkType": "gs1:instructions", "href": "https://camlo.example/cach",
                 "title": "Cách bảo quản", "language": "vi"})
    en = client.get(lot + "?linkType=gs1:instructions&foo=bar",
                    headers={"Accept-Language": "en-GB,en"})
    assert en.status_code == 307
    assert en.headers["Location"] == "https://camlo.example/how?x=1&foo=bar"
    assert en.headers["Access-Control-Allow-Origin"] == "*"
    vi = client.get(lot + "?linkType=gs1:instructions", headers={"Accept-Language": "vi"})
    assert vi.headers["Location"] == "https://camlo.example/cach"
    # a brand's own page registered for the product: gs1:pip goes there, the default stays ours
    _link(shop, {"linkType": "gs1:pip", "href": "https://camlo.example/", "title": "Cam Lộ"})
    assert client.get(lot + "?linkType=gs1:pip").headers["Location"] == "https://camlo.example/"
    assert client.get(lot).status_code == 200


# --- walk-up, qualifiers --------------------------------------------------------------------

def test_unknown_lot_walks_up_to_the_product(client, shop):
    _link(shop, {"linkType": "gs1:pip", "href": "https://camlo.example/", "title": "Cam Lộ"})
    path = f"/01/{shop.gtin14}/10/NOPE"
    r = client.get(path + "?linkType=linkset")
    own, product = _linkset(client, path)["linkset"]
    assert own["anchor"] == BASE + path and "no record" in own["itemDescription"]
    assert own[VOC + "defaultLink"][0]["href"] == f"{BASE}/01/{shop.gtin14}"
    assert VOC + "traceability" not in own
    assert f'<{BASE}/01/{shop.gtin14}>; rel="up"' in r.headers["Link"]
    assert client.get(path + "?linkType=gs1:pip").headers["Location"] == "https://camlo.example/"
    page = client.get(f"/01/{shop.gtin}/21/NOPE?linkType=gs1:defaultLink")
    assert page.status_code == 200 and page.mimetype == "text/html"
    # an unknown GTIN has nothing to walk up to
    assert client.get("/01/08930000999993/10/L1?linkType=linkset").status_code == 404
    # A browser's page for a lot we have no record of walks up too: the product's page, topped
    # by the warning and the report form (a code nobody recorded may be a fake's).
    page = client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "We have no record of lot NOPE of this product." in page.get_data(as_text=True)
    assert f'<{BASE}/01/{shop.gtin14}>; rel="up"' in page.headers["Link"]
    summary = client.get(path, headers={"Accept": "application/json"}).get_json()
    assert summary["requested"] == BASE + path and summary["noRecordOf"] == "lot"
    assert summary["answeredFor"] == f"{BASE}/01/{shop.gtin14}"
    assert client.get("/01/08930000999993/10/L1").status_code == 404


def test_a_walked_up_answer_is_not_kept_for_the_lot_once_it_is_recorded(client, shop):
    """No ETag a phone could revalidate later, no cached copy served once the lot exists."""
    path = f"/01/{shop.gtin14}/10/L2"
    first = client.get(path)
    assert 'data-testid="no-record"' in first.get_data(as_text=True)
    assert "ETag" not in first.headers
    assert "noRecordOf" in client.get(path, headers={"Accept": "application/json"}).get_json()
    shop.harvest(shop.plot(), shop.gtin, "L2")
    html = client.get(path).get_data(as_text=True)
    assert 'data-testid="no-record"' not in html and 'data-testid="timeline"' in html
    summary = client.get(path, headers={"Accept": "application/json"}).get_json()
    assert "noRecordOf" not in summary and summary["lot"]["lot"] == "L2"


def test_key_qualifiers_22_and_235(client, shop):
    cpv = client.get(f"/01/{shop.gtin}/22/V1/10/L1", headers={"Accept": "application/json"})
    assert cpv.status_code == 200 and cpv.get_json()["lot"]["lot"] == "L1"
    own, _product = _linkset(client, f"/01/{shop.gtin}/22/V1/10/L1")["linkset"]
    assert own["anchor"] == f"{BASE}/01/{shop.gtin14}/22/V1/10/L1"
    assert "no record" in own["itemDescription"]  # we keep no CPV: the lot answers
    tpx = _linkset(client, f"/01/{shop.gtin}/235/TPX-0001!")["linkset"]
    assert tpx[0]["anchor"] == f"{BASE}/01/{shop.gtin14}/235/TPX-0001%21"
    assert client.get(f"/01/{shop.gtin}/235/{'T' * 28}?linkType=gs1:pip").status_code == 200
    assert client.get(f"/01/{shop.gtin}/235/{'T' * 29}").status_code == 400
    assert client.get(f"/01/{shop.gtin}/10/L1/22/V1").status_code == 400  # out of order
    assert client.get(f"/01/{shop.gtin}/235/T/10/L1").status_code == 400
    assert client.get(f"/01/{shop.gtin}/10/L1/foo").status_code == 400


# --- one spelling for every lot character ---------------------------------------------------

CHUNKS = ["".join(sorted(CSET82))[i:i + 20] for i in range(0, 82, 20)]


def test_every_cset82_character_round_trips(client, shop):
    for lot in CHUNKS:
        shop.harvest(shop.plot(), shop.gtin, lot)
        canonical = quote(lot, safe="")
        literal = quote(lot, safe="!$&'()*+,;=:@")
        for spelling in dict.fromkeys((canonical, literal, canonical.lower())):
            r = client.get(f"/01/{shop.gtin}/10/{spelling}",
                           headers={"Accept": "application/json"})
            if spelling == canonical.lower() and any(c.isalpha() for c in lot):
                continue  # lower-casing a lot's own letters names another lot
            assert r.status_code == 200, (lot, spelling, r.get_json())
            assert r.get_json()["lot"]["lot"] == lot
        own = _linkset(client, f"/01/{shop.gtin}/10/{canonical}")["linkset"][0]
        assert own["anchor"] == f"{BASE}/01/{shop.gtin14}/10/{canonical}"


def test_a_lot_stored_under_an_older_spelling_is_found_and_left_as_it_was(client, shop, app):
    shop.harvest(shop.plot(), shop.gtin, "A!B(1)*")
    canonical = f"https://id.gs1.org/01/{shop.gtin14}/10/A%21B%281%29%2A"
    older = f"https://id.gs1.org/01/{shop.gtin14}/10/A!B(1)*"
    with app_services(app).engine.begin() as conn:  # as a capture before migration 0007 left it
        for table in ("lots", "event_objects"):
            conn.execute(text(f"UPDATE {table} SET uri = :o WHERE uri = :c"),
                         {"o": older, "c": canonical})
    for path in ("A%21B%281%29%2A", "A!B(1)*", "A%21B%281%29%2a"):
        r = client.get(f"/01/{shop.gtin}/10/{path}", headers={"Accept": "application/json"})
        assert r.status_code == 200 and r.get_json()["lot"]["lot"] == "A!B(1)*", path
    assert client.get(f"/01/{shop.gtin}/10/A%21B%281%29%2A").status_code == 200  # the page
    with app_services(app).engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM lots WHERE uri = :o"),
                            {"o": older}).scalar() == 1


# --- links organisations manage: the attacker's tests ---------------------------------------

def test_only_the_owner_manages_its_products_links(client, actions, shop):
    rival = coop(client, actions, "HTX Cam Thành")
    body = {"linkType": "gs1:pip", "href": "https://evil.example/", "title": "Mine now"}
    r = client.post(f"/api/v1/products/{shop.gtin}/links", json=body, headers=rival.headers)
    assert r.status_code == 403
    inspector = auth(actions.token("inspector"))
    assert client.post(f"/api/v1/products/{shop.gtin}/links", json=body,
                       headers=inspector).status_code == 403
    assert client.post(f"/api/v1/products/{shop.gtin}/links", json=body).status_code == 401
    assert client.get(f"/api/v1/products/{shop.gtin}/links", headers=rival.headers
                      ).get_json() == []
    mine = _link(shop, {"linkType": "gs1:pip", "href": "https://camlo.example/",
                        "title": "Cam Lộ"})
    gone = client.delete(f"/api/v1/products/{shop.gtin}/links/{mine['id']}",
                         headers=rival.headers)
    assert gone.status_code == 403
    assert [x["id"] for x in shop.get(f"/api/v1/products/{shop.gtin}/links")] == [mine["id"]]
    assert client.delete(f"/api/v1/products/{shop.gtin}/links/{mine['id']}",
                         headers=shop.headers).status_code == 204
    assert shop.get(f"/api/v1/products/{shop.gtin}/links") == []
    assert client.get(f"/01/{shop.gtin}?linkType=gs1:pip").status_code == 200  # ours again


HOSTILE = [
    ("href", "javascript:alert(1)"), ("href", "data:text/html,<script>alert(1)</script>"),
    ("href", "ftp://camlo.example/x"), ("href", "/relative"), ("href", "https://"),
    ("href", "https://user:pw@camlo.example/"), ("href", "https://camlo.example/a b"),
    ("href", "https://camlo.example/" + "a" * 1000), ("href", "JaVaScRiPt:alert(1)"),
    ("linkType", "gs1:defaultLink"), ("linkType", "gs1:nonsense"), ("linkType", "evil"),
    ("title", ""), ("title", "x" * 201), ("title", "a\nb"), ("language", "vietnamese"),
    ("mediaType", "text"), ("lot", "L" * 21), ("lot", "Ô"),
]


def test_hostile_or_malformed_links_are_refused_and_nothing_is_stored(client, shop):
    """One shop for all of them (each a 400 that changes nothing, so none affects the next)."""
    for field, value in HOSTILE:
        body = {"linkType": "gs1:pip", "href": "https://camlo.example/", "title": "Cam Lộ",
                field: value}
        r = client.post(f"/api/v1/products/{shop.gtin}/links", json=body, headers=shop.headers)
        assert r.status_code == 400, (field, value, r.get_json())
    assert shop.get(f"/api/v1/products/{shop.gtin}/links") == []


def test_links_for_unknown_products_or_lots_are_404(client, shop):
    body = {"linkType": "gs1:pip", "href": "https://camlo.example/", "title": "Cam Lộ"}
    assert client.post("/api/v1/products/08930000999993/links", json=body,
                       headers=shop.headers).status_code == 404
    assert client.post(f"/api/v1/products/{shop.gtin}/links", json={**body, "lot": "NOPE"},
                       headers=shop.headers).status_code == 404
    assert client.post("/api/v1/products/123/links", json=body,
                       headers=shop.headers).status_code == 400


ODD_PATHS = [
    "/01/" + "9" * 5000, "/01/09506000134352/10/" + "%" * 300, "/01/09506000134352/10/A/21/B/22/C",
    "/01/09506000134352/22/" + "%FF" * 10, "/01/09506000134352/235/" + "%25" * 40,
    "/01/09506000134352/10/A?linkType=" + "x" * 5000, "/01/09506000134352?linkType=gs1:",
    "/01/09506000134352/10/%00", "/01/09506000134352/cpv/a/lot/b/ser/c/x",
]


def test_odd_paths_are_4xx_not_500(client):
    for path in ODD_PATHS:
        r = client.get(path, headers={"Accept": "application/json"})
        assert 400 <= r.status_code < 500, (path, r.status_code)


# --- compressed Digital Links ---------------------------------------------------------------

def test_compressed_links_answer_as_the_link_they_stand_for(client, shop):
    from tracechain.gs1.dl_compression import compress

    plain = f"/01/{shop.gtin14}/10/L1"
    segment = compress({"01": shop.gtin14, "10": "L1"})
    for accept in ("text/html", "application/json"):
        a = client.get(plain, headers={"Accept": accept})
        b = client.get("/" + segment, headers={"Accept": accept})
        assert (a.status_code, a.mimetype) == (b.status_code, b.mimetype) == (200, a.mimetype)
        assert f'<{BASE}{plain}>; rel="owl:sameAs"' in b.headers["Link"]
        assert b.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/" + segment, headers={"Accept": "application/json"}).get_json()[
        "lot"]["lot"] == "L1"
    own, _product = _linkset(client, "/" + segment)["linkset"]
    assert own["anchor"] == BASE + plain  # the uncompressed link, as GS1's test suite wants
    # data attributes and other pairs stay in the uncompressed URI's query string
    with_date = compress({"01": shop.gtin14, "10": "L1", "17": "271231"}, {"k1": "v1"})
    r = client.get("/" + with_date, headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert f'<{BASE}{plain}?17=271231&k1=v1>; rel="owl:sameAs"' in r.headers["Link"]
    # linkType works on compressed links too; an unknown lot is what it is uncompressed
    _link(shop, {"linkType": "gs1:pip", "href": "https://camlo.example/", "title": "Cam Lộ"})
    assert client.get("/" + segment + "?linkType=gs1:pip").headers["Location"] == \
        "https://camlo.example/"
    unknown = compress({"01": shop.gtin14, "10": "NOPE"})
    walked = client.get("/" + unknown)
    assert walked.status_code == client.get(f"/01/{shop.gtin14}/10/NOPE").status_code == 200
    assert 'data-testid="no-record"' in walked.get_data(as_text=True)  # walked up, warned
    assert client.options("/" + segment).status_code == 204


def test_bad_compressed_links_are_4xx(client):
    from tracechain.gs1.dl_compression import compress

    assert client.get("/" + compress({"414": "9506000134352"})).status_code == 400
    bad_digit = compress({"01": "09506000134353"})
    assert client.get("/" + bad_digit, headers={"Accept": "application/json"}).status_code == 400
    for junk in ("robotsrobots", "A" * 700, "__________", "zzzzzzzzzzzzzzzzzzzz"):
        assert 400 <= client.get("/" + junk).status_code < 500, junk
    assert client.get("/healthz").status_code == 200  # fixed routes still win


def test_language_of_a_registered_link_matches_any_tag_the_client_asks_for(client, shop):
    from tracechain.gs1.dl_compression import compress

    for language, href in (("fr", "https://camlo.example/fr"), ("en-GB", "https://camlo.example/gb"),
                           (None, "https://camlo.example/")):
        _link(shop, {"linkType": "gs1:recipeInfo", "href": href, "title": "Recette",
                     **({"language": language} if language else {})})
    lot = f"/01/{shop.gtin}/10/L1?linkType=gs1:recipeInfo"
    for asked, where in (("fr-FR,fr;q=0.9", "https://camlo.example/fr"),
                         ("en-GB", "https://camlo.example/gb"), ("de", "https://camlo.example/")):
        assert client.get(lot, headers={"Accept-Language": asked}).headers["Location"] == where
    segment = compress({"01": shop.gtin14, "10": "L1"})
    assert client.get("/" + segment + "/").status_code == 200  # a trailing slash is tolerated

"""The consumer provenance page behind the GS1 Digital Link QR codes, in a real browser.

Opened as a consumer would: on a small phone (360×740 CSS px), from the demo's lots, over the
demo anchored on an in-process chain. The page's contract (issue #4): ``[data-testid=verdict]``
with ``data-status`` verified | pending | warning; ``ol[data-testid=timeline]`` of
``li[data-step]``; ``[data-testid=origin]``; ``[data-testid=plot-map] svg`` for published plots;
``details[data-testid=technical]``, folded; ``a[data-testid=audit-pack]``;
``[data-testid=recall-banner]``; ``[data-testid=lang-switch] a[hreflang]``;
``[data-testid=not-found]``; ``[data-testid=no-record]`` (an unknown lot of a known product,
walked up to the product's page).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import orjson
import pytest

from tests.e2e.browser_support import RequestLog, is_reddish
from tests.support.qr_decode import decode_png

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (fails under CI=true) and says why
    expect = None

PHONE_WIDTH = 360
FIRST_LOAD_BUDGET = 100 * 1024  # bytes of response bodies on the first load

LABELS = {
    "vi": {"harvesting": "Thu hoạch", "drying": "Phơi khô", "grading": "Phân loại",
           "packing": "Đóng gói", "shipping": "Vận chuyển", "receiving": "Nhận hàng",
           "roasting": "Rang", "hulling": "Xát vỏ"},
    "en": {"harvesting": "Harvested", "drying": "Dried", "grading": "Graded",
           "packing": "Packed", "shipping": "Shipped", "receiving": "Received",
           "roasting": "Roasted", "hulling": "Hulled"},
}


@dataclass(frozen=True)
class DemoLot:
    name: str
    gtin: str
    lot: str
    steps: tuple[str, ...]  # the lineage's steps, in this order (repeats collapsed)
    province: str
    cooperative: str
    farms: tuple[str, ...]  # farm codes of the lineage

    @property
    def path(self) -> str:
        return f"/01/{self.gtin}/10/{self.lot}"


PEPPER = DemoLot("pepper", "08936101000217", "QT25-G550-01",
                 ("harvesting", "drying", "shipping", "receiving", "grading"),
                 "Quảng Trị", "HTX Hồ tiêu Cam Lộ", ("CL-001", "CL-002", "CL-003"))
COFFEE = DemoLot("coffee", "08936104000412", "BMT25-R01",
                 ("harvesting", "drying", "hulling", "shipping", "receiving", "roasting",
                  "packing"),
                 "Đắk Lắk", "HTX Nông nghiệp Cà phê Ea Tu", ("ET-01", "ET-02"))
DEMO_LOTS = [pytest.param(PEPPER, id="pepper"), pytest.param(COFFEE, id="coffee")]
HARVEST = ("08936100000119", "CL25-001")  # a pepper harvest lot, graded into PEPPER
UNKNOWN_LOT = "/01/08936101000217/10/NOPE-1"
UNKNOWN_PRODUCT = "/01/08936101000224/10/NOPE-1"
BAD_CHECK_DIGIT = "/01/08936101000218/10/X"

HASH_HEX = re.compile(r"(?:0x|ni:///sha-256;)([0-9a-fA-F]{64})")
STACK_TRACE_WORDS = ("Traceback", 'File "', "werkzeug", "sqlalchemy.exc")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def open_page(page, url: str, expected_status: int = 200):
    response = page.goto(url)
    assert response is not None, f"no response for {url}"
    assert response.status == expected_status, (
        f"GET {url} answered {response.status}, not {expected_status}: "
        f"{nfc(page.locator('body').inner_text())[:300]!r}")
    return response


def assert_no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"the page is {width} px wide on a {PHONE_WIDTH}-px phone"


def timeline(page) -> list[tuple[str, str]]:
    """(data-step, visible text) of each timeline item, in page order."""
    ol = page.locator("[data-testid=timeline]")
    expect(ol).to_have_count(1)
    assert ol.evaluate("el => el.tagName") == "OL", "the timeline is an ordered list"
    items = ol.locator("li[data-step]")
    assert items.count() > 0, "the timeline has no li[data-step] items"
    expect(items.first).to_be_visible()
    return [(li.get_attribute("data-step"), nfc(li.inner_text())) for li in items.all()]


def assert_timeline(page, lot: DemoLot, lang: str) -> None:
    """The lot's steps appear in order (other steps may come between or after them, e.g. an
    export), each item labelled in the page's language."""
    items = timeline(page)
    steps = [step for step, _ in items]
    collapsed = [s for i, s in enumerate(steps) if i == 0 or s != steps[i - 1]]
    assert collapsed[0] == "harvesting", f"the lineage starts at the farms: {steps}"
    position = 0
    for step in lot.steps:  # the expected steps are an in-order subsequence of the timeline
        assert step in collapsed[position:], f"{step!r} is missing or out of order in {steps}"
        position = collapsed.index(step, position) + 1
    for step, text in items:
        assert text.strip(), f"timeline item {step!r} has no visible label"
        if step in LABELS[lang]:
            label = LABELS[lang][step]
            assert label in text, f"item {step!r} is not labelled {label!r} ({lang}): {text!r}"
        if lang == "vi":  # (names stay Vietnamese on English pages, so only this way round)
            english = [w for w in LABELS["en"].values() if re.search(rf"\b{w}\b", text)]
            assert not english, f"item {step!r} of the Vietnamese page reads {english}: {text!r}"


def verdict_status(page) -> str:
    verdict = page.locator("[data-testid=verdict]")
    expect(verdict).to_have_count(1)
    expect(verdict).to_be_visible()
    return verdict.get_attribute("data-status")


# --- 1. the pages themselves ------------------------------------------------------------------

@pytest.mark.parametrize("lot", DEMO_LOTS)
def test_demo_lot_page_on_a_phone(site, phone, screenshot, lot):
    page = phone("vi")
    open_page(page, site.url(lot.path))
    assert page.get_attribute("html", "lang") == "vi"
    assert_timeline(page, lot, "vi")
    assert verdict_status(page) == "verified"

    origin = page.locator("[data-testid=origin]")
    expect(origin).to_be_visible()
    origin_text = nfc(origin.inner_text())
    assert lot.province in origin_text and lot.cooperative in origin_text, origin_text
    _assert_farm_publication(site, page, lot)

    audit = page.locator("a[data-testid=audit-pack]")
    expect(audit).to_be_visible()
    assert audit.get_attribute("href"), "the audit-pack link has no href"
    expect(page.locator("[data-testid=recall-banner]")).to_have_count(0)
    assert_no_horizontal_scroll(page)
    screenshot(page, f"{lot.name}-vi")

    _assert_technical_details(site, page, lot)
    assert_no_horizontal_scroll(page)  # long hashes must wrap, not widen the page
    screenshot(page, f"{lot.name}-vi-technical")


@pytest.mark.parametrize("lot", DEMO_LOTS)
def test_scanning_the_printed_qr_code_opens_the_page(site, phone, lot):
    """What a shopper does: the camera reads the code on the bag, the phone opens its link."""
    page = phone("vi")
    qr = page.request.get(site.url(f"/api/v1/lots/{lot.gtin}/{lot.lot}/qr.png?size=6"))
    assert qr.status == 200
    [link] = decode_png(qr.body())
    assert link == site.url(lot.path)
    open_page(page, link)
    assert_timeline(page, lot, "vi")
    assert verdict_status(page) == "verified"


def _assert_farm_publication(site, page, lot: DemoLot) -> None:
    """A plot is drawn only when its farmer agreed to publish it; likewise their name."""
    farms = site.sql("SELECT code, farmer_name, publish_farmer_name, publish_plot_location "
                     "FROM farms WHERE code IN :codes", codes=lot.farms)
    assert len(farms) == len(lot.farms), farms
    plot_maps = page.locator("[data-testid=plot-map] svg")
    if any(published_plot for *_, published_plot in farms):
        expect(plot_maps.first).to_be_visible()
    else:
        expect(plot_maps).to_have_count(0)
    text = nfc(page.locator("body").inner_text())
    for code, farmer, published_name, _ in farms:
        if not published_name:
            assert nfc(farmer) not in text, f"farm {code}'s farmer name is not published"


def _assert_technical_details(site, page, lot: DemoLot) -> None:
    details = page.locator("details[data-testid=technical]")
    expect(details).to_have_count(1)
    assert details.evaluate("el => el.open") is False, "technical details start folded"
    summary = details.locator("summary")
    expect(summary).to_be_visible()
    folded = details.locator(":scope > :not(summary)")
    if folded.count():
        expect(folded.first).to_be_hidden()

    summary.click()
    assert details.evaluate("el => el.open") is True, "clicking the summary opens the details"
    if folded.count():
        expect(folded.first).to_be_visible()
    text = details.inner_text()

    lineage = site.lineage(lot.gtin, lot.lot)
    ours = {HASH_HEX.search(e.event_hash).group(1).lower() for e in lineage.events}
    shown = {h.lower() for h in HASH_HEX.findall(text)}
    assert shown & ours, f"no event hash of the lineage among the details: {text[:500]!r}"
    hashes = [e.event_hash for e in lineage.events]
    [(tx, block, contract)] = site.sql(
        "SELECT DISTINCT b.tx_hash, b.block_number, b.contract FROM events e "
        "JOIN anchor_batches b ON b.id = e.batch_id WHERE e.event_hash IN :h", h=hashes)
    signers = {s.lower() for (s,) in site.sql(
        "SELECT DISTINCT COALESCE(e.signer, c.seal_signer) FROM events e JOIN capture_jobs c "
        "ON c.id = e.capture_id WHERE e.event_hash IN :h", h=hashes)}
    lowered = text.lower()
    assert any(s in lowered for s in signers), f"no signer address ({signers}) in the details"
    assert tx.lower() in lowered, f"transaction {tx} is not in the details"
    assert re.search(rf"(?<!\d){block}(?!\d)", text), f"block number {block} is not shown"
    assert contract.lower() in lowered, f"contract {contract} is not in the details"


# --- 2. nothing from elsewhere, and light -----------------------------------------------------

@pytest.mark.parametrize("lot", DEMO_LOTS)
def test_no_external_requests_and_a_light_first_load(site, phone, lot):
    page = phone("vi")
    log = RequestLog(page, site.host)
    open_page(page, site.url(lot.path))
    page.wait_for_load_state("networkidle")
    sizes = log.body_bytes()
    total = sum(sizes.values())
    assert total < FIRST_LOAD_BUDGET, f"first load is {total} bytes: {sizes}"
    page.locator("details[data-testid=technical] summary").click()
    page.wait_for_load_state("networkidle")
    assert log.external == [], f"requests outside the live server: {log.external}"


# --- 3. without JavaScript --------------------------------------------------------------------

def test_page_works_without_javascript(site, phone):
    page = phone("vi", js=False)
    open_page(page, site.url(PEPPER.path))
    assert_timeline(page, PEPPER, "vi")
    assert verdict_status(page) == "verified"
    details = page.locator("details[data-testid=technical]")
    details.locator("summary").click()  # <details> opens natively
    assert details.evaluate("el => el.open") is True

    page.locator("[data-testid=lang-switch] a[hreflang=en]").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert_timeline(page, PEPPER, "en")
    assert verdict_status(page) == "verified"


# --- 4. language ------------------------------------------------------------------------------

def test_english_from_accept_language_and_switch_to_vietnamese(site, phone, screenshot):
    page = phone("en")
    open_page(page, site.url(PEPPER.path))
    assert page.get_attribute("html", "lang") == "en"
    assert_timeline(page, PEPPER, "en")
    assert_no_horizontal_scroll(page)
    screenshot(page, "pepper-en")

    page.locator("[data-testid=lang-switch] a[hreflang=vi]").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "vi"
    assert_timeline(page, PEPPER, "vi")


@pytest.mark.parametrize(("header", "query", "expected"),
                         [("vi", "en", "en"), ("en", "vi", "vi")])
def test_lang_query_overrides_accept_language(site, phone, header, query, expected):
    page = phone(header)
    open_page(page, site.url(f"{COFFEE.path}?lang={query}"))
    assert page.get_attribute("html", "lang") == expected
    assert_timeline(page, COFFEE, expected)


# --- 5. tampering -----------------------------------------------------------------------------

def test_a_changed_event_turns_the_verdict_into_a_red_warning(scratch_site, phone, screenshot):
    site = scratch_site
    harvest = f"https://id.gs1.org/01/{HARVEST[0]}/10/{HARVEST[1]}"
    [(event_id, body)] = site.sql("SELECT event_id, body FROM events "
                                  "WHERE biz_step LIKE '%commissioning' AND body LIKE :lot",
                                  lot=f'%"{harvest}"%')
    event = orjson.loads(body)
    assert event["quantityList"][0]["quantity"] == 820, event
    event["quantityList"][0]["quantity"] = 920  # 100 kg more pepper than was harvested
    site.sql("UPDATE events SET body = :b WHERE event_id = :e",
             b=orjson.dumps(event).decode(), e=event_id)
    try:
        page = phone("vi")
        open_page(page, site.url(PEPPER.path))
        assert verdict_status(page) == "warning"
        colours = page.locator("[data-testid=verdict]").evaluate("""el => {
            const s = getComputedStyle(el);
            return [s.backgroundColor, s.borderTopColor, s.borderLeftColor,
                    s.borderBottomColor, s.borderRightColor];
        }""")
        assert any(is_reddish(c) for c in colours), f"the warning is not red: {colours}"
        assert_no_horizontal_scroll(page)
        screenshot(page, "pepper-warning")
    finally:
        site.sql("UPDATE events SET body = :b WHERE event_id = :e", b=body, e=event_id)


# --- 6. recalls -------------------------------------------------------------------------------

def _recall(site, gtin: str, lot: str, reason: str) -> None:
    """Recall a lot through the API, as the cooperative that harvested it."""
    response = site.app.test_client().post(
        f"/api/v1/lots/{gtin}/{lot}/recall", json={"reason": reason},
        headers={"Authorization": f"Bearer {site.token('Cam Lộ')}"})
    assert response.status_code in (200, 201), (response.status_code, response.get_data())


def test_recall_of_a_harvest_lot_shows_on_what_was_made_from_it(scratch_site, phone, screenshot):
    site = scratch_site
    _recall(site, *HARVEST, "Dư lượng thuốc bảo vệ thực vật vượt ngưỡng / pesticide residue")
    page = phone("vi")
    open_page(page, site.url(PEPPER.path))
    banner = page.locator("[data-testid=recall-banner]")
    expect(banner).to_have_count(1)
    expect(banner).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "pepper-recall")

    open_page(page, site.url(COFFEE.path))
    expect(page.locator("[data-testid=recall-banner]")).to_have_count(0)


# --- 7. not found, bad codes ------------------------------------------------------------------

def test_unknown_lot_walks_up_to_the_product_page_topped_by_a_warning(site, phone, screenshot):
    """GS1's walk-up: a lot we have no record of, under a product we know, opens the product's
    page; the warning comes first, the report form right under it."""
    page = phone("vi")
    open_page(page, site.url(UNKNOWN_LOT), 200)
    warning = page.locator("[data-testid=no-record]")
    expect(warning).to_be_visible()
    assert "NOPE-1" in warning.inner_text() and "hàng giả" in warning.inner_text()
    expect(page.locator("[data-testid=report-fake] form")).to_be_visible()
    top = {name: page.locator(f"[data-testid={name}]").bounding_box()["y"]
           for name in ("no-record", "report-fake", "product")}
    assert top["no-record"] < top["report-fake"] < top["product"], top
    assert is_reddish(warning.evaluate("e => getComputedStyle(e).backgroundColor"))
    expect(page.locator("[data-testid=timeline]")).to_have_count(0)
    text = page.locator("body").inner_text()
    assert not any(word in text for word in STACK_TRACE_WORDS), text[:500]
    assert_no_horizontal_scroll(page)
    screenshot(page, "unknown-lot-walked-up")


def test_unknown_product_is_a_friendly_404(site, phone, screenshot):
    page = phone("vi")
    open_page(page, site.url(UNKNOWN_PRODUCT), 404)
    expect(page.locator("[data-testid=not-found]")).to_be_visible()
    assert page.get_attribute("html", "lang") in ("vi", "en")
    text = page.locator("body").inner_text()
    assert not any(word in text for word in STACK_TRACE_WORDS), text[:500]
    assert_no_horizontal_scroll(page)
    screenshot(page, "not-found-404")


def test_bad_check_digit_is_a_400_page(site, phone):
    page = phone("vi")
    open_page(page, site.url(BAD_CHECK_DIGIT), 400)
    text = page.locator("body").inner_text()
    assert text.strip(), "the 400 page is empty"
    assert not any(word in text for word in STACK_TRACE_WORDS), text[:500]
    assert_no_horizontal_scroll(page)

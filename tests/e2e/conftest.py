"""Browser fixtures: Debian's chromium driven by Playwright, against a live demo server.

The browser is the system's /usr/bin/chromium (`make test` installs it from Debian when run as
root); Playwright's Python package brings only its driver. Nothing is downloaded at run time:
never `playwright install`. Without chromium or playwright the tests are skipped, and say why,
except under CI=true, where that is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.live_site import LiveSite

try:  # playwright is in the test extra; without it the e2e tests skip (see below)
    from playwright.sync_api import expect

    # A page's own assertions wait as long as its actions (page.set_default_timeout below):
    # 5 s, Playwright's default, is what a page after a POST and a redirect can take on a
    # 2-core machine running the rest of the suite beside it.
    expect.set_options(timeout=15_000)
except ImportError:
    pass

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"  # the full browser (the benchmarks measure pages in it)
# The tests drive Debian's chromium-headless-shell when it is there: the same Chromium (version,
# Blink, V8, network stack) built for headless use only, which is what Playwright itself runs for
# headless Chromium. The full browser in its headless mode took ~70 % more CPU over these
# journeys (67.8 s of CPU against 39.2 s, tests/e2e with -n 0, December 2026). `make test`
# installs both; TRACE_TEST_CHROMIUM names another binary (e.g. /usr/bin/chromium).
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"
TEST_BROWSER = os.environ.get("TRACE_TEST_CHROMIUM") or (
    HEADLESS_SHELL if os.access(HEADLESS_SHELL, os.X_OK) else CHROMIUM)
# No sandbox (root, containers); and nothing that phones home: the machine has no internet,
# and a browser test must not depend on, or wait for, anything outside the live server.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# A small phone, as most of our consumers scan with.
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
LANGUAGES = {"vi": "vi-VN,vi;q=0.9", "en": "en-GB,en;q=0.9"}


def _require(available: bool, reason: str) -> None:
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    _require(Path(TEST_BROWSER).is_file() and os.access(TEST_BROWSER, os.X_OK),
             f"chromium is not installed ({TEST_BROWSER} is missing): `make test` installs "
             "Debian's chromium when run as root, or: sudo apt-get install "
             "--no-install-recommends chromium-headless-shell chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    _require(sync_playwright is not None,
             "the playwright package is not installed: pip install -e '.[test]' (its driver "
             "comes with it; do not run `playwright install`)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=TEST_BROWSER, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def site(browser, tmp_path_factory):
    """The demo, anchored, served live. Shared by the whole session: read-only tests only.
    (It asks for the browser first, so that no server is built for tests that skip.)"""
    live = LiveSite.start(tmp_path_factory.mktemp("e2e-site"))
    yield live
    live.stop()


@pytest.fixture(scope="session")
def scratch_site(browser, tmp_path_factory):
    """A second live demo, for tests that change the data (tampering, recalls)."""
    live = LiveSite.start(tmp_path_factory.mktemp("e2e-scratch"))
    yield live
    live.stop()


@pytest.fixture
def phone(browser):
    """``phone(lang="vi", js=True, **context_options)``: a new page on a phone-sized context
    whose Accept-Language is ``LANGUAGES[lang]``. Contexts are closed after the test."""
    contexts = []

    def open_page(lang: str = "vi", *, js: bool = True, **options):
        locale = LANGUAGES[lang].split(",", 1)[0]
        context = browser.new_context(**PHONE, locale=locale, java_script_enabled=js,
                                      extra_http_headers={"Accept-Language": LANGUAGES[lang]},
                                      **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshot():
    """``screenshot(page, name)``: a full-page, 360-CSS-pixel-wide PNG in
    test-artifacts/screenshots/ (gitignored), to look at after a run. Not under CI=true, where
    nobody looks at them (64 full-page PNGs were ~5 s of chromium's CPU), unless
    TRACE_TEST_SCREENSHOTS=1; no test reads them."""
    wanted = os.environ.get("TRACE_TEST_SCREENSHOTS") == "1" or os.environ.get("CI") != "true"
    if wanted:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        if wanted:
            page.screenshot(path=str(path), full_page=True, scale="css")
        return path

    return take

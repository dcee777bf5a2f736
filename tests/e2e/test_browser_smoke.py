"""The browser set-up itself: Debian's chromium, Playwright, the live server, screenshots."""

from __future__ import annotations

from tests.e2e.browser_support import RequestLog


def test_chromium_opens_the_index_and_the_api_docs(site, phone, screenshot):
    page = phone("vi")
    log = RequestLog(page, site.host)
    # Every answer carries a Content-Security-Policy without inline script: whatever it blocks
    # shows up as a console error, and nothing may be blocked on these pages.
    blocked = []
    page.on("console", lambda m: blocked.append(m.text)
            if "Content Security Policy" in m.text else None)

    response = page.goto(site.url("/"))
    assert response.status == 200
    assert page.locator("h1").inner_text() == "tracechain"
    assert page.get_attribute("html", "lang") == "vi"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "smoke-index")

    # Swagger UI is served from our own swagger-ui-bundle copy (no CDN) and renders the spec.
    response = page.goto(site.url("/api/docs"))
    assert response.status == 200
    page.locator(".swagger-ui .info .title").first.wait_for()
    assert "tracechain" in page.locator(".swagger-ui .info .title").first.inner_text()
    page.wait_for_load_state("networkidle")
    screenshot(page, "smoke-api-docs")

    assert blocked == [], blocked
    assert log.external == [], f"requests outside the live server: {log.external}"
    assert any(url.endswith("/api/openapi.json") for url in log.requests), log.requests

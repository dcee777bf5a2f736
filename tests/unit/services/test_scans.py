"""What counts as a scan, and what a scanner is: a person's plain GET of the page, kept as keyed
hashes that change every day."""

from __future__ import annotations

from datetime import date

import pytest

from tracechain.services.consumer.scans import is_scan, scanner_of

PHONE = "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 Chrome/124 Mobile"
ZALO = PHONE + " Zalo android/12100"


@pytest.mark.parametrize("agent", [PHONE, ZALO, PHONE + " [FBAN/FB4A;FBAV/450.0]"])
def test_people_in_browsers_and_in_app_browsers_are_scans(agent):
    assert is_scan("GET", "html", {"User-Agent": agent})


@pytest.mark.parametrize("agent", [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "WhatsApp/2.23.20.0 A", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "TelegramBot (like TwitterBot)", "Twitterbot/1.0",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0)", "curl/8.5.0", "python-requests/2.32", ""])
def test_bots_previews_and_scripts_are_not(agent):
    assert not is_scan("GET", "html", {"User-Agent": agent})


@pytest.mark.parametrize("method, variant, headers", [
    ("HEAD", "html", {}), ("GET", "json", {}), ("GET", "linkset", {}),
    ("GET", "html", {"If-None-Match": '"abc"'}), ("GET", "html", {"Sec-Purpose": "prefetch"}),
    ("GET", "html", {"Purpose": "prefetch"})])
def test_other_requests_are_not(method, variant, headers):
    assert not is_scan(method, variant, {"User-Agent": PHONE, **headers})


def test_scanner_hashes_change_every_day_and_name_nobody():
    monday = scanner_of("secret", "203.0.113.9", PHONE, date(2025, 3, 3))
    assert monday == scanner_of("secret", "203.0.113.9", PHONE, date(2025, 3, 3))
    assert monday[0] != scanner_of("secret", "203.0.113.9", PHONE, date(2025, 3, 4))[0]
    assert monday[0] != scanner_of("other", "203.0.113.9", PHONE, date(2025, 3, 3))[0]
    # Same network, another browser: another scanner, the same network.
    other = scanner_of("secret", "203.0.113.9", ZALO, date(2025, 3, 3))
    assert other[0] != monday[0] and other[1] == monday[1]
    assert all(len(h) == 32 and "203" not in h for h in monday)

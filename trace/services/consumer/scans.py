"""Counting scans of serialised items, to show cloned labels: a genuine item's code is scanned by
a few people (in the shop, at home), a code copied onto a thousand fake bags by far more.

What counts is how many *different* scanners a code had in the last ``window_days`` days, so
that one phone scanning its bag all day, a chat app previewing the link, or a script hammering
the URL cannot make a genuine code look cloned:

- a scanner is a keyed hash of (client address, browser, day); the key is derived from a secret
  and the day, so hashes of two days cannot be linked and nothing read back names anyone;
- one network (a shop's Wi-Fi, a carrier's NAT, a script rotating browser names) counts as at
  most ``PER_NETWORK`` scanners a day;
- link-preview bots, scripts, prefetches, JSON answers and conditional requests (``304``) are
  not scans (``is_scan``).

Besides the hashes, only a count and the first and last time are kept per item.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, Protocol, overload

from ...store import consumer_writes as writes
from ...store.base import utcnow
from ..ports import UnitOfWork

PER_NETWORK = 3
# Link previews (chat apps, social networks), search engines, and HTTP tools: they fetch the
# page without anyone looking at a bag. In-app browsers (Zalo, Facebook's FBAV) are people.
BOTS = re.compile(
    r"facebookexternalhit|facebot|meta-externalagent|whatsapp|slackbot|slack-imgproxy"
    r"|telegrambot|twitterbot|discordbot|linkedinbot|skypeuripreview|pinterest|redditbot"
    r"|embedly|googlebot|google-inspectiontool|adsbot|bingbot|bingpreview|yandex|baiduspider"
    r"|duckduckbot|applebot|petalbot|ahrefsbot|semrushbot|bot/|crawler|spider"
    r"|^curl/|^wget/|python-requests|python-urllib|go-http-client|okhttp|^java/|httpclient",
    re.IGNORECASE)
_PREFETCH = ("prefetch", "preview")


class HeaderLookup(Protocol):
    """The request headers as is_scan reads them: a Mapping, or werkzeug's Headers (whose
    lookups ignore case)."""

    @overload
    def get(self, key: str) -> str | None: ...
    @overload
    def get(self, key: str, default: str) -> str: ...


def is_scan(method: str, variant: str, headers: HeaderLookup) -> bool:
    """Whether a request for an item's page is a person looking at it: a plain GET of the page
    by a browser that is not revalidating a copy it already has."""
    if method != "GET" or variant != "html":
        return False
    if headers.get("If-None-Match") or headers.get("If-Modified-Since"):
        return False
    purpose = " ".join(headers.get(h, "") for h in ("Sec-Purpose", "Purpose", "X-Moz")).lower()
    if any(word in purpose for word in _PREFETCH):
        return False
    agent = headers.get("User-Agent", "")
    return bool(agent) and BOTS.search(agent) is None


def _keyed(secret: str, day: date, *parts: str) -> str:
    day_key = hmac.new(secret.encode(), day.isoformat().encode(), hashlib.sha256).digest()
    return hmac.new(day_key, "\n".join(parts).encode(), hashlib.sha256).hexdigest()[:32]


def scanner_of(secret: str, address: str, agent: str, day: date | None = None
               ) -> tuple[str, str]:
    """(scanner, network) hashes of one client on one day (today, UTC)."""
    day = day or utcnow().date()
    return _keyed(secret, day, address, agent), _keyed(secret, day, address)


def record_scan(uow: UnitOfWork, lot_id: int, scanner: tuple[str, str],
                settings: Mapping[str, Any]) -> dict[str, Any]:
    """Count one scan of the item ``lot_id`` by ``scanner`` (``scanner_of``); what the page says
    about its scans. One transaction, which also drops scanners older than the window."""
    now = utcnow()
    visitor, network = scanner
    for attempt in (1, 2):
        with uow.writing() as u:
            # Two first scans at once (PostgreSQL): count again, once.
            if not writes.count_scan(u, lot_id, visitor, network, now, _since(settings, now),
                                     last_try=attempt == 2):
                continue
            summary = _summary(u, lot_id, settings, now)
            u.commit()
            return summary  # type: ignore[return-value]
    raise AssertionError("unreachable")


def scan_summary(uow: UnitOfWork, lot_id: int, settings: Mapping[str, Any]
                 ) -> dict[str, Any] | None:
    """What the page says about the item's scans, without counting one (a JSON answer, a
    revalidation, a bot); None before the first scan."""
    with uow:
        return _summary(uow, lot_id, settings, utcnow())


def _since(settings: Mapping[str, Any], now: datetime) -> date:
    return now.date() - timedelta(days=int(settings["SCAN_WINDOW_DAYS"]) - 1)


def _summary(uow: UnitOfWork, lot_id: int, settings: Mapping[str, Any], now: datetime
             ) -> dict[str, Any] | None:
    row = writes.scan_count(uow, lot_id)
    if row is None:
        return None
    per_network = writes.scanners_per_network_day(uow, lot_id, _since(settings, now))
    scanners = sum(min(n, PER_NETWORK) for n in per_network)
    warn_after = int(settings["SCAN_WARNING_AFTER"])
    return {"count": row.count, "scanners": scanners,
            "windowDays": int(settings["SCAN_WINDOW_DAYS"]), "firstAt": row.first_at,
            "lastAt": row.last_at, "warnAfter": warn_after, "warn": scanners > warn_after}

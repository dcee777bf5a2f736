"""What the browser tests check on any page: where it fetched from, and how much."""

from __future__ import annotations

import colorsys
import re
from urllib.parse import urlsplit

# Not network requests: the page's own inline data.
LOCAL_SCHEMES = ("data", "blob", "about")


class RequestLog:
    """Every request a page makes, routed through us: one for a host other than the live
    server's is refused (aborted) and recorded, so the test can fail naming it."""

    def __init__(self, page, host: str):
        self.host = host
        self.requests: list[str] = []
        self.external: list[str] = []
        self.responses: list = []
        page.route("**/*", self._route)
        page.on("request", self._request)
        page.on("response", self._response)

    def _request(self, request):
        self.requests.append(request.url)

    def _response(self, response):
        self.responses.append(response)

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or (parts.scheme in ("http", "https")
                                             and parts.netloc == self.host):
            route.continue_()
        else:
            self.external.append(url)
            route.abort("blockedbyclient")

    def body_bytes(self) -> dict[str, int]:
        """Decoded body size of every response so far (redirects have none)."""
        sizes = {}
        for response in self.responses:
            if 300 <= response.status < 400:
                continue
            sizes[response.url] = sizes.get(response.url, 0) + len(response.body())
        return sizes


_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")


def parse_css_colour(value: str) -> tuple[float, float, float, float] | None:
    """(r, g, b, alpha) of a computed ``rgb()``/``rgba()`` colour; None for anything else."""
    m = _RGB.fullmatch(value.strip())
    if not m:
        return None
    r, g, b = (float(m.group(i)) for i in (1, 2, 3))
    a = m.group(4)
    alpha = 1.0 if a is None else (float(a[:-1]) / 100 if a.endswith("%") else float(a))
    return r, g, b, alpha


def is_reddish(value: str) -> bool:
    """A visible colour whose hue is red (pale red backgrounds count, grey and orange do not)."""
    rgba = parse_css_colour(value)
    if rgba is None or rgba[3] < 0.1:
        return False
    hue, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in rgba[:3]))
    hue *= 360
    return (hue >= 340 or hue <= 20) and saturation >= 0.35 and 0.15 <= lightness <= 0.98


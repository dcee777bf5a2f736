"""Security headers on every answer, set in one place (an ``after_request`` hook).

The pages carry no inline script, so ``script-src 'self'`` holds everywhere: the consumer page
uses inline CSS and inline SVG only, and Swagger UI starts from a file (``swagger-init.js``).
Private JSON (anything a token unlocks) is never stored by a browser or a shared cache; answers
that chose their own caching (the resolver's ``no-cache`` + ETag, QR codes, assets) keep it.
"""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    # The consumer page's CSS is inline (one request fewer on a slow phone); Swagger UI sets
    # inline styles from its script.
    "style-src 'self' 'unsafe-inline'",
    # Swagger UI's icons are data: URIs; plot maps and icons are inline SVG.
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
ALWAYS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
PRIVATE = "private, no-store"
# Public by design: printed on bags, or the description of the API itself.
_PUBLIC_PREFIXES = ("/api/v1/public/", "/api/openapi.json", "/api/docs")


def _is_private(response: Response) -> bool:
    if "Authorization" in request.headers:
        return True
    path = request.path
    return path.startswith(("/api/", "/epcis/")) and not path.startswith(_PUBLIC_PREFIXES)


def secure(response: Response) -> Response:
    headers = response.headers
    for name, value in ALWAYS.items():
        headers.setdefault(name, value)
    if "Cache-Control" not in headers and _is_private(response):
        headers["Cache-Control"] = PRIVATE
    return response


def init_app(app: Flask) -> None:
    app.after_request(secure)

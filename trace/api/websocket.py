"""WebSocket subscriptions (not yet built)."""

from __future__ import annotations

from werkzeug.exceptions import NotImplemented as _NotImplemented


def serve_subscription(name, actor):
    raise _NotImplemented("WebSocket subscriptions are not available yet")

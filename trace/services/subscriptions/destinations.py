"""Where a webhook may point: ``http(s)://`` URLs whose host resolves to public addresses only,
unless the operator allows a host or network (``TRACE_WEBHOOK_ALLOW``).

Without this, any member could make the service call its own database, the chain node or a cloud
metadata endpoint (server-side request forgery). The check runs when a subscription is made and
again before every delivery, on the addresses the name resolves to then.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection
from urllib.parse import urlsplit

from ...domain.errors import Problem, ValidationFailed

MAX_DEST = 2000


def _allowed(host: str, addresses: list[str], allow: Collection[str]) -> bool:
    for rule in allow:
        rule = rule.strip().lower()
        if not rule:
            continue
        if rule == host.lower():
            return True
        try:
            net = ipaddress.ip_network(rule, strict=False)
        except ValueError:
            continue
        if addresses and all(ipaddress.ip_address(a) in net for a in addresses):
            return True
    return False


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({str(info[4][0]).split("%")[0] for info in infos})


def forbidden_reason(dest: str, allow: Collection[str]) -> str | None:
    """Why ``dest`` may not be called (None: it may)."""
    if len(dest) > MAX_DEST:
        return f"at most {MAX_DEST} characters"
    try:
        parts = urlsplit(dest)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "not a URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "an http:// or https:// URL with a host"
    if parts.username or parts.password:
        return "no user name or password in the URL (use signatureToken to authenticate us)"
    host = parts.hostname
    addresses = _resolve(host, port)
    if _allowed(host, addresses, allow):
        return None
    if not addresses:
        return f"host {host} does not resolve"
    for a in addresses:
        ip = ipaddress.ip_address(a)
        if not ip.is_global or ip.is_multicast:
            return (f"host {host} is a private, loopback or reserved address ({a}); the operator "
                    "may allow it with TRACE_WEBHOOK_ALLOW")
    return None


def check_dest(dest: object, allow: Collection[str], where: str = "$.dest") -> str:
    """:raises ValidationFailed: not a URL we may call, saying why."""
    if not isinstance(dest, str) or not dest:
        raise ValidationFailed("invalid dest", [Problem(where, "the webhook URL, a string")])
    reason = forbidden_reason(dest, allow)
    if reason is not None:
        raise ValidationFailed("dest refused", [Problem(where, reason)])
    return dest


def allow_list(text: str) -> tuple[str, ...]:
    """``TRACE_WEBHOOK_ALLOW`` as a tuple of hosts and networks."""
    return tuple(part.strip() for part in text.split(",") if part.strip())

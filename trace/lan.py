"""The address phones on the same network can open: the machine's LAN address.

``lan_address`` asks the kernel which source address a UDP "connection" to a non-routable
address would use: ``connect`` on a UDP socket only picks a route, no packet is sent. With no
route (no network at all) it falls back to loopback. ``is_loopback_url`` tells a public URL
nobody else can open (``localhost``, ``127.*``, ``::1``).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
# TEST-NET-ish private address that no route leads to; only the routing decision matters.
_PROBE = ("10.254.254.254", 1)


def lan_address(probe: tuple[str, int] = _PROBE) -> str:
    """The source address the machine would use towards ``probe`` (a LAN address), else
    ``127.0.0.1``. Sends nothing."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(probe)
            address = str(s.getsockname()[0])
    except OSError:
        return LOOPBACK
    return address if address and address != "0.0.0.0" else LOOPBACK


def lan_base_url(port: int, address: str | None = None) -> str:
    """``http://<lan address>:<port>`` (no trailing slash)."""
    host = address or lan_address()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def is_loopback_url(url: str) -> bool:
    """Whether ``url``'s host can only be opened on this machine (or there is no host)."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return True
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False

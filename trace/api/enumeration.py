"""A brake on guessing codes: each client may look up a few unknown codes a minute on the public
endpoints (the resolver, the public audit pack); past that, every lookup it makes answers
``429 Too Many Requests`` with ``Retry-After`` until the minute is over.

All lookups are refused, not only unknown ones: answering 200 for a hit and 429 for a miss would
still tell an enumerator which codes exist. A shopper scans known codes and mistypes a few, so
the budget never touches them; the cost on a known code's path is one dict lookup.

Nothing is written anywhere: clients are kept in memory, per worker process, for the current
minute only, under a keyed hash of their address (the key is random per process).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

from flask import request

from ..app_services import app_services


class UnknownCodeBudget:
    def __init__(self, per_minute: int, clock=time.time):
        self.per_minute = per_minute
        self._clock = clock
        self._key = secrets.token_bytes(16)
        self._minute = -1
        self._spent: dict[bytes, int] = {}
        self._lock = threading.Lock()

    def _client(self, address: str) -> bytes:
        return hashlib.blake2b(address.encode(), key=self._key, digest_size=12).digest()

    def _now_minute(self) -> int:
        minute = int(self._clock() // 60)
        if minute != self._minute:  # a new minute: everyone starts again, memory is freed
            with self._lock:
                if minute != self._minute:
                    self._spent = {}
                    self._minute = minute
        return minute

    def retry_after(self, address: str) -> int | None:
        """Seconds until ``address`` may look up codes again, or None if it may now."""
        self._now_minute()
        if self._spent.get(self._client(address), 0) < self.per_minute:
            return None
        return max(1, int(60 - self._clock() % 60))

    def charge(self, address: str) -> None:
        """Count one unknown code looked up by ``address``."""
        self._now_minute()
        client = self._client(address)
        with self._lock:
            self._spent[client] = self._spent.get(client, 0) + 1


def budget() -> UnknownCodeBudget:
    return app_services().unknown_code_budget


def client_address() -> str:
    """The client as the WSGI server saw it (behind a proxy, configure ProxyFix): never a
    header the client writes itself, which an enumerator would change on every request."""
    return request.remote_addr or ""

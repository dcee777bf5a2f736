"""The console's fixtures: users with passwords made through the use cases (an invitation and
its one-time link, as an admin would), a browser-like client that signs in, and a clock the
tests move instead of sleeping."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from tracechain.app_services import app_services
from tracechain.services.accounts import passwords, sign_in

PASSWORD = "ca-phe-sua-da-2026"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """scrypt at N=2^10 (~1 ms) instead of 2^15: what is tested is the flow, not the cost."""
    monkeypatch.setattr(sign_in, "HASH_METHOD", "scrypt:1024:8:1")


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 12, 6, 8, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app) -> Clock:
    c = Clock()
    app.config["CONSOLE_CLOCK"] = c
    return c


class Console:
    """Make users and sign them in, through the same use cases and pages people use."""

    def __init__(self, app, clock: Clock):
        self.app, self.clock = app, clock

    @property
    def uow(self):
        return app_services(self.app).unit_of_work()

    def user(self, role: str, org: dict | None = None, email: str | None = None,
             password: str = PASSWORD, name: str | None = None) -> dict:
        email = email or f"{role}-{uuid.uuid4().hex[:6]}@example.vn"
        user_id, token = passwords.invite(None, email, name or f"{role.title()} Nguyễn", role,
                                          org["id"] if org else None, self.uow,
                                          now=self.clock())
        passwords.set_password(token, password, password, self.uow, now=self.clock())
        return {"id": user_id, "email": email, "password": password}

    def client(self, address: str | None = None):
        client = self.app.test_client()
        if address is not None:
            client.environ_base["REMOTE_ADDR"] = address
        return client

    @staticmethod
    def csrf(client, path: str = "/app/login") -> str:
        page = client.get(path).get_data(as_text=True)
        found = CSRF.search(page)
        assert found, f"no CSRF field on {path}"
        return found.group(1)

    def signed_in(self, user: dict, client=None):
        client = client or self.client()
        r = client.post("/app/login", data={"email": user["email"], "password": user["password"],
                                            "csrf": self.csrf(client)})
        assert r.status_code == 303, r.get_data(as_text=True)
        return client

    def post(self, client, path: str, data: dict | None = None, csrf_from: str = "/app/"):
        return client.post(path, data={**(data or {}), "csrf": self.csrf(client, csrf_from)})


@pytest.fixture
def console(app, clock) -> Console:
    return Console(app, clock)

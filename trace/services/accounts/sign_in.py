"""Signing in to the console: passwords checked against werkzeug's scrypt hash, server-side
sessions, and the slow-down after failed attempts (docs/CONSOLE.md).

Every function takes ``now`` (the caller's clock: the console's is injectable, so tests need no
sleeping) and ``secret``, the configured ``TRACE_SECRET_KEY``: session ids and throttle keys are
stored as HMAC-SHA256 under it, so the database alone reveals neither a usable session nor which
e-mails were tried, and changing the secret ends every session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from ...domain import sign_in as rules
from ...domain.actor import Actor
from ...store import console_records as stored
from ...store.console_models import ConsoleSession, SignInThrottle
from ...store.errors import DuplicateRow
from ..ports import UnitOfWork

# werkzeug's scrypt (N=2^15, r=8, p=1: ~0.1 s and 32 MiB a check); the parameters are kept in
# each hash, so a later, dearer method still checks the older hashes. Tests use a cheaper one.
HASH_METHOD = "scrypt:32768:8:1"
SESSION_LIFETIME = timedelta(hours=12)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def keyed_hash(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every time we store is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class SignInRefused(Exception):
    """Wrong e-mail or password (never saying which), or a key that must wait ``wait``."""

    def __init__(self, locked: bool, wait: timedelta | None):
        super().__init__("locked" if locked else "wrong e-mail or password")
        self.locked = locked
        self.wait = wait


@dataclass(frozen=True)
class SignedIn:
    """A session's holder as the console sees it."""

    actor: Actor
    name: str
    csrf_token: str


@dataclass(frozen=True)
class NewSession:
    session_id: str  # for the cookie only: the database has its keyed hash
    csrf_token: str


_dummy_hash: dict[str, str] = {}


def _spend_a_check(password: str) -> None:
    """Check against a made-up hash: an unknown e-mail costs what a known one does."""
    if HASH_METHOD not in _dummy_hash:
        _dummy_hash[HASH_METHOD] = hash_password(secrets.token_urlsafe(16))
    check_password_hash(_dummy_hash[HASH_METHOD], password)


def _throttle_keys(secret: str, email: str, client: str) -> tuple[str, str]:
    return (keyed_hash(secret, "account:" + email.strip().casefold()),
            keyed_hash(secret, "client:" + client))


def sign_in(email: str, password: str, client: str, uow: UnitOfWork, *, now: datetime,
            secret: str, lifetime: timedelta = SESSION_LIFETIME) -> NewSession:
    """A new session for the user with this e-mail and password.

    :raises SignInRefused: the account or the client address must wait (nothing is checked),
        or the e-mail or password is wrong (the failure is counted for both).
    """
    account_key, client_key = _throttle_keys(secret, email, client)
    frees = {account_key: rules.ACCOUNT_FREE_FAILURES, client_key: rules.CLIENT_FREE_FAILURES}
    with uow.writing() as w:
        counters = stored.throttles(w, frees)
        waits = [aware(t.locked_until) - now for t in counters.values()
                 if t.locked_until is not None and aware(t.locked_until) > now]
        if waits:
            raise SignInRefused(True, max(waits))
        user = stored.user_by_email(w, email)
        good = False
        if user is not None and user.password_hash and user.disabled_at is None:
            good = check_password_hash(user.password_hash, password)
        else:
            _spend_a_check(password)
        if not good:
            wait = _count_failure(w, counters, frees, now)
            try:
                w.commit()
            except DuplicateRow:  # another failure of the same key was counted meanwhile
                pass
            raise SignInRefused(wait is not None, wait)
        assert user is not None
        if account_key in counters:
            counters[account_key].failures = 0
            counters[account_key].locked_until = None
        stored.delete_sessions_of(w, user.id, expired_before=now)
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        stored.add(w, ConsoleSession(id_hash=keyed_hash(secret, session_id), user_id=user.id,
                                     csrf_token=csrf, created_at=now, expires_at=now + lifetime))
        w.commit()
    return NewSession(session_id, csrf)


def _count_failure(uow: UnitOfWork, counters: dict[str, SignInThrottle], frees: dict[str, int],
                   now: datetime) -> timedelta | None:
    """Count one failure for each key; the longest wait that now applies, if any."""
    longest: timedelta | None = None
    for key, free in frees.items():
        row = counters.get(key)
        if row is None:
            row = SignInThrottle(key_hash=key, failures=0, last_failure_at=now)
            stored.add(uow, row)
        failures = rules.counted_failures(row.failures or 0, aware(row.last_failure_at), now) + 1
        wait = rules.wait_after(failures, free)
        row.failures, row.last_failure_at = failures, now
        row.locked_until = now + wait if wait is not None else None
        if wait is not None and (longest is None or wait > longest):
            longest = wait
    return longest


def signed_in(session_id: str, uow: UnitOfWork, *, now: datetime, secret: str
              ) -> SignedIn | None:
    """Who holds this session; None: unknown, expired, or its user disabled."""
    if not session_id or len(session_id) > 100:
        return None
    with uow:
        row = stored.session_holder(uow, keyed_hash(secret, session_id))
    if row is None or row.disabled_at is not None or aware(row.expires_at) <= now:
        return None
    return SignedIn(Actor(row.user_id, row.role, row.organisation_id, row.email), row.name,
                    row.csrf_token)


def sign_out(session_id: str, uow: UnitOfWork, *, secret: str) -> None:
    """End the session (its row is deleted: the cookie no longer signs anyone in)."""
    with uow.writing() as w:
        stored.delete_session(w, keyed_hash(secret, session_id))
        w.commit()


def sessions_of(user_id: int, uow: UnitOfWork) -> int:
    """How many sessions the user holds (expired ones not yet cleared included)."""
    with uow:
        return stored.session_count(uow, user_id)


def end_sessions(uow: UnitOfWork, user_id: int) -> None:
    """Inside the caller's transaction: every session of the user ends."""
    stored.delete_sessions_of(uow, user_id)


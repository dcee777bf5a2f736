"""Exactly once: a recording sent twice (a double tap, the offline queue resending, an API client
retrying) stores its events once, and the repeat is answered with the first sending's outcome.

The caller's key (a console form's hidden ``idempotency_key``, an API call's ``Idempotency-Key``
header) is stored in the ``submissions`` table in the same transaction as the events
(``capture_document``'s ``on_stored``), so there is never an event without its key nor a key
without its events. Two sendings racing: the loser finds the winner's row inside its own
storing transaction (or fails on the key's unique index and is run again by capture), rolls its
events back and answers the winner's outcome. A sending that was refused (invalid, forbidden,
conflict) stores nothing, so the same key may be sent again once the problem is fixed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ...domain.actor import Actor
from ...domain.errors import Conflict, Problem, ValidationFailed
from ...store import submissions as stored
from ..ports import UnitOfWork
from . import step_recording
from .step_recording import StepRecorded

KEY = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


@dataclass(frozen=True)
class Outcome:
    """What a sending recorded; ``repeated``: it was recorded by an earlier sending."""

    kind: str
    event_ids: list[str]
    redirect: str
    repeated: bool
    recorded: StepRecorded | None = None  # the first sending's answer (None on a repeat)


class _AlreadyStored(Exception):
    pass


def key_problem(key: str, path: str = "idempotency_key") -> Problem | None:
    if KEY.match(key):
        return None
    return Problem(path, "an idempotency key is 8 to 100 letters, digits or . _ : - (a UUID)")


def _previous(actor: Actor, key: str, uow: UnitOfWork) -> Outcome | None:
    with uow:
        row = stored.by_key(uow, key)
        if row is None:
            return None
        if row.user_id != actor.user_id:
            raise Conflict("this idempotency key was already used by another user's submission",
                           [Problem("idempotency_key", "make a new key for each submission")])
        return Outcome(row.kind, list(row.outcome.get("eventIDs", [])),
                       str(row.outcome.get("redirect", "")), repeated=True)


def previous(actor: Actor, key: str, uow: UnitOfWork) -> Outcome | None:
    """The outcome already stored under ``key`` by this user, or None.

    :raises Conflict: another user stored something under this key."""
    return _previous(actor, key, uow)


def once(actor: Actor, key: str | None, kind: str, redirect: str,
         do: Callable[[], StepRecorded], uow: UnitOfWork) -> Outcome:
    """Run the recording ``do`` once for ``key`` (no key: simply run it).

    :raises ValidationFailed: a malformed key. Whatever ``do`` raises, nothing stored.
    :raises Conflict: the key is another user's.
    """
    if key is None:
        result = do()
        return Outcome(kind, [result.event_id], redirect, repeated=False, recorded=result)
    if (problem := key_problem(key)) is not None:
        raise ValidationFailed(problem.message, [problem])
    earlier = _previous(actor, key, uow)
    if earlier is not None:
        return earlier
    try:
        with _storing(actor, key, kind, redirect):
            result = do()
    except _AlreadyStored:
        earlier = _previous(actor, key, uow)
        assert earlier is not None
        return earlier
    except Conflict:
        # The same sending stored meanwhile (its event is then a duplicate): its outcome.
        earlier = _previous(actor, key, uow)
        if earlier is not None:
            return earlier
        raise
    return Outcome(kind, [result.event_id], redirect, repeated=False, recorded=result)


@contextmanager
def _storing(actor: Actor, key: str, kind: str, redirect: str) -> Iterator[None]:
    def store(w: UnitOfWork, event_ids: list[str]) -> None:
        if stored.by_key(w, key) is not None:
            raise _AlreadyStored()
        if not event_ids:
            return  # nothing new stored (a duplicate event): the step answers its conflict
        outcome: dict[str, Any] = {"eventIDs": event_ids, "redirect": redirect}
        stored.add(w, key=key, user_id=actor.user_id, kind=kind, outcome=outcome,
                   created_at=datetime.now(UTC))

    token = step_recording.ON_STORED.set(store)
    try:
        yield
    finally:
        step_recording.ON_STORED.reset(token)


def recorded_step(actor: Actor, outcome: Outcome, uow: UnitOfWork) -> StepRecorded:
    """The first sending's answer (its event as the query API shows it), for a repeat."""
    if outcome.recorded is not None:
        return outcome.recorded
    from ..epcis.query import get_event

    event_id = outcome.event_ids[0]
    event = get_event(event_id, actor, uow).events[0]
    return StepRecorded(event_id=event_id, event_hash=event_id, event=event)

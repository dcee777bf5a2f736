"""Capturing a public notice (a recall, its lift; with issue #12 holds and inspections) inside
the transaction of the use case that decided it: the same steps as ``capture.capture_document``
(EPCIS 2.0 schema and business rules, the CBV 2.0 hash, the query index, the objects it names,
a capture job sealed with the organisation's custodial key), so the event is stored, queried,
anchored and verified like any other (docs/RECALLS.md).

What differs, and why:

- Custody is not checked here: a notice observes goods others hold (an authority recalls a
  cooperative's harvest), and moves none. Who may record it was decided by the access policy
  (``policy.require_recall``) before this is called.
- The server must sign: the use case has no signature from the organisation, so an organisation
  that keeps its own key gets a ``Conflict`` (it can capture the notice event itself).
- The row is flagged ``notice``: every signed-in actor may read it (``policy.may_read_event``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from ...capture.document import inline_context
from ...capture.query_fields import query_fields
from ...capture.rules import check_document
from ...capture.schema import validate_schema
from ...domain.actor import Actor
from ...domain.epcis import event_refs
from ...domain.errors import Conflict
from ...domain.json_types import EpcisEvent, JsonObject
from ...domain.step_events import document
from ...gs1.canonical import canonicalise
from ...hash import HashContext, event_hash
from ...store import capture_repo as repo
from ..ports import UnitOfWork
from ..signatures.sealing import seal_capture
from .capture import _event_row

if TYPE_CHECKING:
    from ...sign.keyring import Keyring

SELF_SIGNED = ("{name} keeps its own signing key, so the server cannot sign this {what} for it; "
               "capture the {what} event yourself (POST /epcis/capture, ObjectEvent OBSERVE, "
               "bizStep holding, see docs/RECALLS.md) with your signature")


@dataclass(frozen=True)
class NoticeRecorded:
    event_id: str
    event_hash: str
    capture_id: str
    event_pk: int


def require_custodial_key(w: UnitOfWork, organisation_id: int, name: str, what: str) -> None:
    """:raises Conflict: the organisation keeps its own key (or has none): the server cannot
    sign a notice for it."""
    _address, keystore = repo.signing_key_of(w, organisation_id)
    if keystore is None:
        raise Conflict(SELF_SIGNED.format(name=name, what=what))


def record_notice(w: UnitOfWork, event: EpcisEvent, context: list[str | JsonObject],
                  actor: Actor, keyring: Keyring | None, now: datetime | None = None
                  ) -> NoticeRecorded:
    """Store ``event`` as a public notice of ``actor.organisation_id``, sealed with its
    custodial key, in the open write transaction ``w`` (the caller commits, or rolls back
    with everything else it did).

    :raises Conflict: the organisation signs its own events (see ``require_custodial_key``).
    :raises RuntimeError: the event breaks the schema or our rules (a bug of its builder).
    """
    if actor.organisation_id is None:
        raise ValueError("a notice is recorded for an organisation")
    now = now or datetime.now(UTC)
    doc = document(event, now, context)
    problems = validate_schema(doc) or check_document(doc, capture_limit=1, max_yield=1.0)
    if problems:
        raise RuntimeError(f"a notice event breaks the EPCIS rules: {problems[0].as_dict()}")
    h = event_hash(event, HashContext.from_document(doc))
    if repo.stored_hashes(w, [h.id]):
        raise Conflict(f"this notice is already recorded as event {h.id}")
    inline = inline_context(doc)
    fields = query_fields(event, inline, canonicalise)
    pairs = event_refs(event, canonicalise).pairs()
    job_id = uuid.uuid4().hex
    seal = seal_capture(w, keyring, actor.organisation_id, job_id, actor.user_id, now, [h.id])
    if not seal:
        raise Conflict("the organisation has no custodial key to sign the notice with")
    repo.record_capture_job(w, job_id, actor.user_id, success=True, event_count=1,
                            stored_count=1, duplicates=[], created_at=now, finished_at=now,
                            organisation_id=actor.organisation_id, seal=seal)
    row: dict[str, Any] = _event_row(event, h, job_id, actor, now)
    row.update(signature=None, signer=None, declaration=False, declares_pk=None, notice=True,
               context_id=repo.context_id(w, orjson.dumps(doc["@context"]).decode()))
    (pk,) = repo.insert_events(w, [row], [fields])
    repo.insert_objects(w, [{"event_pk": pk, "role": role, "uri": uri} for role, uri in pairs])
    return NoticeRecorded(row["event_id"], h.id, job_id, pk)

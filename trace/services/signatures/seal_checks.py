"""Checking capture seals: does the organisation's signature over a capture cover this event?

Shared by the anchorer (which anchors nothing a seal does not cover), the server's verification
and the audit pack check. A seal is checked once per capture and remembered under everything it
rests on (the signature, the statement's fields and the root), so a later change to any of them
is a new check, never a stale answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from ...domain.commitments import capture_root, capture_statement
from ...domain.identity import organisation_id_bytes
from ...domain.merkle import event_hash_bytes, hex32, verify
from ...domain.verification import SignatureFacts
from ...sign.signatures import recover_digest_signer
from ...store.accounts import Organisation
from ...store.events import CaptureJob
from ...store.transition import as_session


@dataclass(frozen=True)
class Seal:
    """A capture's seal as recorded, and what checking it found."""

    capture_id: str
    gln: str | None  # the organisation the capture was sealed for
    user_id: int | None
    recorded_at: int
    signature: str | None
    signer: str | None
    root: str | None
    count: int
    recovered: str | None = None
    error: str | None = None  # malformed signature or statement
    problem: str | None = None  # the stored hashes do not rebuild the sealed root
    covered: frozenset[bytes] = frozenset()

    def facts(self, event_hash: str, event_gln: str | None,
              organisation_key: str | None = None) -> SignatureFacts:
        """The signature facts of one event of this capture."""
        problem = self.problem
        if problem is None:
            try:
                value = event_hash_bytes(event_hash)
            except ValueError:
                value = None
            if value not in self.covered:
                problem = (f"the seal of capture {self.capture_id} does not cover this event's "
                           "hash: the event or its hash was changed, or it was added to the "
                           "capture afterwards")
            elif event_gln != self.gln:
                problem = (f"the event names organisation {event_gln}, but capture "
                           f"{self.capture_id} was sealed for {self.gln}")
        return SignatureFacts(self.signature, self.signer, self.recovered, self.error,
                              organisation_key, kind="seal", problem=problem)


def statement_of(gln: str | None, capture_id: str, user_id: int | None, recorded_at: int,
                 count: int, root: bytes) -> bytes:
    """:raises ValueError: a field that cannot be part of a statement (a changed record)."""
    return capture_statement(organisation_id_bytes(gln or ""), capture_id, user_id, recorded_at,
                             count, root)


def check_seal(capture_id: str, gln: str | None, user_id: int | None, recorded_at: int,
               signature: str | None, signer: str | None, root_hex: str | None,
               leaves: bytes | None) -> Seal:
    """Check a stored seal: its leaves rebuild its root and its signature recovers."""
    values = _split(leaves)
    base = dict(capture_id=capture_id, gln=gln, user_id=user_id, recorded_at=recorded_at,
                signature=signature, signer=signer, root=root_hex,
                count=len(values) if values is not None else 0)
    root = hex32(root_hex)
    if root is None or values is None or not values:
        return Seal(**base, problem=f"the seal of capture {capture_id} has no well-formed root "
                    "and event hashes: its record was changed")
    try:
        rebuilt = capture_root(values).root
    except ValueError:
        rebuilt = None
    if rebuilt != root:
        return Seal(**base, problem=f"the event hashes stored with capture {capture_id} no "
                    "longer rebuild its sealed root: its record was changed")
    try:
        recovered = recover_digest_signer(statement_of(gln, capture_id, user_id, recorded_at,
                                                       len(values), root), signature)
    except ValueError as exc:
        return Seal(**base, error=" ".join(str(exc).split()))
    return Seal(**base, recovered=recovered, covered=frozenset(values))


def timestamp(value: datetime | None) -> int:
    if value is None:
        return 0
    return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp())


class SealChecks:
    """Checked seals of one process, keyed by everything a check rests on."""

    def __init__(self, size: int = 4096):
        self._size = size
        self._cache: OrderedDict[tuple, Seal] = OrderedDict()
        self._lock = threading.Lock()

    def of_captures(self, session, capture_ids: set[str]) -> dict[str, Seal]:
        """The checked seal of each capture that has one (a capture without a seal is absent)."""
        session = as_session(session)  # store-coop bridge (store/transition.py)
        if not capture_ids:
            return {}
        heads = session.execute(
            select(CaptureJob.id, Organisation.gln, CaptureJob.user_id, CaptureJob.created_at,
                   CaptureJob.seal_signature, CaptureJob.seal_signer, CaptureJob.seal_root)
            .outerjoin(Organisation, Organisation.id == CaptureJob.organisation_id)
            .where(CaptureJob.id.in_(list(capture_ids)),
                   CaptureJob.seal_signature.is_not(None))).all()
        out, missing = {}, {}
        for h in heads:
            key = (h.id, h.gln, h.user_id, timestamp(h.created_at), h.seal_signature,
                   h.seal_signer, h.seal_root)
            found = self._cache.get(key)
            if found is not None:
                out[h.id] = found
            else:
                missing[h.id] = key
        if missing:
            rows = session.execute(select(CaptureJob.id, CaptureJob.seal_leaves)
                                   .where(CaptureJob.id.in_(list(missing))))
            for capture_id, leaves in rows:
                key = missing[capture_id]
                seal = check_seal(*key[:5], key[5], key[6], leaves)
                out[capture_id] = seal
                with self._lock:
                    self._cache[key] = seal
                    while len(self._cache) > self._size:
                        self._cache.popitem(last=False)
        return out


def _split(leaves: bytes | None) -> list[bytes] | None:
    if not isinstance(leaves, bytes | bytearray | memoryview):
        return None
    data = bytes(leaves)
    if len(data) % 32:
        return None
    return [data[i:i + 32] for i in range(0, len(data), 32)]


def check_seal_proof(capture_id: str, capture: dict, event_hash: str,
                     proof: tuple[bytes, ...] | None, event_gln: str | None) -> SignatureFacts:
    """The signature facts of an event from an audit pack: its capture's statement (fields as
    the pack gives them) recovered, and its Merkle proof in the capture's root."""
    signature = capture.get("signature") if isinstance(capture.get("signature"), str) else None
    signer = capture.get("signer") if isinstance(capture.get("signer"), str) else None
    gln = capture.get("organisation") if isinstance(capture.get("organisation"), str) else None
    root = hex32(capture.get("root"))
    fields_ok = (root is not None and isinstance(capture.get("count"), int)
                 and isinstance(capture.get("recordedAt"), int)
                 and isinstance(capture.get("user"), int))
    if signature is None:
        return SignatureFacts(None, None)
    if not fields_ok:
        return SignatureFacts(signature, signer, kind="seal", problem=(
            f"the pack's record of capture {capture_id} is malformed"))
    try:
        recovered = recover_digest_signer(statement_of(
            gln, capture_id, capture["user"], capture["recordedAt"], capture["count"], root),
            signature)
    except ValueError as exc:
        return SignatureFacts(signature, signer, error=" ".join(str(exc).split()), kind="seal")
    problem = None
    try:
        value = event_hash_bytes(event_hash)
    except ValueError:
        value = None
    if value is None or proof is None or not verify(root, value, proof):
        problem = (f"the seal of capture {capture_id} does not cover this event's hash: the "
                   "event or its hash was changed, or it was added to the capture")
    elif event_gln != gln:
        problem = (f"the event names organisation {event_gln}, but capture {capture_id} was "
                   f"sealed for {gln}")
    return SignatureFacts(signature, signer, recovered, kind="seal", problem=problem)

"""Organisations' signatures: checking the per-event ones a self-keeping organisation sends, and
sealing a capture with a custodial key, in the transaction that stores it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...domain.commitments import capture_root, capture_statement
from ...domain.errors import Problem, ValidationFailed
from ...domain.identity import organisation_id_bytes
from ...domain.merkle import event_hash_bytes
from ...hash import EventHash
from ...sign.signatures import verify_signature
from ...store import capture_repo as repo
from ..ports import UnitOfWork

if TYPE_CHECKING:
    from ...sign.keyring import Keyring

SIGNATURES_HEADER = "X-Event-Signatures"


def check_signatures(hashes: Sequence[EventHash], signatures: list[str] | None,
                     organisation_id: int | None, uow: UnitOfWork) -> str | None:
    """The signer address to store when ``signatures`` are given and all good, else None.

    :raises ValidationFailed: a signature is missing, malformed or not by the organisation's
        registered key; or the organisation keeps its key itself and sent no signatures.
    """
    if organisation_id is None:
        if signatures is not None:
            raise ValidationFailed("signatures need an organisation to check them against")
        return None
    with uow:
        address, keystore = repo.signing_key_of(uow, organisation_id)
    if signatures is None:
        if address is not None and keystore is None:
            raise ValidationFailed(
                "your organisation signs its own events: send one EIP-191 signature per event, "
                f"in document order, in the {SIGNATURES_HEADER} header", [
                    Problem(f"$.headers.{SIGNATURES_HEADER}", "missing")])
        return None
    if address is None:
        raise ValidationFailed("your organisation has no signing address registered")
    problems: list[Problem] = []
    if len(signatures) != len(hashes):
        problems.append(Problem(f"$.headers.{SIGNATURES_HEADER}",
                                f"{len(signatures)} signatures for {len(hashes)} events"))
    else:
        for i, (h, sig) in enumerate(zip(hashes, signatures, strict=True)):
            if not verify_signature(h.id, sig, address):
                problems.append(Problem(f"$.headers.{SIGNATURES_HEADER}[{i}]",
                                        f"not a signature of {h.id} by {address}", i))
    if problems:
        raise ValidationFailed("bad event signatures: nothing was stored", problems)
    return address


@dataclass(frozen=True)
class SealTree:
    """The Merkle leaves and root of a capture's event hashes, worked out before the capture
    takes the write lock (a thousand keccak hashes: pure CPU the other workers need not wait
    for). ``seal_capture`` uses it only for exactly these hashes."""

    event_hashes: list[str]
    leaves: list[bytes]
    root: bytes


def seal_tree(event_hashes: list[str]) -> SealTree:
    leaves = [event_hash_bytes(h) for h in event_hashes]
    return SealTree(event_hashes, leaves, capture_root(leaves).root)


def seal_capture(uow: UnitOfWork, keyring: Keyring | None, organisation_id: int | None,
                 capture_id: str, user_id: int | None, recorded_at: datetime,
                 event_hashes: list[str], tree: SealTree | None = None) -> dict[str, Any]:
    """The seal columns of a capture: the organisation's custodial key signs its statement
    (``domain.commitments.capture_statement``). Nothing (an unsigned capture) for a capture
    with no organisation.

    ``tree``: ``seal_tree`` of the hashes the caller expected to store; ignored (and the tree
    built here) unless they are exactly ``event_hashes`` (duplicates left some out).

    :raises RuntimeError: the organisation's key is kept here but no keyring was configured.
    """
    if organisation_id is None:
        return {}
    gln, keystore = repo.sealing_key_of(uow, organisation_id)
    if keystore is None:
        return {}  # it signs its own events; check_signatures required them
    if keyring is None:
        raise RuntimeError("capture needs the keyring to seal events with the organisation's key")
    if tree is None or tree.event_hashes != event_hashes:
        tree = seal_tree(event_hashes)
    leaves, root = tree.leaves, tree.root
    statement = capture_statement(organisation_id_bytes(gln), capture_id, user_id,
                                  int(recorded_at.timestamp()), len(leaves), root)
    signature, signer = keyring.seal(keystore, statement)
    return {"seal_signature": signature, "seal_signer": signer, "seal_root": "0x" + root.hex(),
            "seal_leaves": b"".join(leaves)}

"""Organisations' signatures of their event hashes: checking those they send, making the rest."""

from __future__ import annotations

from sqlalchemy import select

from ..domain.errors import Problem, ValidationFailed
from ..sign.signatures import verify_signature
from ..store.accounts import Organisation

SIGNATURES_HEADER = "X-Event-Signatures"


def check_signatures(hashes, signatures: list[str] | None, organisation_id: int | None,
                     uow) -> str | None:
    """The signer address to store when ``signatures`` are given and all good, else None.

    :raises ValidationFailed: a signature is missing, malformed or not by the organisation's
        registered key; or the organisation keeps its key itself and sent no signatures.
    """
    if organisation_id is None:
        if signatures is not None:
            raise ValidationFailed("signatures need an organisation to check them against")
        return None
    with uow:
        address, keystore = uow.session.execute(
            select(Organisation.signing_address, Organisation.signing_keystore)
            .where(Organisation.id == organisation_id)).one()
    if signatures is None:
        if address is not None and keystore is None:
            raise ValidationFailed(
                "your organisation signs its own events: send one EIP-191 signature per event, "
                f"in document order, in the {SIGNATURES_HEADER} header", [
                    Problem(f"$.headers.{SIGNATURES_HEADER}", "missing")])
        return None
    if address is None:
        raise ValidationFailed("your organisation has no signing address registered")
    problems = []
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


def sign_unsigned(session, keyring, rows) -> dict[int, tuple[str, str]]:
    """Signatures, by event id, for the ``rows`` (id, event_hash, organisation_id, signature)
    not signed yet, made with their organisations' keys: {id: (signature, signer address)}."""
    by_org: dict[int, list] = {}
    for row in rows:
        if row.signature is None and row.organisation_id is not None:
            by_org.setdefault(row.organisation_id, []).append(row)
    out: dict[int, tuple[str, str]] = {}
    for org_id, org_rows in by_org.items():
        address, keystore = session.execute(
            select(Organisation.signing_address, Organisation.signing_keystore)
            .where(Organisation.id == org_id)).one()
        if keystore is None:
            continue  # it signs its own events; capture refused any without a signature
        signatures = keyring.sign_all(keystore, [r.event_hash for r in org_rows])
        out.update({r.id: (sig, address) for r, sig in zip(org_rows, signatures, strict=True)})
    return out

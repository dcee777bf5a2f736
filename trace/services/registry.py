"""Registering organisations' signing addresses in the contract's on-chain signer registry.

The chain is the authority on who signs for whom; ``signer_registered_tx`` only remembers that a
registration was done, so the anchorer does each one once. In a deployment where the province's
registrar (not this service) registers signers, our account lacks the role and this is a no-op.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from ..domain.identity import organisation_id_bytes
from ..store.accounts import Organisation

log = logging.getLogger(__name__)


def register_signers(uow, registry) -> int:
    """Register every signing address not yet known to be on chain; how many were registered."""
    with uow:
        todo = uow.session.execute(
            select(Organisation.id, Organisation.gln, Organisation.signing_address)
            .where(Organisation.signing_address.is_not(None),
                   Organisation.signer_registered_tx.is_(None))).all()
    done = 0
    for org_id, gln, address in todo:
        fact = registry.signer_of(address)
        if fact is not None:
            tx = "on-chain"  # registered earlier (by us before a crash, or by the registrar)
        else:
            try:
                tx = registry.register_signer(address, organisation_id_bytes(gln))
            except Exception as exc:  # noqa: BLE001 - lacking the role is a deployment choice
                log.warning("could not register the signer of %s: %s", gln, exc)
                continue
            done += 1
        with uow.writing() as w:
            w.session.execute(update(Organisation).where(Organisation.id == org_id)
                              .values(signer_registered_tx=tx))
            w.commit()
    return done

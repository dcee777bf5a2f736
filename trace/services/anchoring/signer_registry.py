"""Registering organisations' signing addresses in the contract's on-chain signer registry.

The chain is the authority on who signs for whom; ``signer_registered_tx`` only remembers that a
registration was done, so the anchorer does each one once. In a deployment where the province's
registrar (not this service) registers signers, our account lacks the role and this is a no-op.

Only keys the service holds are registered here, and only when their keystore opens, with the
configured secret, to the recorded address: a database writer who puts an address of their own in
``organisations`` gets nothing registered. An organisation that keeps its own key is registered
when the operator says so (``tracechain org set-signer``), never from the database.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from ...domain.identity import organisation_id_bytes
from ...store.accounts import Organisation

log = logging.getLogger(__name__)


def register_signers(uow, registry, keyring=None) -> int:
    """Register every custodial signing address not yet known to be on chain (needs the
    ``keyring`` to prove each address is the key we hold); how many were registered."""
    if keyring is None:
        return 0
    with uow:
        todo = uow.session.execute(
            select(Organisation.id, Organisation.gln, Organisation.signing_address,
                   Organisation.signing_keystore)
            .where(Organisation.signing_address.is_not(None),
                   Organisation.signing_keystore.is_not(None),
                   Organisation.signer_registered_tx.is_(None))).all()
    done = 0
    for org_id, gln, address, keystore in todo:
        try:
            held = keyring.account(keystore).address
        except Exception:  # noqa: BLE001 - a keystore that does not open is not ours
            held = None
        if held is None or held.lower() != address.lower():
            log.warning("not registering %s for %s: the recorded keystore does not hold it",
                        address, gln)
            continue
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

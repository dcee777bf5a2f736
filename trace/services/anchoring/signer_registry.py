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
from typing import TYPE_CHECKING, Protocol

from ...domain.identity import organisation_id_bytes
from ...store import anchor_batches as batches
from ..ports import SignerRegistration, UnitOfWork

if TYPE_CHECKING:
    from ...sign.keyring import Keyring

log = logging.getLogger(__name__)


class SignerRegistrar(Protocol):
    """The chain's signer registry, as far as registering goes (``anchor.contract`` is one)."""

    def signer_of(self, address: str) -> SignerRegistration | None: ...

    def register_signer(self, address: str, organisation: bytes) -> str: ...


def register_signers(uow: UnitOfWork, registry: SignerRegistrar,
                     keyring: Keyring | None = None) -> int:
    """Register every custodial signing address not yet known to be on chain (needs the
    ``keyring`` to prove each address is the key we hold); how many were registered."""
    if keyring is None:
        return 0
    with uow:
        todo = batches.custodial_signers_to_register(uow)
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
            batches.record_signer_registration(w, org_id, tx)
            w.commit()
    return done

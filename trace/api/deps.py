"""Collaborators the views hand to use cases, built from what create_app configured."""

from __future__ import annotations

from dataclasses import replace

from flask import current_app

from ..domain import policy
from ..domain.actor import Actor
from ..services.accounts.organisations import operator_organisation
from ..services.epcis.capture import CaptureSettings
from ..store.uow import SqlUnitOfWork


def uow() -> SqlUnitOfWork:
    return SqlUnitOfWork(current_app.extensions["tracechain.sessions"])


def keyring():
    return current_app.extensions["tracechain.keyring"]


def acting_organisation(actor: Actor) -> Actor:
    """Admins who belong to no organisation capture under the operator's, so that their events
    are signed like everyone else's."""
    if actor.organisation_id is not None or not policy.is_admin(actor):
        return actor
    org_id = current_app.extensions.get("tracechain.operator_org")
    if org_id is None:
        cfg = current_app.config
        org_id = operator_organisation(cfg["OPERATOR_NAME"], cfg["OPERATOR_GLN"], uow(),
                                       keyring())
        current_app.extensions["tracechain.operator_org"] = org_id
    return replace(actor, organisation_id=org_id)


def capture_settings() -> CaptureSettings:
    return CaptureSettings(capture_limit=current_app.config["CAPTURE_LIMIT"],
                           max_yield=current_app.config["MAX_YIELD"], keyring=keyring())


def verification_caches():
    """One per application (so per process): verified batch trees and signer registrations."""
    from ..services.verification.verdicts import VerificationCaches

    return current_app.extensions.setdefault("tracechain.verification_caches",
                                             VerificationCaches())


def chain_reader():
    return current_app.extensions.get("tracechain.chain_reader")


def plausibility_limits():
    from ..services.lots.plausibility import Limits

    return Limits(harvest=current_app.config["HARVEST_LIMITS"])

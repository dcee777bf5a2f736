"""Collaborators the views hand to use cases, from the app's one container (``app_services``)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..app_services import app_services
from ..domain import policy
from ..domain.actor import Actor
from ..services.accounts.organisations import operator_organisation
from ..services.epcis.capture import CaptureSettings
from ..settings import Settings
from ..store.uow import SqlUnitOfWork

if TYPE_CHECKING:
    from ..services.lots.plausibility import Limits
    from ..services.ports import ChainReader
    from ..services.verification.verdicts import VerificationCaches
    from ..sign.keyring import Keyring


def settings() -> Settings:
    return app_services().settings


def uow() -> SqlUnitOfWork:
    return app_services().unit_of_work()


def keyring() -> Keyring:
    return app_services().keyring


def acting_organisation(actor: Actor) -> Actor:
    """Admins who belong to no organisation capture under the operator's, so that their events
    are signed like everyone else's."""
    if actor.organisation_id is not None or not policy.is_admin(actor):
        return actor
    services = app_services()
    org_id = services.operator_org
    if org_id is None:
        s = services.settings
        org_id = operator_organisation(s.operator_name, s.operator_gln, services.unit_of_work(),
                                       services.keyring)
        services.operator_org = org_id
    return replace(actor, organisation_id=org_id)


def capture_settings() -> CaptureSettings:
    services = app_services()
    s = services.settings
    return CaptureSettings(capture_limit=s.capture_limit, max_yield=s.max_yield,
                           keyring=services.keyring)


def verification_caches() -> VerificationCaches:
    """One per application (so per process): verified batch trees and signer registrations."""
    return app_services().verification_caches


def chain_reader() -> ChainReader | None:
    return app_services().chain_reader


def plausibility_limits() -> Limits:
    from ..services.lots.plausibility import Limits

    return Limits(harvest=app_services().settings.harvest_limits)

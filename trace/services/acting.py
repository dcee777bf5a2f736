"""On whose behalf a write happens: members for their own organisation, admins for any."""

from __future__ import annotations

from ..domain.actor import Actor
from ..domain.errors import Forbidden, Problem, ValidationFailed


def acting_organisation(actor: Actor, requested: int | None = None,
                        path: str = "$.organisationId") -> int:
    """The organisation a write is recorded for.

    :raises Forbidden: an inspector, or a member naming another organisation.
    :raises ValidationFailed: an admin without an organisation who names none.
    """
    if not actor.can_write:
        raise Forbidden("inspectors read and verify; they cannot record anything")
    if actor.role != "admin":
        if requested is not None and requested != actor.organisation_id:
            raise Forbidden("members record only for their own organisation",
                            [Problem(path, f"you are not a member of organisation {requested}")])
        if actor.organisation_id is None:
            raise Forbidden("this account belongs to no organisation")
        return actor.organisation_id
    chosen = requested if requested is not None else actor.organisation_id
    if chosen is None:
        raise ValidationFailed("say which organisation this is for", [
            Problem(path, "an admin without an organisation must name one")])
    return chosen

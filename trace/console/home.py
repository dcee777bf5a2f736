"""The landing page after signing in: who you are, for which organisation, and what you may
open (admins: the admin pages). Members see their organisation's dashboard — its lots and
stock, what waits for the chain, the last anchors, warnings (services/cooperative/dashboard.py)
— and its users, read-only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..app_services import app_services
from ..domain import policy
from ..services.accounts import users
from ..services.cooperative.dashboard import dashboard
from ..services.lots.plausibility import Limits
from . import web


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/", "home", home)


@web.signed_in
def home() -> Any:
    actor = web.actor()
    services = app_services()
    uow = services.unit_of_work()
    organisation = colleagues = None
    if actor.organisation_id is not None:
        organisation = users.organisation(actor, actor.organisation_id, uow)
        if policy.may_list_users(actor, actor.organisation_id):
            colleagues = users.users(actor, uow, actor.organisation_id)
    board = dashboard(actor, Limits(harvest=services.settings.harvest_limits), uow,
                      now=web.now())
    return web.render("home.html", organisation=organisation, colleagues=colleagues,
                      admin=policy.may_manage_accounts(actor),
                      writer=policy.may_write(actor), board=board)

"""Admin: API tokens (create — the token is shown once —, list, revoke, expiry)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, redirect, request, url_for

from ..app_services import app_services
from ..domain import policy
from ..domain.errors import NotFound, ValidationFailed
from ..services.accounts import tokens, users
from . import web

LIFETIMES = (30, 90, 365)  # days offered; the default is TRACE_TOKEN_LIFETIME_DAYS


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/admin/tokens", "tokens", token_list, methods=["GET", "POST"])
    bp.add_url_rule("/admin/tokens/<int:token_id>/revoke", "token_revoke", token_revoke,
                    methods=["POST"])


def _page(form: web.Form, status: int = 200, **extra: Any) -> Any:
    actor = web.actor()
    uow = app_services().unit_of_work()
    return web.render("admin_tokens.html", status, form=form, lifetimes=LIFETIMES,
                      tokens=tokens.list_tokens(uow), users=users.users(actor, uow),
                      now=web.now(), done=request.args.get("done"), **extra)


def _default_days() -> str:
    return str(app_services().settings.token_lifetime_days)


@web.signed_in
def token_list() -> Any:
    actor = web.actor()
    policy.require_manage_accounts(actor)
    if request.method == "GET":
        return _page(web.Form({"days": _default_days()}))
    form = web.Form.posted("email", "label", "days")
    days = form["days"]
    if not days.isdigit() or not 1 <= int(days) <= 3650:
        form.error("days", "Choose how many days the token lasts (1 to 3650).")
    if not form["label"]:
        form.error("label", "Say what the token is for.")
    if not form.ok:
        return _page(form, 400)
    try:
        token = tokens.create_token(form["email"], form["label"], app_services().unit_of_work(),
                                    lifetime=timedelta(days=int(days)))
    except NotFound:
        form.error("email", "Choose a user from the list.")
        return _page(form, 400)
    except ValidationFailed as exc:
        form.problems(exc.problems, "label")
        return _page(form, 400)
    return _page(web.Form({"days": _default_days()}), 201, token=token, token_for=form["email"])


@web.signed_in
def token_revoke(token_id: int) -> Any:
    policy.require_manage_accounts(web.actor())
    tokens.revoke_tokens(app_services().unit_of_work(), token_id=token_id)
    return redirect(url_for("console.tokens", done="revoked"), 303)

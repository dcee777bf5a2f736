"""Admin: users (list, invite with a one-time link, change role, disable/enable, reset link)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from ..app_services import app_services
from ..domain import policy
from ..domain.actor import ROLES
from ..domain.errors import Conflict, ValidationFailed
from ..services.accounts import passwords, users
from . import web


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/admin/users", "users", user_list, methods=["GET", "POST"])
    bp.add_url_rule("/admin/users/<int:user_id>/role", "user_role", user_role,
                    methods=["POST"])
    bp.add_url_rule("/admin/users/<int:user_id>/disable", "user_disable", user_disable,
                    methods=["POST"])
    bp.add_url_rule("/admin/users/<int:user_id>/enable", "user_enable", user_enable,
                    methods=["POST"])
    bp.add_url_rule("/admin/users/<int:user_id>/reset", "user_reset", user_reset,
                    methods=["POST"])


def link_url(token: str) -> str:
    """The one-time link as the user will open it (``TRACE_PUBLIC_BASE_URL``)."""
    base = app_services().settings.public_base_url.rstrip("/")
    return f"{base}/app/set-password/{token}"


def _page(form: web.Form, status: int = 200, **extra: Any) -> Any:
    actor = web.actor()
    uow = app_services().unit_of_work()
    return web.render("admin_users.html", status, form=form, roles=ROLES,
                      users=users.users(actor, uow),
                      organisations=users.organisations(actor, uow),
                      done=request.args.get("done"), **extra)


@web.signed_in
def user_list() -> Any:
    actor = web.actor()
    policy.require_manage_accounts(actor)
    if request.method == "GET":
        return _page(web.Form({"role": "member"}))
    form = web.Form.posted("email", "name", "role", "organisation")
    org = form["organisation"]
    if org and not org.isdigit():
        form.error("organisation", "Choose an organisation from the list.")
        return _page(form, 400)
    try:
        _, token = passwords.invite(actor, form["email"], form["name"], form["role"],
                                    int(org) if org else None, app_services().unit_of_work(),
                                    now=web.now())
    except ValidationFailed as exc:
        form.problems(exc.problems, "email")
        return _page(form, 400)
    except Conflict:
        form.error("email", "A user with this e-mail address exists already.")
        return _page(form, 409)
    return _page(web.Form({"role": "member"}), 201, link=link_url(token), link_for=form["email"])


@web.signed_in
def user_role(user_id: int) -> Any:
    actor = web.actor()
    policy.require_manage_accounts(actor)
    try:
        users.change_role(actor, user_id, request.form.get("role", ""),
                          app_services().unit_of_work())
    except ValidationFailed:
        form = web.Form({"role": "member"})
        form.error("role", "A member belongs to an organisation.")
        return _page(form, 400)
    return redirect(url_for("console.users", done="role"), 303)


def _set_disabled(user_id: int, disabled: bool) -> Any:
    actor = web.actor()
    policy.require_manage_accounts(actor)
    users.set_disabled(actor, user_id, disabled, app_services().unit_of_work(), now=web.now())
    return redirect(url_for("console.users", done="disabled" if disabled else "enabled"), 303)


@web.signed_in
def user_disable(user_id: int) -> Any:
    return _set_disabled(user_id, True)


@web.signed_in
def user_enable(user_id: int) -> Any:
    return _set_disabled(user_id, False)


@web.signed_in
def user_reset(user_id: int) -> Any:
    actor = web.actor()
    policy.require_manage_accounts(actor)
    uow = app_services().unit_of_work()
    token = passwords.reset_link(actor, user_id, uow, now=web.now())
    return _page(web.Form({"role": "member"}), 201, link=link_url(token),
                 link_for=users.user_email(actor, user_id, uow))

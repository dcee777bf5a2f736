"""Admin: the organisations (list, register)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from ..app_services import app_services
from ..domain import policy
from ..domain.actor import ORG_KINDS
from ..domain.errors import Conflict, ValidationFailed
from ..services.accounts import organisations as accounts
from ..services.accounts import users
from . import web

FIELDS = ("name", "kind", "gln", "province", "companyPrefix")


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/admin/organisations", "organisations", organisations,
                    methods=["GET", "POST"])


@web.signed_in
def organisations() -> Any:
    actor = web.actor()
    policy.require_manage_accounts(actor)
    services = app_services()
    form = web.Form({"kind": "cooperative"})
    status = 200
    if request.method == "POST":
        form = web.Form.posted(*FIELDS)
        try:
            accounts.create_organisation(
                form["name"], form["kind"], form["gln"], services.unit_of_work(),
                province=form["province"] or None, keyring=services.keyring,
                company_prefix=form["companyPrefix"] or None)
        except ValidationFailed as exc:
            form.problems(exc.problems, "name")
            status = 400
        except Conflict as exc:
            form.problems(exc.problems, "companyPrefix") if exc.problems else form.error(
                "name", "An organisation with this name or GLN exists already.")
            status = 409
        else:
            return redirect(url_for("console.organisations", done="created"), 303)
    return web.render("admin_organisations.html", status, form=form, kinds=ORG_KINDS,
                      organisations=users.organisations(actor, services.unit_of_work()),
                      done=request.args.get("done"))

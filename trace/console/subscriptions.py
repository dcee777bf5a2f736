"""``/app/subscriptions`` (issue #12, docs/inspector/ACTIONS.md): a partner's EPCIS
subscriptions — its named queries and their webhooks — and a form to watch one of its lots:
every event naming it (recalls, holds and inspection records included) is sent to its webhook,
signed with its token, retried, logged (docs/SUBSCRIPTIONS.md)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for

from ..app_services import app_services
from ..domain.errors import Conflict, ValidationFailed
from ..present.i18n import N_
from ..services.inspection.partner_subscriptions import my_subscriptions, subscribe_to_lot
from ..services.subscriptions.destinations import allow_list
from ..services.subscriptions.queries import JSON_LD
from . import web

FIELDS = ("name", "gtin", "lot", "dest", "token", "format")
FROM_USE_CASES = (
    N_("give the lot's code"), N_("a GTIN of 8, 12, 13 or 14 digits with its check digit"),
    N_("not a URL"), N_("an http:// or https:// URL with a host"),
    N_("the webhook URL, a string"),
    N_("1 to 100 letters, digits, '.', '_', '~' or '-', starting with a letter or digit"),
    N_("taken: choose another name or delete that query"),
    N_("JSON-LD or XML"),
)


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/subscriptions", "subscriptions", subscriptions_page,
                    methods=["GET", "POST"])


def _page(form: web.Form, status: int = 200) -> Any:
    found = my_subscriptions(web.actor(), app_services().unit_of_work())
    return web.render("subscriptions.html", status, form=form, queries=found,
                      done=request.args.get("done") == "subscribed")


@web.signed_in
def subscriptions_page() -> Any:
    if request.method == "GET":
        return _page(web.Form())
    form = web.Form.posted(*FIELDS)
    services = app_services()
    try:
        subscribe_to_lot(web.actor(), form["name"], form["gtin"], form["lot"], form["dest"],
                         form["token"] or None, services.unit_of_work(),
                         allow=allow_list(services.settings.webhook_allow),
                         media_type=form["format"] or JSON_LD)
    except ValidationFailed as exc:
        for p in exc.problems:
            field = p.path.removeprefix("$.")
            form.say(field if field in form.values else "dest", p.message)
        return _page(form, 400)
    except Conflict as exc:
        form.say("name", exc.problems[0].message if exc.problems else str(exc))
        return _page(form, 409)
    return redirect(url_for("console.subscriptions", done="subscribed"), 303)

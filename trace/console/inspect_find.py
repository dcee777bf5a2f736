"""The inspector's finding pages (issue #12, docs/inspector/FIND.md and VERIFY.md):

- ``/app/inspect/lots``: search lots (GET form, results on the same page, paged, sortable);
- ``/app/inspect/organisations/<id>/events?from=&to=``: what an organisation recorded;
- ``/app/inspect/verify``: bulk verification of an organisation and/or a date range, its report
  on the page and as CSV (``/app/inspect/verify.csv``); "verify everything now" (POST) asks the
  chain afresh.

Inspectors and admins only (``policy.require_search_everything``): members get the 403 page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from ..app_services import app_services
from ..domain import policy
from ..domain.errors import Problem, ValidationFailed
from ..present.i18n import N_
from ..services.inspection import bulk_verify, find_lots, organisation_events
from ..services.inspection.query_terms import Window
from . import web

# Messages the use cases put in Problems (extracted by `make messages`, translated in
# console.po's "inspector: find and bulk verify" section).
MESSAGES = (
    N_("At most %(n)s characters."),
    N_("The end must be after the start."),
    N_("Not a date: write it as YYYY-MM-DD."),
    N_("Give the time with its offset (e.g. +07:00), or a date."),
    N_("The page must be a whole number from 1 to %(n)s."),
    N_("Ask for 1 to %(n)s results at a time."),
    N_("Choose one of: %(choices)s."),
    N_("Choose an organisation from the list."),
    N_("A GTIN has 8, 12, 13 or 14 digits with a correct check digit."),
    N_("Choose a product from the list."),
    N_("No organisation %(name)s."),
)
SEARCH_FIELDS = ("gtin", "code", "organisation", "farmer", "plot", "place", "product",
                 "event_type", "biz_step", "from", "to", "sort", "order", "page", "limit")
STATUS_NAMES = {
    "verified": N_("verified"), "pending": N_("pending"), "not-on-chain": N_("not on chain"),
    "unknown-signer": N_("unknown signer"), "unsigned": N_("unsigned"),
    "bad-signature": N_("bad signature"), "incomplete": N_("incomplete"),
    "altered": N_("altered"), "missing": N_("missing"),
}
STATE_NAMES = {"anchored": N_("anchored"), "anchoring": N_("being anchored"),
               "pending": N_("waiting for anchoring"), "unsigned": N_("unsigned")}
SHOWN_FAILURES = 200  # on the page; the CSV has every one


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/inspect/lots", "inspect_lots", lots)
    bp.add_url_rule("/inspect/organisations/<int:org_id>/events", "inspect_org_events",
                    org_events)
    bp.add_url_rule("/inspect/verify", "inspect_verify", verify, methods=["GET", "POST"])
    bp.add_url_rule("/inspect/verify.csv", "inspect_verify_csv", verify_csv,
                    methods=["GET", "POST"])


def _problems(form: web.Form, problems: list[Problem], fallback: str) -> None:
    for problem in problems:
        name = problem.path.removeprefix("$.query.").removeprefix("$.")
        form.say(name if name in form.values else fallback, problem.message)


def _args(names: tuple[str, ...]) -> dict[str, str]:
    source = request.form if request.method == "POST" else request.args
    return {name: source.get(name, "").strip() for name in names}


@web.signed_in
def lots() -> Any:
    actor = web.actor()
    policy.require_search_everything(actor)
    uow = app_services().unit_of_work()
    args = _args(SEARCH_FIELDS)
    form = web.Form(args)
    choices = find_lots.search_choices(actor, uow)
    context: dict[str, Any] = dict(form=form, choices=choices, event_types=find_lots.EVENT_TYPES,
                                   biz_steps=find_lots.BIZ_STEPS, found=None)
    if not any(args[name] for name in SEARCH_FIELDS if name not in ("sort", "order")):
        return web.render("inspect_find.html", **context)  # the empty form
    try:
        query, page = find_lots.read_query(args, web.viewer_zone())
    except ValidationFailed as exc:
        _problems(form, exc.problems, "code")
        return web.render("inspect_find.html", 400, **context)
    context["found"] = find_lots.find_lots(actor, query, page, uow)
    context["here"] = {k: v for k, v in args.items() if v and k not in ("page",)}
    return web.render("inspect_find.html", **context)


@web.signed_in
def org_events(org_id: int) -> Any:
    actor = web.actor()
    policy.require_search_everything(actor)
    args = _args(("from", "to", "page", "limit"))
    form = web.Form(args)
    uow = app_services().unit_of_work()
    try:
        window, page, per_page = organisation_events.read_window(args, web.viewer_zone())
        code = 200
    except ValidationFailed as exc:
        _problems(form, exc.problems, "from")
        window, page, per_page, code = Window(None, None), 1, organisation_events.PER_PAGE, 400
    listed = organisation_events.organisation_events(actor, org_id, window, page, uow,
                                                     per_page)
    here = {k: v for k, v in args.items() if v and k != "page"}
    return web.render("inspect_org_events.html", code, form=form, listed=listed, here=here,
                      states=STATE_NAMES)


def _verify_context(form: web.Form) -> dict[str, Any]:
    actor = web.actor()
    choices = find_lots.search_choices(actor, app_services().unit_of_work())
    return dict(form=form, organisations=choices.organisations, statuses=STATUS_NAMES,
                shown=SHOWN_FAILURES, report=None)


def _run(form: web.Form, fresh: bool) -> bulk_verify.BulkReport:
    """:raises ValidationFailed: a bad scope. :raises NotFound: no such organisation."""
    services = app_services()
    scope = bulk_verify.read_scope(form.values, web.viewer_zone())
    return bulk_verify.verify_bulk(web.actor(), scope, services.unit_of_work(),
                                   services.chain_reader, fresh=fresh,
                                   caches=services.verification_caches)


@web.signed_in
def verify() -> Any:
    policy.require_search_everything(web.actor())
    form = web.Form(_args(("organisation", "from", "to", "run", "mode")))
    context = _verify_context(form)
    fresh = request.method == "POST" and form["mode"] == "fresh"
    if request.method == "GET" and not form["run"]:
        return web.render("inspect_verify.html", **context)
    try:
        context["report"] = _run(form, fresh)
    except ValidationFailed as exc:
        _problems(form, exc.problems, "organisation")
        return web.render("inspect_verify.html", 400, **context)
    return web.render("inspect_verify.html", **context)


@web.signed_in
def verify_csv() -> Any:
    policy.require_search_everything(web.actor())
    form = web.Form(_args(("organisation", "from", "to", "mode")))
    try:
        report = _run(form, request.method == "POST" and form["mode"] == "fresh")
    except ValidationFailed as exc:
        _problems(form, exc.problems, "organisation")
        return web.render("inspect_verify.html", 400, **_verify_context(form))
    name = "verification" + (f"-{report.organisation[1]}" if report.organisation else "")
    return Response(report.csv(web.viewer_zone()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"'})

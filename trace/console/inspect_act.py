"""The inspector acts on a lot (issue #12, docs/inspector/ACTIONS.md):
``/app/inspect/lots/<gtin>/<lot>/act`` shows the lot's holds and recalls and, at once, every lot
and container a recall or hold of it reaches; its forms record an inspection, a sample or a
result (with the lab's report), put the lot on hold or release it, recall it (class, reason,
what to do, in Vietnamese and English) or lift the recall. Each is a signed, anchored EPCIS
event of the inspector's authority; a reason is required for a hold, a release and a lift.

Plain HTML forms with CSRF; each form's errors next to its fields in the reader's language
(400, nothing stored); members get the 403 page (``policy.require_inspect``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, redirect, request, url_for

from ..app_services import app_services
from ..domain import policy
from ..domain.actor import Actor
from ..domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..domain.evidence import MAX_BYTES
from ..domain.inspection_events import RESULTS, InspectionFacts
from ..domain.recall_notice import CLASSES
from ..present.i18n import N_
from ..services.accounts.organisations import operator_organisation
from ..services.evidence import files
from ..services.inspection import holds, inspection_records, recall_impact
from ..services.lots import recalls
from . import web
from .evidence import evidence_dir

# Messages of the use cases this page shows, for the catalogue (docs/CONSOLE.md).
FROM_USE_CASES = (
    N_("must be 3 to 1000 characters"), N_("a result is pass or fail"),
    N_("only a result has a pass or fail"), N_("at most 1000 characters"),
    N_("give the sample's number"), N_("say what was inspected"),
    N_("must be one of inspection, sample, result"), N_("must be one of I, II, III"),
    N_("this report was not uploaded by your organisation"),
)
FORMS = {
    "inspection": ("kind", "note", "sampleId", "result"),
    "hold": ("hold_reason",),
    "release": ("release_reason",),
    "recall": ("recall_reason", "recallClass", "reasonVi", "reasonEn", "actionVi", "actionEn",
               "contact"),
    "lift": ("lift_reason",),
}
DONE = ("inspection", "hold", "release", "recall", "lift")


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/inspect/lots/<gtin>/<path:lot>/act", "inspect_act", act_page,
                    methods=["GET"])
    bp.add_url_rule("/inspect/lots/<gtin>/<path:lot>/act/<action>", "inspect_act_post",
                    act_post, methods=["POST"])


def _page(gtin: str, lot: str, status: int = 200, forms: dict[str, web.Form] | None = None,
          error: str | None = None) -> Any:
    actor = web.actor()
    uow = app_services().unit_of_work()
    affected = recall_impact.affected_lots(gtin, lot, actor, uow)
    lot_holds = holds.lot_holds(gtin, lot, actor, uow)
    lot_recalls = recalls.lot_recalls(gtin, lot, actor, uow)
    inspections = inspection_records.lot_inspections(gtin, lot, actor, uow)
    shown = {name: web.Form() for name in FORMS}
    shown["inspection"] = web.Form({"kind": "inspection"})
    shown["recall"] = web.Form({"recallClass": "I"})
    shown.update(forms or {})
    done = request.args.get("done")
    return web.render("inspect_act.html", status, gtin=gtin, lot=lot, affected=affected,
                      holds=lot_holds, active_hold=next((h for h in lot_holds if h.active),
                                                        None),
                      recalls=lot_recalls, active_recall=next(
                          (r for r in lot_recalls.recalls if r.active), None),
                      inspections=inspections, forms=shown, classes=CLASSES, results=RESULTS,
                      done=done if done in DONE else None, error=error)


@web.signed_in
def act_page(gtin: str, lot: str) -> Any:
    policy.require_inspect(web.actor(), "act on a lot")
    return _page(gtin, lot)


def _acting(actor: Actor) -> Actor:
    """An admin of no organisation acts for the operator's, as on the API (api.deps): its
    records are signed like everyone else's."""
    if actor.organisation_id is not None or not policy.is_admin(actor):
        return actor
    services = app_services()
    if services.operator_org is None:
        s = services.settings
        services.operator_org = operator_organisation(s.operator_name, s.operator_gln,
                                                      services.unit_of_work(), services.keyring)
    return replace(actor, organisation_id=services.operator_org)


@web.signed_in
def act_post(gtin: str, lot: str, action: str) -> Any:
    policy.require_inspect(web.actor(), "act on a lot")
    actor = _acting(web.actor())
    if action not in FORMS:
        raise NotFound("no such action")
    form = web.Form.posted(*FORMS[action])
    services = app_services()
    uow, keyring = services.unit_of_work(), services.keyring
    try:
        if action == "inspection":
            report = _report(form)
            if not form.ok:
                return _page(gtin, lot, 400, {action: form})
            facts = InspectionFacts(form["kind"], form["note"],
                                    form["result"] if form["kind"] == "result" else None,
                                    form["sampleId"])
            inspection_records.record_inspection(gtin, lot, facts, actor, uow, keyring,
                                                 report_sha256=report)
        elif action == "hold":
            holds.hold_lot(gtin, lot, form["hold_reason"], actor, uow, keyring)
        elif action == "release":
            holds.release_hold(gtin, lot, form["release_reason"], actor, uow, keyring)
        elif action == "recall":
            notice = {k: form[k] or None for k in FORMS["recall"][1:]}
            recalls.recall_lot(gtin, lot, form["recall_reason"], actor, uow, notice=notice,
                               keyring=keyring)
        else:
            if not form["lift_reason"]:  # the console always asks why (the API will too)
                form.error("lift_reason", "Say why the recall is lifted.")
                return _page(gtin, lot, 400, {action: form})
            recalls.lift_recall(gtin, lot, actor, uow, reason=form["lift_reason"],
                                keyring=keyring)
    except ValidationFailed as exc:
        _problems(form, action, exc)
        return _page(gtin, lot, 400, {action: form})
    except Conflict as exc:
        return _page(gtin, lot, 409, {action: form}, error=web.say(str(exc)))
    except Forbidden:
        raise
    return redirect(url_for("console.inspect_act", gtin=gtin, lot=lot, done=action), 303)


def _problems(form: web.Form, action: str, exc: ValidationFailed) -> None:
    first = FORMS[action][0]
    for problem in exc.problems:
        field = problem.path.removeprefix("$.")
        if field == "reason":
            field = first
        form.say(field if field in form.values or field == "report" else first,
                 problem.message)
    if not exc.problems:
        form.say(first, str(exc))


def _report(form: web.Form) -> str | None:
    """The lab's report, if one was chosen: kept for the inspector's authority; its SHA-256."""
    upload = request.files.get("report")
    if not upload or not upload.filename:
        return None
    try:
        ref = files.store_file(_acting(web.actor()), upload.read(MAX_BYTES + 1), upload.filename,
                               "lab-result", app_services().unit_of_work(), evidence_dir(),
                               for_authority=True)
    except ValidationFailed as exc:
        for p in exc.problems:
            form.say("report", p.message)
        return None
    return ref.sha256

"""Corrections on the console (docs/console/EVIDENCE.md): the organisation's recent events (or one
lot's), each with "correct this"; the form shows the event as recorded, asks why, and the corrected
values; the server captures the error declaration and the corrective event in one document
(``services/cooperative/corrections.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, redirect, request, url_for

from ..app_services import app_services
from ..domain.errors import Conflict, InvalidIdentifier, ValidationFailed
from ..domain.products import MASS_UNITS
from ..services.cooperative import corrections
from . import web
from .evidence import capture_settings


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/corrections", "corrections", event_list)
    bp.add_url_rule("/corrections/event", "correct_event", correct_event,
                    methods=["GET", "POST"])


@web.signed_in
def event_list() -> Any:
    gtin, lot = request.args.get("gtin", "").strip(), request.args.get("lot", "").strip()
    problem = None
    try:
        events = corrections.recent_events(web.actor(), app_services().unit_of_work(),
                                           gtin or None, lot or None)
    except (ValidationFailed, InvalidIdentifier):  # a mistyped GTIN or lot code
        events, problem = [], web.t("No lot has this GTIN and lot code.")
    return web.render("corrections.html", 400 if problem else 200, events=events, gtin=gtin,
                      lot=lot, problem=problem, done=request.args.get("done"))


def _form_page(event: corrections.RecordedEvent, form: web.Form, status: int = 200) -> Any:
    return web.render("correct_event.html", status, event=event, form=form,
                      units=list(MASS_UNITS))


@web.signed_in
def correct_event() -> Any:
    event_id = request.values.get("id", "")
    uow = app_services().unit_of_work()
    event = corrections.recorded_event(web.actor(), event_id, uow)
    extras = [f"extra:{k}" for k in event.extras]
    if request.method == "GET":
        values = {"quantity": f"{event.quantity:g}" if event.quantity is not None else "",
                  "unit": event.unit or "", "lot": event.lot or "",
                  "time": event.body.get("eventTime", "")[:16]}
        values.update({f"extra:{k}": str(v) for k, v in event.extras.items()})
        return _form_page(event, web.Form(values))
    form = web.Form.posted("reason", "quantity", "unit", "lot", "time", *extras)
    if event.declared:
        form.error("reason", "This record was already corrected: a correction is final. Record "
                   "what happened next as a new step.")
        return _form_page(event, form, 409)
    changes = _changes(form, event)
    if not form.ok:
        return _form_page(event, form, 400)
    try:
        corrections.correct(web.actor(), event_id, form["reason"], changes, uow,
                            capture_settings())
    except Conflict:
        form.error("reason", "This record was already corrected: a correction is final. Record "
                   "what happened next as a new step.")
        return _form_page(event, form, 409)
    except ValidationFailed as exc:
        form.problems(exc.problems, "reason")
        return _form_page(event, form, 400)
    return redirect(url_for("console.corrections", done="corrected"), 303)


def _changes(form: web.Form, event: corrections.RecordedEvent) -> corrections.Changes:
    if form["reason"] not in corrections.REASONS:
        form.error("reason", "Say why the record is wrong.")
    if form["reason"] != "incorrect_data":
        return corrections.Changes()
    quantity = None
    if form["quantity"] and form["quantity"] != (f"{event.quantity:g}"
                                                 if event.quantity is not None else ""):
        try:
            quantity = float(form["quantity"].replace(",", "."))
        except ValueError:
            form.error("quantity", "Write a number, e.g. 12.5.")
    when = None
    if form["time"] and form["time"] != event.body.get("eventTime", "")[:16]:
        try:
            when = datetime.fromisoformat(form["time"])
        except ValueError:
            form.error("time", "Write the date and time as 2025-03-10T07:30.")
    extras = {k: form[f"extra:{k}"] for k, v in event.extras.items()
              if form[f"extra:{k}"] and form[f"extra:{k}"] != str(v)}
    return corrections.Changes(
        quantity=quantity, unit=form["unit"] if form["unit"] != (event.unit or "") else None,
        lot=form["lot"] if form["lot"] != (event.lot or "") else None, event_time=when,
        extras=extras)

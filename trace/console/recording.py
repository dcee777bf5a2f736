"""The recording forms: harvest, a process step (drying, sorting, grading, hulling, roasting...),
packing, shipping to a partner, receiving — each one short form over the existing use cases.

Exactly once (docs/console/RECORDING.md): every form carries a hidden ``idempotency_key`` made
at render; ``submissions.once`` stores it with the event(s), so a second sending answers the
first's outcome. A request with ``Accept: application/json`` (the offline queue) gets JSON:
201 recorded, 200 already recorded, 400 invalid, 403 forbidden, 409 conflict.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from flask import Blueprint, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from ..app_services import app_services
from ..domain import policy
from ..domain.attributes import ATTRIBUTES
from ..domain.errors import Conflict, Forbidden, NotFound, TraceError, ValidationFailed
from ..domain.products import KINDS, PROCESS_STEPS
from ..domain.step_fields import CHOICES, FORM_UNITS, fields_for, parse
from ..present.i18n import N_
from ..services.cooperative import form_choices, logistics, submissions
from ..services.cooperative import lot_making as steps
from ..services.cooperative.step_recording import VIETNAM, LotAmount, StepRecorded
from ..services.epcis.capture import CaptureSettings
from . import web

# The process steps with a form of their own (the menu's order); the others by URL.
PROCESSES = ("drying", "sorting", "grading", "hulling", "roasting")
STEP_NAMES = {
    "harvest": N_("Harvest"), "drying": N_("Drying"), "retting": N_("Retting"),
    "peeling": N_("Peeling"), "cleaning": N_("Cleaning"), "sorting": N_("Sorting"),
    "grading": N_("Grading"), "hulling": N_("Hulling"), "roasting": N_("Roasting"),
    "grinding": N_("Grinding"), "packing": N_("Packing"), "shipping": N_("Shipping"),
    "receiving": N_("Receiving"),
}
_GONE = N_("Lot %(lot)s is no longer in your stock (shipped, packed or used up meanwhile): "
           "remove it from the form.")
COMMON = ("idempotency_key", "device_time", "event_time", "tz")


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/record", "record", menu)
    bp.add_url_rule("/record/harvest", "record_harvest", harvest, methods=["GET", "POST"])
    bp.add_url_rule("/record/process/<step>", "record_process", process,
                    methods=["GET", "POST"])
    bp.add_url_rule("/record/packing", "record_packing", packing, methods=["GET", "POST"])
    bp.add_url_rule("/record/shipping", "record_shipping", shipping, methods=["GET", "POST"])
    bp.add_url_rule("/record/receiving", "record_receiving", receiving,
                    methods=["GET", "POST"])


def _settings() -> CaptureSettings:
    services = app_services()
    s = services.settings
    return CaptureSettings(capture_limit=s.capture_limit, max_yield=s.max_yield,
                           keyring=services.keyring)


def _uow() -> Any:
    return app_services().unit_of_work()


# --- the page around every form --------------------------------------------------------------

def _now_local() -> datetime:
    return web.now().astimezone(VIETNAM)


def _fresh(values: dict[str, str]) -> web.Form:
    """A new form: its key, the event time defaulting to now in Vietnam (geo/record.js
    replaces it with the browser's own time zone)."""
    now = _now_local()
    return web.Form({"idempotency_key": str(uuid.uuid4()), "device_time": "",
                     "event_time": now.strftime("%Y-%m-%dT%H:%M"), "tz": "+07:00",
                     "unit": "KGM", **values})


@web.signed_in
def menu() -> Any:
    actor = web.actor()
    policy.require_writer(actor)
    return web.render("record_menu.html", processes=PROCESSES, names=STEP_NAMES,
                      done=request.args.get("done"))


def _page(template: str, step: str, form: web.Form, status: int = 200, **extra: Any) -> Any:
    return web.render(template, status, form=form, step=step, step_name=STEP_NAMES[step],
                      units=FORM_UNITS, attributes=ATTRIBUTES, choices=CHOICES,
                      done=request.args.get("done"), **extra)


def _event_time(form: web.Form) -> datetime | None:
    """The form's date and time at its offset (``tz``: ``+07:00``, the browser's own)."""
    text, offset = form["event_time"], form["tz"] or "+07:00"
    try:
        when = datetime.fromisoformat(text)
        sign = -1 if offset.startswith("-") else 1
        hours, minutes = offset.lstrip("+-").split(":")
        zone = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    except ValueError:
        form.error("event_time", N_("Give the date and time it happened."))
        return None
    when = when.replace(tzinfo=zone) if when.tzinfo is None else when
    if when > web.now() + timedelta(minutes=10):
        form.error("event_time", N_("This date and time is in the future."))
        return None
    return when


def _quantity(form: web.Form, name: str = "quantity") -> float | None:
    try:
        value = float(form[name].replace(",", "."))
    except ValueError:
        form.error(name, N_("Type the quantity as a number, e.g. 250 or 1.5"))
        return None
    if not value > 0:
        form.error(name, N_("The quantity must be more than 0."))
        return None
    return value


def _unit(form: web.Form) -> str:
    unit = form["unit"] or "KGM"
    if unit not in dict(FORM_UNITS):
        form.error("unit", N_("Choose a unit from the list."))
    return unit


def _lot_choice(value: str, form: web.Form, name: str) -> tuple[str, str] | None:
    gtin, sep, lot = value.partition("|")
    if not sep or not gtin or not lot:
        form.error(name, N_("Choose a lot from the list."))
        return None
    return gtin, lot


def _attributes(form: web.Form, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: parse(n, request.form.get(f"attr_{n}", "").strip()) for n in names
            if request.form.get(f"attr_{n}", "").strip()}


# --- answering a sending ---------------------------------------------------------------------

def _json(status: int, **body: Any) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def _submit(kind: str, form: web.Form, done: str, do: Callable[[], StepRecorded],
            render: Callable[[web.Form, int], Any], fallback: str,
            fields: dict[str, str]) -> Any:
    """Record through ``do`` once for the form's key; answer as the request wants."""
    actor = web.actor()
    key = form["idempotency_key"] or None
    redirect_to = url_for(done, done=kind)
    try:
        outcome = submissions.once(actor, key, kind, redirect_to, do, _uow())
    except (ValidationFailed, Conflict, Forbidden, NotFound) as exc:
        status = _status(exc)
        _problems(form, exc, fallback, fields)
        if web.wants_json():
            return _json(status, ok=False, message=_summary(exc, status),
                         errors={k: " ".join(v) for k, v in form.errors.items()})
        if status == 403:
            raise
        return render(form, status)
    if web.wants_json():
        return _json(200 if outcome.repeated else 201, ok=True,
                     message=web.t(N_("Already recorded: this was sent before and is stored "
                                      "once.")) if outcome.repeated else
                     web.t(N_("%(step)s recorded."), step=web.t(STEP_NAMES[kind])),
                     eventIDs=outcome.event_ids, redirect=outcome.redirect)
    return redirect(outcome.redirect, 303)


_CONFLICTS = ("goods in transit", "more than the lot holds")


def _status(exc: TraceError) -> int:
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict) or exc.message in _CONFLICTS:
        return 409
    return 400


def _summary(exc: TraceError, status: int) -> str:
    if status == 403:
        return web.t(N_("You may not record this: it names goods, plots or products of another "
                        "organisation. Nothing was recorded."))
    if exc.message == "goods in transit":
        return web.t(N_("A lot on this form has already been shipped and is no longer here. "
                        "Nothing was recorded: remove it from the form or choose another lot."))
    if exc.message == "more than the lot holds":
        return web.t(N_("A lot on this form has less left than the form takes (another "
                        "record used it meanwhile). Nothing was recorded: lower the quantity "
                        "and send again."))
    if exc.message == "lot already exists":
        return web.t(N_("This lot code is already used. Nothing was recorded: change the lot "
                        "code and send again."))
    if status == 409:
        return web.t(N_("This clashes with what is already recorded. Nothing was recorded: "
                        "check the form and send again."))
    return web.t(N_("Some fields need attention. Nothing was recorded."))


def _problems(form: web.Form, exc: TraceError, fallback: str, fields: dict[str, str]) -> None:
    """Each problem next to its field: ``fields`` maps a use case's path prefix to a field."""
    if exc.message == "lot already exists":
        form.error(fields.get("$.lot", fallback),
                   N_("This lot code is already used: change it."))
        return
    if not exc.problems:
        form.error(fallback, exc.message)
        return
    for p in exc.problems:
        path = p.path
        field = fallback
        for prefix, name in sorted(fields.items(), key=lambda kv: -len(kv[0])):
            if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
                field = name
                break
        if path.startswith("$.attributes."):
            name = "attr_" + path.removeprefix("$.attributes.").split(".")[0]
            field = name if name in form.values else fallback
        form.error(field, p.message)


# --- harvest ---------------------------------------------------------------------------------

def _harvest_page(form: web.Form, status: int = 200) -> Any:
    actor, uow = web.actor(), _uow()
    products = [p for p in form_choices.own_products(actor, uow) if KINDS[p.kind].harvestable]
    extra = fields_for("harvest", [p.kind for p in products])
    return _page("record_harvest.html", "harvest", form, status, products=products,
                 plots=form_choices.own_plots(actor, uow), extra_fields=extra)


@web.signed_in
def harvest() -> Any:
    actor = web.actor()
    policy.require_writer(actor)
    if request.method == "GET":
        now = _now_local()
        return _harvest_page(_fresh({"lot": form_choices.new_lot_code("harvest", now),
                                     "harvest_date": now.date().isoformat()}))
    names = fields_for("harvest", [k for k, v in KINDS.items() if v.harvestable])
    form = web.Form.posted(*COMMON, "plot", "product", "lot", "quantity", "unit",
                           "harvest_date", *(f"attr_{n}" for n in names))
    when, quantity, unit = _event_time(form), _quantity(form), _unit(form)
    plot_id = int(form["plot"]) if form["plot"].isdigit() else None
    if plot_id is None:
        form.error("plot", N_("Choose the plot it was harvested on."))
    if not form["product"]:
        form.error("product", N_("Choose what was harvested."))
    try:
        harvest_date = date.fromisoformat(form["harvest_date"]) if form["harvest_date"] else None
    except ValueError:
        form.error("harvest_date", N_("Give the harvest date."))
        harvest_date = None
    if not form.ok or plot_id is None or quantity is None or when is None:
        return _json_or_page(form, _harvest_page)
    h = steps.Harvest(plot_id=plot_id, gtin=form["product"], lot=form["lot"],
                      quantity=quantity, unit=unit, harvest_date=harvest_date,
                      attributes=_attributes(form, names), event_time=when)
    return _submit("harvest", form, "console.record_harvest",
                   lambda: steps.record_harvest(h, actor, _settings(), _uow()),
                   _harvest_page, "lot",
                   {"$.plotId": "plot", "$.gtin": "product", "$.lot": "lot",
                    "$.quantity": "quantity", "$.unit": "unit",
                    "$.harvestDate": "harvest_date", "$": "lot"})


def _json_or_page(form: web.Form, page: Callable[[web.Form, int], Any],
                  status: int = 400) -> Any:
    """A form the view itself found invalid (400) or out of date (409): JSON or the page."""
    if web.wants_json():
        message = (N_("A lot on this form is no longer in your stock. Nothing was recorded: "
                      "remove it from the form and send again.") if status == 409 else
                   N_("Some fields need attention. Nothing was recorded."))
        return _json(status, ok=False, message=web.t(message),
                     errors={k: " ".join(v) for k, v in form.errors.items()})
    return page(form, status)


# --- a process step --------------------------------------------------------------------------

def _process_page(step: str) -> Callable[[web.Form, int], Any]:
    def page(form: web.Form, status: int = 200) -> Any:
        actor, uow = web.actor(), _uow()
        turns = PROCESS_STEPS[step].turns
        takes = {a for a, _ in turns}
        makes = {b for _, b in turns}
        lots = [lot for lot in form_choices.in_stock(actor, uow) if lot.product_kind in takes]
        products = [p for p in form_choices.own_products(actor, uow) if p.kind in makes]
        return _page("record_process.html", step, form, status, lots=lots, products=products,
                     extra_fields=fields_for(step, sorted(makes)))
    return page


@web.signed_in
def process(step: str) -> Any:
    actor = web.actor()
    policy.require_writer(actor)
    if step not in PROCESS_STEPS:
        raise NotFound(f"no process {step}")
    page = _process_page(step)
    if request.method == "GET":
        return page(_fresh({"output_lot": form_choices.new_lot_code(step, _now_local())}), 200)
    names = fields_for(step, sorted({b for _, b in PROCESS_STEPS[step].turns}))
    form = web.Form.posted(*COMMON, "input", "input_quantity", "product", "output_lot",
                           "quantity", "unit", *(f"attr_{n}" for n in names))
    when = _event_time(form)
    unit = _unit(form)
    taken = _quantity(form, "input_quantity")
    made = _quantity(form, "quantity")
    lot = _lot_choice(form["input"], form, "input")
    if not form["product"]:
        form.error("product", N_("Choose what this step makes."))
    if not form.ok or lot is None or taken is None or made is None or when is None:
        return _json_or_page(form, page)
    t = steps.Transformation(
        process=step, inputs=[LotAmount(lot[0], lot[1], taken, unit)],
        outputs=[LotAmount(form["product"], form["output_lot"], made, unit)],
        attributes=_attributes(form, names), event_time=when)
    return _submit(step, form, "console.record",
                   lambda: steps.record_transformation(t, actor, _settings(), _uow()),
                   page, "output_lot",
                   {"$.inputs": "input", "$.inputs[0].quantity": "input_quantity",
                    "$.outputs": "output_lot", "$.outputs[0].quantity": "quantity",
                    "$.outputs[0].gtin": "product", "$.lot": "output_lot",
                    "$.process": "input", "$": "output_lot"})


# --- packing, shipping, receiving ------------------------------------------------------------

def _packing_page(form: web.Form, status: int = 200) -> Any:
    actor = web.actor()
    return _page("record_packing.html", "packing", form, status,
                 lots=form_choices.in_stock(actor, _uow()),
                 chosen=set(request.form.getlist("lots")))


@web.signed_in
def packing() -> Any:
    actor = web.actor()
    policy.require_writer(actor)
    if request.method == "GET":
        return _packing_page(_fresh({"sscc": form_choices.new_sscc(actor, _uow())}))
    form = web.Form.posted(*COMMON, "sscc", "lots")
    when = _event_time(form)
    amounts, gone = _whole_lots(form, actor)
    if not form.ok or when is None:
        return _json_or_page(form, _packing_page, 409 if gone else 400)
    p = logistics.Packing(sscc=form["sscc"], lots=amounts, event_time=when)
    return _submit("packing", form, "console.record",
                   lambda: logistics.record_packing(p, actor, _settings(), _uow()),
                   _packing_page, "lots", {"$.sscc": "sscc", "$.lots": "lots", "$": "lots"})


def _whole_lots(form: web.Form, actor: Any) -> tuple[list[LotAmount], bool]:
    """The chosen lots, each whole (what remains of it; ``lots=<gtin>|<code>`` repeated), and
    whether one of them is no longer in stock."""
    chosen = [c for v in request.form.getlist("lots")
              if (c := _lot_choice(v, form, "lots")) is not None]
    if not chosen and "lots" not in form.errors:
        form.error("lots", N_("Choose at least one lot."))
    left = {(lot.gtin, lot.lot): lot for lot in form_choices.in_stock(actor, _uow())}
    out, gone = [], False
    for gtin, code in chosen:
        held = left.get((gtin, code))
        if held is None or not held.remaining:
            # Shipped, packed or used up since the page was shown (or never ours): a conflict
            # to resolve, said without telling anything about whose lot it is.
            form.error("lots", _GONE, lot=code)
            gone = True
            continue
        out.append(LotAmount(gtin, code, held.remaining, held.unit))
    return out, gone


def _shipping_page(form: web.Form, status: int = 200) -> Any:
    actor = web.actor()
    search = request.values.get("q", "")
    return _page("record_shipping.html", "shipping", form, status,
                 lots=form_choices.in_stock(actor, _uow()),
                 held_units=form_choices.units_held(actor, _uow()),
                 partners=form_choices.partners(actor, _uow(), search), search=search,
                 chosen=set(request.form.getlist("lots")) | set(request.form.getlist("ssccs")))


@web.signed_in
def shipping() -> Any:
    actor = web.actor()
    policy.require_writer(actor)
    if request.method == "GET":
        return _shipping_page(_fresh({}))
    form = web.Form.posted(*COMMON, "to_gln", "lots", "ssccs")
    when = _event_time(form)
    lots = [LotAmount(c[0], c[1]) for v in request.form.getlist("lots")
            if (c := _lot_choice(v, form, "lots")) is not None]
    ssccs = [s for s in request.form.getlist("ssccs") if s]
    if not lots and not ssccs and "lots" not in form.errors:
        form.error("lots", N_("Choose what you ship."))
    if not form["to_gln"]:
        form.error("to_gln", N_("Choose who you ship to."))
    if not form.ok or when is None:
        return _json_or_page(form, _shipping_page)
    sh = logistics.Shipment(to_gln=form["to_gln"], lots=lots, ssccs=ssccs, event_time=when)
    return _submit("shipping", form, "console.record",
                   lambda: logistics.record_shipment(sh, actor, _settings(), _uow()),
                   _shipping_page, "lots",
                   {"$.toGln": "to_gln", "$.lots": "lots", "$.ssccs": "ssccs", "$": "lots"})


def _receiving_page(form: web.Form, status: int = 200) -> Any:
    return _page("record_receiving.html", "receiving", form, status,
                 incoming=form_choices.incoming(web.actor(), _uow()),
                 chosen=set(request.form.getlist("lots")) | set(request.form.getlist("ssccs")))


@web.signed_in
def receiving() -> Any:
    actor = web.actor()
    policy.require_writer(actor)
    if request.method == "GET":
        return _receiving_page(_fresh({}))
    form = web.Form.posted(*COMMON, "lots", "ssccs")
    when = _event_time(form)
    lots = [LotAmount(c[0], c[1]) for v in request.form.getlist("lots")
            if (c := _lot_choice(v, form, "lots")) is not None]
    ssccs = [s for s in request.form.getlist("ssccs") if s]
    if not lots and not ssccs and "lots" not in form.errors:
        form.error("lots", N_("Choose what you received."))
    if not form.ok or when is None:
        return _json_or_page(form, _receiving_page)
    r = logistics.Receipt(lots=lots, ssccs=ssccs, event_time=when)
    return _submit("receiving", form, "console.record",
                   lambda: logistics.record_receipt(r, actor, _settings(), _uow()),
                   _receiving_page, "lots", {"$.lots": "lots", "$.ssccs": "ssccs", "$": "lots"})


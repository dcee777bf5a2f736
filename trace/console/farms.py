"""Farms and plots: register a farmer and a plot (a point from the phone's location or typed, a
boundary walked corner by corner, or an uploaded GeoJSON), with the EUDR rules explained the way
a farmer understands them (docs/console/RECORDING.md)."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, redirect, request, url_for

from ..app_services import app_services
from ..domain import policy
from ..domain.errors import Conflict, Problem, ValidationFailed
from ..domain.geo import POINT_MAX_HA
from ..present.i18n import N_
from ..services.cooperative import catalogue
from . import web

MAX_GEOJSON_BYTES = 200_000


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/farms", "farms", farm_list, methods=["GET", "POST"])
    bp.add_url_rule("/farms/<int:farm_id>", "farm", farm_page, methods=["GET", "POST"])


def _farms_page(form: web.Form, status: int = 200) -> Any:
    actor = web.actor()
    farms = [f for f in catalogue.list_farms(actor, app_services().unit_of_work())
             if f.organisation_id == actor.organisation_id]
    return web.render("farms.html", status, form=form, farms=farms,
                      writer=policy.may_write(actor), done=request.args.get("done"))


@web.signed_in
def farm_list() -> Any:
    actor = web.actor()
    if request.method == "GET":
        return _farms_page(web.Form())
    policy.require_writer(actor)
    form = web.Form.posted("code", "farmer_name", "commune", "district", "province")
    new = catalogue.NewFarm(code=form["code"], farmer_name=form["farmer_name"],
                            commune=form["commune"], district=form["district"] or None,
                            province=form["province"])
    try:
        farm = catalogue.create_farm(new, actor, app_services().unit_of_work())
    except (ValidationFailed, Conflict) as exc:
        for p in exc.problems:
            field = {"$.farmerName": "farmer_name"}.get(p.path, p.path.removeprefix("$."))
            form.error(field if field in form.values else "code", _farm_message(p))
        return _farms_page(form, 409 if isinstance(exc, Conflict) else 400)
    return redirect(url_for("console.farm", farm_id=farm.id, done="farm"), 303)


def _farm_message(p: Problem) -> str:
    if p.message.startswith("already used"):
        return N_("Another farm of your organisation already has this code.")
    return p.message


def _farm_of(farm_id: int) -> catalogue.FarmView:
    """One of the actor's organisation's farms (another's: 403; unknown: 404) — the use case
    asks the policy when listing its plots."""
    actor = web.actor()
    uow = app_services().unit_of_work()
    catalogue.list_plots(farm_id, actor, uow)  # NotFound / Forbidden
    for farm in catalogue.list_farms(actor, uow):
        if farm.id == farm_id:
            return farm
    raise AssertionError("a visible farm is listed")


def _farm_page(farm_id: int, form: web.Form, status: int = 200) -> Any:
    actor = web.actor()
    farm = _farm_of(farm_id)
    plots = catalogue.list_plots(farm_id, actor, app_services().unit_of_work())
    return web.render("farm.html", status, farm=farm, plots=plots, form=form,
                      writer=policy.may_write(actor) and farm.organisation_id
                      == actor.organisation_id,
                      point_max=POINT_MAX_HA, done=request.args.get("done"))


@web.signed_in
def farm_page(farm_id: int) -> Any:
    actor = web.actor()
    if request.method == "GET":
        return _farm_page(farm_id, web.Form({"crop": "pepper"}))
    policy.require_writer(actor)
    form = web.Form.posted("code", "area_ha", "lat", "lon", "boundary", "crop")
    geometry = _geometry(form)
    area = _number(form, "area_ha")
    if not form.ok or geometry is None or area is None:
        return _farm_page(farm_id, form, 400)
    new = catalogue.NewPlot(code=form["code"], area_ha=area, geometry=geometry,
                            crop=form["crop"] or None)
    try:
        catalogue.create_plot(farm_id, new, actor, app_services().unit_of_work())
    except (ValidationFailed, Conflict) as exc:
        for p in exc.problems:
            field, message = plot_problem(p)
            form.error(field, message,
                       **({"max": f"{POINT_MAX_HA:g}"} if "%(max)s" in message else {}))
        return _farm_page(farm_id, form, 409 if isinstance(exc, Conflict) else 400)
    return redirect(url_for("console.farm", farm_id=farm_id, done="plot"), 303)


def _number(form: web.Form, name: str) -> float | None:
    text = form[name].replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        form.error(name, N_("Type a number, e.g. 1.2"))
        return None
    return value


def _geometry(form: web.Form) -> dict[str, Any] | None:
    """The plot's shape: an uploaded GeoJSON file, else a walked boundary, else lat/lon."""
    upload = request.files.get("geojson")
    if upload is not None and upload.filename:
        data = upload.read(MAX_GEOJSON_BYTES + 1)
        if len(data) > MAX_GEOJSON_BYTES:
            form.error("geojson", N_("The file is too large (at most 200 KB)."))
            return None
        return _geojson(form, data.decode("utf-8", "replace"), "geojson")
    if form["boundary"]:
        return _geojson(form, form["boundary"], "boundary")
    if not form["lat"] or not form["lon"]:
        form.error("lat", N_("Give the plot's location: press \"Use my location\" standing on "
                             "the plot, type its latitude and longitude, walk its boundary or "
                             "upload a GeoJSON file."))
        return None
    lat, lon = _number(form, "lat"), _number(form, "lon")
    if lat is None or lon is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def _geojson(form: web.Form, text: str, field: str) -> dict[str, Any] | None:
    """A geometry, a Feature's geometry, or a FeatureCollection's only feature's."""
    try:
        doc = json.loads(text)
    except ValueError:
        form.error(field, N_("This is not a GeoJSON file."))
        return None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features") or []
        if len(features) != 1:
            form.error(field, N_("The file must hold exactly one plot (one feature)."))
            return None
        doc = features[0]
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = doc.get("geometry")
    if not isinstance(doc, dict):
        form.error(field, N_("This is not a GeoJSON file."))
        return None
    return doc


def plot_problem(p: Problem) -> tuple[str, str]:
    """(field, English message id) for an EUDR problem, in words a farmer understands."""
    m = p.message
    if p.path == "$.code":
        return "code", (N_("Another plot of this farm already has this code.")
                        if m.startswith("already") else N_("Give the plot a code."))
    if p.path.startswith("$.areaHa"):
        if "differs" in m:
            return "area_ha", N_("The area you typed does not match the boundary you walked "
                                 "(more than 10% apart): check the area or walk the corners "
                                 "again.")
        return "area_ha", N_("Type the plot's area in hectares (more than 0).")
    if p.path == "$.crop":
        return "crop", N_("Choose pepper or coffee.")
    if "needs a Polygon" in m:
        return "lat", N_("A plot larger than %(max)s ha needs its boundary, not one point: "
                         "walk around it and add each corner, or upload its GeoJSON file.")
    if "crosses itself" in m:
        return "boundary", N_("The boundary crosses itself: walk the corners in order around "
                              "the plot, without going back across it.")
    if "decimals" in m or "too coarse" in m:
        return "lat", N_("The location is not precise enough: the EU asks for 6 decimals "
                         "(e.g. 16.781234). Use the location button or type all the digits.")
    if "latitude" in m or "longitude" in m or "position" in m:
        return "lat", N_("This location is not on the map: latitude is between -90 and 90, "
                         "longitude between -180 and 180 (Vietnam: about 8 to 23 and 102 to "
                         "110).")
    if "ring" in m or "polygon" in m.lower() or "hole" in m:
        return "boundary", N_("The boundary is not a closed shape: add at least 3 corners "
                              "around the plot.")
    return "lat", m

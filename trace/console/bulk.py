"""Bulk harvests on the console (docs/console/EVIDENCE.md): the template (CSV, XLSX) to download,
and a season's harvests uploaded at once — every row checked by the harvest use case, every
problem listed, all stored or none (``services/cooperative/bulk_harvests.py``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from ..app_services import app_services
from ..domain import policy
from ..domain.actor import Actor
from ..domain.errors import Forbidden
from ..present.i18n import N_
from ..services.cooperative import bulk_harvests as bulk
from . import web
from .evidence import capture_settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_PROBLEMS = 100  # listed on a page (the count says how many); a 400 goes uncompressed

# Messages of services/cooperative/bulk_harvests.py, for the catalogue (docs/CONSOLE.md).
FROM_USE_CASE = (
    N_("This cell is empty."), N_("Write the date as 2025-03-01 or 01/03/2025."),
    N_("No plot of your organisation has this farm/plot code (write it as F01/P1)."),
    N_("No product of your organisation has this GTIN or name."),
    N_("Write a number, e.g. 12.5."), N_("Write the unit as kg, tấn or g."),
    N_("The file is larger than %(mb)s MB: split the season into several files."),
    N_("Macro-enabled or old Excel files are not accepted: save the sheet as XLSX or CSV."),
    N_("Upload the template as CSV or XLSX."),
    N_("The CSV file is not UTF-8: save it as \"CSV UTF-8\"."),
    N_("The file cannot be read as XLSX."), N_("The file is empty."),
    N_("The first row must be the template's header; missing: %(columns)s."),
    N_("The file has more than %(n)s rows: split it."),
    N_("The file has a header but no harvests."),
    N_("must be greater than 0"), N_("is after the event time"),
)
COLUMN_NAMES = {"date": N_("Harvest date"), "plot": N_("Farm/plot code"),
                "product": N_("Product"), "lot": N_("Lot code"), "quantity": N_("Quantity"),
                "unit": N_("Unit"), "variety": N_("Variety"), "moisture_pct": N_("Moisture"),
                "ripe_pct": N_("Ripe cherries")}


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/harvests/bulk", "bulk_harvests", upload, methods=["GET", "POST"])
    bp.add_url_rule("/harvests/bulk/template.<fmt>", "bulk_template", template)


def _member() -> Actor:
    actor = web.actor()
    policy.require_writer(actor)
    if actor.organisation_id is None:
        raise Forbidden("harvests are recorded by an organisation's accounts")
    return actor


def _page(status: int = 200, **context: Any) -> Any:
    context.setdefault("problems", [])
    return web.render("bulk_harvests.html", status, max_rows=bulk.MAX_ROWS,
                      max_mb=bulk.MAX_BYTES // (1024 * 1024), columns=COLUMN_NAMES,
                      shown=SHOWN_PROBLEMS, **context)


@web.signed_in
def upload() -> Any:
    actor = _member()
    if request.method == "GET":
        return _page()
    file = request.files.get("file")
    if file is None or not file.filename:
        return _page(400, refused=web.t("Choose the filled-in template (CSV or XLSX)."))
    data = file.read(bulk.MAX_BYTES + 1)
    try:
        result = bulk.upload_harvests(actor, data, file.filename, app_services().unit_of_work(),
                                      capture_settings())
    except bulk.FileRefused as exc:
        status = 413 if len(data) > bulk.MAX_BYTES else 400
        return _page(status, refused=web.t(exc.message, **exc.values))
    if result.problems:
        return _page(400, result=result, problems=result.problems)
    return _page(201, result=result)


@web.signed_in
def template(fmt: str) -> Any:
    actor = _member()
    if fmt == "csv":
        body, mimetype = bulk.template_csv(), "text/csv"
    elif fmt == "xlsx":
        plots, products = bulk.template_choices(actor, app_services().unit_of_work())
        body, mimetype = bulk.template_xlsx(plots, products), XLSX
    else:
        return web.render("error.html", 404, status=404)
    response = Response(body, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment",
                         filename=f"thu-hoach-harvests.{fmt}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

"""The inspector's exports of a lot (issue #12, docs/inspector/EXPORTS.md).

``/app/inspect/lots/<gtin>/<lot>/export/<kind>``: ``epcis.json``, ``epcis.xml``,
``events.csv``, ``events.xlsx``, ``eudr.geojson`` (a ZIP of parts when over the EU system's
limits), ``dds.xml`` (the statement draft, from the EUDR form's values in the query) and
``dossier.pdf``; ``/app/inspect/lots/<gtin>/<lot>/eudr``: the EUDR page (the form for what the
lot does not know, the files, and the EU's numbers once submitted). Who may: inspectors, admins,
and members of an organisation taking part in the lineage (``policy.may_export_lot``); the EU
numbers are recorded by the holder's members and admins.

The files are built by ``present/`` from what ``services/inspection/`` gathered; a file that
cannot be complete (an unfit plot, a draft missing its net mass) is a 409/422 page saying what
is wrong, never a broken or partial file.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from urllib.parse import quote

import orjson
from flask import Blueprint, current_app, redirect, request

from ..app_services import app_services
from ..domain import eudr
from ..domain.errors import Conflict, NotFound, Unavailable, ValidationFailed
from ..present import cte_table, dossier_pdf, eudr_dds
from ..present.epcis_xml import to_xml
from ..present.i18n import N_
from ..present.label_pdf import fonts_in
from ..services.inspection import eudr_export
from ..services.inspection.lot_exports import gather
from . import web

KINDS = ("epcis.json", "epcis.xml", "events.csv", "events.xlsx", "eudr.geojson", "dds.xml",
         "dossier.pdf")
_FORM_FIELDS = ("activity", "operator_role", "country_of_activity", "border_cross_country",
                "hs_heading", "eori", "operator_name", "description", "net_mass_kg",
                "confidential")


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/inspect/lots/<gtin>/<path:lot>/export/<kind>", "inspect_export",
                    export)
    bp.add_url_rule("/inspect/lots/<gtin>/<path:lot>/eudr", "inspect_eudr", eudr_page,
                    methods=["GET", "POST"])
    bp.add_url_rule("/inspect/exports", "inspect_exports_find", find_lot_page)


def lot_href(gtin: str, lot: str, tail: str) -> str:
    """``/app/inspect/lots/<gtin>/<lot>/<tail>``, the lot code quoted as the resolver spells it
    (only ``A-Z a-z 0-9 - . _`` left as they are)."""
    return f"/app/inspect/lots/{gtin}/{quote(lot, safe='-._')}/{tail}"


def _stem(gtin: str, lot: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{gtin}-{lot}")


def _download(body: bytes, mimetype: str, filename: str) -> Any:
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


@web.signed_in
def export(gtin: str, lot: str, kind: str) -> Any:
    if kind not in KINDS:
        raise NotFound(f"no export {kind}")
    actor = web.actor()
    uow = app_services().unit_of_work()
    # 400/403/404 pages before anything is built; the EUDR files name plots, not events
    facts = gather(gtin, lot, actor, uow, events=kind not in ("eudr.geojson", "dds.xml"))
    stem = _stem(facts.gtin, facts.lot)
    zone = web.viewer_zone()
    if kind in ("epcis.json", "epcis.xml"):
        created = web.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        document = facts.epcis_document(created)
        if kind == "epcis.json":
            return _download(orjson.dumps(document, option=orjson.OPT_INDENT_2),
                             "application/ld+json", f"epcis-{stem}.jsonld")
        return _download(to_xml(document), "application/xml", f"epcis-{stem}.xml")
    if kind in ("events.csv", "events.xlsx"):
        table = cte_table.rows(facts, zone)
        if kind == "events.csv":
            return _download(cte_table.to_csv(table), cte_table.CSV_MEDIA_TYPE,
                             f"cte-{stem}.csv")
        return _download(cte_table.to_xlsx(table, f"{facts.gtin} {facts.lot}"),
                         cte_table.XLSX_MEDIA_TYPE, f"cte-{stem}.xlsx")
    if kind == "dossier.pdf":
        try:
            fonts = fonts_in(app_services().settings.label_font_dir)
        except Unavailable as exc:  # says which Debian package to install
            return _eudr(facts, web.Form(_defaults(facts)), 503, unavailable=exc.message)
        return _download(dossier_pdf.render(facts, fonts, zone, web.now()),
                         dossier_pdf.MEDIA_TYPE, f"dossier-{stem}.pdf")
    if kind == "eudr.geojson":
        try:
            parts = eudr_export.geolocation(facts)
        except Conflict as exc:
            return _eudr(facts, web.Form(_defaults(facts)), 409, refused=exc)
        if len(parts) == 1:
            return _download(parts[0].text.encode(), "application/geo+json",
                             f"eudr-{stem}.geojson")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for number, part in enumerate(parts, start=1):
                archive.writestr(f"eudr-{stem}-part-{number}-of-{len(parts)}.geojson",
                                 part.text)
        return _download(buffer.getvalue(), "application/zip", f"eudr-{stem}.zip")
    return _statement(facts, stem)


@web.signed_in
def find_lot_page() -> Any:
    """The start page's way in: a GTIN and a lot code lead to the lot's exports page."""
    form = web.Form({"gtin": request.args.get("gtin", "").strip(),
                     "lot": request.args.get("lot", "").strip()})
    if not form["gtin"] and not form["lot"]:
        return web.render("inspect_exports_find.html", form=form)
    if not re.fullmatch(r"[0-9]{8,14}", form["gtin"]):
        form.error("gtin", N_("Give the GTIN: 8 to 14 digits."))
    if not form["lot"]:
        form.error("lot", N_("Give the lot code."))
    if not form.ok:
        return web.render("inspect_exports_find.html", 400, form=form)
    return redirect(lot_href(form["gtin"], form["lot"], "eudr"), 303)


def _defaults(facts: Any) -> dict[str, str]:
    start = eudr_export.default_choices(facts)
    return {"activity": start.activity, "operator_role": start.operator_role,
            "hs_heading": start.hs_heading, "net_mass_kg": start.net_mass_kg}


def _choices(form: web.Form) -> eudr.StatementChoices:
    return eudr.StatementChoices(
        activity=form["activity"], operator_role=form["operator_role"] or "OPERATOR",
        country_of_activity=form["country_of_activity"].strip().upper(),
        border_cross_country=form["border_cross_country"].strip().upper(),
        hs_heading=form["hs_heading"].strip(), eori=form["eori"].strip().upper(),
        operator_name=form["operator_name"], description=form["description"].strip(),
        net_mass_kg=form["net_mass_kg"].strip(), confidential=form["confidential"] == "yes")


def _statement(facts: Any, stem: str) -> Any:
    form = web.Form({name: request.args.get(name, "") for name in _FORM_FIELDS})
    try:
        draft = eudr_export.statement(facts, _choices(form))
    except ValidationFailed as exc:
        form.problems(exc.problems, "activity")
        return _eudr(facts, form, 422)
    except Conflict as exc:
        return _eudr(facts, form, 409, refused=exc)
    xml = eudr_dds.to_xml(draft)
    wrong = eudr_dds.schema_problems(xml)
    if wrong:  # our own mistake, never served: the page says what the schema refused
        return _eudr(facts, form, 422, schema=wrong)
    return _download(xml, eudr_dds.MEDIA_TYPE, f"dds-{stem}.xml")


def _eudr(facts: Any, form: web.Form, status: int = 200, *, refused: Conflict | None = None,
          schema: list[str] | None = None, numbers: web.Form | None = None,
          unavailable: str = "") -> Any:
    actor = web.actor()
    recorded = eudr_export.statements(facts.gtin, facts.lot, actor,
                                      app_services().unit_of_work())
    return web.render("inspect_exports.html", status, facts=facts, form=form,
                      refused=refused, schema=schema or [], recorded=recorded,
                      unavailable=unavailable,
                      numbers=numbers or web.Form(), href=lambda tail: lot_href(
                          facts.gtin, facts.lot, tail),
                      replace_options=[(str(r.id), r.reference_number)
                                       for r in recorded.current()])


@web.signed_in
def eudr_page(gtin: str, lot: str) -> Any:
    actor = web.actor()
    uow = app_services().unit_of_work()
    facts = gather(gtin, lot, actor, uow, events=False)
    if request.method == "GET":
        return _eudr(facts, web.Form(_defaults(facts)))
    numbers = web.Form.posted("reference_number", "verification_number", "note", "replaces")
    replaces = numbers["replaces"]
    if replaces and not replaces.isdigit():
        numbers.error("replaces", N_("Choose a statement of this lot to correct."))
        return _eudr(facts, web.Form(_defaults(facts)), 400, numbers=numbers)
    try:
        eudr_export.record_numbers(
            gtin, lot, numbers["reference_number"], numbers["verification_number"],
            numbers["note"], int(replaces) if replaces else None, actor, uow, web.now())
    except ValidationFailed as exc:
        numbers.problems(exc.problems, "reference_number")
        return _eudr(facts, web.Form(_defaults(facts)), 400, numbers=numbers)
    except Conflict as exc:
        numbers.problems(exc.problems, "reference_number")
        return _eudr(facts, web.Form(_defaults(facts)), 409, numbers=numbers)
    return redirect(lot_href(facts.gtin, facts.lot, "eudr") + "?done=numbers", 303)


# The use cases' messages shown next to the EUDR fields (``domain.eudr``,
# ``services.inspection.eudr_export``), listed so that they are extracted and translated.
FROM_USE_CASES = (
    N_("choose IMPORT, EXPORT or DOMESTIC"),
    N_("choose OPERATOR or REPRESENTATIVE_OPERATOR"),
    N_("not an EU member state code (two capital letters, e.g. DE; XI for Northern Ireland)"),
    N_("say in which member state the activity takes place"),
    N_("the HS heading is 2 to 6 digits without dots (coffee: 0901)"),
    N_("an EORI number is a member state's two letters and up to 15 capital letters or digits "
       "(e.g. DE123456789012345)"),
    N_("an EORI number is needed for IMPORT and EXPORT"),
    N_("name the operator you represent"),
    N_("the description is at most 150 characters"),
    N_("the net mass is a number of kilograms above 0 with at most 6 decimals"),
    N_("the net mass (kg) is needed for IMPORT and EXPORT, and the lot is not counted in "
       "kilograms: type it"),
    N_("the lot's lineage reaches no plot: the statement needs the geolocation of every plot "
       "the goods come from"),
    N_("the reference number is 14 capital letters or digits (e.g. 26BE7XTVCZAQ2S)"),
    N_("the verification number is 5 to 35 capital letters or digits (e.g. SFFCB4Y3)"),
    N_("the note is at most 2000 characters"),
    N_("choose a current statement of this lot to correct"),
    N_("already recorded for this lot"),
    N_("no plot in the lineage"),
    N_("the polygon has a hole: the EU system accepts no holes (send the plot as two polygons "
       "around it)"),
)

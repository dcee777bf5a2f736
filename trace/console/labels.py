"""Labels: the QR label sheet of a lot, or of its minted serials, as a PDF (issue #11).

The form asks the number of labels and the net weight of one bag (required: a label never says
the whole lot's weight by default), an optional best-before date and the labels' language
(dates in that reader's format; the Digital Link is written on each label). The use case is
the JSON API's (``services/cooperative/label_sheets.py``): same rules, same PDF.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, request

from ..app_services import app_services
from ..domain.errors import ValidationFailed
from ..present.i18n import N_
from ..services.cooperative.label_sheets import MAX_LABELS, LabelOptions, label_sheet, printable
from . import web

# Where each of the use case's problems goes on the form.
_FIELDS = {"net": "net", "bestBefore": "best_before", "count": "count", "start": "count",
           "serials": "serials", "height": "count", "width": "count"}
DEFAULT_COUNT = 24  # one page of the default 3 x 8 sheet


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/lots/<gtin>/<path:lot>/labels", "labels", labels, methods=["GET", "POST"])


def _page(lot: Any, form: web.Form, status: int = 200) -> Any:
    return web.render("labels.html", status, lot=lot, form=form, max_labels=MAX_LABELS)


@web.signed_in
def labels(gtin: str, lot: str) -> Any:
    actor = web.actor()
    uow = app_services().unit_of_work()
    shown = printable(gtin, lot, actor, uow)  # 400/403/404 pages before any form
    if request.method == "GET":
        return _page(shown, web.Form({"count": str(DEFAULT_COUNT), "label_lang": web.language(),
                                      "what": "lot"}))
    form = web.Form.posted("count", "net", "best_before", "label_lang", "what")
    count = _count(form)
    best_before = _best_before(form)
    if form["label_lang"] not in ("vi", "en"):
        form.error("label_lang", N_("Choose the labels' language."))
    if not form["net"]:
        form.error("net", N_("Give the net weight of one bag, e.g. 500 g."))
    if form["what"] == "serials" and not shown.serials:
        form.error("what", N_("This lot has no serials yet: mint them first."))
    if not form.ok:
        return _page(shown, form, 400)
    settings = app_services().settings
    options = LabelOptions(count=count, net=form["net"], best_before=best_before,
                           lang=form["label_lang"], net_required=True,
                           serials=form["what"] == "serials")
    try:
        sheet = label_sheet(gtin, lot, options, actor, settings.public_base_url,
                            settings.label_font_dir, uow)
    except ValidationFailed as exc:
        for problem in exc.problems:
            name = problem.path.rsplit(".", 1)[-1]
            form.say(_FIELDS.get(name, "count"), problem.message)
        return _page(shown, form, 400)
    response = current_app.response_class(sheet.pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=sheet.filename)
    return response


def _count(form: web.Form) -> int | None:
    text = form["count"]
    if not text and form["what"] == "serials":
        return None  # every minted serial (at most a PDF's worth)
    if not text.isdigit() or not 1 <= int(text) <= MAX_LABELS:
        form.error("count", N_("Print 1 to %(n)s labels at a time."), n=MAX_LABELS)
        return None
    return int(text)


def _best_before(form: web.Form) -> date | None:
    text = form["best_before"]
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        form.error("best_before", N_("Give a date such as 2026-12-31."))
        return None

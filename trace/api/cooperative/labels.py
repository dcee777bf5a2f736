"""Printable label sheets (PDF, A4) of a lot or of its serialised items."""

from __future__ import annotations

from flask import current_app
from marshmallow import RAISE

from ...services.cooperative.label_sheets import LabelOptions, label_sheet
from ..auth import current_actor
from ..deps import settings, uow
from .blueprint import ApiBlueprint
from .serial_schemas import LabelQuerySchema

blp = ApiBlueprint("labels", __name__, url_prefix="/api/v1/lots",
                   description="Printable QR label sheets (PDF, A4)")

_RESPONSES = {"200": {"description": "The label sheet", "content": {
                  "application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
              "400": {"description": "A malformed GTIN or lot, or a bad option"},
              "403": {"description": "Your organisation neither holds nor produced the lot, or "
                                     "another organisation owns its GTIN"},
              "404": {"description": "No such lot"},
              "503": {"description": "The label font is not installed on the server"}}


@blp.route("/<gtin>/<path:lot>/labels.pdf", methods=["GET"])
# Unknown options are refused: a mistyped one would silently print a whole sheet wrong.
@blp.arguments(LabelQuerySchema, location="query", unknown=RAISE)
@blp.doc(responses=_RESPONSES)
def labels_pdf(args, gtin: str, lot: str):
    """A4 sheet of labels: QR code (Digital Link), product name in Vietnamese and English, lot
    (or serial), net weight, harvest or packing date, and the producer.

    For the organisation that holds or produced the lot, and admins. The labels fill a grid
    centred on the page (default 70 x 37 mm, 3 x 8 a page); `serials=true` prints one label per
    minted item instead of `count` copies of the lot's.
    """
    sheet = label_sheet(gtin, lot, LabelOptions(**args), current_actor(),
                        settings().public_base_url, settings().label_font_dir, uow())
    response = current_app.response_class(sheet.pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=sheet.filename)
    response.headers["Cache-Control"] = "no-store"
    return response

"""QR codes of lots and items (/api/v1): public, because they are printed on bags and sacks.

The code holds the GS1 Digital Link on our resolver (``PUBLIC_BASE_URL``). Only lots and items
we have a record of get one, so a typo does not end up printed on a thousand labels.
"""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..domain.errors import NotFound
from ..gs1.resolver_paths import item_key, link_for, lot_key
from ..present import qr
from ..services.consumer.provenance import is_known
from .cooperative.blueprint import ApiBlueprint
from .deps import settings, uow

# Not an ApiBlueprint: no token needed. Its argument parser still answers 400 in our shape.
blp = Blueprint("qr", __name__, url_prefix="/api/v1",
                description="QR codes (GS1 Digital Link) to print on lots and items")
blp.ARGUMENTS_PARSER = ApiBlueprint.ARGUMENTS_PARSER

CACHE_CONTROL = "public, max-age=86400"
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
_RESPONSES = {"200": {"description": "The QR code", "content": {
                  "image/png": {"schema": {"type": "string", "format": "binary"}},
                  "image/svg+xml": {"schema": {"type": "string"}}}},
              "400": {"description": "A malformed GTIN, lot or serial, or a bad option"},
              "404": {"description": "No such lot or item"}}


class QrSchema(Schema):
    size = fields.Integer(load_default=qr.DEFAULT_BOX_SIZE, validate=validate.Range(
        qr.BOX_SIZES.start, qr.BOX_SIZES.stop - 1), metadata={
        "description": "pixels (PNG) or SVG units per module"})
    border = fields.Integer(load_default=qr.DEFAULT_BORDER, validate=validate.Range(
        qr.BORDERS.start, qr.BORDERS.stop - 1), metadata={
        "description": "quiet zone around the code, in modules (at least 4)"})
    ec = fields.String(load_default="M", validate=validate.OneOf(list(qr.ERROR_CORRECTION)),
                       metadata={"description": "error correction: L 7%, M 15%, Q 25%, H 30%"})
    caption = fields.Boolean(load_default=False, metadata={
        "description": "write the link under the code"})


def _render(key, fmt: str, args: dict):
    if not is_known(uow(), key):
        what = f"lot {key.lot}" if hasattr(key, "lot") else f"item {key.serial}"
        raise NotFound(f"no {what} of GTIN {key.gtin}")
    link = link_for(key, settings().public_base_url)
    render = qr.qr_png if fmt == "png" else qr.qr_svg
    body = render(link, box_size=args["size"], border=args["border"],
                  error_correction=args["ec"], caption=args["caption"])
    response = current_app.response_class(body, mimetype=MEDIA_TYPES[fmt])
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@blp.route("/lots/<gtin>/<path:lot>/qr.<any(png, svg):fmt>", methods=["GET"])
@blp.arguments(QrSchema, location="query")
@blp.doc(security=[], responses=_RESPONSES)
def lot_qr(args, gtin: str, lot: str, fmt: str):
    """The QR code of a lot's Digital Link (`/01/<GTIN-14>/10/<lot>`), as PNG or SVG."""
    return _render(lot_key(gtin, lot), fmt, args)


@blp.route("/items/<gtin>/<path:serial>/qr.<any(png, svg):fmt>", methods=["GET"])
@blp.arguments(QrSchema, location="query")
@blp.doc(security=[], responses=_RESPONSES)
def item_qr(args, gtin: str, serial: str, fmt: str):
    """The QR code of one item's Digital Link (`/01/<GTIN-14>/21/<serial>`), as PNG or SVG."""
    return _render(item_key(gtin, serial), fmt, args)

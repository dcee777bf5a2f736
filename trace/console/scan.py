"""``POST /app/scan``: a photo of a label (or, from scan.js, a text a camera read) → the lot or
SSCC it names, for the phones without ``BarcodeDetector`` (docs/console/OFFLINE.md).

The photo is decoded with zxing-cpp (QR, DataMatrix, GS1-128/Code 128, EAN-13...) after Pillow
has opened it safely: image types only (JPEG, PNG, WebP, GIF), at most 8 MiB on the wire (checked
before the body is read), at most 40 megapixels (read from the header, before any pixel is
decoded; Pillow's decompression-bomb check as well), shrunk to 2 000 px a side first. What the
code says is parsed in ONE place, ``gs1.scanned.parse_scanned``.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..domain import policy
from ..gs1.scanned import ScanRefused, parse_scanned
from ..present.i18n import N_
from . import web

MAX_UPLOAD = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
DECODE_SIDE = 2000
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")

# The English ids of the answers (translated per reader; listed for `make messages`).
NO_CODE = N_("No code was found in the photo. Hold the label flat, in good light, and try again.")
NOT_AN_IMAGE = N_("This file is not a photo (JPEG, PNG or WebP).")
TOO_BIG = N_("The photo is too large (at most 8 MB, 40 megapixels).")
NOTHING_SENT = N_("Choose a photo of the label.")
REASONS = {
    "not_gs1": N_("This code is not a GS1 label: it names no lot or SSCC."),
    "product_only": N_("This code names a product, not a lot: scan the lot's label."),
    "bad_sscc": N_("This SSCC has a wrong check digit (it should end in %(detail)s)."),
    "bad_gtin": N_("The product number (GTIN) in this code has a wrong check digit."),
    "bad_lot": N_("The lot in this code is not a valid GS1 lot (1-20 letters, digits or signs)."),
}


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/scan", "scan", scan, methods=["POST"])
    bp.before_request(_limit_upload)  # registered before check_csrf reads the form


def _limit_upload() -> Any:
    if request.endpoint != "console.scan":
        return None
    request.max_content_length = MAX_UPLOAD + 64 * 1024  # the photo and the form around it
    if (request.content_length or 0) > request.max_content_length:
        return _refuse(TOO_BIG, 413)
    return None


def _refuse(message: str, status: int = 400, **values: Any) -> tuple[Response, int]:
    return jsonify({"ok": False, "message": web.t(message, **values)}), status


@web.signed_in
def scan() -> Any:
    policy.require_scan(web.actor())
    text = request.form.get("text")
    if text is None:
        photo = request.files.get("photo")
        if photo is None or not photo.filename and not photo.mimetype:
            return _refuse(NOTHING_SENT)
        data = photo.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return _refuse(TOO_BIG, 413)
        try:
            texts = decode_image(data)
        except Undecodable as exc:
            return _refuse(TOO_BIG if exc.too_large else NOT_AN_IMAGE)
        if not texts:
            return _refuse(NO_CODE)
    else:
        texts = [text]
    refused: ScanRefused | None = None
    for found in texts:  # the first code that names a lot or an SSCC
        try:
            return jsonify(parse_scanned(found).as_json())
        except ScanRefused as exc:
            refused = refused or exc
    assert refused is not None
    return _refuse(REASONS[refused.reason], detail=refused.detail)


class Undecodable(ValueError):
    def __init__(self, too_large: bool = False):
        super().__init__("too large" if too_large else "not an image")
        self.too_large = too_large


def decode_image(data: bytes) -> list[str]:
    """The text of every code zxing-cpp finds in the image (``[]``: none).

    :raises Undecodable: not an image of an accepted type, or too many pixels to decode safely.
    """
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise Undecodable(too_large=True)
            image.draft("L", (DECODE_SIDE, DECODE_SIDE))  # JPEG: decode at a smaller scale
            grey = image.convert("L")
            grey.thumbnail((DECODE_SIDE, DECODE_SIDE))
    except Undecodable:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning,
            OSError, SyntaxError, ValueError) as exc:
        raise Undecodable(too_large=isinstance(exc, Image.DecompressionBombError
                                               | Image.DecompressionBombWarning)) from None
    return [found.text for found in zxingcpp.read_barcodes(grey) if found.text]

"""``POST /report-fake``: the small form on the consumer's 404 page (no script: a plain form
post answered with a thank-you page, or JSON for a client that asks for it).

Reports count against the same per-client budget as unknown codes (``api.enumeration``), so
the form cannot be used to fill the table.
"""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, request

from ..present.i18n import negotiate
from ..services.consumer.fake_reports import report_fake
from .deps import uow
from .enumeration import budget, client_address
from .errors import error_response
from .resolver import _PAGES

bp = Blueprint("fake_reports", __name__)


@bp.post("/report-fake")
def post_report():
    wants_json = request.accept_mimetypes.best_match(["text/html", "application/json"]) == \
        "application/json"
    lang = negotiate(request.form.get("lang"), request.accept_languages)
    wait = budget().retry_after(client_address())
    if wait is not None:
        return error_response(429, f"too many reports from your address; try again in {wait} s",
                              headers={"Retry-After": str(wait)})
    data = request.get_json(silent=True) if request.is_json else request.form
    data = data if isinstance(data, dict) or hasattr(data, "get") else {}
    # A bad field raises ValidationFailed: a 400 in the one error shape (api.errors).
    report_id = report_fake(_text(data, "code"), _text(data, "where"), _text(data, "note"), uow())
    budget().charge(client_address())
    if wants_json:
        return Response(orjson.dumps({"id": report_id}), status=201,
                        content_type="application/json")
    body = _PAGES.render("consumer/reported.html", lang, links={"switch": {}})
    return Response(body, status=201, content_type="text/html; charset=utf-8",
                    headers={"Content-Language": lang})


def _text(data, name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None

"""The cooperative console: server-rendered pages under ``/app/`` (docs/CONSOLE.md).

A layer beside ``api/``: its views call use cases (``services/``) and ask ``domain.policy``;
they never touch ``store/`` or SQL (tests/unit/test_architecture.py). One module per feature,
each with its own blueprint registered here; ``web.py`` is the seam they share.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from flask import Blueprint, Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from ..domain.errors import Forbidden, NotFound, TraceError
from ..present.i18n import N_
from . import web

STATIC_URL = "/app/static"


def init_app(app: Flask) -> None:
    from . import admin_organisations, admin_tokens, admin_users, auth, home, labels
    from .bulk import add_routes as bulk_routes
    from .corrections import add_routes as correction_routes
    from .evidence import add_routes as evidence_routes
    from .farms import add_routes as farm_routes
    from .inspect_act import add_routes as inspect_act_routes
    from .recording import add_routes as recording_routes
    from .subscriptions import add_routes as subscription_routes

    root = Blueprint("console", __name__, url_prefix="/app",
                     static_folder=None)
    auth.add_routes(root)
    home.add_routes(root)
    admin_organisations.add_routes(root)
    admin_users.add_routes(root)
    admin_tokens.add_routes(root)
    for add_routes in (evidence_routes, correction_routes, bulk_routes):  # docs/console/EVIDENCE.md
        add_routes(root)
    _add_offline_routes(root)  # the offline queue and the scanner (docs/console/OFFLINE.md)
    for add_form_routes in (farm_routes, recording_routes):  # docs/console/RECORDING.md
        add_form_routes(root)
    labels.add_routes(root)  # docs/console/DASHBOARD.md
    inspect_act_routes(root)  # the inspector acts on a lot (docs/inspector/ACTIONS.md)
    subscription_routes(root)  # a partner's EPCIS subscriptions (docs/inspector/ACTIONS.md)
    from .inspect_exports import add_routes as inspect_export_routes
    inspect_export_routes(root)  # the inspector's exports (docs/inspector/EXPORTS.md)
    from .inspect_find import add_routes as inspect_find_routes  # issue #12: docs/inspector/
    inspect_find_routes(root)
    import_module(".inspect_dossier", __package__).add_routes(root)  # docs/inspector/DOSSIER.md
    root.before_request(web.check_csrf)
    root.after_request(_finish)
    root.register_error_handler(TraceError, _trace_error)
    root.register_error_handler(HTTPException, _http_error)

    @root.route("/<path:rest>", methods=["GET", "POST"])
    def not_found(rest: str) -> tuple[str, int, dict[str, str]]:
        return _error_page(404)

    app.register_blueprint(root)
    _static(app)


def _add_offline_routes(root: Blueprint) -> None:
    from . import offline, scan

    offline.add_routes(root)
    scan.add_routes(root)


def _static(app: Flask) -> None:
    from importlib import resources

    from flask import send_from_directory

    folder = str(resources.files("tracechain.web") / "static" / "console")

    @app.get(STATIC_URL + "/<path:filename>", endpoint="console_static")
    def console_static(filename: str) -> Response:
        return send_from_directory(folder, filename, max_age=3600)


def _finish(response: Response) -> Response:
    """Cookies the request chose (language, the signed-out CSRF cookie), and headers every
    console page needs: personal and CSRF-bearing pages are never cached, and a one-time link
    in the address bar never leaves in a Referer."""
    secure = request.is_secure
    if g.get("console_lang_asked"):
        response.set_cookie(web.LANG_COOKIE, web.language(), max_age=365 * 86400, path="/app",
                            secure=secure, httponly=True, samesite="Lax")
    if "console_new_pre_csrf" in g:
        response.set_cookie(web.PRE_CSRF_COOKIE, g.console_new_pre_csrf, path="/app",
                            secure=secure, httponly=True, samesite="Lax")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    user = g.get("console_user")
    if user is not None:  # whose page this is: the service worker keeps it for that user only
        response.headers["X-Console-User"] = str(user.actor.user_id)
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response


def _error_page(status: int) -> Any:
    if web.wants_json():
        return web.json_error(status, _JSON_ERRORS.get(status, N_("Something went wrong. "
                                                          "Nothing was recorded.")))
    return web.render("error.html", status, status=status)


# What a JSON request (the offline queue) is told instead of an error page.
_JSON_ERRORS = {
    400: N_("The request could not be read. Nothing was recorded."),
    401: N_("You are signed out: sign in again, then send what is waiting. Nothing was "
            "recorded."),
    403: N_("You may not do this. Nothing was recorded."),
    404: N_("This page does not exist."),
}


def _trace_error(exc: TraceError) -> Any:
    if isinstance(exc, Forbidden):
        return _error_page(403)
    if isinstance(exc, NotFound):
        return _error_page(404)
    return _error_page(400)


def _http_error(exc: HTTPException) -> Any:
    status = exc.code or 500
    if status == 400 and exc.description == "csrf":
        if web.wants_json():
            return web.json_error(400, N_("The form has expired: open the page again to send "
                                          "it. Nothing was recorded."))
        return web.render("error.html", 400, status=400, csrf_refused=True)
    return _error_page(status)

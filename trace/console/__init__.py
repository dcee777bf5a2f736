"""The cooperative console: server-rendered pages under ``/app/`` (docs/CONSOLE.md).

A layer beside ``api/``: its views call use cases (``services/``) and ask ``domain.policy``;
they never touch ``store/`` or SQL (tests/unit/test_architecture.py). One module per feature,
each with its own blueprint registered here; ``web.py`` is the seam they share.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from ..domain.errors import Forbidden, NotFound, TraceError
from . import web

STATIC_URL = "/app/static"


def init_app(app: Flask) -> None:
    from . import admin_organisations, admin_tokens, admin_users, auth, home, labels

    root = Blueprint("console", __name__, url_prefix="/app",
                     static_folder=None)
    auth.add_routes(root)
    home.add_routes(root)
    admin_organisations.add_routes(root)
    admin_users.add_routes(root)
    admin_tokens.add_routes(root)
    labels.add_routes(root)
    root.before_request(web.check_csrf)
    root.after_request(_finish)
    root.register_error_handler(TraceError, _trace_error)
    root.register_error_handler(HTTPException, _http_error)

    @root.route("/<path:rest>", methods=["GET", "POST"])
    def not_found(rest: str) -> tuple[str, int, dict[str, str]]:
        return _error_page(404)

    app.register_blueprint(root)
    _static(app)


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
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response


def _error_page(status: int) -> tuple[str, int, dict[str, str]]:
    return web.render("error.html", status, status=status)


def _trace_error(exc: TraceError) -> tuple[str, int, dict[str, str]]:
    if isinstance(exc, Forbidden):
        return _error_page(403)
    if isinstance(exc, NotFound):
        return _error_page(404)
    return _error_page(400)


def _http_error(exc: HTTPException) -> tuple[str, int, dict[str, str]]:
    status = exc.code or 500
    if status == 400 and exc.description == "csrf":
        return web.render("error.html", 400, status=400, csrf_refused=True)
    return _error_page(status)

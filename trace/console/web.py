"""The seam every console page is built on (docs/CONSOLE.md, "How to add a console page").

- ``render(template, status, **context)``: a page of ``web/templates/console/`` in the reader's
  language, with ``user``, ``lang``, ``csrf`` and ``t`` (gettext) in its context.
- ``signed_in`` (decorator): the view runs for a signed-in user only (anonymous: redirect to
  the sign-in page, then back); ``actor()`` is then the signed-in ``Actor``.
- ``Form``: the submitted values and, per field, the errors in the reader's language.
- CSRF: every POST under ``/app/`` carries the hidden ``csrf`` field that ``render`` puts in
  each form (``{{ csrf_field() }}``); ``check_csrf`` (run before every console view) answers 400
  when it is missing or wrong, before the view runs, so nothing changes.
- ``now()``: the console's clock, replaceable in tests (``app.config["CONSOLE_CLOCK"]``).
- ``viewer_zone()``: the reader's time zone (the ``tc_tz`` cookie offline.js sets from the
  browser, else Vietnam's); templates write an instant as ``{{ moment|instant }}``, in that zone
  and one format (``domain/viewer_time.py``).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from functools import cache, wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, url_for
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from ..app_services import app_services
from ..domain.actor import Actor
from ..domain.errors import Problem, in_language
from ..domain.viewer_time import instant, zone
from ..present.i18n import N_, languages, translations
from ..services.accounts.sign_in import SignedIn, keyed_hash
from ..services.accounts.sign_in import signed_in as session_holder

F = TypeVar("F", bound=Callable[..., Any])

SESSION_COOKIE = "tc_session"
LANG_COOKIE = "tc_lang"
ZONE_COOKIE = "tc_tz"
PRE_CSRF_COOKIE = "tc_csrf"  # signed-out forms (sign-in, set password): double-submit
DEFAULT_LANGUAGE = "vi"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def now() -> datetime:
    clock = current_app.config.get("CONSOLE_CLOCK")
    return clock() if clock is not None else datetime.now(UTC)


def secret() -> str:
    return app_services().settings.secret_key


def viewer_zone() -> Any:
    """The reader's time zone (a ``ZoneInfo``): the browser's, as offline.js keeps it in the
    ``tc_tz`` cookie, else Vietnam's."""
    return zone(request.cookies.get(ZONE_COOKIE))


# --- language ---------------------------------------------------------------------------------

def language() -> str:
    """``?lang=`` (remembered in a cookie), else the cookie, else ``Accept-Language``, else
    Vietnamese: the console's readers are Vietnamese cooperatives first."""
    if "console_lang" in g:
        return str(g.console_lang)
    ours = languages()
    asked = request.args.get("lang")
    chosen = asked if asked in ours else request.cookies.get(LANG_COOKIE)
    if chosen not in ours:
        accept = parse_accept_header(request.headers.get("Accept-Language", ""), LanguageAccept)
        chosen = accept.best_match(ours) or DEFAULT_LANGUAGE
    g.console_lang = chosen
    g.console_lang_asked = asked in ours
    return str(chosen)


def t(message: str, **values: Any) -> str:
    """``message`` (an English id) in the reader's language, ``%(name)s`` filled in."""
    text = translations(language(), "console").gettext(message)
    return text % values if values else text


def say(message: str) -> str:
    """A use case's message in the reader's language: the console's catalogue (English ids
    listed in messages.py, matched exactly), else the API's (``Text`` ids and their values,
    web/translations/<lang>/LC_MESSAGES/api.po), else English — never empty."""
    lang = language()
    english = str(message)
    for domain in ("console", "api"):
        try:
            catalogue = translations(lang, domain)
        except OSError:
            continue
        said = in_language(message, catalogue.gettext)
        if said and said != english:
            return said
    return english


@cache
def _environment(lang: str) -> Environment:
    env = Environment(loader=PackageLoader("tracechain.web", "templates"),
                      autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations(lang, "console"), newstyle=True)
    env.globals.update(lang=lang, languages=languages(), language_names=LANGUAGE_NAMES)
    env.filters["instant"] = lambda value: instant(value, viewer_zone())
    return env


def render(template: str, code: int = 200, **context: Any) -> tuple[str, int, dict[str, str]]:
    """``console/<template>`` in the reader's language, as a Flask answer."""
    lang = language()
    user = current_user()
    token = csrf_token()
    page = _environment(lang).get_template(f"console/{template}").render(
        user=user, csrf=token, t=t, url_for=url_for, request=request,
        csrf_field=lambda: Markup('<input type="hidden" name="csrf" value="%s">') % token,
        switch={code: _with_lang(code) for code in languages()}, **context)
    return page, code, {"Content-Type": "text/html; charset=utf-8"}


def fragment(template: str, **context: Any) -> str:
    """``console/<template>`` in the reader's language and time zone, without the signed-in
    user or the session's CSRF token: a part of a page written once for many readers."""
    return _environment(language()).get_template(f"console/{template}").render(
        t=t, url_for=url_for, **context)


def _with_lang(code: str) -> str:
    args: dict[str, Any] = {**request.args.to_dict(), **(request.view_args or {}), "lang": code}
    return url_for(request.endpoint or "console.home", **args)


# --- who is signed in -------------------------------------------------------------------------

def current_user() -> SignedIn | None:
    """The signed-in user of this request, or None (looked up once a request)."""
    if "console_user" not in g:
        session_id = request.cookies.get(SESSION_COOKIE, "")
        g.console_user = (session_holder(session_id, app_services().unit_of_work(),
                                         now=now(), secret=secret()) if session_id else None)
    user: SignedIn | None = g.console_user
    return user


def actor() -> Actor:
    """The signed-in actor (inside a ``signed_in`` view)."""
    user = current_user()
    assert user is not None, "actor() outside a @signed_in view"
    return user.actor


def signed_in(view: F) -> F:
    """The view is for signed-in users: anyone else is sent to the sign-in page (and back)."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if wants_json():  # the offline queue: sign in again, keep the record queued
                return _json_error(401, N_("You are signed out: sign in again, then send "
                                           "what is waiting. Nothing was recorded."))
            return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of the console only (no open redirect)."""
    if target and target.startswith("/app/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("console.home")


def wants_json() -> bool:
    """The request asks for JSON (``Accept: application/json``): the offline queue's sendings
    get JSON answers, errors too, never an HTML page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > 0


def _json_error(status: int, message: str) -> Any:
    from flask import jsonify

    response = jsonify(ok=False, message=t(message))
    response.status_code = status
    return response


def json_error(status: int, message: str) -> Any:
    """``{"ok": false, "message": <message in the reader's language>}`` with ``status``."""
    return _json_error(status, message)


# --- CSRF -------------------------------------------------------------------------------------

def csrf_token() -> str:
    """The token this request's forms carry: the session's, or (signed out) one bound to the
    ``tc_csrf`` cookie, which ``after_request`` sets when it is new."""
    user = current_user()
    if user is not None:
        return user.csrf_token
    if "console_pre_csrf" not in g:
        cookie = request.cookies.get(PRE_CSRF_COOKIE, "")
        if not (20 <= len(cookie) <= 100):
            cookie = secrets.token_urlsafe(32)
            g.console_new_pre_csrf = cookie
        g.console_pre_csrf = keyed_hash(secret(), "csrf:" + cookie)
    return str(g.console_pre_csrf)


def check_csrf() -> None:
    """Before every console view: a POST without the right ``csrf`` field is refused (400)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if wants_json() and current_user() is None and request.endpoint not in (
            "console.login", "console.set_password"):
        abort(401)  # the offline queue's sending after the session ended: sign in again
    # A form's field, or (the offline queue) the X-CSRF-Token header from the page's
    # <meta name="csrf-token">.
    sent = request.form.get("csrf", "") or request.headers.get("X-CSRF-Token", "")
    user = current_user()
    if user is not None:
        good = user.csrf_token
    else:
        cookie = request.cookies.get(PRE_CSRF_COOKIE, "")
        good = keyed_hash(secret(), "csrf:" + cookie) if cookie else ""
    if not sent or not good or not hmac.compare_digest(sent.encode(), good.encode()):
        abort(400, "csrf")


# --- forms ------------------------------------------------------------------------------------

class Form:
    """What was submitted, and what is wrong with it, per field, in the reader's language."""

    def __init__(self, values: Mapping[str, str] | None = None):
        self.values: dict[str, str] = dict(values or {})
        self.errors: dict[str, list[str]] = {}

    @classmethod
    def posted(cls, *names: str) -> Form:
        return cls({name: request.form.get(name, "").strip() for name in names})

    def __getitem__(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, field: str, message: str, **values: Any) -> None:
        """``message``: an English id, translated here."""
        self.errors.setdefault(field, []).append(t(message, **values))

    def problems(self, problems: Iterable[Problem], fallback: str) -> None:
        """A use case's problems (``$.gln``, ``password``...) next to their fields."""
        for problem in problems:
            field = problem.path.removeprefix("$.").removeprefix("$")
            self.say(field if field in self.values else fallback, problem.message)

    def say(self, field: str, message: str) -> None:
        """A use case's message (a ``domain.errors.Text`` or plain English) next to ``field``,
        in the reader's language (see :func:`say`)."""
        self.errors.setdefault(field, []).append(say(message))

    @property
    def ok(self) -> bool:
        return not self.errors

"""Signing in and out, and setting a password through a one-time link."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from ..app_services import app_services
from ..domain.errors import ValidationFailed
from ..services.accounts import passwords
from ..services.accounts.sign_in import SESSION_LIFETIME, SignInRefused, sign_in, sign_out
from . import web


def add_routes(bp: Blueprint) -> None:
    bp.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    bp.add_url_rule("/logout", "logout", logout, methods=["POST"])
    bp.add_url_rule("/set-password/<token>", "set_password", set_password,
                    methods=["GET", "POST"])


def _uow():  # noqa: ANN202 - the app's unit of work
    return app_services().unit_of_work()


def login() -> Any:
    form = web.Form({"email": "", "next": request.args.get("next", "")})
    if request.method == "GET":
        if web.current_user() is not None:
            return redirect(web.safe_next(form["next"]))
        return web.render("login.html", form=form)
    form = web.Form.posted("email", "next")
    password = request.form.get("password", "")
    if not form["email"]:
        form.error("email", "Enter your e-mail address.")
    if not password:
        form.error("password", "Enter your password.")
    if not form.ok:
        return web.render("login.html", 400, form=form)
    try:
        new = sign_in(form["email"], password, request.remote_addr or "", _uow(),
                      now=web.now(), secret=web.secret(), lifetime=SESSION_LIFETIME)
    except SignInRefused as refused:
        headers: dict[str, str] = {}
        if refused.wait is not None:
            minutes = max(1, math.ceil(refused.wait.total_seconds() / 60))
            form.error("password", "Too many failed attempts. Wait %(minutes)s minutes, then "
                       "try again.", minutes=minutes)
            headers["Retry-After"] = str(math.ceil(refused.wait.total_seconds()))
            page, _, h = web.render("login.html", 429, form=form)
            return page, 429, {**h, **headers}
        form.error("password", "Wrong e-mail or password.")
        return web.render("login.html", 401, form=form)
    old = request.cookies.get(web.SESSION_COOKIE)
    if old:  # whatever the browser held before is ended: a fixed id never signs anyone in
        sign_out(old, _uow(), secret=web.secret())
    response: Response = redirect(web.safe_next(form["next"]), 303)  # type: ignore[assignment]
    response.set_cookie(web.SESSION_COOKIE, new.session_id, path="/app",
                        max_age=int(SESSION_LIFETIME.total_seconds()), secure=request.is_secure,
                        httponly=True, samesite="Lax")
    return response


def logout() -> Any:
    session_id = request.cookies.get(web.SESSION_COOKIE)
    if session_id:
        sign_out(session_id, _uow(), secret=web.secret())
    response: Response = redirect(url_for("console.login"), 303)  # type: ignore[assignment]
    response.delete_cookie(web.SESSION_COOKIE, path="/app", secure=request.is_secure,
                           httponly=True, samesite="Lax")
    return response


def set_password(token: str) -> Any:
    try:
        link = passwords.link_for(token, _uow(), now=web.now())
    except passwords.LinkUnusable as exc:
        return web.render("link_unusable.html", 404 if exc.reason == "unknown" else 410,
                          reason=exc.reason)
    form = web.Form()
    if request.method == "POST":
        password = request.form.get("password", "")
        try:
            passwords.set_password(token, password, request.form.get("confirmation", ""),
                                   _uow(), now=web.now())
        except passwords.LinkUnusable as exc:  # used meanwhile
            return web.render("link_unusable.html", 410, reason=exc.reason)
        except ValidationFailed as exc:
            form = web.Form({"password": "", "confirmation": ""})
            form.problems(exc.problems, "password")
            return web.render("set_password.html", 400, form=form, link=link)
        return redirect(url_for("console.login", done="password"), 303)
    return web.render("set_password.html", form=form, link=link)

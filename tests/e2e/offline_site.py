"""A small live console for the offline queue's browser tests and benchmark: a fresh SQLite
database, one signed-in-able user, and a TEST-ONLY recording form (registered here, never by
the app) whose POST implements the recording forms' JSON contract (docs/console/OFFLINE.md):
201 stored, 200 for a repeated idempotency key (same body), 400 with field errors, 409 a
conflict (lot ``SHIPPED``), 401 when the session has ended. It counts what it stored by key.

The real recording forms are built in parallel; after the merge the journey runs on the real
harvest form too. No chain and no demo: starting takes a fraction of a second.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import jsonify, request
from markupsafe import Markup
from sqlalchemy import text
from werkzeug.serving import make_server

from tracechain import create_app
from tracechain.app_services import app_services
from tracechain.console import web
from tracechain.services.accounts import passwords
from tracechain.store import migrate

EMAIL, PASSWORD = "lan.nguyen@htx.vn", "hat-tieu-cam-lo-2026"
OTHER_EMAIL = "binh.tran@htx.vn"  # a second account on the same phone (same password)
FORM_PATH, RECORD_PATH = "/app/test-offline/harvest", "/app/test-offline/record"

FORM = """{% extends "console/base.html" %}
{% block title %}Thu hoạch (test){% endblock %}
{% block content %}
<h1>Thu hoạch (test)</h1>
<form method="post" action="{{ record }}" data-offline="record" novalidate>
{{ csrf_field() }}
<input type="hidden" name="idempotency_key" value="{{ key }}">
<input type="hidden" name="device_time" value="">
<div class="field"><label for="lot">Lô</label><input id="lot" name="lot" data-scan="lot"></div>
<div class="field"><label for="quantity">Khối lượng</label>
<input id="quantity" name="quantity"></div>
<div class="field"><label for="unit">Đơn vị</label><input id="unit" name="unit" value="kg"></div>
<div class="field"><label for="event_time">Thời điểm</label>
<input id="event_time" name="event_time" type="datetime-local" value="{{ now }}"
 data-default-now></div>
<button type="submit" class="primary">Ghi</button>
</form>
{% endblock %}"""


@dataclass
class OfflineSite:
    app: object
    base_url: str
    stored: dict = field(default_factory=dict)   # idempotency key -> the stored fields
    posts: list = field(default_factory=list)    # every POST: (key, status)
    # signed out: 401 (the contract), or "csrf": the console's HTML "form has expired" 400,
    # which check_csrf answers before a view runs
    signed_out_answer: object = 401
    unavailable: bool = False  # the server answers 503 (overloaded, restarting)
    _server: object = None
    _thread: object = None

    def url(self, path: str) -> str:
        return self.base_url + path

    def end_sessions(self) -> None:
        """The session ends on the server (expiry, a password change): the next POST is 401."""
        with app_services(self.app).engine.begin() as conn:
            conn.execute(text("DELETE FROM console_sessions"))

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        app_services(self.app).engine.dispose()


def start(folder: Path) -> OfflineSite:
    url = f"sqlite:///{folder / 'offline.db'}"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "VAR_DIR": str(folder),
                      "SIGNING_SECRET": "e2e-secret-0123456789", "SIGNING_KDF_N": 2**14})
    uow = app_services(app).unit_of_work()
    for email, name in ((EMAIL, "Nguyễn Thị Lan"), (OTHER_EMAIL, "Trần Văn Bình")):
        _, token = passwords.invite(None, email, name, "admin", None, uow, now=datetime.now(UTC))
        passwords.set_password(token, PASSWORD, PASSWORD, uow, now=datetime.now(UTC))
    site = OfflineSite(app, "")
    lock = threading.Lock()

    def form_page():
        if web.current_user() is None:
            return web.signed_in(lambda: None)()  # the console's redirect to the sign-in page
        env = web._environment(web.language())
        token = web.csrf_token()
        html = env.from_string(FORM).render(
            user=web.current_user(), csrf=token, t=web.t, url_for=web.url_for, request=request,
            csrf_field=lambda: Markup('<input type="hidden" name="csrf" value="%s">') % token,
            switch={}, record=RECORD_PATH, key=str(uuid.uuid4()),
            now=datetime.now().strftime("%Y-%m-%dT%H:%M"))
        # the headers of the console's own pages (console/__init__.py::_finish)
        return html, 200, {"Content-Type": "text/html; charset=utf-8",
                           "Cache-Control": "private, no-store",
                           "X-Console-User": str(web.current_user().actor.user_id)}

    def record():
        key = request.form.get("idempotency_key", "")
        user = web.current_user()
        if site.unavailable:
            answer = "<!doctype html><h1>Service Unavailable</h1>", 503
        elif user is None and site.signed_out_answer == "csrf":
            answer = "<!doctype html><h1>The form has expired</h1>", 400
        elif user is None:
            answer = jsonify(ok=False, message="Phiên đăng nhập đã hết."), 401
        elif (request.headers.get("X-CSRF-Token") or request.form.get("csrf")) != user.csrf_token:
            answer = jsonify(ok=False, message="csrf"), 400
        else:
            with lock:
                if key in site.stored:
                    answer = jsonify(site.stored[key]["answer"]), 200
                elif request.form.get("lot") == "SHIPPED":
                    answer = jsonify(ok=False, message="Lô SHIPPED đã được xuất đi trong lúc "
                                     "chờ: hãy chọn lô khác."), 409
                elif not request.form.get("quantity"):
                    answer = jsonify(ok=False, message="Chưa đủ thông tin.",
                                     errors={"quantity": "Hãy nhập khối lượng."}), 400
                else:
                    body = {"ok": True, "message": "Đã ghi.", "eventIDs": [f"ni:///{key}"],
                            "redirect": None}
                    site.stored[key] = {"answer": body, "fields": request.form.to_dict()}
                    answer = jsonify(body), 201
        site.posts.append((key, answer[1]))
        return answer

    app.add_url_rule(FORM_PATH, "offline_test_form", form_page)
    app.add_url_rule(RECORD_PATH, "offline_test_record", record, methods=["POST"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="offline-site", daemon=True)
    thread.start()
    site.base_url = f"http://127.0.0.1:{server.server_port}"
    site._server, site._thread = server, thread
    return site

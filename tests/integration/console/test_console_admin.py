"""The console's admin pages and landing page: every page × role, the actions an admin takes,
a member posting to an admin action, and each page's compressed size."""

from __future__ import annotations

import gzip

import brotli
import pytest

from tracechain.app_services import app_services
from tracechain.services.accounts import tokens as token_service
from tracechain.services.accounts import users as user_service

from .conftest import PASSWORD

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is the
# admin pages and who may open them (accounts on both: test_cli.py, test_tokens.py).
DATABASES = ("sqlite",)

ADMIN_PAGES = ("/app/admin/organisations", "/app/admin/users", "/app/admin/tokens")
PAGE_BUDGET = 30 * 1024  # bytes on the wire, compressed (issue #11)


@pytest.fixture
def people(app, console, actions, dataset):
    """Two cooperatives and a user of each role: made once per process and backend."""
    def build() -> dict:
        org = actions.org("HTX Cà Phê Cầu Đất")
        other = actions.org("HTX Tiêu Vĩnh Linh")
        return {"org": org, "other": other,
                "admin": console.user("admin", name="Quản Trị", email="admin@cau-dat.vn"),
                "member": console.user("member", org, name="Trần Văn Bình",
                                       email="binh@cau-dat.vn"),
                "colleague": console.user("member", org, name="Phạm Thị Lan",
                                          email="lan@cau-dat.vn"),
                "outsider": console.user("member", other, name="Võ Văn Tám",
                                         email="tam@vinh-linh.vn"),
                "inspector": console.user("inspector", name="Thanh Tra",
                                          email="thanh-tra@example.vn")}
    return dataset("console-people", build)


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_by_role(app, console, people, page):
    anonymous = console.client()
    r = anonymous.get(page)
    assert r.status_code == 302 and r.location == f"/app/login?next={page}"
    for role in ("member", "inspector"):
        r = console.signed_in(people[role]).get(page)
        assert r.status_code == 403, role
        assert "Không được phép" in r.get_data(as_text=True)
        assert "Not allowed" in console.signed_in(people[role]).get(
            page + "?lang=en").get_data(as_text=True)
    assert console.signed_in(people["admin"]).get(page).status_code == 200


def test_the_landing_page_by_role(app, console, people):
    member = console.signed_in(people["member"]).get("/app/").get_data(as_text=True)
    assert "HTX Cà Phê Cầu Đất" in member and "Phạm Thị Lan" in member  # a colleague
    assert "Võ Văn Tám" not in member and "HTX Tiêu Vĩnh Linh" not in member
    assert "/app/admin/" not in member
    inspector = console.signed_in(people["inspector"]).get("/app/").get_data(as_text=True)
    assert "thanh tra viên" in inspector.lower() and "/app/admin/" not in inspector
    assert "Trần Văn Bình" not in inspector
    admin = console.signed_in(people["admin"]).get("/app/").get_data(as_text=True)
    assert all(page in admin for page in ADMIN_PAGES)


def test_a_member_posting_to_admin_actions_is_refused_and_changes_nothing(app, console, people):
    member = console.signed_in(people["member"])
    uow = app_services(app).unit_of_work()
    before = user_service.users(
        _actor(app, people["admin"]), uow)
    attempts = [
        ("/app/admin/users", {"email": "evil@example.vn", "role": "admin"}),
        (f"/app/admin/users/{people['member']['id']}/role", {"role": "admin"}),
        (f"/app/admin/users/{people['colleague']['id']}/disable", {}),
        (f"/app/admin/users/{people['colleague']['id']}/reset", {}),
        ("/app/admin/organisations", {"name": "Fake", "kind": "exporter",
                                      "gln": "8935550000014"}),
        ("/app/admin/tokens", {"email": people["member"]["email"], "label": "x", "days": "30"}),
    ]
    for path, data in attempts:
        r = console.post(member, path, data)
        assert r.status_code == 403, path
    assert user_service.users(_actor(app, people["admin"]), uow) == before
    assert token_service.list_tokens(uow) == []
    assert "Fake" not in console.signed_in(people["admin"]).get(
        "/app/admin/organisations").get_data(as_text=True)


def _actor(app, user):
    from tracechain.domain.actor import Actor

    return Actor(user["id"], "admin", None, user["email"])


def test_an_admin_registers_an_organisation_with_errors_next_to_the_fields(app, console, people):
    admin = console.signed_in(people["admin"])
    path = "/app/admin/organisations"
    bad = console.post(admin, path, {"name": "", "kind": "cooperative", "gln": "8930000000018"},
                       csrf_from=path)
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'id="gln-error"' in body and "số kiểm tra đúng" in body
    assert 'id="name-error"' in body and "không được để trống" in body
    good = console.post(admin, path, {"name": "HTX Hồ Tiêu Chư Sê", "kind": "cooperative",
                                      "gln": "8935550000014", "province": "Gia Lai"},
                        csrf_from=path)
    assert (good.status_code, good.location) == (303, f"{path}?done=created")
    listed = admin.get(good.location).get_data(as_text=True)
    assert "HTX Hồ Tiêu Chư Sê" in listed and "Đã đăng ký tổ chức." in listed
    twice = console.post(admin, path, {"name": "HTX Hồ Tiêu Chư Sê", "kind": "cooperative",
                                       "gln": "8935550000014"}, csrf_from=path)
    assert twice.status_code == 409 and "Đã có tổ chức" in twice.get_data(as_text=True)


def test_an_admin_invites_a_member_who_then_signs_in(app, console, people):
    admin = console.signed_in(people["admin"])
    path = "/app/admin/users"
    r = console.post(admin, path, {"email": "moi@example.vn", "name": "Người Mới",
                                   "role": "member", "organisation": str(people["org"]["id"])},
                     csrf_from=path)
    assert r.status_code == 201
    body = r.get_data(as_text=True)
    link = body.split('class="copy" readonly value="')[1].split('"')[0]
    assert link.startswith("http://localhost:5000/app/set-password/")
    token_path = link.removeprefix("http://localhost:5000")
    newcomer = console.client()
    csrf = console.csrf(newcomer, token_path)
    assert newcomer.post(token_path, data={"password": "hat-tieu-do-2026",
                                           "confirmation": "hat-tieu-do-2026",
                                           "csrf": csrf}).status_code == 303
    home = console.signed_in({"email": "moi@example.vn", "password": "hat-tieu-do-2026"})
    assert "HTX Cà Phê Cầu Đất" in home.get("/app/").get_data(as_text=True)
    # a member must belong to an organisation; an e-mail is taken once
    r = console.post(admin, path, {"email": "x@example.vn", "role": "member"}, csrf_from=path)
    assert r.status_code == 400 and "thành viên phải thuộc một tổ chức" in r.get_data(
        as_text=True)
    r = console.post(admin, path, {"email": "moi@example.vn", "role": "inspector"},
                     csrf_from=path)
    assert r.status_code == 409


def test_disabling_a_user_ends_their_sessions_and_revokes_their_tokens(app, console, people,
                                                                        actions):
    member = console.signed_in(people["member"])
    api_token = token_service.create_token(people["member"]["email"], "phone",
                                           app_services(app).unit_of_work())
    assert app.test_client().get("/api/v1/lots", headers=actions.auth(api_token)
                                 ).status_code == 200
    admin = console.signed_in(people["admin"])
    r = console.post(admin, f"/app/admin/users/{people['member']['id']}/disable")
    assert (r.status_code, r.location) == (303, "/app/admin/users?done=disabled")
    assert member.get("/app/").status_code == 302
    assert app.test_client().get("/api/v1/lots", headers=actions.auth(api_token)
                                 ).status_code == 401
    refused = console.client()
    assert refused.post("/app/login", data={"email": people["member"]["email"],
                                            "password": PASSWORD,
                                            "csrf": console.csrf(refused)}).status_code == 401
    # enabled again: the password works, the revoked token stays revoked
    console.post(admin, f"/app/admin/users/{people['member']['id']}/enable")
    console.signed_in(people["member"])
    # a token made for a disabled account (from the shell) does not work either
    console.post(admin, f"/app/admin/users/{people['member']['id']}/disable")
    late = token_service.create_token(people["member"]["email"], "late",
                                      app_services(app).unit_of_work())
    r = app.test_client().get("/api/v1/lots", headers=actions.auth(late))
    assert r.status_code == 401 and "disabled" in r.get_json()["detail"]
    console.post(admin, f"/app/admin/users/{people['member']['id']}/enable")
    # an admin cannot lock themself out
    me = console.post(admin, f"/app/admin/users/{people['admin']['id']}/disable")
    assert me.status_code == 403


def test_changing_a_role_ends_the_users_sessions(app, console, people):
    inspector = console.signed_in(people["inspector"])
    admin = console.signed_in(people["admin"])
    r = console.post(admin, f"/app/admin/users/{people['colleague']['id']}/role",
                     {"role": "inspector"})
    assert r.status_code == 303
    r = console.post(admin, f"/app/admin/users/{people['inspector']['id']}/role",
                     {"role": "member"})  # an inspector has no organisation to be a member of
    assert r.status_code == 400
    assert inspector.get("/app/").status_code == 200


def test_an_admin_makes_shows_once_and_revokes_an_api_token(app, console, people, actions):
    admin = console.signed_in(people["admin"])
    path = "/app/admin/tokens"
    r = console.post(admin, path, {"email": people["member"]["email"], "label": "điện thoại",
                                   "days": "30"}, csrf_from=path)
    assert r.status_code == 201
    token = r.get_data(as_text=True).split('class="copy" readonly value="')[1].split('"')[0]
    assert token.startswith("tc_")
    assert app.test_client().get("/api/v1/lots", headers=actions.auth(token)).status_code == 200
    listing = admin.get(path).get_data(as_text=True)
    assert token not in listing and token[:11] in listing and "điện thoại" in listing
    bad = console.post(admin, path, {"email": people["member"]["email"], "label": "",
                                     "days": "0"}, csrf_from=path)
    assert bad.status_code == 400 and 'id="days-error"' in bad.get_data(as_text=True)
    token_id = token_service.list_tokens(app_services(app).unit_of_work())[0].id
    r = console.post(admin, f"{path}/{token_id}/revoke", csrf_from=path)
    assert (r.status_code, r.location) == (303, f"{path}?done=revoked")
    assert app.test_client().get("/api/v1/lots", headers=actions.auth(token)).status_code == 401


def test_console_errors_and_language_choice(app, console, people):
    client = console.client()
    assert "Không tìm thấy trang" in client.get("/app/no-such-page").get_data(as_text=True)
    assert client.get("/app/no-such-page").status_code == 404
    english = client.get("/app/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "Sign in" in english.get_data(as_text=True)
    chosen = client.get("/app/login?lang=en")
    assert "tc_lang=en" in str(chosen.headers.getlist("Set-Cookie"))
    assert "Đăng nhập" not in client.get("/app/login").get_data(as_text=True)  # remembered
    fresh = console.client()
    assert "Đăng nhập" in fresh.get("/app/login").get_data(as_text=True)  # default: vi
    # the JSON API's errors stay as they are
    api = fresh.get("/api/v1/lots")
    assert api.status_code == 401 and api.is_json


def test_each_console_page_is_at_most_30_kb_compressed(app, console, people):
    admin = console.signed_in(people["admin"])
    for n in range(40):  # a fuller admin page than a new install has
        console.user("inspector", name=f"Thanh Tra Viên Số {n}")
    pages = {"/app/login": console.client(), "/app/": admin, **dict.fromkeys(ADMIN_PAGES, admin),
             "/app/static/console.css": admin}
    # Farms, plots and the recording forms (a member's; their lists: tests of RECORDING.md).
    member = console.signed_in(people["member"])
    pages.update(dict.fromkeys((
        "/app/farms", "/app/record", "/app/record/harvest", "/app/record/process/drying",
        "/app/record/packing", "/app/record/shipping", "/app/record/receiving"), member))
    pages.update(dict.fromkeys(("/app/static/geo.js", "/app/static/record.js"), admin))
    sizes = {}
    for path, client in pages.items():
        for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            r = client.get(path, headers={"Accept-Encoding": coding})
            assert r.status_code == 200, path
            assert r.headers["Content-Encoding"] == coding, path
            assert "Accept-Encoding" in r.headers["Vary"]
            assert decode(r.data).startswith((b"<!doctype html>", b"/*")), path
            sizes[(path, coding)] = len(r.data)
    assert max(sizes.values()) <= PAGE_BUDGET, sizes


# --- every console route × every caller -------------------------------------------------------

ADMIN_ONLY = {"console.organisations", "console.users", "console.user_role",
              "console.user_disable", "console.user_enable", "console.user_reset",
              "console.tokens", "console.token_revoke"}
# (method, endpoint) -> (path, {caller: status}); admin-only routes are filled in below.
CONSOLE_ROUTES = {
    ("GET", "console.login"): ("/app/login", {"anonymous": 200, "member": 302,
                                              "inspector": 302, "admin": 302}),
    ("POST", "console.login"): ("/app/login", dict.fromkeys(
        ("anonymous", "member", "inspector", "admin"), 400)),  # no e-mail, no password
    ("POST", "console.logout"): ("/app/logout", dict.fromkeys(
        ("anonymous", "member", "inspector", "admin"), 303)),
    ("GET", "console.set_password"): ("/app/set-password/unknown", dict.fromkeys(
        ("anonymous", "member", "inspector", "admin"), 404)),
    ("POST", "console.set_password"): ("/app/set-password/unknown", dict.fromkeys(
        ("anonymous", "member", "inspector", "admin"), 404)),
    ("GET", "console.home"): ("/app/", {"anonymous": 302, "member": 200, "inspector": 200,
                                        "admin": 200}),
    ("GET", "console.not_found"): ("/app/nothing", dict.fromkeys(
        ("anonymous", "member", "inspector", "admin"), 404)),
    ("POST", "console.not_found"): ("/app/nothing", dict.fromkeys(
        ("anonymous", "member", "inspector", "admin"), 404)),
    ("GET", "console_static"): ("/app/static/console.css", dict.fromkeys(
        ("anonymous", "member", "inspector", "admin"), 200)),
    # the offline queue and the scanner (test_console_scan.py tests them in depth)
    ("GET", "console.waiting"): ("/app/waiting", {"anonymous": 302, "member": 200,
                                                  "inspector": 200, "admin": 200}),
    ("GET", "console.service_worker"): ("/app/sw.js", dict.fromkeys(
        ("anonymous", "member", "inspector", "admin"), 200)),
    ("POST", "console.scan"): ("/app/scan", {"anonymous": 302, "member": 400,  # no photo
                                             "inspector": 403, "admin": 400}),
    # dashboard: the labels page of a lot nobody has (who may print: test_console_dashboard.py)
    ("GET", "console.labels"): ("/app/lots/08930000000019/NOPE/labels", {
        "anonymous": 302, "member": 404, "inspector": 404, "admin": 404}),
    ("POST", "console.labels"): ("/app/lots/08930000000019/NOPE/labels", {
        "anonymous": 302, "member": 404, "inspector": 404, "admin": 404}),
}
_ADMIN_PATHS = {
    ("GET", "console.organisations"): ("/app/admin/organisations", 200),
    ("POST", "console.organisations"): ("/app/admin/organisations", 400),  # empty form
    ("GET", "console.users"): ("/app/admin/users", 200),
    ("POST", "console.users"): ("/app/admin/users", 400),
    ("POST", "console.user_role"): ("/app/admin/users/{colleague}/role", 400),  # no role
    ("POST", "console.user_disable"): ("/app/admin/users/{colleague}/disable", 303),
    ("POST", "console.user_enable"): ("/app/admin/users/{colleague}/enable", 303),
    ("POST", "console.user_reset"): ("/app/admin/users/{colleague}/reset", 201),
    ("GET", "console.tokens"): ("/app/admin/tokens", 200),
    ("POST", "console.tokens"): ("/app/admin/tokens", 400),
    ("POST", "console.token_revoke"): ("/app/admin/tokens/999999/revoke", 404),
}
# Farms, plots and the recording forms (docs/console/RECORDING.md): members record for their
# organisation, inspectors record nothing; an admin without an organisation sees empty lists
# and its sendings are refused as invalid (steps are recorded for an organisation).
_W = ("anonymous", "member", "inspector", "admin")


def _by(*codes: int) -> dict:
    return dict(zip(_W, codes, strict=True))


CONSOLE_ROUTES.update({
    ("GET", "console.farms"): ("/app/farms", _by(302, 200, 200, 200)),
    ("POST", "console.farms"): ("/app/farms", _by(302, 400, 403, 400)),
    ("GET", "console.farm"): ("/app/farms/999999", _by(302, 404, 404, 404)),
    ("POST", "console.farm"): ("/app/farms/999999", _by(302, 404, 403, 404)),
    ("GET", "console.record"): ("/app/record", _by(302, 200, 403, 200)),
})
for _name, _path in (("record_harvest", "/app/record/harvest"),
                     ("record_process", "/app/record/process/drying"),
                     ("record_packing", "/app/record/packing"),
                     ("record_shipping", "/app/record/shipping"),
                     ("record_receiving", "/app/record/receiving")):
    CONSOLE_ROUTES[("GET", f"console.{_name}")] = (_path, _by(302, 200, 403, 200))
    CONSOLE_ROUTES[("POST", f"console.{_name}")] = (_path, _by(302, 400, 403, 400))
for _key, (_path, _admin) in _ADMIN_PATHS.items():
    CONSOLE_ROUTES[_key] = (_path, {"anonymous": 302, "member": 403, "inspector": 403,
                                    "admin": _admin})


# Evidence, corrections, bulk harvests (docs/console/EVIDENCE.md): the people here hold no lot
# and recorded no event, so a member meets "not found" where another would meet the page.
_NO_LOT = "/app/lots/09506000134352/NONE/evidence"
_NO_EVENT = "/app/corrections/event?id=urn:uuid:00000000-0000-0000-0000-000000000000"
_WRITERS = {"anonymous": 302, "inspector": 403, "admin": 403}
CONSOLE_ROUTES.update({
    ("GET", "console.lot_evidence"): (_NO_LOT, {"anonymous": 302, "member": 404,
                                                "inspector": 404, "admin": 404}),
    ("POST", "console.lot_evidence"): (_NO_LOT, {"anonymous": 302, "member": 404,
                                                 "inspector": 403, "admin": 404}),
    ("GET", "console.evidence_file"): ("/app/evidence/" + "0" * 64, {
        "anonymous": 302, "member": 404, "inspector": 404, "admin": 404}),
    ("GET", "console.corrections"): ("/app/corrections", {**_WRITERS, "member": 200}),
    ("GET", "console.correct_event"): (_NO_EVENT, {**_WRITERS, "member": 404}),
    ("POST", "console.correct_event"): (_NO_EVENT, {**_WRITERS, "member": 404}),
    ("GET", "console.bulk_harvests"): ("/app/harvests/bulk", {**_WRITERS, "member": 200}),
    ("POST", "console.bulk_harvests"): ("/app/harvests/bulk", {**_WRITERS, "member": 400}),
    ("GET", "console.bulk_template"): ("/app/harvests/bulk/template.csv",
                                       {**_WRITERS, "member": 200}),
})
# The inspector's exports (docs/inspector/EXPORTS.md; who may: test_inspect_exports.py), of a
# lot nobody has.
_NO_EXPORT_LOT = "/app/inspect/lots/08930000000019/NOPE"
_NOT_FOUND = {"anonymous": 302, "member": 404, "inspector": 404, "admin": 404}
CONSOLE_ROUTES.update({
    ("GET", "console.inspect_export"): (_NO_EXPORT_LOT + "/export/events.csv", _NOT_FOUND),
    ("GET", "console.inspect_eudr"): (_NO_EXPORT_LOT + "/eudr", _NOT_FOUND),
    ("POST", "console.inspect_eudr"): (_NO_EXPORT_LOT + "/eudr", _NOT_FOUND),
    ("GET", "console.inspect_exports_find"): ("/app/inspect/exports", _by(302, 200, 200, 200)),
})

# The inspector acts on a lot (docs/inspector/ACTIONS.md): inspectors and admins; a member is
# refused before the lot is looked up; an unknown lot is a 404 (its page cannot be shown).
_ACT = "/app/inspect/lots/09506000134352/NONE/act"
CONSOLE_ROUTES.update({
    ("GET", "console.inspect_act"): (_ACT, _by(302, 403, 404, 404)),
    ("POST", "console.inspect_act_post"): (_ACT + "/hold", _by(302, 403, 404, 404)),
    # a partner's subscriptions: any account of an organisation, and admins (an empty form: 400)
    ("GET", "console.subscriptions"): ("/app/subscriptions", _by(302, 200, 403, 200)),
    ("POST", "console.subscriptions"): ("/app/subscriptions", _by(302, 400, 403, 400)),
})

# The inspector's finding pages (issue #12, docs/inspector/FIND.md, VERIFY.md): inspectors and
# admins only; a POST runs a verification (no change), the CSV is a download.
_INSPECT = {"anonymous": 302, "member": 403, "inspector": 200, "admin": 200}
CONSOLE_ROUTES.update({
    ("GET", "console.inspect_lots"): ("/app/inspect/lots?code=x", _INSPECT),
    ("GET", "console.inspect_org_events"): ("/app/inspect/organisations/999999/events", {
        **_INSPECT, "inspector": 404, "admin": 404}),
    ("GET", "console.inspect_verify"): ("/app/inspect/verify?run=1", _INSPECT),
    ("POST", "console.inspect_verify"): ("/app/inspect/verify", _INSPECT),
    ("GET", "console.inspect_verify_csv"): ("/app/inspect/verify.csv", _INSPECT),
    ("POST", "console.inspect_verify_csv"): ("/app/inspect/verify.csv", _INSPECT),
})
# The dossier (docs/inspector/DOSSIER.md): a lot nobody has. A member is refused as for a lot
# of a lineage it takes no part in (403: whether the lot exists is not said); inspectors and
# admins read every dossier, so they are told it does not exist.
_NO_DOSSIER = "/app/inspect/lots/08930000000019/NOPE"
CONSOLE_ROUTES.update({
    ("GET", "console.inspect_dossier"): (_NO_DOSSIER, _by(302, 403, 404, 404)),
    ("POST", "console.inspect_dossier_verify"): (_NO_DOSSIER + "/verify",
                                                 _by(302, 403, 404, 404)),
    ("GET", "console.inspect_dossier_list"): (_NO_DOSSIER + "/list/plots",
                                              _by(302, 403, 404, 404)),
    ("GET", "console.inspect_open"): ("/app/inspect/open?gtin=08930000000019&lot=NOPE",
                                      _by(302, 303, 303, 303)),
})


def test_the_console_table_covers_every_console_route(app):
    routes = {(m, rule.endpoint) for rule in app.url_map.iter_rules()
              for m in rule.methods - {"HEAD", "OPTIONS"}
              if rule.endpoint.startswith(("console.", "console_static"))}
    assert routes == set(CONSOLE_ROUTES)
    assert {endpoint for _method, endpoint in _ADMIN_PATHS} == ADMIN_ONLY


def test_every_console_route_answers_every_caller_as_the_policy_says(app, console, people):
    clients = {"anonymous": console.client()}
    for role in ("member", "inspector", "admin"):
        clients[role] = console.signed_in(people[role])
    got, wanted = {}, {}
    for (method, endpoint), (path, expected) in CONSOLE_ROUTES.items():
        path = path.format(colleague=people["colleague"]["id"])
        for caller, client in clients.items():
            if method == "GET":
                r = client.get(path)
            else:
                r = client.post(path, data={"csrf": console.csrf(
                    client, "/app/login" if caller == "anonymous" else "/app/")})
            got[(method, endpoint, caller)] = r.status_code
            wanted[(method, endpoint, caller)] = expected[caller]
            if endpoint == "console.logout" and caller != "anonymous":
                clients[caller] = console.signed_in(people[caller])  # signed in again
    wrong = {k: (got[k], wanted[k]) for k in got if got[k] != wanted[k]}
    assert wrong == {}, "(method, route, caller): (answered, expected)\n" + "\n".join(
        f"{k}: {v}" for k, v in wrong.items())

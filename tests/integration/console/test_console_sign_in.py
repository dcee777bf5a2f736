"""Signing in to the console: sessions, cookies, CSRF, the slow-down, one-time links — the
user's tests and, next to each, the one an attacker would write."""

from __future__ import annotations

from http.cookies import SimpleCookie

from tracechain.app_services import app_services
from tracechain.services.accounts import organisations as accounts
from tracechain.services.accounts import passwords, sign_in

from .conftest import CSRF, PASSWORD

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is
# sign-in pages, sessions and CSRF as the browser sees them.
DATABASES = ("sqlite",)


def _cookie(response, name: str) -> SimpleCookie:
    for header in response.headers.getlist("Set-Cookie"):
        jar = SimpleCookie()
        jar.load(header)
        if name in jar:
            return jar
    raise AssertionError(f"no {name} cookie set: {response.headers.getlist('Set-Cookie')}")


def _session_count(app, user_id: int) -> int:
    return sign_in.sessions_of(user_id, app_services(app).unit_of_work())


# --- signing in and out -------------------------------------------------------------------------

def test_sign_in_lands_on_the_start_page_and_sign_out_ends_the_session(app, console, actions):
    org = actions.org("HTX Tiêu Cam Lộ")
    member = console.user("member", org, name="Lê Thị Hoa")
    client = console.client()
    assert client.get("/app/").location.startswith("/app/login?next=/app/")
    r = client.post("/app/login", data={"email": member["email"].upper(), "password": PASSWORD,
                                        "csrf": console.csrf(client)})
    assert (r.status_code, r.location) == (303, "/app/")
    cookie = _cookie(r, "tc_session")["tc_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/app"
    assert not cookie["secure"]  # plain http (a test server): Secure would lose the cookie
    home = client.get("/app/").get_data(as_text=True)
    assert "Xin chào, Lê Thị Hoa" in home and "HTX Tiêu Cam Lộ" in home and "Thành viên" in home
    assert _session_count(app, member["id"]) == 1
    old = cookie.value
    out = console.post(client, "/app/logout")
    assert (out.status_code, out.location) == (303, "/app/login")
    assert _session_count(app, member["id"]) == 0
    # the old cookie, kept by an attacker, signs nobody in
    thief = console.client()
    thief.set_cookie("tc_session", old, path="/app")
    assert thief.get("/app/").status_code == 302


def test_the_session_cookie_is_secure_over_https(app, console, actions):
    admin = console.user("admin")
    client = console.client()
    page = client.get("/app/login", base_url="https://console.example.vn")
    csrf = CSRF.search(page.get_data(as_text=True)).group(1)
    r = client.post("/app/login", base_url="https://console.example.vn",
                    data={"email": admin["email"], "password": PASSWORD, "csrf": csrf})
    assert r.status_code == 303
    assert _cookie(r, "tc_session")["tc_session"]["secure"]


def test_a_wrong_password_and_an_unknown_email_read_the_same(app, console):
    admin = console.user("admin")
    client = console.client()
    wrong = client.post("/app/login", data={"email": admin["email"], "password": "nope-nope-nope",
                                            "csrf": console.csrf(client)})
    unknown = client.post("/app/login", data={"email": "ghost@example.vn",
                                              "password": "nope-nope-nope",
                                              "csrf": console.csrf(client)})
    assert wrong.status_code == unknown.status_code == 401
    assert "Sai e-mail hoặc mật khẩu." in wrong.get_data(as_text=True)
    body = unknown.get_data(as_text=True)
    assert "Sai e-mail hoặc mật khẩu." in body and "ghost@example.vn" in body  # kept in the form
    assert "tc_session" not in str(wrong.headers.getlist("Set-Cookie"))
    english = client.post("/app/login?lang=en", data={"email": admin["email"], "password": "x",
                                                      "csrf": console.csrf(client)})
    assert "Wrong e-mail or password." in english.get_data(as_text=True)


def test_a_forged_session_cookie_signs_nobody_in(app, console):
    console.user("admin")
    client = console.client()
    for forged in ("abc", "x" * 43, "' OR 1=1 --", "A" * 3000):
        client.set_cookie("tc_session", forged, path="/app")
        assert client.get("/app/").status_code == 302
        assert client.get("/app/admin/users").status_code == 302


def test_a_session_expires(app, console, clock):
    admin = console.user("admin")
    client = console.signed_in(admin)
    clock.advance(hours=11, minutes=59)
    assert client.get("/app/").status_code == 200
    clock.advance(minutes=2)
    assert client.get("/app/").status_code == 302


# --- session fixation ---------------------------------------------------------------------------

def test_signing_in_never_keeps_a_session_id_the_browser_had(app, console):
    attacker, victim = console.user("inspector"), console.user("admin")
    # An id planted before sign-in is replaced, and one of a real session (the attacker's own,
    # planted in the victim's browser) is ended, not promoted to the victim.
    planted_client = console.signed_in(attacker)
    planted = planted_client.get_cookie("tc_session", path="/app").value
    browser = console.client()
    browser.set_cookie("tc_session", planted, path="/app")
    r = browser.post("/app/login", data={"email": victim["email"], "password": PASSWORD,
                                         "csrf": console.csrf(browser, "/app/")})
    assert r.status_code == 303
    fresh = _cookie(r, "tc_session")["tc_session"].value
    assert fresh != planted
    assert planted_client.get("/app/").status_code == 302  # the planted session is gone
    assert "Admin" in browser.get("/app/").get_data(as_text=True)


# --- CSRF ---------------------------------------------------------------------------------------

def test_a_form_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(app, console):
    admin = console.user("admin")
    client = console.signed_in(admin)
    before = client.get("/app/admin/users").get_data(as_text=True).count("<li>")
    invite = {"email": "new@example.vn", "name": "Mới", "role": "inspector"}
    for token in (None, "", "wrong", console.csrf(console.client())):  # another browser's
        data = dict(invite) if token is None else {**invite, "csrf": token}
        r = client.post("/app/admin/users", data=data)
        assert r.status_code == 400
        assert "Biểu mẫu đã hết hạn" in r.get_data(as_text=True)
    assert client.get("/app/admin/users").get_data(as_text=True).count("<li>") == before
    # sign-out and sign-in need it too
    assert client.post("/app/logout").status_code == 400
    assert client.get("/app/").status_code == 200
    stranger = console.client()
    r = stranger.post("/app/login", data={"email": admin["email"], "password": PASSWORD})
    assert r.status_code == 400 and "tc_session" not in str(r.headers.getlist("Set-Cookie"))


# --- the slow-down ------------------------------------------------------------------------------

def test_failed_attempts_slow_an_account_down_without_sleeping(app, console, clock):
    admin = console.user("admin")
    client = console.client()

    def attempt(password: str, lang: str = "vi"):
        return client.post(f"/app/login?lang={lang}", data={
            "email": admin["email"], "password": password, "csrf": console.csrf(client)})

    for _ in range(4):
        assert attempt("wrong-guess-1").status_code == 401
    fifth = attempt("wrong-guess-1")
    assert fifth.status_code == 429 and fifth.headers["Retry-After"] == "30"
    assert "Hãy đợi 1 phút" in fifth.get_data(as_text=True)
    # locked: even the right password waits, and says so in the reader's language
    locked = attempt(PASSWORD, "en")
    assert locked.status_code == 429 and "Wait 1 minutes" in locked.get_data(as_text=True)
    clock.advance(seconds=31)
    assert attempt("wrong-guess-2").status_code == 429  # the next failure waits twice as long
    clock.advance(seconds=59)
    assert attempt(PASSWORD).status_code == 429
    clock.advance(seconds=2)
    assert attempt(PASSWORD).status_code == 303
    # a success clears the account's count
    other = console.client()
    r = other.post("/app/login", data={"email": admin["email"], "password": "wrong-again",
                                       "csrf": console.csrf(other)})
    assert r.status_code == 401


def test_an_unknown_email_is_slowed_down_like_a_known_one(app, console, clock):
    client = console.client()
    codes = [client.post("/app/login", data={"email": "nobody@example.vn", "password": "guess",
                                             "csrf": console.csrf(client)}).status_code
             for _ in range(6)]
    assert codes == [401, 401, 401, 401, 429, 429]


def test_one_client_guessing_many_accounts_is_slowed_down(app, console, clock):
    victim = console.user("member",
                          org={"id": accounts.create_organisation(
                              "HTX Khe Sanh", "cooperative", "8935550000014",
                              app_services(app).unit_of_work())})
    client = console.client("203.0.113.7")
    for i in range(19):
        r = client.post("/app/login", data={"email": f"guess{i}@example.vn", "password": "x",
                                            "csrf": console.csrf(client)})
        assert r.status_code == 401
    r = client.post("/app/login", data={"email": "guess-last@example.vn", "password": "x",
                                        "csrf": console.csrf(client)})
    assert r.status_code == 429
    # the address waits, even for a right password; another address does not
    r = client.post("/app/login", data={"email": victim["email"], "password": PASSWORD,
                                        "csrf": console.csrf(client)})
    assert r.status_code == 429
    assert console.signed_in(victim, console.client(
        "198.51.100.2")).get("/app/").status_code == 200


# --- one-time links -----------------------------------------------------------------------------

def test_an_invite_link_sets_a_password_once(app, console, clock):
    _, token = passwords.invite(None, "hoa@example.vn", "Hoa", "inspector", None, console.uow,
                                now=clock())
    client = console.client()
    page = client.get(f"/app/set-password/{token}")
    assert page.status_code == 200 and "hoa@example.vn" in page.get_data(as_text=True)
    csrf = console.csrf(client, f"/app/set-password/{token}")
    r = client.post(f"/app/set-password/{token}", data={
        "password": "mot-mat-khau-dai", "confirmation": "mot-mat-khau-dai", "csrf": csrf})
    assert (r.status_code, r.location) == (303, "/app/login?done=password")
    again = client.get(f"/app/set-password/{token}")
    assert again.status_code == 410
    assert "đã được dùng" in again.get_data(as_text=True)
    assert console.signed_in({"email": "hoa@example.vn", "password": "mot-mat-khau-dai"})


def test_an_admin_invite_used_twice_changes_nothing_the_second_time(app, console, clock):
    _, token = passwords.invite(None, "root@example.vn", "Root", "admin", None, console.uow,
                                now=clock())
    first, second = console.client(), console.client()
    csrf1 = console.csrf(first, f"/app/set-password/{token}")
    csrf2 = console.csrf(second, f"/app/set-password/{token}")  # the attacker opened it too
    ok = first.post(f"/app/set-password/{token}", data={
        "password": "owner-password-1", "confirmation": "owner-password-1", "csrf": csrf1})
    assert ok.status_code == 303
    late = second.post(f"/app/set-password/{token}", data={
        "password": "attacker-password", "confirmation": "attacker-password", "csrf": csrf2})
    assert late.status_code == 410
    console.signed_in({"email": "root@example.vn", "password": "owner-password-1"})
    refused = console.client()
    r = refused.post("/app/login", data={"email": "root@example.vn",
                                         "password": "attacker-password",
                                         "csrf": console.csrf(refused)})
    assert r.status_code == 401


def test_an_expired_or_unknown_link_sets_nothing(app, console, clock):
    _, token = passwords.invite(None, "late@example.vn", "Late", "inspector", None, console.uow,
                                now=clock())
    clock.advance(hours=72, seconds=1)
    client = console.client()
    r = client.get(f"/app/set-password/{token}")
    assert r.status_code == 410 and "hết hạn" in r.get_data(as_text=True)
    r = client.post(f"/app/set-password/{token}", data={
        "password": "mot-mat-khau-dai", "confirmation": "mot-mat-khau-dai",
        "csrf": console.csrf(client)})
    assert r.status_code == 410
    assert client.get("/app/set-password/not-a-token").status_code == 404


def test_password_rules_are_explained_in_the_readers_language(app, console, clock):
    _, token = passwords.invite(None, "rules@example.vn", "R", "inspector", None, console.uow,
                                now=clock())
    client = console.client()
    path = f"/app/set-password/{token}"
    cases = {"short": "ít nhất 10 ký tự", "rules@example.vn": "Không dùng địa chỉ e-mail",
             "matkhau123": "quá phổ biến"}
    for password, message in cases.items():
        r = client.post(path, data={"password": password, "confirmation": password,
                                    "csrf": console.csrf(client, path)})
        assert r.status_code == 400 and message in r.get_data(as_text=True), password
    r = client.post(path + "?lang=en", data={"password": "long-enough-1", "confirmation": "other",
                                             "csrf": console.csrf(client, path)})
    assert r.status_code == 400 and "The two passwords differ." in r.get_data(as_text=True)
    assert client.get(path).status_code == 200  # still usable: nothing was set


def test_a_reset_link_replaces_the_password_and_ends_sessions(app, console, clock):
    member = console.user("inspector")
    signed = console.signed_in(member)
    token = passwords.reset_link(None, member["id"], console.uow, now=clock())
    passwords.set_password(token, "a-brand-new-one", "a-brand-new-one", console.uow, now=clock())
    assert signed.get("/app/").status_code == 302
    console.signed_in({**member, "password": "a-brand-new-one"})


def test_after_sign_in_the_browser_goes_back_to_console_pages_only(app, console):
    admin = console.user("admin")
    for target, lands in (("/app/admin/users", "/app/admin/users"),
                          ("//evil.example/app/", "/app/"), ("https://evil.example/", "/app/"),
                          ("/app/\\\\evil.example", "/app/"), ("/api/v1/lots", "/app/")):
        client = console.client()
        r = client.post("/app/login", data={"email": admin["email"], "password": PASSWORD,
                                            "next": target, "csrf": console.csrf(client)})
        assert (r.status_code, r.location) == (303, lands), target

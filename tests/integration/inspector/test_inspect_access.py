"""Every inspector's page and action × every caller, on a real lot (issue #12: "every page and
action × role tested"). ``CONSOLE_ROUTES`` (test_console_admin.py) has one member, of an
organisation with no goods, and lots nobody has; here the demo's pepper export lot, held by the
exporter, read by: nobody signed in, a member of the holding organisation, a member of an
organisation with no part in its lineage (the coffee cooperative), the authority's inspector and
an admin. Requests that would change something are sent empty or to a lot not on hold: the
answer says who was let through to the checks, and nothing is stored."""

from __future__ import annotations

from sqlalchemy import text

from tracechain.app_services import app_services

from .test_inspect_find import _org

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is the
# access policy, the inspector's routes by caller.
DATABASES = ("sqlite",)

LOT = "/app/inspect/lots/08936101000217/QT25-G550-01"
CALLERS = ("anonymous", "holder", "other", "inspector", "admin")
EXPORTER, COFFEE_COOP, AUTHORITY = "8936102000018", "8936103000017", "8936105000015"
TABLES = ("events", "capture_jobs", "holds", "recalls", "eudr_statements", "named_queries",
          "subscriptions")


def _by(codes: str) -> dict[str, int]:
    return dict(zip(CALLERS, (int(c) for c in codes.split()), strict=True))


# (method, path) -> status per caller. 302: to the sign-in page; 303: a redirect after a form.
TABLE = {
    ("GET", "/app/inspect/lots?code=g550"): _by("302 403 403 200 200"),
    ("GET", "/app/inspect/exports"): _by("302 200 200 200 200"),
    ("GET", "/app/inspect/exports?gtin=08936101000217&lot=QT25-G550-01"):
        _by("302 303 303 303 303"),
    ("GET", "/app/inspect/organisations/{exporter}/events"): _by("302 403 403 200 200"),
    ("GET", "/app/inspect/verify"): _by("302 403 403 200 200"),
    ("POST", "/app/inspect/verify"): _by("302 403 403 200 200"),
    ("GET", "/app/inspect/verify.csv"): _by("302 403 403 200 200"),
    ("POST", "/app/inspect/verify.csv"): _by("302 403 403 200 200"),
    ("GET", "/app/inspect/open?gtin=08936101000217&lot=QT25-G550-01"):
        _by("302 303 303 303 303"),
    ("GET", LOT): _by("302 200 403 200 200"),
    ("POST", LOT + "/verify"): _by("302 200 403 200 200"),
    ("GET", LOT + "/list/plots"): _by("302 200 403 200 200"),
    ("GET", LOT + "/export/events.csv"): _by("302 200 403 200 200"),
    ("GET", LOT + "/eudr"): _by("302 200 403 200 200"),
    # the EU's numbers, sent empty: the holder and admins get to the form's checks
    ("POST", LOT + "/eudr"): _by("302 400 403 403 400"),
    ("GET", LOT + "/act"): _by("302 403 403 200 200"),
    # sent empty: inspectors and admins get to the form's checks; a release of a lot not on
    # hold is a conflict
    ("POST", LOT + "/act/inspection"): _by("302 403 403 400 400"),
    ("POST", LOT + "/act/hold"): _by("302 403 403 400 400"),
    ("POST", LOT + "/act/release"): _by("302 403 403 400 400"),
    ("POST", LOT + "/act/recall"): _by("302 403 403 400 400"),
    ("POST", LOT + "/act/lift"): _by("302 403 403 400 400"),
    # a partner's subscriptions: any account of an organisation (the authority's inspector
    # too), and admins; sent empty: the form's checks
    ("GET", "/app/subscriptions"): _by("302 200 200 200 200"),
    ("POST", "/app/subscriptions"): _by("302 400 400 400 400"),
}


def _counts(app) -> dict[str, int]:
    with app_services(app).engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def test_every_inspector_route_answers_every_caller_as_the_policy_says(app, anchored, console):
    exporter = _org(anchored, EXPORTER)
    clients = {
        "anonymous": console.client(),
        "holder": console.signed_in(console.user("member", exporter, email="mua@xnk.vn")),
        "other": console.signed_in(console.user("member", _org(anchored, COFFEE_COOP),
                                                email="ca-phe@eatu.vn")),
        "inspector": console.signed_in(console.user("inspector", _org(anchored, AUTHORITY),
                                                    email="thanh-tra@skhcn.gov.vn")),
        "admin": console.signed_in(console.user("admin", email="quan-tri@tracechain.vn")),
    }
    before = _counts(app)
    got, wanted = {}, {}
    for (method, path), expected in TABLE.items():
        path = path.format(exporter=exporter["id"])
        for caller, client in clients.items():
            if method == "GET":
                r = client.get(path)
            else:
                r = client.post(path, data={"csrf": console.csrf(
                    client, "/app/login" if caller == "anonymous" else "/app/")})
            got[(method, path, caller)] = r.status_code
            wanted[(method, path, caller)] = expected[caller]
            if r.status_code == 302:
                assert r.location.startswith("/app/login"), (method, path, caller)
    wrong = {k: (got[k], wanted[k]) for k in got if got[k] != wanted[k]}
    assert wrong == {}, "(method, path, caller): (answered, expected)\n" + "\n".join(
        f"{k}: {v}" for k, v in wrong.items())
    assert _counts(app) == before  # nothing stored by any of them


def test_the_table_covers_every_inspector_route(app):
    """A new inspector's route takes its row above."""
    urls = app.url_map.bind("localhost")
    covered = {(m, urls.match(p.split("?")[0].format(exporter=1), method=m)[0])
               for m, p in TABLE}
    routes = {(m, rule.endpoint) for rule in app.url_map.iter_rules()
              for m in rule.methods - {"HEAD", "OPTIONS"}
              if rule.rule.startswith(("/app/inspect", "/app/subscriptions"))}
    assert routes == covered

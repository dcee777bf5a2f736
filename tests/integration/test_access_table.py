"""The whole access policy in one table: every route × every kind of caller → the status code.

The callers: a member of the organisation that owns the goods (``own``), a member of another
organisation (``other``), an inspector, an admin with an organisation of its own, an admin with
none, and nobody (no token). Every request that could change something works on goods set up
for that caller alone, so the answers do not depend on the order the table is read in.
A change of rule shows up here as one changed cell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from tests.integration.epcis_docs import document
from tests.support.cooperative import POINT, Coop, auth, coop, sscc, with_check_digit

# PostgreSQL runs the tests whose subject is the database (docs/TESTING.md); this module's is the
# access policy, route by caller.
DATABASES = ("sqlite",)

ROLES = ("own", "other", "inspector", "admin", "admin-no-org", "anonymous")
PREFIX = "8937777"  # the owner's GS1 company prefix

def _expect(codes: str) -> dict[str, int]:
    return dict(zip(ROLES, (int(c) for c in codes.split()), strict=True))


@dataclass
class Route:
    method: str
    path: str  # format fields: the world's names (w) and the caller (role)
    expected: dict[str, int]
    body: object = None  # a dict, or a function (world, role) -> dict

    def request(self, client, world, role: str):
        path = self.path.format(w=world, role=role, cert=world.certs.get(role),
                                link=world.links.get(role), sub=world.subs.get(role))
        body = self.body(world, role) if callable(self.body) else self.body
        headers = world.headers[role]
        if self.method == "POST" and path == "/epcis/capture":
            return client.post(path, data=json.dumps(body), headers=headers,
                               content_type="application/ld+json")
        return client.open(path, method=self.method, json=body, headers=headers)


def _lot(gtin: str, lot: str, kg: float | None = None) -> dict:
    out = {"gtin": gtin, "lot": lot}
    if kg is not None:
        out["quantity"] = kg
    return out


def _observation(w, role):
    return document({
        "type": "ObjectEvent", "eventTime": f"2025-04-0{ROLES.index(role) + 1}T08:00:00+07:00",
        "eventTimeZoneOffset": "+07:00", "action": "OBSERVE", "bizStep": "inspecting",
        "quantityList": [{"epcClass": f"https://id.gs1.org/01/{w.berries}/10/L0",
                          "quantity": 10, "uom": "KGM"}]})


LOT = "/api/v1/lots/{w.berries}/L0"
SOLD = "/api/v1/lots/{w.berries}/B0"
TABLE = {
    # public: no token needed, nothing refused
    "GET /healthz": Route("GET", "/healthz", _expect("200 200 200 200 200 200")),
    "GET /api/openapi.json": Route("GET", "/api/openapi.json",
                                   _expect("200 200 200 200 200 200")),
    "GET lot qr": Route("GET", LOT + "/qr.svg", _expect("200 200 200 200 200 200")),
    "GET item qr": Route("GET", "/api/v1/items/{w.berries}/{w.serial}/qr.png",
                         _expect("200 200 200 200 200 200")),
    "GET public audit pack": Route("GET", "/api/v1/public/lots/{w.berries}/L0/audit-pack",
                                   _expect("200 200 200 200 200 200")),
    # EPCIS
    "POST /epcis/capture": Route("POST", "/epcis/capture", _expect("202 403 403 202 202 401"),
                                 _observation),
    "GET /epcis/capture/{id}": Route("GET", "/epcis/capture/{w.job}",
                                     _expect("200 404 200 200 200 401")),
    "GET /epcis/events": Route("GET", "/epcis/events", _expect("200 200 200 200 200 401")),
    "GET /epcis/events/{id}": Route("GET", "/epcis/events/{w.event}",
                                    _expect("200 404 200 200 200 401")),
    "POST /epcis/events": Route("POST", "/epcis/events", _expect("201 403 403 201 201 401"),
                                lambda w, role: {**_observation(w, role)["epcisBody"][
                                    "eventList"][0], "bizStep": "storing"}),
    "GET /epcis/capture": Route("GET", "/epcis/capture", _expect("200 200 200 200 200 401")),
    "GET /epcis/": Route("GET", "/epcis/", _expect("200 200 200 200 200 401")),
    "DELETE /epcis/nextPageToken": Route("DELETE", "/epcis/nextPageToken/e30",
                                         _expect("204 204 204 204 204 401")),
    **{f"GET /epcis/{r}": Route("GET", f"/epcis/{r}", _expect("200 200 200 200 200 401"))
       for r in ("eventTypes", "epcs", "bizSteps", "bizLocations", "readPoints", "dispositions")},
    # A value only the owner's events have: not found for another organisation.
    **{f"GET /epcis/{r}/{{v}}{tail}": Route("GET", f"/epcis/{r}/{v}{tail}", _expect(codes))
       for r, v, codes in (
           ("eventTypes", "ObjectEvent", "200 200 200 200 200 401"),
           ("epcs", "https://id.gs1.org/00/{w.sscc_packed[own]}", "200 404 200 200 200 401"),
           ("bizSteps", "inspecting", "200 404 200 200 200 401"),
           ("bizLocations", "https://id.gs1.org/414/{w.own.org[gln]}", "200 404 200 200 200 401"),
           ("readPoints", "https://id.gs1.org/414/{w.own.org[gln]}", "200 404 200 200 200 401"),
           ("dispositions", "active", "200 404 200 200 200 401"))
       for tail in ("", "/events")},
    # catalogue
    "GET products": Route("GET", "/api/v1/products", _expect("200 200 200 200 200 401")),
    "GET product": Route("GET", "/api/v1/products/{w.berries}",
                         _expect("200 200 200 200 200 401")),
    # A GTIN under the owner's company prefix, for the owner: admins may name it, no one else.
    "POST products": Route("POST", "/api/v1/products", _expect("201 403 403 201 201 401"),
                           lambda w, role: {"gtin": w.prefixed[role], "kind": "black_pepper",
                                            "nameVi": "Tiêu", "nameEn": "Pepper",
                                            "organisationId": w.own.org["id"]}),
    "GET farms": Route("GET", "/api/v1/farms", _expect("200 200 200 200 200 401")),
    "POST farms": Route("POST", "/api/v1/farms", _expect("201 201 403 201 400 401"),
                        lambda w, role: {"code": f"F-{role}", "farmerName": "Lê Văn Tư",
                                         "commune": "Cam Thành", "province": "Quảng Trị"}),
    # Publication is the farmer's consent, the cooperative's to record: not even an admin's.
    "PATCH farm": Route("PATCH", "/api/v1/farms/{w.farm}", _expect("200 403 403 403 403 401"),
                        {"publishFarmerName": True}),
    "GET plots": Route("GET", "/api/v1/farms/{w.farm}/plots",
                       _expect("200 403 200 200 200 401")),
    "POST plots": Route("POST", "/api/v1/farms/{w.farm}/plots",
                        _expect("201 403 403 201 201 401"),
                        lambda w, role: {"code": f"P-{role}", "areaHa": 1.0, "crop": "pepper",
                                         "geometry": POINT}),
    # steps: an admin records them for its own organisation, under its custody
    "POST harvests": Route("POST", "/api/v1/harvests", _expect("201 403 403 403 400 401"),
                           lambda w, role: {"plotId": w.plot, "gtin": w.berries,
                                            "lot": f"N-{role}", "quantity": 100,
                                            "harvestDate": "2025-03-01"}),
    "POST transformations": Route(
        "POST", "/api/v1/transformations", _expect("201 403 403 403 400 401"),
        lambda w, role: {"process": "drying", "inputs": [_lot(w.berries, f"T-{role}", 100)],
                         "outputs": [_lot(w.black, f"D-{role}", 30)]}),
    "POST packings": Route("POST", "/api/v1/packings", _expect("201 403 403 403 400 401"),
                           lambda w, role: {"sscc": w.sscc_new[role],
                                            "lots": [_lot(w.berries, f"K-{role}", 100)]}),
    "POST unpackings": Route("POST", "/api/v1/unpackings", _expect("201 403 403 403 400 401"),
                             lambda w, role: {"sscc": w.sscc_packed[role]}),
    "POST shipments": Route("POST", "/api/v1/shipments", _expect("201 403 403 403 400 401"),
                            lambda w, role: {"toGln": w.buyer["gln"],
                                             "lots": [_lot(w.berries, f"S-{role}")]}),
    # goods the owner shipped to the other organisation: only it receives them (the owner is
    # told they are still in its custody)
    "POST receipts": Route("POST", "/api/v1/receipts", _expect("400 201 403 403 400 401"),
                           lambda w, role: {"lots": [_lot(w.berries, f"R-{role}")]}),
    # lots
    "GET lots": Route("GET", "/api/v1/lots", _expect("200 200 200 200 200 401")),
    "GET lot": Route("GET", LOT, _expect("200 403 200 200 200 401")),
    "GET trace": Route("GET", LOT + "/trace", _expect("200 403 200 200 200 401")),
    "GET recalls": Route("GET", LOT + "/recalls", _expect("200 403 200 200 200 401")),
    "POST recall": Route("POST", "/api/v1/lots/{w.berries}/RN-{role}/recall",
                         _expect("201 403 201 201 201 401"), {"reason": "Salmonella found"}),
    # a recall the owner ordered: the owner and the authorities lift it
    "DELETE recall": Route("DELETE", "/api/v1/lots/{w.berries}/RC-{role}/recall"
                                     "?reason=Re-tested",
                           _expect("200 403 200 200 200 401")),
    # the inspector's actions (issue #12): inspectors and admins only; a release of a lot that
    # is not on hold is a 404 for them, and still a 403 for members
    "POST inspection": Route("POST", "/api/v1/inspect/lots/{w.berries}/L0/inspections",
                             _expect("403 403 201 201 201 401"),
                             {"kind": "inspection", "note": "Warehouse visit"}),
    "POST hold": Route("POST", "/api/v1/inspect/lots/{w.berries}/RN-{role}/hold",
                       _expect("403 403 201 201 201 401"), {"reason": "Aflatoxin found"}),
    "POST release": Route("POST", "/api/v1/inspect/lots/{w.berries}/L0/release",
                          _expect("403 403 404 404 404 401"), {"reason": "Re-tested: fine"}),
    "GET holds": Route("GET", "/api/v1/inspect/lots/{w.berries}/L0/holds",
                       _expect("403 403 200 200 200 401")),
    "GET affected": Route("GET", "/api/v1/inspect/lots/{w.berries}/L0/affected",
                          _expect("403 403 200 200 200 401")),
    "GET serials": Route("GET", LOT + "/serials", _expect("200 403 200 200 200 401")),
    "POST serials": Route("POST", LOT + "/serials", _expect("201 403 403 403 400 401"),
                          {"count": 1}),
    "GET labels": Route("GET", LOT + "/labels.pdf?count=1", _expect("200 403 403 200 200 401")),
    # sold on: the other organisation holds B0, the owner made it and owns its GTIN
    "GET lot (sold on)": Route("GET", SOLD, _expect("200 200 200 200 200 401")),
    "GET labels (sold on)": Route("GET", SOLD + "/labels.pdf?count=1",
                                  _expect("200 403 403 200 200 401")),
    "POST serials (sold on)": Route("POST", SOLD + "/serials", _expect("403 403 403 403 400 401"),
                                    {"count": 1}),
    # verification
    "GET audit pack": Route("GET", LOT + "/audit-pack", _expect("200 403 200 200 200 401")),
    "GET verify lot": Route("GET", "/api/v1/verify/lot/{w.berries}/L0",
                            _expect("200 403 200 200 200 401")),
    "GET verify event": Route("GET", "/api/v1/verify/event/{w.event}",
                              _expect("200 404 200 200 200 401")),
    "GET proof": Route("GET", "/api/v1/events/{w.event}/proof",
                       _expect("200 404 200 200 200 401")),
    # certifications: members manage their own, admins anyone's (an admin with none must name one)
    "GET certifications": Route("GET", "/api/v1/certifications",
                                _expect("200 200 200 200 200 401")),
    "POST certifications": Route("POST", "/api/v1/certifications",
                                 _expect("201 201 403 201 400 401"),
                                 lambda w, role: {"scheme": "VietGAP", "code": f"C-{role}"}),
    "DELETE certification": Route("DELETE", "/api/v1/certifications/{cert}",
                                  _expect("204 403 403 204 204 401")),
    # resolver links: public to read, the product's owner (and admins) change them
    "GET product links": Route("GET", "/api/v1/products/{w.berries}/links",
                               _expect("200 200 200 200 200 401")),
    "POST product links": Route("POST", "/api/v1/products/{w.berries}/links",
                                _expect("201 403 403 201 201 401"),
                                {"linkType": "gs1:pip", "href": "https://camlo.example/",
                                 "title": "HTX Cam Lộ"}),
    "DELETE product link": Route("DELETE", "/api/v1/products/{w.berries}/links/{link}",
                                 _expect("204 403 403 204 204 401")),
    # unusual records: each sees its own (an admin without an organisation, everyone's); a
    # note on a record that is not unusual is a 404, except for another organisation's member
    "GET flags": Route("GET", "/api/v1/flags", _expect("200 200 200 200 200 401")),
    # issue #12: the inspector's lot search (docs/inspector/FIND.md)
    "GET inspect lots": Route("GET", "/api/v1/inspect/lots?code=L",
                              _expect("403 403 200 200 200 401")),
    "POST flag note": Route("POST", "/api/v1/flags/harvest-yield-{w.event_pk}/notes",
                            _expect("404 403 404 404 404 401"),
                            {"text": "Weighed twice, the scale was right."}),
    # named queries and subscriptions: the owner's (organisation's) alone; to anyone else they
    # do not exist. Each caller tries to delete a query and a subscription of the owner's.
    "GET queries": Route("GET", "/epcis/queries", _expect("200 200 200 200 200 401")),
    "POST queries": Route("POST", "/epcis/queries", _expect("201 201 201 201 201 401"),
                          lambda w, role: {"name": f"q-{role}", "query": {}}),
    "GET query": Route("GET", "/epcis/queries/mine", _expect("200 404 404 404 404 401")),
    "DELETE query": Route("DELETE", "/epcis/queries/del-{role}",
                          _expect("204 404 404 404 404 401")),
    "GET query events": Route("GET", "/epcis/queries/mine/events",
                              _expect("200 404 404 404 404 401")),
    "GET subscriptions": Route("GET", "/epcis/queries/mine/subscriptions",
                               _expect("200 404 404 404 404 401")),
    "POST subscriptions": Route("POST", "/epcis/queries/mine/subscriptions",
                                _expect("201 404 404 404 404 401"),
                                {"dest": "https://example.com/hook", "stream": True}),
    "GET subscription": Route("GET", "/epcis/queries/mine/subscriptions/{sub}",
                              _expect("200 404 404 404 404 401")),
    "GET deliveries": Route("GET", "/epcis/queries/mine/subscriptions/{sub}/deliveries",
                            _expect("200 404 404 404 404 401")),
    "DELETE subscription": Route("DELETE", "/epcis/queries/mine/subscriptions/{sub}",
                                 _expect("204 404 404 404 404 401")),
    # the consumer's 404 page: anyone may report a suspected fake
    "POST report-fake": Route("POST", "/report-fake", _expect("201 201 201 201 201 201"),
                              {"code": "/01/08936101000217/10/FAKE-1"}),
}


class World:
    """The owner's goods, set up through the API the way a cooperative would."""

    def __init__(self, client, actions):
        self.own = coop(client, actions, "HTX Cam Lộ")
        with actions.uow as u:  # the owner's company prefix, recorded by the operator
            from tracechain.store.accounts import Organisation

            u.session.get(Organisation, self.own.org["id"]).company_prefix = PREFIX
            u.session.commit()
        self.other = coop(client, actions, "HTX Cam Thành")
        operator = actions.org("Liên hiệp HTX Quảng Trị")
        self.buyer = actions.org("Kaffeehandel Hamburg", "importer")
        self.headers = {
            "own": self.own.headers, "other": self.other.headers,
            "inspector": auth(actions.inspector()),
            "admin": auth(actions.token("admin", operator)),
            "admin-no-org": auth(actions.token("admin")), "anonymous": {}}
        own = self.own
        self.berries, self.black = own.product("pepper_berries"), own.product("black_pepper")
        self.plot = own.plot()
        self.farm = own.get("/api/v1/farms")[0]["id"]
        harvested = own.harvest(self.plot, self.berries, "L0", 100)
        self.event = quote(harvested["eventID"], safe="")
        with actions.uow as u:
            from sqlalchemy import select

            from tracechain.store.events import Event

            self.event_pk = u.session.scalar(select(Event.id).where(
                Event.event_id == harvested["eventID"]))
        self.serial = own.post(f"lots/{self.berries}/L0/serials",
                               {"count": 1})["serials"][0]["serial"]
        own.harvest(self.plot, self.berries, "B0", 100)
        own.ship(self.other.org, [(self.berries, "B0")])
        self.other.receive([(self.berries, "B0")])
        self.sscc_new, self.sscc_packed, self.certs, self.links = {}, {}, {}, {}
        self.prefixed = {role: "0" + with_check_digit(f"{PREFIX}{i:05d}")
                         for i, role in enumerate(ROLES)}
        for i, role in enumerate(ROLES):
            for prefix in ("T", "K", "S", "R", "U", "RN", "RC"):
                own.harvest(self.plot, self.berries, f"{prefix}-{role}", 100)
            self.sscc_new[role], self.sscc_packed[role] = sscc(9000 + i), sscc(9100 + i)
            own.post("packings", {"sscc": self.sscc_packed[role],
                                  "lots": [_lot(self.berries, f"U-{role}", 100)]})
            own.ship(self.other.org, [(self.berries, f"R-{role}")])
            own.post(f"lots/{self.berries}/RC-{role}/recall", {"reason": "Suspected mould"})
            self.certs[role] = own.post("certifications",
                                        {"scheme": "4C", "code": f"4C-{role}"})["id"]
            self.links[role] = own.post(f"products/{self.berries}/links", {
                "linkType": "gs1:instructions", "href": f"https://camlo.example/{role}",
                "title": role})["id"]
        response = client.post("/epcis/capture", data=json.dumps(_observation(self, "own")),
                               content_type="application/ld+json", headers=own.headers)
        self.job = response.json["captureID"]
        from tracechain.app_services import app_services

        app_services(client.application).reconfigure(webhook_allow="example.com")
        self.subs = {}
        client.post("/epcis/queries", json={"name": "mine", "query": {}}, headers=own.headers)
        for role in ROLES:
            client.post("/epcis/queries", json={"name": f"del-{role}", "query": {}},
                        headers=own.headers)
            self.subs[role] = client.post(
                "/epcis/queries/mine/subscriptions", headers=own.headers,
                json={"dest": "https://example.com/hook", "stream": True}).json["subscriptionID"]


def test_every_route_answers_every_caller_as_the_policy_says(client, actions, app):
    world = World(client, actions)
    assert isinstance(world.own, Coop)
    got, wanted = {}, {}
    for name, route in TABLE.items():
        for role in ROLES:
            response = route.request(client, world, role)
            got[(name, role)] = response.status_code
            wanted[(name, role)] = route.expected[role]
    wrong = {k: (got[k], wanted[k]) for k in got if got[k] != wanted[k]}
    assert wrong == {}, "(route, caller): (answered, expected)\n" + "\n".join(
        f"{k}: {v}" for k, v in wrong.items())


def test_the_table_covers_every_route_of_the_app(app):
    """A new route must take its row in the table above (pages and the resolver are public)."""
    urls = app.url_map.bind("localhost")
    covered = {(r.method, urls.match(r.path.split("?")[0].format(
        w=_Names(), role="own", cert=1, link=1, sub="x"), method=r.method)[0])
        for r in TABLE.values()}
    public = {"home.index", "home.healthz", "static", "api-docs.openapi_swagger_ui",
              "api_docs_asset", "resolver.resolve", "resolver.resolver_description",
              "resolver.compressed"}
    routes = {(m, rule.endpoint) for rule in app.url_map.iter_rules()
              for m in rule.methods - {"HEAD", "OPTIONS"}
              if rule.endpoint not in public and not rule.websocket
              # the console's pages (sessions, not tokens) have their own table:
              # tests/integration/console/test_console_admin.py::CONSOLE_ROUTES
              and not rule.endpoint.startswith(("console.", "console_static"))}
    assert routes - covered == set()
    # WebSocket rules (the same paths, upgraded) are checked over a live socket, caller by
    # caller, in test_subscriptions.py::test_websocket_is_refused_before_the_upgrade.
    assert {rule.endpoint for rule in app.url_map.iter_rules() if rule.websocket} == {
        "epcis_queries.query_events_websocket", "epcis_queries.subscriptions_websocket"}


class _Names:
    """Stand-in names to fill the table's paths with."""

    berries = black = "08930000000017"
    job = event = serial = "x"
    sscc_packed = {"own": "x"}
    own = type("Own", (), {"org": {"gln": "x"}})
    farm = event_pk = 1

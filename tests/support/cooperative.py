"""Building blocks for the cooperative API tests: GS1 keys, and a cooperative set up over HTTP."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from tracechain.gs1.keys import check_digit

_serial = itertools.count(1)


def with_check_digit(body: str) -> str:
    return body + str(check_digit(body))


def new_gtin() -> str:
    """A fresh GTIN-13 under 893 (Vietnam), check digit included."""
    return with_check_digit(f"8930000{next(_serial):05d}")


def sscc(serial: int) -> str:
    """An SSCC: extension 3, company prefix 8930000, serial, check digit (18 digits)."""
    return with_check_digit(f"38930000{serial:09d}")


# A 1.2 ha pepper plot near Cam Lộ, Quảng Trị, as a Point (allowed up to 4 ha).
POINT = {"type": "Point", "coordinates": [107.004512, 16.781234]}


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Coop:
    """One organisation with a member token, and helpers that call the API as that member."""

    client: object
    org: dict
    token: str

    @property
    def headers(self) -> dict:
        return auth(self.token)

    def post(self, path: str, body: dict, expect: int = 201) -> dict:
        response = self.client.post(f"/api/v1/{path}", json=body, headers=self.headers)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def get(self, path: str, expect: int = 200):
        response = self.client.get(path, headers=self.headers)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def product(self, kind: str, name: str = "") -> str:
        gtin = new_gtin()
        self.post("products", {"gtin": gtin, "kind": kind, "nameVi": name or kind,
                               "nameEn": name or kind})
        return "0" + gtin

    def plot(self, crop: str = "pepper") -> int:
        farm = self.post("farms", {"code": f"F{next(_serial)}", "farmerName": "Lê Văn Tư",
                                   "commune": "Cam Thành", "district": "Cam Lộ",
                                   "province": "Quảng Trị"})
        plot = self.post(f"farms/{farm['id']}/plots", {"code": "P1", "areaHa": 1.2,
                                                       "geometry": POINT, "crop": crop})
        return plot["id"]

    def harvest(self, plot_id: int, gtin: str, lot: str, quantity: float = 500.0,
                expect: int = 201, **extra) -> dict:
        body = {"plotId": plot_id, "gtin": gtin, "lot": lot, "quantity": quantity,
                "harvestDate": "2025-03-01", "eventTime": "2025-03-01T16:00:00.000+07:00",
                **extra}
        return self.post("harvests", body, expect)

    def transform(self, process: str, inputs: list, outputs: list, expect: int = 201,
                  **extra) -> dict:
        body = {"process": process, "eventTime": "2025-03-08T10:00:00.000+07:00",
                "inputs": [dict(zip(("gtin", "lot", "quantity"), i, strict=True))
                           for i in inputs],
                "outputs": [dict(zip(("gtin", "lot", "quantity"), o, strict=True))
                            for o in outputs], **extra}
        return self.post("transformations", body, expect)

    def ship(self, to: dict, lots: list, expect: int = 201, **extra) -> dict:
        body = {"toGln": to["gln"], "eventTime": "2025-03-10T08:00:00.000+07:00",
                "lots": [{"gtin": g, "lot": lot} for g, lot in lots], **extra}
        return self.post("shipments", body, expect)

    def receive(self, lots: list, expect: int = 201, **extra) -> dict:
        body = {"eventTime": "2025-03-11T09:00:00.000+07:00",
                "lots": [{"gtin": g, "lot": lot} for g, lot in lots], **extra}
        return self.post("receipts", body, expect)

    def events(self) -> list[dict]:
        doc = self.get("/epcis/events")
        return doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def coop(client, actions, name: str, kind: str = "cooperative") -> Coop:
    org = actions.org(name, kind)
    return Coop(client, org, actions.token("member", org))


def recall_chain(client, actions) -> tuple[Coop, Coop, Coop]:
    """Cam Lộ (``a``) harvests H1 and dries it into D1, ships D1 to the processor (``b``), which
    grades it into G1; an exporter (``c``) has nothing to do with any of it. ``a.berries``,
    ``a.black`` and ``b.graded`` are the GTINs."""
    a = coop(client, actions, "HTX Hồ tiêu Cam Lộ")
    a.berries, a.black = a.product("pepper_berries"), a.product("black_pepper")
    a.harvest(a.plot(), a.berries, "H1", 800)
    a.transform("drying", [(a.berries, "H1", 800)], [(a.black, "D1", 300)])
    b = coop(client, actions, "Công ty Chế biến Gia vị", "processor")
    b.graded = b.product("black_pepper")
    a.ship(b.org, [(a.black, "D1")])
    b.receive([(a.black, "D1")])
    b.transform("grading", [(a.black, "D1", 300)], [(b.graded, "G1", 290)])
    c = coop(client, actions, "Công ty Xuất khẩu", "exporter")
    return a, b, c

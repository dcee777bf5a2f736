"""Seeded random EPCIS documents full of the shapes and quirks the event hash must survive.

Used to check that the fast member-by-member rendering equals the full node walk, and (when the
reference tool is installed) that our pre-hash equals the reference's for every event it hashes.
"""

from __future__ import annotations

import random

STANDARD = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
WORDS = ["shipping", "receiving", "in_transit", "po", "inv", "owning_party", "location",
         "Temperature", "x", "commissioning", "recalled", "active"]
KEYS = ["ex:sourceList", "source", "type", "#text", "ex:inputEPC", "ex:bizTransactionList",
        "bizTransaction", "ex:a", "ex:b", "ex:transactionRef", "exh:c", "undecl:d",
        "https://ns.example.com/epcis/full", "ex:fooList", "ex:quantity", "ex:childEPCs",
        "ex:time", "exs:e", "comment"]
REPORT_KEYS = ["value", "uom", "minValue", "booleanValue", "stringValue", "time", "deviceID",
               "component", "exception", "sDev", "uriValue", "bizRules", "ex:r", "exh:r"]


class Generator:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def digits(self, n: int) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def serial(self, most: int = 20) -> str:
        return "".join(self.r.choice("ABCxyz0123456789_-.:!()*+,=;'")
                       for _ in range(self.r.randint(1, most)))

    def split(self, total: int) -> str:
        cp = self.r.randint(6, 12)
        return self.digits(cp) + "." + self.digits(total - cp)

    def epc(self) -> str:
        r, s = self.r, self
        return r.choice([
            lambda: f"urn:epc:id:sgtin:{s.split(13)}.{s.serial()}",
            lambda: f"urn:epc:id:sscc:{s.split(17)}",
            lambda: f"urn:epc:id:sgln:{s.split(12)}.{r.choice(['0', s.serial()])}",
            lambda: f"urn:epc:id:grai:{s.split(12)}.{s.serial(16)}",
            lambda: f"urn:epc:id:giai:{s.digits(r.randint(6, 12))}.{s.serial(18)}",
            lambda: f"urn:epc:id:pgln:{s.split(12)}",
            lambda: f"urn:epc:class:lgtin:{s.split(13)}.{s.serial()}",
            lambda: f"urn:epc:idpat:sgtin:{s.split(13)}.*",
            lambda: "urn:uuid:0c9e5d2a-1111-4aaa-8bbb-123456789abc",
        ])()

    def digital_link(self) -> str:
        r = self.r
        host = r.choice(["https://id.gs1.org", "http://id.gs1.org", "https://example.com/p",
                         "https://idXgs1Yorg", "HTTPS://id.gs1.org"])
        key = r.choice(["01", "gtin", "414", "00", "8003", "8004", "417"])
        path = f"/{key}/{self.digits(r.choice([8, 12, 13, 14, 18]))}"
        for extra in r.sample(["/10/" + self.serial(8), "/21/" + self.serial(8),
                               "/22/" + self.serial(4), "/17/220101", "/254/x"],
                              r.randint(0, 2)):
            path += extra
        return host + path + r.choice(["", "", "?linkType=all", "#f"])

    def timestamp(self) -> str:
        r = self.r
        return (f"20{r.randint(10, 30)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T"
                f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"
                + r.choice(["", ".1", ".123", ".1235", ".1245", ".123456789", ".9995"])
                + r.choice(["Z", "+07:00", "-06:00", "+0530", "z"]))

    def scalar(self):
        r, c = self.r, self.r.random()
        if c < 0.15:
            return r.choice([1, 2.5, 452.0, 0.00005, -3, 1e21, True, False, None])
        if c < 0.3:
            return r.choice(["12.000", "0012", "+5", "1e3", "NaN", " 7 ", "abc", "", "cà phê"])
        if c < 0.45:
            return r.choice(WORDS + ["BizStep-shipping", "cbv:BizStep-shipping", "gs1:Mass",
                                     "ex:thing"])
        if c < 0.6:
            return self.epc()
        if c < 0.7:
            return self.digital_link()
        if c < 0.8:
            return self.timestamp()
        return r.choice(["urn:epcglobal:cbv:bizstep:shipping", "geo:10.5,106.7",
                         "https://ns.example.com/x"])

    def extension(self, depth: int = 0):
        c = self.r.random()
        if depth < 3 and c < 0.25:
            return {self.r.choice(KEYS): self.extension(depth + 1)
                    for _ in range(self.r.randint(0, 3))}
        if depth < 3 and c < 0.35:
            return [self.extension(depth + 1) for _ in range(self.r.randint(0, 3))]
        return self.scalar()

    def sensor_element(self) -> dict:
        r = self.r
        element: dict = {}
        if r.random() < 0.8:
            element["sensorMetadata"] = {k: self.timestamp() if "ime" in k else self.scalar()
                                         for k in r.sample(["time", "startTime", "deviceID",
                                                            "bizRules", "ex:m"], 2)}
        element["sensorReport"] = [
            {"type": r.choice(["Temperature", "gs1:Temperature", "ex:custom"]),
             **{k: self.timestamp() if k == "time" else self.scalar()
                for k in r.sample(REPORT_KEYS, r.randint(1, 4))}}
            for _ in range(r.randint(1, 3))]
        if r.random() < 0.2:
            element[r.choice(["ex:se", "exh:se"])] = self.scalar()
        return element

    def pairs(self, id_key: str, types: list[str]) -> list[dict]:
        out = []
        for _ in range(self.r.randint(1, 3)):
            items = [("type", self.r.choice(types)), (id_key, self.epc())]
            if self.r.random() < 0.15:
                items.reverse()
            out.append(dict(items))
        return out

    def place(self) -> dict:
        out = {"id": self.epc()} if self.r.random() < 0.9 else {}
        for _ in range(self.r.choice([0, 0, 1, 2])):
            out[self.r.choice(["ex:rp", "exh:rp", "ex:transactionX", "undecl:q"])] = \
                self.extension(1)
        return out

    def event(self) -> dict:
        r = self.r
        e = {"type": r.choice(["ObjectEvent", "AggregationEvent", "TransformationEvent"]),
             "eventTime": self.timestamp(), "eventTimeZoneOffset": "+07:00",
             "action": r.choice(["ADD", "OBSERVE"])}
        optional = {
            "epcList": lambda: [self.epc() for _ in range(r.randint(0, 3))],
            "parentID": self.epc,
            "childEPCs": lambda: [self.epc() for _ in range(r.randint(0, 2))],
            "quantityList": lambda: [{"epcClass": self.epc(), "quantity": self.scalar(),
                                      "uom": "KGM", **({"ex:q": 1} if r.random() < .1 else {})}
                                     for _ in range(r.randint(0, 2))],
            "bizStep": lambda: r.choice(WORDS + ["urn:epcglobal:cbv:bizstep:packing"]),
            "disposition": lambda: r.choice(["in_transit", "active"]),
            "persistentDisposition": lambda: {"set": ["completeness_inferred"]},
            "readPoint": self.place, "bizLocation": self.place,
            "bizTransactionList": lambda: self.pairs("bizTransaction", ["po", "inv"]),
            "sourceList": lambda: self.pairs("source", ["owning_party", "location"]),
            "destinationList": lambda: self.pairs("destination", ["possessing_party"]),
            "sensorElementList": lambda: [self.sensor_element()],
            "certificationInfo": lambda: "https://cert.example.org/1",
            "ilmd": lambda: {r.choice(KEYS): self.extension(1) for _ in range(r.randint(0, 3))},
            "errorDeclaration": lambda: {"declarationTime": self.timestamp()},
        }
        for key, make in optional.items():
            if r.random() < 0.3:
                e[key] = make()
        for _ in range(r.choice([0, 1, 2])):
            e[r.choice(KEYS)] = self.extension()
        if r.random() < 0.03:
            del e["eventTime"]
        items = list(e.items())
        r.shuffle(items)
        return dict(items)

    def document(self) -> dict:
        inline = {"ex": "https://ns.example.com/epcis/", "exh": "https://ns.example.com/h#",
                  "exs": "https://ns.example.com/ext1"}
        if self.r.random() < 0.7:
            inline["gs1"] = "https://gs1.org/voc/"
        return {"@context": [STANDARD, inline], "type": "EPCISDocument", "schemaVersion": "2.0",
                "creationDate": "2024-01-01T00:00:00Z",
                "epcisBody": {"eventList": [self.event() for _ in range(self.r.randint(1, 3))]}}

"""Small EPCIS 2.0 documents for the API tests, built the way a cooperative's system sends them."""

from __future__ import annotations

from tracechain.gs1.keys import check_digit

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
           {"tc": "https://ns.tracechain.dev/epcis/"}]


def gtin(item: str) -> str:
    body = "0893" + item.zfill(9)
    return body + str(check_digit(body))


PEPPER = gtin("12345")   # black pepper, dried
BERRIES = gtin("12340")  # fresh pepper berries


def lot_uri(g: str, lot: str) -> str:
    return f"https://id.gs1.org/01/{g}/10/{lot}"


def document(*events: dict) -> dict:
    return {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2025-03-01T08:00:00.000+07:00",
            "epcisBody": {"eventList": list(events)}}


def harvest(lot: str, kg: float = 500, when: str = "2025-02-10T07:30:00.000+07:00") -> dict:
    return {
        "type": "ObjectEvent", "eventTime": when, "eventTimeZoneOffset": "+07:00",
        "action": "ADD", "bizStep": "commissioning", "disposition": "active",
        "quantityList": [{"epcClass": lot_uri(BERRIES, lot), "quantity": kg, "uom": "KGM"}],
        "ilmd": {"tc:harvestDate": "2025-02-10", "tc:variety": "Vinh Linh"},
    }


def drying(inputs: list[tuple[str, float]], output: tuple[str, float],
           when: str = "2025-02-20T09:00:00.000+07:00") -> dict:
    return {
        "type": "TransformationEvent", "eventTime": when, "eventTimeZoneOffset": "+07:00",
        "bizStep": "https://ns.tracechain.dev/bizstep/drying",
        "inputQuantityList": [{"epcClass": lot_uri(BERRIES, lot), "quantity": kg, "uom": "KGM"}
                              for lot, kg in inputs],
        "outputQuantityList": [{"epcClass": lot_uri(PEPPER, output[0]), "quantity": output[1],
                                "uom": "KGM"}],
    }


def shipping(lot: str, from_gln: str, to_gln: str,
             when: str = "2025-03-01T10:00:00.000+07:00") -> dict:
    return {
        "type": "ObjectEvent", "eventTime": when, "eventTimeZoneOffset": "+07:00",
        "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
        "quantityList": [{"epcClass": lot_uri(PEPPER, lot), "quantity": 100, "uom": "KGM"}],
        "sourceList": [{"type": "owning_party", "source": f"https://id.gs1.org/417/{from_gln}"}],
        "destinationList": [{"type": "owning_party",
                             "destination": f"https://id.gs1.org/417/{to_gln}"}],
    }


def receiving(lot: str, from_gln: str, to_gln: str,
              when: str = "2025-03-03T10:00:00.000+07:00") -> dict:
    event = shipping(lot, from_gln, to_gln, when)
    event.update(bizStep="receiving", disposition="in_progress")
    return event

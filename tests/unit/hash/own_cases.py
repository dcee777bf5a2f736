"""Our own hash vectors: one small EPCIS document per rule of EVENT_HASH.md §4-7.

make_own_vectors.py turns these into the committed fixtures (own_vectors/*.jsonld and
own_vectors/expected.json) by running the reference tool once; the tests read the fixtures only.
GS1 keys use Vietnam's 893 prefix; the events are the pepper and coffee chains we trace.
"""

from __future__ import annotations

STANDARD = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
TC = "https://ns.tracechain.dev/epcis/"
INLINE = {"gs1": "https://gs1.org/voc/", "cbvmda": "urn:epcglobal:cbv:mda:", "tc": TC}

GTIN_PEPPER = "08936100010019"  # black pepper, 25 kg bag
GTIN_COFFEE = "08936100020018"  # robusta green coffee, 60 kg sack
FARM_GLN = "8936100000102"  # Cam Lộ cooperative drying yard
WAREHOUSE_GLN = "8936100000201"
BT = "urn:epcglobal:cbv:bt:8936100000003:"  # our cooperative's business transaction IDs


def doc(*events, inline=INLINE, body_key="eventList") -> dict:
    context = [STANDARD, dict(inline)] if inline is not None else [STANDARD]
    body = {body_key: list(events)} if body_key == "eventList" else {body_key: events[0]}
    return {"@context": context, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2024-12-02T16:05:00.000+07:00", "epcisBody": body}


def event(kind="ObjectEvent", time="2024-12-02T08:30:00.000+07:00", **fields) -> dict:
    out = {"type": kind, "eventTime": time, "eventTimeZoneOffset": "+07:00"}
    for key, value in fields.items():
        out[key.replace("__", ":")] = value
    return out


def lot(gtin=GTIN_PEPPER, number="QT24-CL-0157") -> str:
    return f"https://id.gs1.org/01/{gtin}/10/{number}"


def harvest() -> dict:
    return event(
        action="ADD", bizStep="commissioning", disposition="active",
        quantityList=[{"epcClass": lot(), "quantity": 850, "uom": "KGM"}],
        readPoint={"id": f"https://id.gs1.org/414/{FARM_GLN}"},
        bizLocation={"id": f"https://id.gs1.org/414/{FARM_GLN}"},
        ilmd={"tc:harvestDate": "2024-12-02", "tc:plot": "urn:tracechain:plot:157",
              "tc:variety": "Vĩnh Linh black pepper",
              "tc:farmer": "Nguyễn Văn Bình, Cam Lộ, Quảng Trị"},
        eventID="urn:uuid:6f1c2a9e-4b1d-4c3e-9a57-0b2d3e4f5a61")


def drying() -> dict:
    return event(
        "TransformationEvent", "2024-12-06T17:00:00.000+07:00",
        inputQuantityList=[{"epcClass": lot(), "quantity": 850, "uom": "KGM"}],
        outputQuantityList=[{"epcClass": lot(number="QT24-CL-0157-D"), "quantity": 312.5,
                             "uom": "KGM"}],
        bizStep="https://ns.tracechain.dev/bizstep/drying",
        readPoint={"id": "urn:epc:id:sgln:8936100.00010.0"},
        sensorElementList=[{
            "sensorMetadata": {"startTime": "2024-12-03T06:00:00+07:00",
                               "endTime": "2024-12-06T17:00:00+07:00",
                               "deviceID": "urn:epc:id:giai:8936100.DRYER01"},
            "sensorReport": [{"type": "Temperature", "meanValue": 41.5, "uom": "CEL"},
                             {"type": "RelativeHumidity", "meanValue": 38.0, "uom": "A93"}]}],
        ilmd={"tc:moistureAfter": "12.5", "tc:method": "sân phơi xi măng (sun, concrete yard)"})


def shipping() -> dict:
    return event(
        time="2025-01-10T07:15:00.000+07:00", action="OBSERVE", bizStep="shipping",
        disposition="in_transit", epcList=["urn:epc:id:sscc:8936100.0000000042"],
        readPoint={"id": "urn:epc:id:sgln:8936100.00020.0"},
        bizTransactionList=[{"type": "po", "bizTransaction": BT + "PO-2025-011"},
                            {"type": "desadv", "bizTransaction": BT + "DA-77"}],
        sourceList=[{"type": "owning_party", "source": "urn:epc:id:pgln:8936100.00000"},
                    {"type": "location", "source": "urn:epc:id:sgln:8936100.00020.0"}],
        destinationList=[{"type": "owning_party", "destination": "https://id.gs1.org/417/4012345000009"},
                         {"type": "location", "destination": "https://id.gs1.org/414/4012345000122"}])


def receiving_and_packing() -> list[dict]:
    receive = event(time="2025-01-12T09:40:00.000+07:00", action="OBSERVE", bizStep="receiving",
                    disposition="in_progress", epcList=["urn:epc:id:sscc:8936100.0000000042"],
                    bizLocation={"id": "urn:epc:id:sgln:8936100.00020.0"})
    pack = event("AggregationEvent", "2025-01-12T11:00:00.000+07:00", action="ADD",
                 bizStep="packing", parentID="https://id.gs1.org/00/089361000000000435",
                 childQuantityList=[{"epcClass": lot(GTIN_COFFEE, "DL24-KP-009"),
                                     "quantity": 19.2, "uom": "TNE"}])
    return [receive, pack]


def _epc_schemes() -> dict:
    return event(action="OBSERVE", epcList=[
        "urn:epc:id:sgtin:8936100.001001.SN-0001", "urn:epc:id:sscc:8936100.1000000001",
        "urn:epc:id:sgln:8936100.00010.7", "urn:epc:id:grai:8936100.00001.PALLET-9",
        "urn:epc:id:giai:8936100.DRYER01", "urn:epc:id:gsrn:8936100.0000012345",
        "urn:epc:id:gsrnp:8936100.0000012345", "urn:epc:id:gdti:8936100.00001.CERT-42",
        "urn:epc:id:sgcn:8936100.00001.0042", "urn:epc:id:ginc:8936100.SHIP-2025-01",
        "urn:epc:id:gsin:8936100.000000001", "urn:epc:id:itip:8936100.001001.01.02.SN7",
        "urn:epc:id:upui:8936100.001001.UPUI-77", "urn:epc:id:cpi:8936100.ABC-1.42",
        "urn:epc:id:pgln:8936100.00000", "urn:epc:id:sgln:893610012345..7"],
        quantityList=[{"epcClass": "urn:epc:class:lgtin:8936100.001001.QT24-CL-0157",
                       "quantity": 5, "uom": "KGM"},
                      {"epcClass": "urn:epc:idpat:sgtin:8936100.001001.*", "quantity": 3},
                      {"epcClass": "urn:epc:idpat:grai:8936100.00001.*", "quantity": 2},
                      {"epcClass": "urn:epc:idpat:gdti:8936100.00001.*", "quantity": 1},
                      {"epcClass": "urn:epc:idpat:itip:8936100.001001.01.02.*", "quantity": 1},
                      {"epcClass": "urn:epc:idpat:cpi:8936100.ABC-1.*", "quantity": 4}],
        readPoint={"id": "urn:epc:id:sgln:8936100.00010.0"},
        bizLocation={"id": "urn:epc:id:sgln:8936100.00010.SHED-2"})


def _digital_links() -> dict:
    return event(action="OBSERVE", epcList=[
        f"http://id.gs1.org/01/{GTIN_PEPPER}/21/A1",
        f"https://example.com/shop/01/{GTIN_PEPPER}/21/A2",
        f"https://id.gs1.org/01/{GTIN_PEPPER}/21/A3?linkType=gs1:pip",
        f"https://id.gs1.org/gtin/{GTIN_PEPPER}/ser/A4",
        "https://id.gs1.org/01/93610017/21/A5", "https://id.gs1.org/01/893610001001/21/A6",
        "https://id.gs1.org/01/8936100010019/21/A7",
        f"https://id.gs1.org/01/{GTIN_PEPPER}/22/V2/10/L1/21/A8",
        f"https://id.gs1.org/01/{GTIN_PEPPER}/22/V2",
        f"https://id.gs1.org/01/{GTIN_PEPPER}/10/L1/21/A9",
        f"https://id.gs1.org/01/{GTIN_PEPPER}/10/L1/17/251231",
        f"https://id.gs1.org/01/{GTIN_PEPPER}/21/A10#frag",
        f"https://id.gs1.org/01/{GTIN_PEPPER}/21/100%25",
        "https://id.gs1.org/01/08936100010012/21/BADCHECK",
        "https://id.gs1.org/sscc/089361000000000435",
        f"https://id.gs1.org/gln/{FARM_GLN}", "https://id.gs1.org/party/8936100000003"])


def _numbers() -> dict:
    return event(action="OBSERVE", quantityList=[
        {"epcClass": lot(), "quantity": 12.000, "uom": "KGM"},
        {"epcClass": lot(number="B"), "quantity": "20.50", "uom": "KGM"},
        {"epcClass": lot(number="C"), "quantity": "+5"},
        {"epcClass": lot(number="D"), "quantity": 1e3}],
        tc__moisture="0012", tc__gtin="04012345111118", tc__big="12345678901234567890",
        tc__tiny=0.00005, tc__nan="NaN", tc__float=26.0, tc__underscore="1_000")


def _times() -> list[dict]:
    stamps = ["2024-12-02T08:30:00+07:00", "2024-12-02T01:30:00Z", "2024-12-02T01:30:00.1425Z",
              "2024-12-02T01:30:00.1435Z", "2024-12-02T01:30:00.1415Z",
              "2024-12-02T01:30:00.1234567Z", "2024-12-01T19:30:00.5-06:00",
              "2024-12-02T08:30:00.000+0700", "2024-12-02 01:30:00.120Z"]
    return [event(time=t, action="OBSERVE", epcList=[f"urn:epc:id:sgtin:8936100.001001.T{i}"])
            for i, t in enumerate(stamps)]


def _sensor(**extra) -> dict:
    element = {"sensorMetadata": {"time": "2024-12-04T12:00:00.000+07:00",
                                  "deviceID": "urn:epc:id:giai:8936100.LOGGER7",
                                  "tc:calibratedBy": "Vinacontrol"},
               "sensorReport": [{"type": "Temperature", "value": 26.0, "uom": "CEL",
                                 "time": "2024-12-04T12:00:00.000+07:00"},
                                {"type": "gs1:RelativeHumidity", "value": 71, "uom": "A93"},
                                {"type": "Temperature", "booleanValue": True,
                                 "tc:probe": "core"}],
               "tc:batteryLow": False}
    element.update(extra)
    return element


def _pair_lists(**fields) -> dict:
    return event(action="OBSERVE", epcList=[lot()], **fields)


NO_GS1 = {"tc": TC}  # an inline context without the gs1 prefix


CASES = [
    # §4b field order
    ("order_parent_before_epclist", "TransactionEvent: parentID is hashed before epcList",
     doc(event("TransactionEvent", action="ADD", epcList=[lot()],
               parentID="urn:epc:id:sscc:8936100.0000000042",
               bizTransactionList=[{"type": "inv", "bizTransaction":
                                    "urn:epcglobal:cbv:bt:8936100000003:INV-9"}]))),
    ("order_sensor_before_why_lists", "sensorElementList comes before bizTransactionList",
     doc(event("TransactionEvent", action="ADD", epcList=[lot()], sensorElementList=[_sensor()],
               bizTransactionList=[{"type": "po", "bizTransaction":
                                    "urn:epcglobal:cbv:bt:8936100000003:PO-1"}],
               sourceList=[{"type": "owning_party", "source": "urn:epc:id:pgln:8936100.00000"}]))),
    ("order_sorted_tail", "tail sorted: bizTransactionList < destinationList < ilmd < "
     "sourceList < extensions",
     doc(event(action="ADD", quantityList=[{"epcClass": lot(), "quantity": 1, "uom": "KGM"}],
               tc__note="first in JSON, last in hash", sourceList=shipping()["sourceList"],
               ilmd={"tc:variety": "Robusta"}, destinationList=shipping()["destinationList"],
               bizTransactionList=shipping()["bizTransactionList"]))),
    ("certification_info", "certificationInfo is hashed (one value, then several, sorted)",
     doc(event(action="OBSERVE", epcList=[lot()],
               certificationInfo="https://cert.example.vn/4C/2024-117"),
         event(action="OBSERVE", epcList=[lot()],
               certificationInfo=["https://cert.example.vn/RA/9", "https://cert.example.vn/4C/1"]))),
    # §5 timestamps
    ("time_normalisation", "eventTime to UTC ms: offsets, no fraction, half-even rounding",
     doc(*_times())),
    ("time_sensor_and_ilmd", "sensor times normalised; ILMD / extension times verbatim",
     doc(event(action="OBSERVE", epcList=[lot()], sensorElementList=[_sensor()],
               ilmd={"tc:harvestedAt": "2024-12-02T08:30:00+07:00"},
               tc__checkedAt="2024-12-02T08:30:00.1425+07:00"))),
    # §5 numbers, booleans
    ("numbers", "numbers and numeric strings rewritten the Python way (12, 20.5, 5e-05, 12 ...)",
     doc(_numbers())),
    ("booleans", "JSON booleans hash as True / False",
     doc(event(action="OBSERVE", epcList=[lot()],
               sensorElementList=[{"sensorReport": [{"type": "Temperature",
                                                     "booleanValue": False}]}],
               tc__organic=True, tc__fumigated=False, tc__inspector=None))),
    # §5 CBV vocabulary
    ("cbv_urns", "CBV 1.x URNs become web URIs, also inside extension values",
     doc(event(action="OBSERVE", epcList=[lot()], bizStep="urn:epcglobal:cbv:bizstep:shipping",
               disposition="urn:epcglobal:cbv:disp:in_transit",
               bizTransactionList=[{"type": "urn:epcglobal:cbv:btt:po",
                                    "bizTransaction": "urn:epcglobal:cbv:bt:8936100000003:7"}],
               sourceList=[{"type": "urn:epcglobal:cbv:sdt:owning_party",
                            "source": "urn:epc:id:pgln:8936100.00000"}],
               tc__reason="urn:epcglobal:cbv:er:incorrect_data"))),
    ("bare_words_document_wide", "a bare word anywhere in the document becomes the CBV URI "
     "another event's vocabulary field gives it",
     doc(event(action="OBSERVE", epcList=[lot()], tc__kind="po", tc__step="shipping"),
         event(action="OBSERVE", epcList=[lot()], bizStep="shipping",
               bizTransactionList=[{"type": "po", "bizTransaction":
                                    "urn:epcglobal:cbv:bt:8936100000003:PO-2"}]))),
    ("curie_inline_prefix", "gs1:/cbv: CURIEs expand only with an inline prefix",
     doc(event(action="OBSERVE", epcList=[lot()], bizStep="cbv:BizStep-inspecting",
               sensorElementList=[{"sensorReport": [{"type": "gs1:Temperature",
                                                     "value": 30, "uom": "CEL"}]}]),
         inline={**INLINE, "cbv": "https://ref.gs1.org/cbv/"})),
    ("curie_without_inline_prefix", "without an inline gs1 prefix gs1:X stays literal",
     doc(event(action="OBSERVE", epcList=[lot()],
               sensorElementList=[{"sensorReport": [{"type": "gs1:Temperature",
                                                     "value": 30, "uom": "CEL"}]}]),
         inline=NO_GS1)),
    ("gs1_voc_bare_words", "bare measurement types map to https://gs1.org/voc/ (not ref.gs1.org)",
     doc(event(action="OBSERVE", epcList=[lot()],
               sensorElementList=[{"sensorReport": [
                   {"type": "Temperature", "value": 30, "uom": "CEL"},
                   {"type": "AbsoluteHumidity", "value": 12, "uom": "28"},
                   {"type": "https://gs1.org/voc/Mass", "value": 60.1, "uom": "KGM"}]}]),
         inline=NO_GS1)),
    # §5 identifiers
    ("epc_uris_to_digital_link", "EPC URIs, class and pattern URIs → canonical Digital Link",
     doc(_epc_schemes())),
    ("digital_link_canonical", "DL: http, other host, query, short names, GTIN padding, CPV, "
     "lot+serial; unknown AIs, fragments, %-escapes and bad check digits pass through",
     doc(_digital_links())),
    ("percent_encoding", "serial characters ! ( ) * + , : are %-encoded, %xx kept",
     doc(event(action="OBSERVE", epcList=["urn:epc:id:sgtin:8936100.001001.A!(B)*C+D,E:F",
                                          "urn:epc:id:sgtin:8936100.001001.X%2FY"]))),
    # §6 structured parts
    ("quantity_elements", "quantity elements in all four quantity lists, sorted",
     doc(event("AggregationEvent", action="ADD", parentID="urn:epc:id:sscc:8936100.0000000043",
               childQuantityList=[{"epcClass": lot(number="B"), "quantity": 2, "uom": "KGM"},
                                  {"epcClass": lot(number="A"), "quantity": 1.5, "uom": "KGM"}]),
         drying(), event(action="OBSERVE", quantityList=[{"epcClass": lot()}]))),
    ("persistent_disposition", "persistentDisposition: set values sorted, then unset",
     doc(event(action="OBSERVE", epcList=[lot()], disposition="non_conformant",
               persistentDisposition={"unset": ["completeness_verified"],
                                      "set": ["recalled", "non_sellable_other"]}))),
    ("pairs_type_first", "bizTransaction / source / destination: type, then the ID; "
     "an object written ID-first hashes ID-first (reference quirk)",
     doc(shipping(), _pair_lists(bizTransactionList=[
         {"bizTransaction": "urn:epcglobal:cbv:bt:8936100000003:PO-3", "type": "po"}]))),
    ("readpoint_extensions", "readPoint/bizLocation extensions: inline after id when the "
     "namespace ends in '/', repeated in the tail otherwise",
     doc(event(action="OBSERVE", epcList=[lot()],
               readPoint={"id": f"https://id.gs1.org/414/{FARM_GLN}", "tc:shed": "B"},
               bizLocation={"id": f"https://id.gs1.org/414/{FARM_GLN}", "ext1:zone": "north"}),
         event(action="OBSERVE", epcList=[lot()],
               readPoint={"id": f"https://id.gs1.org/414/{FARM_GLN}", "tc:transactionRef": "x",
                          "tc:shed": "B"}),
         inline={**INLINE, "ext1": "https://ns.tracechain.dev/ext1#"})),
    ("sensor_elements", "sensor metadata, reports and extensions; sensorReport.bizRules is "
     "repeated in the tail",
     doc(event(action="OBSERVE", epcList=[lot()], sensorElementList=[
         _sensor(), {"sensorReport": [{"type": "Temperature", "value": 25,
                                       "bizRules": "https://tracechain.dev/rules/cold"}]}]))),
    ("ilmd_and_nested_extensions", "ILMD and extensions: nested objects, arrays, sorted",
     doc(event(action="ADD", quantityList=[{"epcClass": lot(), "quantity": 10, "uom": "KGM"}],
               ilmd={"tc:lab": {"tc:moisture": 12.5, "tc:grades": ["G1", "FAQ"]},
                     "tc:certifications": ["Rainforest Alliance", "4C"]},
               tc__transport={"tc:truck": "74C-123.45", "tc:seals": [3, 1, 2],
                              "tc:driver": {"tc:name": "Trần Thị Hoa"}}))),
    ("empty_lists_and_objects", "empty lists add nothing; an empty ilmd object adds 'ilmd'",
     doc(event(action="OBSERVE", epcList=[lot()]),
         event(action="OBSERVE", epcList=[lot()], quantityList=[], childEPCs=[],
               bizTransactionList=[]),
         event(action="OBSERVE", epcList=[lot()], ilmd={}))),
    ("excluded_fields", "eventID, recordTime, errorDeclaration and comments are not hashed",
     doc(event(action="OBSERVE", epcList=[lot()]),
         event(action="OBSERVE", epcList=[lot()], eventID="urn:uuid:1b6e0c1e-8f4c-4a39-9f31",
               recordTime="2024-12-03T00:00:00Z", comment="checked twice",
               errorDeclaration={"declarationTime": "2024-12-05T00:00:00Z",
                                 "reason": "incorrect_data"}))),
    # realistic chains
    ("pepper_harvest", "pepper harvest: ObjectEvent ADD commissioning with ILMD", doc(harvest())),
    ("pepper_drying", "pepper drying: TransformationEvent with sensor data", doc(drying())),
    ("coffee_shipping", "coffee shipping with bizTransactions, sources and destinations",
     doc(shipping())),
    ("coffee_receiving_packing", "coffee receiving, then packing into a pallet",
     doc(*receiving_and_packing())),
    ("association_event", "AssociationEvent: a data logger attached to a pallet",
     doc(event("AssociationEvent", action="ADD", parentID="urn:epc:id:giai:8936100.LOGGER7",
               childEPCs=["urn:epc:id:sscc:8936100.0000000042"], bizStep="assembling",
               readPoint={"id": "urn:epc:id:sgln:8936100.00020.0"}))),
    ("single_event_body", "a document whose body holds one event", doc(harvest(),
                                                                      body_key="event")),
]

_query = doc(harvest(), drying())
_query["type"] = "EPCISQueryDocument"
_query["epcisBody"] = {"queryResults": {"queryName": "SimpleEventQuery",
                                        "resultsBody": {"eventList": [harvest(), drying()]}}}
CASES.append(("query_document", "EPCISQueryDocument: events of queryResults.resultsBody",
              _query))

# Where the reference crashes on the document or silently drops an event, we still hash every
# event; these vectors record our deterministic choice (see the docstrings in trace/hash).
DIVERGENT_CASES = [
    ("rounding_into_next_second", "…:59.9995Z rounds into the next second (the reference drops "
     "the event)",
     doc(event(time="2024-12-02T01:30:59.9995Z", action="OBSERVE", epcList=[lot()]),
         event(time="2024-12-31T23:59:59.9999+00:00", action="OBSERVE", epcList=[lot()]),
         event(time="2024-12-02T01:30:59.9994Z", action="OBSERVE", epcList=[lot()]))),
    ("infinite_numbers", "inf / -Infinity are hashed verbatim like NaN (the reference drops the "
     "event)",
     doc(event(action="OBSERVE", epcList=[lot()], tc__reading="inf", tc__low="-Infinity"),
         event(action="OBSERVE", epcList=[lot()], tc__reading="NaN"))),
    ("biztransaction_without_type", "a bizTransaction without type is hashed with what is there "
     "(the reference crashes on the whole document)",
     doc(event("TransactionEvent", action="ADD", epcList=[lot()], bizTransactionList=[
         {"bizTransaction": "urn:epcglobal:cbv:bt:8936100000003:PO-4"}]),
         event(action="OBSERVE", epcList=[lot()]))),
    ("inline_term_object", "an inline prefix written as {\"@id\": …} is used (the reference "
     "crashes on the whole document)",
     doc(event(action="OBSERVE", epcList=[lot()], tc__grade="FAQ"),
         inline={"tc": {"@id": TC}})),
]


def dl_inputs() -> list[str]:
    """Identifiers for the canonicalise() table (digital_link_cases.json)."""
    extra = [
        "urn:epc:id:sgtin:0614141.107346.2017",
        "urn:epc:id:sgtin:061414112345.1.9",
        "urn:epc:id:sgtin:0614141.107346.12345678901234567890",
        "urn:epc:id:sgtin:0614141.107346.123456789012345678901",  # serial too long
        "urn:epc:id:sgtin:0614141.10734.2017",  # wrong length
        "urn:epc:id:sgln:0614141.07346.1234",
        "urn:epc:id:sgln:0614141.07346.0",
        "urn:epc:id:sscc:0614141.1234567890",
        "urn:epc:id:grai:0614141.12345.400",
        "urn:epc:id:grai:061414112345...400",
        "urn:epc:id:grai:061414112345..400",
        "urn:epc:id:giai:0614141.32a%2Fb",
        "urn:epc:id:gdti:061414112345..400",
        "urn:epc:id:gdti:0614141.12345.",
        "urn:epc:id:sgcn:4012345.67890.04711",
        "urn:epc:id:cpi:0614141.123ABC.123456789",
        "urn:epc:id:cpi:0614141.123%2F45.1",
        "urn:epc:id:itip:4012345.012345.01.02.987",
        "urn:epc:id:upui:1234567.089456.51qIgY)%3C%26Jp3*j7'SDB",
        "urn:epc:id:pgln:061414112345.",
        "urn:epc:class:lgtin:4012345.012345.998877",
        "urn:epc:idpat:sgtin:4012345.012345.*",
        "urn:epc:idpat:grai:061414112345...*",
        "urn:epc:idpat:sgcn:4012345.67890.*",
        "urn:epc:idpat:upui:1234567.089456.*",
        "urn:epc:idpat:sscc:0614141.1234567890.*",
        "urn:epc:id:usdod:CAGE1.5678",
        "https://id.gs1.org/01/09506000134352/10/ABC/21/123",
        "https://id.gs1.org/01/09506000134352/21/123?17=251231",
        "https://example.org/some/path/01/09506000134352/21/1%2F2",
        "https://id.gs1.org/8006/095060001343521020/21/1",
        "https://id.gs1.org/8003/09506000134352ASSET",
        "https://id.gs1.org/8010/0614141ABC/8011/12",
        "https://id.gs1.org/414/9520123456788/254/32a",
        "https://id.gs1.org/00/106141412345678908",
        "https://id.gs1.org/253/4602443000331XYZ",
        "https://id.gs1.org/8018/385888700111111111",
        "https://id.gs1.org/402/40123451234567890",
        "https://id.gs1.org/01/12345678/21/X",
        "https://id.gs1.org/01/0614141107346/21/X",
        "HTTPS://ID.GS1.ORG/01/09506000134352",
        "http://localhost/01/09506000134352",
        "https://id.gs1.org/01/09506000134352/22/2A/21/X",
        "https://id.gs1.org/gtin/9506000134352/cpv/2A",
        "urn:uuid:6f1c2a9e-4b1d-4c3e-9a57-0b2d3e4f5a61",
        "geo:16.8,107.1",
        "shipping",
        "https://ns.tracechain.dev/bizstep/drying",
        "urn:epcglobal:cbv:bt:8936100000003:PO-1",
        "",
    ]
    return _epc_schemes()["epcList"] + [q["epcClass"] for q in _epc_schemes()["quantityList"]] \
        + _digital_links()["epcList"] + extra

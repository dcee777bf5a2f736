"""Which members an event may carry: ILMD, parentID, bizTransaction types, extensions."""

from __future__ import annotations

from ..domain.errors import Problem
from .document import EventRef, key_path

COMMON_FIELDS = frozenset({
    "@context", "type", "eventTime", "recordTime", "eventTimeZoneOffset", "eventID",
    "certificationInfo", "errorDeclaration",
})
_WHERE_WHY = ("bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList",
              "sourceList", "destinationList", "sensorElementList")
# The members each event type may have besides the common ones (EPCIS 2.0; the same lists as the
# JSON schema's propertyNames, which a unit test keeps in step).
STANDARD_FIELDS = {
    "ObjectEvent": {"action", "epcList", "quantityList", "persistentDisposition", "ilmd",
                    *_WHERE_WHY},
    "AggregationEvent": {"parentID", "childEPCs", "childQuantityList", "action", *_WHERE_WHY},
    "TransactionEvent": {"parentID", "epcList", "quantityList", "action", *_WHERE_WHY},
    "TransformationEvent": {"inputEPCList", "inputQuantityList", "outputEPCList",
                            "outputQuantityList", "transformationID", "persistentDisposition",
                            "ilmd", *_WHERE_WHY},
    "AssociationEvent": {"parentID", "childEPCs", "childQuantityList", "action", *_WHERE_WHY},
}
_ALLOWED = {name: COMMON_FIELDS | fields for name, fields in STANDARD_FIELDS.items()}
_ALLOWED_IN_ANY_EVENT = COMMON_FIELDS.union(*STANDARD_FIELDS.values())


def capture_limit_problem(event_count: int, capture_limit: int) -> Problem | None:
    if event_count <= capture_limit:
        return None
    return Problem("$.epcisBody.eventList", (
        f"the document has {event_count} events; this server accepts at most {capture_limit} "
        "per capture: split it into several documents"))


def check_ilmd(ref: EventRef) -> list[Problem]:
    """ILMD describes objects being created: only ObjectEvent ADD and TransformationEvent."""
    if "ilmd" not in ref.event:
        return []
    if ref.type == "TransformationEvent":
        return []
    if ref.type == "ObjectEvent" and ref.event.get("action") == "ADD":
        return []
    return [ref.problem(".ilmd", (
        "ilmd (harvest date, plot, variety...) is only allowed on an ObjectEvent with action ADD "
        "or on a TransformationEvent, where the lot is created"))]


def check_parent(ref: EventRef) -> list[Problem]:
    """Packing (ADD) and observing (OBSERVE) an aggregation need to say what the container is."""
    event = ref.event
    if ref.type != "AggregationEvent" or event.get("action") not in ("ADD", "OBSERVE"):
        return []
    if isinstance(event.get("parentID"), str) and event["parentID"]:
        return []
    return [ref.problem(".parentID", (
        f"an AggregationEvent with action {event['action']} needs a parentID: the sack, pallet or "
        "container (e.g. its SSCC https://id.gs1.org/00/<SSCC>)"))]


def check_biz_transaction_types(ref: EventRef) -> list[Problem]:
    """The reference event-hash tool crashes on a bizTransaction without a type, so nobody could
    recompute the hash of such an event with it (shared/epcis/EVENT_HASH.md, section 6)."""
    items = ref.event.get("bizTransactionList")
    if not isinstance(items, list):
        return []
    return [
        ref.problem(f".bizTransactionList[{i}].type", (
            "give the business transaction a type (po, inv, desadv, bol, cert...): without it "
            "the GS1 reference tool cannot compute the event hash"))
        for i, item in enumerate(items)
        if isinstance(item, dict) and "type" not in item
    ]


def is_full_iri(name: str) -> bool:
    """``https://ns.example.com/x``, ``urn:x:y``: names that need no prefix from @context."""
    scheme, _, rest = name.partition(":")
    return bool(rest) and (rest.startswith("//") or scheme.lower() == "urn")


def check_extensions(ref: EventRef, prefixes: dict[str, str]) -> list[Problem]:
    """Every member that is not a standard field must be a CURIE with an inline-declared prefix or
    a full IRI: the event hash writes an extension as ``{namespace IRI}localName``, so a prefix it
    cannot resolve makes the hash depend on the tool."""
    allowed = _ALLOWED.get(ref.type, _ALLOWED_IN_ANY_EVENT)
    problems = []
    for name in ref.event:
        if name in allowed or name == "ilmd" or is_full_iri(name):
            continue  # a misplaced ilmd is check_ilmd's to report
        prefix, colon, local = name.partition(":")
        if not colon or not prefix or not local:
            event_type = ref.type or "this event"
            message = (f'"{name}" is not a field of {event_type}: an extension needs a namespaced '
                       f'name such as "myco:{name}", with "myco" declared in @context')
        elif prefix not in prefixes:
            message = (f'extension "{name}": prefix "{prefix}" is not declared in @context; add '
                       f'{{"{prefix}": "https://<your-domain>/ns/"}} to the @context array '
                       "(the event hash needs the namespace IRI)")
        else:
            continue
        problems.append(ref.problem(key_path(name), message))
    return problems

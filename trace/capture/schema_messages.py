"""Turning jsonschema-rs errors into problems a cooperative clerk can act on.

jsonschema-rs says *which keyword* failed (`"x" is not valid under any of the schemas listed in the
'anyOf' keyword`); a clerk needs *what to write instead*. `describe` reads the structured error kind
(and, for anyOf/oneOf, the errors of each alternative) and says that in plain words.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

from jsonschema_rs import ValidationError, ValidationErrorKind

Parts = tuple[str | int, ...]

_COMBINATORS = {"AnyOf", "OneOfNotValid"}

# What an event must contain, when the schema's "one of these" test fails for the event as a whole.
_EVENT_CONTENT: dict[object, str] = {
    "ObjectEvent": "an ObjectEvent needs an epcList, a quantityList with at least one entry, "
    "or a sensorElementList together with a readPoint",
    "AggregationEvent": "an AggregationEvent with action ADD or OBSERVE needs childEPCs "
    "or a childQuantityList",
    "AssociationEvent": "an AssociationEvent with action ADD or OBSERVE needs childEPCs "
    "or a childQuantityList",
    "TransactionEvent": "a TransactionEvent with action ADD or OBSERVE needs an epcList "
    "or a quantityList",
    "TransformationEvent": "a TransformationEvent needs inputs (inputEPCList or "
    "inputQuantityList) and outputs (outputEPCList or outputQuantityList), or a "
    "transformationID with at least one of them",
}

_REQUIRED_HINTS = {
    "action": " (ADD, OBSERVE or DELETE)",
    "eventTime": " (when it happened, e.g. 2024-11-05T07:30:00.000+07:00)",
    "eventTimeZoneOffset": " (the local offset where it happened, e.g. +07:00)",
    "id": " (the location's GLN as a URI, e.g. https://id.gs1.org/414/<GLN>)",
    "epcClass": " (the lot, e.g. https://id.gs1.org/01/<GTIN>/10/<lot>)",
    "bizTransaction": " (the document's URI, e.g. your purchase-order URL)",
}


@dataclass(frozen=True)
class Finding:
    """One problem before it gets event numbers: where (path parts) and what.

    ``related`` is set for "none of the alternatives matched" findings: the paths the alternatives
    complained about, and ``origin`` the path the anyOf/oneOf itself failed at. When another
    finding already points below ``origin`` and at one of those, this one is only the echo of it
    and gets dropped (see `schema.py`).
    """

    parts: Parts
    message: str
    related: tuple[Parts, ...] = field(default=())
    origin: Parts | None = None


def _kind(error: ValidationError) -> str:
    return type(error.kind).__name__


def _label(parts: Parts) -> str:
    """The member a path ends in, for messages: ``uom``, ``epcList[2]``, or ``the document``."""
    if not parts:
        return "the document"
    if isinstance(parts[-1], int):
        return f"{_label(parts[:-1])}[{parts[-1]}]"
    return str(parts[-1])


def _show(value: object, limit: int = 60) -> str:
    text = f'"{value}"' if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


_TYPE_WORDS = {"number": "a number", "integer": "a whole number", "string": "text",
               "array": "a list [...]", "object": "an object {...}", "boolean": "true or false"}


def _vocabulary_noun(parts: Parts) -> str:
    keys = [p for p in parts if isinstance(p, str)]
    last = keys[-1] if keys else ""
    parent = keys[-2] if len(keys) > 1 else ""
    if last == "type":
        return {"sourceList": "source type", "destinationList": "destination type",
                "bizTransactionList": "business transaction type",
                "sensorReport": "measurement type"}.get(parent, "type")
    return {"bizStep": "business step", "disposition": "disposition", "set": "disposition",
            "unset": "disposition", "reason": "error reason",
            "exception": "sensor alert type"}.get(last, last)


def _enum_message(parts: Parts, value: object, options: Sequence[object]) -> str:
    label = _label(parts)
    names = [str(o) for o in options]
    if len(names) <= 6:
        allowed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
        return f"{label} {_show(value)} is not allowed: use {allowed}"
    guess = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
    hint = f'; did you mean "{guess[0]}"?' if guess else f" (e.g. {', '.join(names[:3])})"
    return f"{label} {_show(value)} is not one of the {len(names)} standard values{hint}"


def _vocabulary_message(parts: Parts, value: object, leaves: list[ValidationError]) -> str:
    """A CBV/GS1 vocabulary value: a standard bare word, or a URI for one's own value."""
    noun = _vocabulary_noun(parts)
    if isinstance(value, str) and value.startswith("urn:epcglobal:cbv:"):
        word = value.rsplit(":", 1)[-1]
        return (f'{noun} {_show(value)}: in JSON write standard values as bare words '
                f'("{word}"), not as urn:epcglobal:cbv: URNs')
    options: Sequence[object] = next((leaf.kind.options for leaf in leaves
                                  if isinstance(leaf.kind, ValidationErrorKind.Enum)), [])
    guess = difflib.get_close_matches(str(value), [str(o) for o in options], n=1, cutoff=0.6)
    hint = f'did you mean "{guess[0]}"? ' if guess else ""
    return (f"{_show(value)} is not a standard {noun}: {hint}use a standard value "
            f"(e.g. {', '.join(str(o) for o in options[:3])}) or a full URI for your own value")


def _simple(error: ValidationError, parts: Parts) -> list[Finding]:
    """A failed keyword that is not anyOf/oneOf."""
    kind, value, label = error.kind, error.instance, _label(parts)
    if isinstance(kind, ValidationErrorKind.Required):
        prop = kind.property
        hint = _REQUIRED_HINTS.get(prop, "")
        return [Finding(parts + (prop,), f'required member "{prop}" is missing{hint}')]
    if isinstance(kind, ValidationErrorKind.PropertyNames):
        name = str(kind.error.instance)  # a property name: a string
        where = "an ilmd member" if parts and parts[-1] == "ilmd" else "an EPCIS 2.0 field here"
        return [Finding(parts + (name,), f'"{name}" is not {where}: an extension needs a '
                        f'namespaced name such as "myco:{name}", with "myco" declared in @context')]
    if isinstance(kind, ValidationErrorKind.AdditionalProperties):
        return [Finding(parts + (name,), f'"{name}" is not allowed in {label}')
                for name in kind.unexpected]
    if isinstance(kind, ValidationErrorKind.Type):
        wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in kind.types)
        return [Finding(parts, f"{label} must be {wanted}, not {_json_type(value)} "
                        f"({_show(value, 40)})")]
    if isinstance(kind, ValidationErrorKind.Format):
        fmt = kind.format
        if fmt == "date-time":
            msg = (f"{label} {_show(value)} is not a valid date-time: write it like "
                   "2024-11-05T07:30:00.000+07:00 (with the UTC offset or Z)")
        elif fmt == "uri":
            msg = (f"{label} {_show(value)} is not a URI: use a full identifier such as "
                   "https://id.gs1.org/01/<GTIN>/10/<lot> or a urn:epc: URN")
        else:
            msg = f"{label} {_show(value)} is not a valid {fmt}"
        return [Finding(parts, msg)]
    if isinstance(kind, ValidationErrorKind.Pattern):
        if label == "uom":
            msg = (f"uom {_show(value)} is not a UN/ECE Rec 20 unit code: use 2-3 capital "
                   "letters or digits, e.g. KGM for kilograms")
        elif label == "eventTimeZoneOffset":
            msg = (f"eventTimeZoneOffset {_show(value)} must look like +07:00 "
                   "(a real offset between -14:00 and +14:00)")
        elif label == "schemaVersion":
            msg = f'schemaVersion {_show(value)} must be a version number such as "2.0"'
        else:
            msg = f"{label} {_show(value)} does not have the expected form ({kind.pattern})"
        return [Finding(parts, msg)]
    if isinstance(kind, ValidationErrorKind.Enum):
        return [Finding(parts, _enum_message(parts, value, list(kind.options)))]
    if isinstance(kind, ValidationErrorKind.MinItems):
        n = kind.limit
        return [Finding(parts, f"{label} must have at least {n} entr{'y' if n == 1 else 'ies'}")]
    if isinstance(kind, ValidationErrorKind.UniqueItems):
        return [Finding(parts, f"{label} lists the same entry twice")]
    if isinstance(kind, ValidationErrorKind.Not):
        return [Finding(parts, f"{label} is not allowed here")]
    return [Finding(parts, f"{label} does not match the EPCIS 2.0 schema ({_kind(error)})")]


def _alternatives(error: ValidationError) -> list[list[ValidationError]]:
    """The errors of each alternative of an anyOf/oneOf (none for any other keyword)."""
    kind = error.kind
    if isinstance(kind, ValidationErrorKind.AnyOf | ValidationErrorKind.OneOfNotValid):
        return kind.context
    return []


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The innermost errors of an anyOf/oneOf, nested alternatives flattened."""
    out: list[ValidationError] = []
    for branch in _alternatives(error):
        for sub in branch:
            out.extend(_leaves(sub) if _kind(sub) in _COMBINATORS else [sub])
    return out


def _branches(error: ValidationError) -> list[list[ValidationError]]:
    return [[leaf for sub in branch for leaf in
             (_leaves(sub) if _kind(sub) in _COMBINATORS else [sub])]
            for branch in _alternatives(error)]


def _leaf_path(leaf: ValidationError) -> Parts:
    parts = tuple(leaf.instance_path)
    kind = leaf.kind
    return parts + (kind.property,) if isinstance(kind, ValidationErrorKind.Required) else parts


def _required(leaves: list[ValidationError]) -> list[str]:
    """The members the Required leaves name."""
    return [leaf.kind.property for leaf in leaves
            if isinstance(leaf.kind, ValidationErrorKind.Required)]


def _combinator(error: ValidationError, parts: Parts) -> list[Finding]:
    """None of the alternatives matched: say what the alternatives had in common."""
    leaves = _leaves(error)
    related = tuple(sorted({_leaf_path(leaf) for leaf in leaves}, key=repr))
    kinds = {_kind(leaf) for leaf in leaves}
    here = all(tuple(leaf.instance_path) == parts for leaf in leaves)
    instance = error.instance
    for leaf in leaves:
        if _kind(leaf) == "Not" and leaf.instance_path and leaf.instance_path[-1] == "ilmd":
            return [Finding(tuple(leaf.instance_path), "ilmd is only allowed on an ObjectEvent "
                            "with action ADD (it describes what is being created) or on a "
                            "TransformationEvent", related, parts)]
    if isinstance(instance, dict) and kinds <= {"Required", "MinItems", "Pattern"}:
        event_type = instance.get("type")
        wanted = sorted(set(_required(leaves)))
        message = _EVENT_CONTENT.get(event_type) or "needs one of: " + ", ".join(wanted)
        return [Finding(parts, message, related, parts)]
    if here and kinds <= {"Enum", "Format", "Pattern"}:
        return [Finding(parts, _vocabulary_message(parts, instance, leaves), related, parts)]
    if here and kinds == {"Type"}:
        wanted = sorted({t for leaf in leaves if isinstance(leaf.kind, ValidationErrorKind.Type)
                         for t in leaf.kind.types})
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in wanted)
        return [Finding(parts, f"{_label(parts)} must be {words}, not {_json_type(instance)}",
                        related, parts)]
    # Otherwise report the alternative that came closest (fewest complaints), in its own words.
    best = min(_branches(error), key=len)
    return [Finding(f.parts, f.message, related, parts)
            for leaf in best for f in _simple(leaf, tuple(leaf.instance_path))]


def describe(error: ValidationError) -> list[Finding]:
    """What one jsonschema-rs error means, as findings (usually one)."""
    parts = tuple(error.instance_path)
    if _kind(error) in _COMBINATORS and _alternatives(error):
        return _combinator(error, parts)
    return _simple(error, parts)

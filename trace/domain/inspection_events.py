"""An authority's inspection records and holds as EPCIS 2.0 events (issue #12, docs/inspector/
ACTIONS.md): each an ``ObjectEvent`` with ``action: OBSERVE`` naming the lot's class (and, for a
hold and its release, every lot made from it), sealed with the inspecting authority's key and
anchored like any event.

CBV 2.0 terms, and why:

    what           bizStep      disposition        extension
    inspection     inspecting   (none)             tc:inspection {kind: inspection, note}
    sample taken   sampling     (none)             tc:inspection {kind: sample, sampleId, note}
    result         inspecting   conformant |       tc:inspection {kind: result, result: pass|fail,
                                non_conformant        sampleId, note}; tc:evidence: the report
    hold           holding      non_sellable_other tc:hold {id, reason}
    release        holding      conformant         tc:release {hold, reason}

- A result says whether the goods meet their requirements: CBV 2.0's ``conformant`` and
  ``non_conformant`` are exactly that (assessed against a specification).
- A hold is a quarantine: the goods may not be sold until released. CBV 2.0 has no
  ``in_quarantine`` disposition; ``non_sellable_other`` ("cannot be sold for reasons not covered
  by other dispositions") is the closest standard word, and ``bizStep: holding`` (goods kept
  at a location pending a decision) says why. ``recalled`` would be wrong: nothing is called back.
- A release asserts that the goods were found to meet their requirements: ``conformant``, as a
  recall's lift (docs/RECALLS.md says why not ``active``). ``tc:release.hold`` names the hold it
  ends, so no reader has to guess which hold a ``conformant`` observation closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .errors import Problem
from .json_types import EpcisEvent, JsonObject
from .recall_events import NoticeLot, lgtin_class
from .step_events import offset, timestamp
from .vocabulary import TC_PREFIX

INSPECTING, SAMPLING, HOLDING = "inspecting", "sampling", "holding"
CONFORMANT, NON_CONFORMANT, ON_HOLD = "conformant", "non_conformant", "non_sellable_other"
KINDS = ("inspection", "sample", "result")
RESULTS = ("pass", "fail")
REASON_MIN, REASON_MAX = 3, 1000
NOTE_MAX = 1000
SAMPLE_MAX = 80
HOLD_MEMBER, RELEASE_MEMBER = f"{TC_PREFIX}:hold", f"{TC_PREFIX}:release"
INSPECTION_MEMBER = f"{TC_PREFIX}:inspection"
EVIDENCE_MEMBER = f"{TC_PREFIX}:evidence"


@dataclass(frozen=True, slots=True)
class InspectionFacts:
    """What an inspector records about a lot (validated by ``inspection_problems``)."""

    kind: str
    note: str = ""
    result: str | None = None
    sample_id: str = ""


def reason_problems(reason: str | None, path: str = "$.reason") -> list[Problem]:
    text = (reason or "").strip()
    if not REASON_MIN <= len(text) <= REASON_MAX:
        return [Problem(path, f"must be {REASON_MIN} to {REASON_MAX} characters")]
    return []


def inspection_problems(facts: InspectionFacts) -> list[Problem]:
    problems = []
    if facts.kind not in KINDS:
        problems.append(Problem("$.kind", "must be one of inspection, sample, result"))
    if facts.kind == "result" and facts.result not in RESULTS:
        problems.append(Problem("$.result", "a result is pass or fail"))
    if facts.kind != "result" and facts.result is not None:
        problems.append(Problem("$.result", "only a result has a pass or fail"))
    if len(facts.note.strip()) > NOTE_MAX:
        problems.append(Problem("$.note", f"at most {NOTE_MAX} characters"))
    if len(facts.sample_id.strip()) > SAMPLE_MAX:
        problems.append(Problem("$.sampleId", f"at most {SAMPLE_MAX} characters"))
    if facts.kind == "sample" and not facts.sample_id.strip():
        problems.append(Problem("$.sampleId", "give the sample's number"))
    if facts.kind == "inspection" and not facts.note.strip():
        problems.append(Problem("$.note", "say what was inspected"))
    return problems


def inspection_event(facts: InspectionFacts, when: datetime, lot: NoticeLot,
                     evidence: Sequence[JsonObject] = ()) -> EpcisEvent:
    """The event of an inspection, a sample or a result of one lot (``evidence``: the
    ``tc:evidence`` members of attached files, e.g. the lab's report)."""
    ext: JsonObject = {"kind": facts.kind}
    if facts.note.strip():
        ext["note"] = facts.note.strip()
    if facts.sample_id.strip():
        ext["sampleId"] = facts.sample_id.strip()
    disposition = None
    if facts.kind == "result":
        ext["result"] = facts.result
        disposition = CONFORMANT if facts.result == "pass" else NON_CONFORMANT
    event = _event(when, [lot], SAMPLING if facts.kind == "sample" else INSPECTING,
                   disposition, {INSPECTION_MEMBER: ext})
    if evidence:
        event[EVIDENCE_MEMBER] = list(evidence)
    return event


def hold_event(hold_id: int, when: datetime, lots: Sequence[NoticeLot], reason: str
               ) -> EpcisEvent:
    """The hold's event: ``lots`` is the held lot first, then every lot made from it."""
    return _event(when, lots, HOLDING, ON_HOLD, {HOLD_MEMBER: {"id": hold_id,
                                                              "reason": reason}})


def release_event(hold_id: int, when: datetime, lots: Sequence[NoticeLot], reason: str
                  ) -> EpcisEvent:
    return _event(when, lots, HOLDING, CONFORMANT, {RELEASE_MEMBER: {"hold": hold_id,
                                                                     "reason": reason}})


def _event(when: datetime, lots: Sequence[NoticeLot], biz_step: str, disposition: str | None,
           extension: JsonObject) -> EpcisEvent:
    if not lots:
        raise ValueError("an inspection record names at least one lot")
    classes = list(dict.fromkeys(lgtin_class(lot) for lot in lots))
    event: EpcisEvent = {"type": "ObjectEvent", "eventTime": timestamp(when),
                         "eventTimeZoneOffset": offset(when), "epcList": [],
                         "action": "OBSERVE", "bizStep": biz_step,
                         "quantityList": [{"epcClass": c} for c in classes], **extension}
    if disposition:
        event["disposition"] = disposition
    return event


@dataclass(frozen=True, slots=True)
class HoldNotice:
    """A hold as its signed events tell it (``holds_in``)."""

    id: int
    reason: str
    since: str  # the hold event's eventTime
    classes: tuple[str, ...]
    released: bool = False


def holds_in(events: Sequence[object]) -> dict[int, HoldNotice]:
    """The holds these events record, by id, each marked released when a release event among
    them names it. Events that are not holds or releases are ignored; a malformed member too
    (capture checked it; an event edited behind our back fails its own verification)."""
    holds: dict[int, HoldNotice] = {}
    released: set[int] = set()
    for event in events:
        if not isinstance(event, dict) or event.get("bizStep") not in (HOLDING, _cbv(HOLDING)):
            continue
        hold, release = event.get(HOLD_MEMBER), event.get(RELEASE_MEMBER)
        if isinstance(hold, dict) and isinstance(hold.get("id"), int):
            classes = tuple(str(q["epcClass"]) for q in event.get("quantityList") or ()
                            if isinstance(q, dict) and isinstance(q.get("epcClass"), str))
            holds[hold["id"]] = HoldNotice(hold["id"], str(hold.get("reason") or ""),
                                           str(event.get("eventTime") or ""), classes)
        elif isinstance(release, dict) and isinstance(release.get("hold"), int):
            released.add(release["hold"])
    return {i: HoldNotice(h.id, h.reason, h.since, h.classes, h.id in released)
            for i, h in holds.items()}


def _cbv(word: str) -> str:
    return f"https://ref.gs1.org/cbv/BizStep-{word}"

"""An evidence event: an observation of one of the organisation's lots that carries evidence —
a moisture reading, a lab result (residues per substance), a photo of a delivery note.

EPCIS ObjectEvent OBSERVE of the lot, bizStep ``inspecting`` (a reading or a lab result) or
``other`` (a photo, a delivery note), recorded through the normal capture path
(``step_recording.record``): hashed, sealed, custody-checked and anchored like any step. The
reading is written in our namespace (``tc:moisturePct``, ``tc:lab``, ``tc:sampleId``,
``tc:residues`` [{``tc:substance``, ``tc:mgPerKg``}]) and the files as ``tc:evidence`` references,
so the event hash covers both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...domain.actor import Actor
from ...domain.errors import Problem, ValidationFailed
from ...domain.evidence import EVIDENCE_MEMBER, KINDS, EvidenceRef
from ...domain.step_events import _base, _where
from ...domain.vocabulary import TC_PREFIX
from ...store import evidence_records as records
from ..cooperative.step_recording import (
    LotAmount,
    StepRecorded,
    acting_org,
    event_time,
    name_lots,
    record,
    require_existing,
    require_held,
)
from ..epcis.capture import CaptureSettings
from ..ports import UnitOfWork

READING_KINDS = ("moisture", "lab-result")  # bizStep inspecting; the others: other
MAX_TEXT = 80


@dataclass(frozen=True)
class Residue:
    substance: str
    mg_per_kg: float


@dataclass(frozen=True)
class EvidenceObservation:
    gtin: str
    lot: str
    kind: str
    evidence: list[EvidenceRef] = field(default_factory=list)
    moisture_pct: float | None = None
    residues: list[Residue] = field(default_factory=list)
    lab: str | None = None
    sample_id: str | None = None
    event_time: datetime | None = None


def _problems(o: EvidenceObservation) -> list[Problem]:
    problems = []
    if o.kind not in KINDS:
        problems.append(Problem("$.kind", "choose what the evidence is"))
    if o.moisture_pct is not None and not 0 <= o.moisture_pct <= 100:
        problems.append(Problem("$.moisturePct", "a moisture reading is 0 to 100 percent"))
    if o.kind == "moisture" and o.moisture_pct is None:
        problems.append(Problem("$.moisturePct", "give the moisture reading"))
    for i, r in enumerate(o.residues):
        if not r.substance.strip() or len(r.substance) > MAX_TEXT:
            problems.append(Problem(f"$.residues[{i}].substance", "name the substance"))
        if not r.mg_per_kg >= 0:
            problems.append(Problem(f"$.residues[{i}].mgPerKg", "a residue is 0 mg/kg or more"))
    if o.kind == "lab-result" and not o.residues and not o.evidence:
        problems.append(Problem("$.residues", "give a result or attach the lab's report"))
    if o.kind not in READING_KINDS and not o.evidence:
        problems.append(Problem("$.evidence", "attach the photo or document"))
    for name, text in (("lab", o.lab), ("sampleId", o.sample_id)):
        if text is not None and len(text) > MAX_TEXT:
            problems.append(Problem(f"$.{name}", "at most 80 characters"))
    return problems


def observation_event(o: EvidenceObservation, uri: str, when: datetime, gln: str | None
                      ) -> dict[str, Any]:
    event = _base("ObjectEvent", when)
    event.update({"quantityList": [{"epcClass": uri}], "action": "OBSERVE",
                  "bizStep": "inspecting" if o.kind in READING_KINDS else "other"})
    _where(event, gln)
    t = TC_PREFIX
    if o.moisture_pct is not None:
        event[f"{t}:moisturePct"] = o.moisture_pct
    if o.residues:
        event[f"{t}:residues"] = [{f"{t}:substance": r.substance.strip(),
                                   f"{t}:mgPerKg": r.mg_per_kg} for r in o.residues]
    if o.lab:
        event[f"{t}:lab"] = o.lab.strip()
    if o.sample_id:
        event[f"{t}:sampleId"] = o.sample_id.strip()
    if o.evidence:
        event[EVIDENCE_MEMBER] = [ref.member() for ref in o.evidence]
    return event


def record_evidence(o: EvidenceObservation, actor: Actor, settings: CaptureSettings,
                    uow: UnitOfWork) -> StepRecorded:
    """Record the observation for one of the organisation's lots.

    :raises ValidationFailed: a bad reading, an unknown lot, or a file that is not one of the
        organisation's uploads. :raises Forbidden: a lot the organisation does not hold.
    """
    when = event_time(o.event_time)
    problems = _problems(o)
    with uow:
        org = acting_org(actor, uow)
        org_id, gln = org.id, org.gln
        (lot,) = name_lots(uow, [LotAmount(o.gtin, o.lot)], "$", need_quantity=False,
                           single=True)
        require_existing([lot])
        require_held([lot], org_id)
        for i, ref in enumerate(o.evidence):
            if records.file_of(uow, org_id, ref.sha256) is None:
                problems.append(Problem(f"$.evidence[{i}]", "this file was not uploaded by "
                                        "your organisation"))
    if problems:
        raise ValidationFailed(problems[0].message if len(problems) == 1
                               else "invalid evidence", problems)
    event = observation_event(o, lot.uri, when, gln)
    return record(event, {"quantityList": "$.lot"}, actor, org_id, settings, uow)

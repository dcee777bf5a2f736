"""The evidence of a lot's events, as inspectors see it: each reference an event carries, and
whether the file is still what the event's hash covers.

A reference's file is **ok** (its bytes hash to the reference's SHA-256), **altered** (edited on
the server: the bytes no longer match), **missing** (gone from the server), or **unknown** (the
event's organisation never uploaded a file with that hash here: a reference typed or forged into
a captured event, or one to a file kept elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from ...domain import policy
from ...domain.actor import Actor
from ...domain.errors import NotFound
from ...domain.evidence import EvidenceRef, references
from ...domain.vocabulary import TC_PREFIX
from ...gs1.canonical import canonicalise
from ...gs1.keys import LotKey
from ...store import evidence_records as records
from ...store import stock
from ..cooperative.catalogue import gtin_or_problem
from ..lots.stock import lot_facts
from ..ports import UnitOfWork
from .files import UNKNOWN, file_status


@dataclass(frozen=True)
class FileView:
    ref: EvidenceRef
    status: str  # ok | altered | missing | unknown

    @property
    def sha256(self) -> str:
        return self.ref.sha256


@dataclass(frozen=True)
class EventEvidence:
    event_id: str
    event_time: datetime
    biz_step: str
    organisation_id: int | None
    declaration: bool
    reading: dict[str, Any]
    files: list[FileView] = field(default_factory=list)
    local_time: str = ""  # as recorded, with its own offset: 2025-03-03 16:00


@dataclass(frozen=True)
class LotEvidence:
    gtin: str
    lot: str
    events: list[EventEvidence]

    @property
    def files(self) -> list[FileView]:
        return [f for e in self.events for f in e.files]

    @property
    def problems(self) -> list[FileView]:
        return [f for f in self.files if f.status != "ok"]


def reading_of(body: dict[str, Any]) -> dict[str, Any]:
    """The reading an evidence event carries (moisture, lab, sample, residues), by short name."""
    t = f"{TC_PREFIX}:"
    found: dict[str, Any] = {}
    for key in ("moisturePct", "lab", "sampleId"):
        if t + key in body:
            found[key] = body[t + key]
    residues = body.get(t + "residues")
    if isinstance(residues, list):
        found["residues"] = [(r.get(t + "substance"), r.get(t + "mgPerKg"))
                             for r in residues if isinstance(r, dict)]
    return found


def statuses(uow: UnitOfWork, directory: Path, wanted: list[tuple[int | None, str]]
             ) -> dict[tuple[int | None, str], str]:
    """The status of each (organisation, sha256): unknown unless that organisation uploaded it."""
    uploaded = {(r.organisation_id, r.sha256)
                for r in records.files_by_sha(uow, {sha for _, sha in wanted})}
    return {(org, sha): file_status(directory, sha) if (org, sha) in uploaded else UNKNOWN
            for org, sha in wanted}


def lot_evidence(actor: Actor, gtin: str, lot: str, uow: UnitOfWork, directory: Path
                 ) -> LotEvidence:
    """The evidence of the lot's events, for whoever may read the lot.

    :raises NotFound: no such lot. :raises Forbidden: a lot the actor may not read.
    """
    uri = canonicalise(LotKey(gtin_or_problem(gtin, "gtin"), lot).uri)
    with uow:
        rows = stock.lot_rows_by_uri(uow, uri)
        if not rows:
            raise NotFound(f"no lot {lot} of GTIN {gtin}")
        policy.require_read_lot(actor, lot_facts(uow, actor, rows[0].Lot))
        found = []
        for row in records.events_naming(uow, [uri]):
            body = orjson.loads(row.body)
            refs = references(body)
            if refs or row.biz_step and row.biz_step.endswith("inspecting"):
                found.append((row, body, refs))
        status = statuses(uow, directory, [(row.organisation_id, ref.sha256)
                                           for row, _, refs in found for ref in refs])
    events = [EventEvidence(row.event_id, row.event_time, (row.biz_step or "").rsplit("-", 1)[-1],
                            row.organisation_id, row.declaration, reading_of(body),
                            [FileView(ref, status[(row.organisation_id, ref.sha256)])
                             for ref in refs],
                            str(body.get("eventTime", ""))[:16].replace("T", " "))
              for row, body, refs in found]
    return LotEvidence(gtin, lot, events)
